import type { FastifyRequest } from 'fastify';
import { fail } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import type { AuthService } from '../../services/identity/auth.service.js';

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

const UNKNOWN_ADDRESS = 'unknown';

/**
 * Throttling key: the IPv4 address, or the /64 of an IPv6 address (Nextcloud's
 * subnet rule). IPv6 text has many spellings of one address (`::` runs,
 * leading zeros, case, a zone), so the prefix is taken from the expanded form.
 * A request whose client already hung up has no address (Node clears it with
 * the socket): those share one key rather than failing.
 */
export function throttleAddress(ip: string | undefined): string {
  if (!ip) return UNKNOWN_ADDRESS;
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1]!;
  const groups = expandIpv6(ip);
  if (!groups) return ip.toLowerCase();
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, lower-case without leading zeros; null when it is not one. */
function expandIpv6(ip: string): string[] | null {
  let s = ip.toLowerCase().replace(/%.*$/, '');
  // An embedded IPv4 tail (::ffff:1.2.3.4 forms other than the mapped prefix) is two groups.
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return all.map((g) => parseInt(g, 16).toString(16));
}

/** The browser session's cookie (see src/http/web/session-cookie.ts, which sets it). */
export const SESSION_COOKIE = 'nimbus_session';
/** The header carrying a session's CSRF token, as Nextcloud's web sends it. */
export const CSRF_HEADER = 'requesttoken';

/** Methods that change nothing: a session may make them with its cookie alone. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PROPFIND', 'REPORT', 'SEARCH']);

export interface AuthenticateOptions {
  /** OCS: Nextcloud also takes `OCS-APIRequest: true` as CSRF proof, since no other site can send that header. */
  ocsHeaderPasses?: boolean;
}

/** The value of one cookie of ours, if the request sent it (our values are alphanumeric). */
export function cookieValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) {
      const value = pair.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/**
 * Resolves the request's principal (null when no credentials were sent);
 * wrong credentials throw. Authorization wins over a session cookie, as in
 * Nextcloud. A session authenticates API calls too: reads with the cookie
 * alone, anything else only with the session's CSRF token in `requesttoken`
 * (else preconditionFailed: 412 in each family's format).
 */
export async function authenticate(request: FastifyRequest, auth: AuthService, opts: AuthenticateOptions = {}): Promise<Principal | null> {
  const creds = parseAuthorization(request.headers.authorization);
  if (creds === null) {
    const session = cookieValue(request, SESSION_COOKIE);
    if (session === undefined) return null;
    const principal = await auth.session(session);
    if (!SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      const ocsHeader = request.headers['ocs-apirequest'];
      const passes = auth.csrfMatches(session, typeof sent === 'string' ? sent : undefined) || (opts.ocsHeaderPasses === true && typeof ocsHeader === 'string' && ocsHeader.trim() !== '');
      if (!passes) fail('preconditionFailed', 'CSRF check failed', 'csrfFailed');
    }
    return principal;
  }
  if (creds.kind === 'basic') return auth.basic(creds.login, creds.password, throttleAddress(request.ip));
  if (creds.kind === 'bearer') return auth.bearer(creds.token);
  return fail('unauthenticated', 'Unauthorised');
}
