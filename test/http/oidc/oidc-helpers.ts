import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Browser } from '../web/signin-helpers.js';

export const DESKTOP = { id: 'xdXOt13JKxym1B1QcEncf2XDkLAexMBFwiT9j6EfhhHFJhs2KM9jbjTmf8JBXE69', secret: 'UBntmLjC2yYCeHwsyj73Uwo9TAaecAetRwMw0xYcvNL9yRdLSUi0hUAHfvCHFeFh' };
export const LOOPBACK = 'http://127.0.0.1:43123';

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const clientBasic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export interface AuthorizeOptions {
  clientId?: string;
  redirectUri?: string;
  prompt?: string;
  scope?: string;
  challenge: string;
}

export const authorizeUrl = (o: AuthorizeOptions, state = 'st-1'): string =>
  `/oidc/auth?${new URLSearchParams({
    client_id: o.clientId ?? DESKTOP.id,
    redirect_uri: o.redirectUri ?? LOOPBACK,
    response_type: 'code',
    scope: o.scope ?? 'openid offline_access profile email',
    code_challenge: o.challenge,
    code_challenge_method: 'S256',
    state,
    ...(o.prompt ? { prompt: o.prompt } : {}),
  })}`;

/** Follows the provider's redirects in the browser until it leaves the server; answers where it went. */
export async function follow(b: Browser, start: string, max = 8, origin = 'http://nimbus.test'): Promise<{ location: string; trail: LightMyRequestResponse[] }> {
  const trail: LightMyRequestResponse[] = [];
  let url = start;
  for (let i = 0; i < max; i++) {
    const res = await b.get(url);
    trail.push(res);
    expect([302, 303], `${url}: ${res.statusCode} ${res.body.replace(/<style[^]*?<\/style>/, '').slice(0, 1500)}`).toContain(res.statusCode);
    const location = String(res.headers.location);
    const next = new URL(location, origin);
    if (next.origin !== origin) return { location, trail };
    url = next.pathname + next.search;
  }
  throw new Error('too many redirects');
}

/** The code flow with PKCE for the desktop client id, signed in as the browser's user. */
export async function codeFor(b: Browser, o: Partial<AuthorizeOptions> = {}, origin = 'http://nimbus.test'): Promise<{ code: string; verifier: string; redirectUri: string }> {
  const { verifier, challenge } = pkce();
  const redirectUri = o.redirectUri ?? LOOPBACK;
  // As the desktop app asks (offline_access needs prompt=consent, OpenID Connect Core 11).
  const { location } = await follow(b, authorizeUrl({ prompt: 'select_account consent', ...o, challenge, redirectUri }), 8, origin);
  const back = new URL(location);
  expect(`${back.origin}`).toBe(new URL(redirectUri).origin);
  expect(back.searchParams.get('state')).toBe('st-1');
  const code = back.searchParams.get('code');
  expect(code, location).toBeTruthy();
  return { code: code!, verifier, redirectUri };
}

export async function token(app: FastifyInstance, fields: Record<string, string>, client = DESKTOP): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/oidc/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: clientBasic(client.id, client.secret) },
    payload: new URLSearchParams(fields).toString(),
  });
}
