import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import type { OpenedLink, PublicLinksService } from '../../services/sharing/public-links.service.js';
import { throttleAddress } from '../common/credentials.js';

/**
 * A browser's standing with one link: the proof that it entered the link's
 * password, and the anti-CSRF secret its forms echo. Both are cookies scoped
 * to /s/{token}; nothing lives in process memory, so any instance serves any
 * request, and the link is re-opened on every request (deleted, expired or
 * re-protected links stop at once).
 */

export const PROOF_COOKIE = 'nimbus_share_auth';
export const CSRF_COOKIE = 'nimbus_share_csrf';
export const CSRF_FIELD = 'requesttoken';

/** The link's password is needed: the page asks for it. */
export class PasswordRequired extends Error {
  constructor(readonly token: string) {
    super('This share is password protected');
  }
}

export function cookies(request: FastifyRequest): Map<string, string> {
  const out = new Map<string, string>();
  const header = request.headers.cookie;
  if (!header) return out;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    // Only our own cookies are read, and their values are base64url or hex: anything else is not ours.
    const value = pair.slice(eq + 1).trim();
    if (!out.has(name) && /^[A-Za-z0-9_-]{1,200}$/.test(value)) out.set(name, value);
  }
  return out;
}

export const sharePath = (token: string): string => `/s/${token}`;

function setCookie(request: FastifyRequest, reply: FastifyReply, name: string, value: string, token: string): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  const line = `${name}=${value}; Path=${sharePath(token)}; HttpOnly; SameSite=Lax${secure}`;
  const previous = reply.getHeader('set-cookie');
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous.map(String) : [String(previous)];
  reply.header('set-cookie', [...list.filter((l) => !l.startsWith(`${name}=`)), line]);
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * The value a form must carry (double submit, bound to the link): a digest of
 * the browser's random CSRF cookie, which another site can neither read nor
 * set for this path. A cookie is issued when the browser has none yet.
 */
export function csrfToken(request: FastifyRequest, reply: FastifyReply, token: string): string {
  let secret = cookies(request).get(CSRF_COOKIE);
  if (!secret) {
    secret = randomBytes(24).toString('base64url');
    setCookie(request, reply, CSRF_COOKIE, secret, token);
    // Later renders of this response (an error page after the route's own) reuse it.
    request.headers.cookie = `${request.headers.cookie ? `${request.headers.cookie}; ` : ''}${CSRF_COOKIE}=${secret}`;
  }
  return digest(`share-csrf:${token}:${secret}`).toString('base64url');
}

export function csrfValid(request: FastifyRequest, token: string, submitted: unknown): boolean {
  const secret = cookies(request).get(CSRF_COOKIE);
  if (!secret || typeof submitted !== 'string') return false;
  const expected = digest(`share-csrf:${token}:${secret}`);
  const given = Buffer.from(submitted, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function setProofCookie(request: FastifyRequest, reply: FastifyReply, token: string, proof: string): void {
  setCookie(request, reply, PROOF_COOKIE, proof, token);
}

/**
 * Opens the link for this request: throttled per address as every public
 * entry point (unknown tokens count as failures), and for a protected link
 * the password proof cookie must match. notFound, tooManyRequests and
 * PasswordRequired are the ways out.
 */
export async function openLink(request: FastifyRequest, links: PublicLinksService, token: string): Promise<OpenedLink> {
  try {
    return await links.open(token, undefined, throttleAddress(request.ip));
  } catch (err) {
    if (!(err instanceof DomainError && err.code === 'unauthenticated')) throw err;
  }
  const share = await links.byToken(token);
  if (!share) throw new DomainError('notFound', 'The share does not exist or has expired');
  if (!links.checkProof(share, cookies(request).get(PROOF_COOKIE))) throw new PasswordRequired(token);
  return links.resolve(share);
}
