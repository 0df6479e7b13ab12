import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import type { Services } from '../../services/index.js';
import { cookieValue, SESSION_COOKIE } from '../common/credentials.js';
import type { WebDeps } from './deps.js';

/** A browser signed in: who, and the session's token (for its CSRF token and sign-out). */
export interface SignedIn {
  principal: Principal;
  token: string;
}

/** The sign-in form's own anti-CSRF secret, before any session exists (double submit). */
const LOGIN_CSRF_COOKIE = 'nimbus_login_csrf';
export const CSRF_FIELD = 'requesttoken';

const secure = (deps: WebDeps): string => (deps.publicUrl.startsWith('https:') ? '; Secure' : '');
const cookiePath = (deps: WebDeps): string => `${deps.env.basePath}/`;

function appendCookie(reply: FastifyReply, line: string): void {
  const previous = reply.getHeader('set-cookie');
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous.map(String) : [String(previous)];
  reply.header('set-cookie', [...list, line]);
}

/**
 * The session cookie: HttpOnly, SameSite=Lax (a link from another site may
 * open a page, never post a form as the user), Secure when PUBLIC_URL is
 * https, for the whole server so WebDAV, OCS and Graph see it too. "Stay
 * signed in" makes it outlive the browser for as long as the session may.
 */
export function setSessionCookie(reply: FastifyReply, deps: WebDeps, token: string, maxAgeSeconds: number | null): void {
  const age = maxAgeSeconds === null ? '' : `; Max-Age=${maxAgeSeconds}`;
  appendCookie(reply, `${SESSION_COOKIE}=${token}; Path=${cookiePath(deps)}; HttpOnly; SameSite=Lax${secure(deps)}${age}`);
}

export function clearSessionCookie(reply: FastifyReply, deps: WebDeps): void {
  appendCookie(reply, `${SESSION_COOKIE}=; Path=${cookiePath(deps)}; HttpOnly; SameSite=Lax${secure(deps)}; Max-Age=0`);
}

/** The signed-in browser, or null (no cookie, or one that no longer opens a session). */
export async function signedIn(request: FastifyRequest, services: Services): Promise<SignedIn | null> {
  const token = cookieValue(request, SESSION_COOKIE);
  if (!token) return null;
  try {
    return { principal: await services.auth.session(token), token };
  } catch (err) {
    if (err instanceof DomainError && err.code === 'unauthenticated') return null;
    throw err;
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** The value the sign-in form carries: a digest of a random cookie another site can neither read nor set. */
export function loginCsrf(request: FastifyRequest, reply: FastifyReply, deps: WebDeps): string {
  let secret = cookieValue(request, LOGIN_CSRF_COOKIE);
  if (!secret) {
    secret = randomBytes(24).toString('base64url');
    appendCookie(reply, `${LOGIN_CSRF_COOKIE}=${secret}; Path=${cookiePath(deps)}; HttpOnly; SameSite=Strict${secure(deps)}`);
  }
  return digest(secret).toString('base64url');
}

export function loginCsrfValid(request: FastifyRequest, sent: unknown): boolean {
  const secret = cookieValue(request, LOGIN_CSRF_COOKIE);
  if (!secret || typeof sent !== 'string') return false;
  const expected = digest(secret);
  const got = Buffer.from(sent, 'base64url');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/**
 * Where to go after signing in: a path on this server below PUBLIC_URL,
 * never another site (`//evil`, `https:`, backslashes) — else the start page.
 */
export function safeRedirect(deps: WebDeps, raw: unknown, fallback: string): string {
  if (typeof raw !== 'string' || raw.length > 2000) return fallback;
  const base = deps.env.basePath;
  if (!raw.startsWith(`${base}/`) || raw.startsWith('//') || /[\\\u0000-\u001f]/.test(raw)) return fallback;
  try {
    const parsed = new URL(raw, 'http://nimbus.invalid');
    if (parsed.host !== 'nimbus.invalid') return fallback;
  } catch {
    return fallback;
  }
  return raw;
}
