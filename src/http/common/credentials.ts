import type { FastifyRequest } from 'fastify';
import { fail } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import type { AuthService } from '../../services/auth.service.js';

export type Credentials =
  | { kind: 'basic'; login: string; password: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'malformed' };

/** Parses Authorization; Basic credentials are UTF-8 as the OCS spec requires. */
export function parseAuthorization(header: string | undefined): Credentials | null {
  if (!header) return null;
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'basic') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return { kind: 'malformed' };
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0 || decoded.includes('\uFFFD')) return { kind: 'malformed' };
    return { kind: 'basic', login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (scheme === 'bearer' && value) return { kind: 'bearer', token: value };
  return { kind: 'malformed' };
}

/** Throttling key: IPv4 address, or the /64 of an IPv6 address (Nextcloud's subnet rule). */
export function throttleAddress(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1]!;
  const groups = ip.split(':');
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** Resolves the request's principal (null when no credentials were sent); wrong credentials throw. */
export async function authenticate(request: FastifyRequest, auth: AuthService): Promise<Principal | null> {
  const creds = parseAuthorization(request.headers.authorization);
  if (creds === null) return null;
  if (creds.kind === 'basic') return auth.basic(creds.login, creds.password, throttleAddress(request.ip));
  if (creds.kind === 'bearer') return auth.bearer(creds.token);
  return fail('unauthenticated', 'Unauthorised');
}
