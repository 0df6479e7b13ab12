import type { FastifyRequest } from 'fastify';
import type { OpenedLink, PublicLinksService } from '../../services/sharing/public-links.service.js';
import { parseAuthorization, throttleAddress } from '../common/credentials.js';
import { DomainError } from '../../domain/errors.js';
import { DavError, missingBasic, NOT_AUTHENTICATED, notFound } from './errors.js';
import { parseDavPathname, type PublicScheme } from './location.js';

const WRONG_CREDENTIALS = 'Username or password was incorrect';

/**
 * Authenticates a request on a public entry point by its link, never as a
 * user: the token is the Basic user name (/public.php/webdav) or the path
 * segment after the entry point (/public.php/dav/files/{token},
 * /dav/public-files/{token}), the link's password the Basic password whatever
 * the user name (oCIS clients send `public`, Nextcloud's `anonymous`). oCIS
 * clients also repeat the token in a `public-token` header; the path names
 * the link, so the header adds nothing and is not needed.
 *
 * Returns null for an OPTIONS without credentials: it gets the static answer,
 * as Nextcloud's AnonymousOptionsPlugin gives it. Every request re-opens the
 * link, so an expired, deleted or re-protected link stops at the next one.
 */
export async function authenticatePublic(request: FastifyRequest, pathname: string, links: PublicLinksService): Promise<OpenedLink | null> {
  const loc = parseDavPathname(pathname);
  const creds = parseAuthorization(request.headers.authorization);
  const basic = creds?.kind === 'basic' ? creds : null;
  const named = loc !== null && loc.family === 'public';
  if (request.method === 'OPTIONS' && (!basic || !named)) return null;
  // /public.php/dav/ and /public.php/dav/files/ name no link (Nextcloud PublicAuth's getToken: NotFound).
  if (!named) throw notFound('No public link is named here');
  let token: string;
  if (loc!.scheme === 'legacy') {
    if (!basic) throw missingBasic();
    token = basic.login;
  } else token = loc!.ref;
  try {
    // Federated shares are reached here too: the recipient's server presents their token (seed 004).
    return await links.open(token, basic?.password, throttleAddress(request.ip), true);
  } catch (err) {
    throw publicLinkRefusal(err, loc!.scheme!, basic !== null);
  }
}

/**
 * How a public entry point answers a link it could not open, as its
 * reference does. /public.php/webdav (Nextcloud LegacyPublicAuth): every
 * refusal is 401 "Username or password was incorrect". /public.php/dav/files
 * (PublicAuth): an unknown, expired or deleted link is 404 unless Basic
 * credentials came (then 401 as a failed login); a password-protected one is
 * 401. oCIS /dav/public-files (ocdav): unknown links 404, a missing or wrong
 * password 401. Throttling stays 429 everywhere.
 */
export function publicLinkRefusal(err: unknown, scheme: PublicScheme, sentBasic: boolean): unknown {
  if (!(err instanceof DomainError)) return err;
  if (err.code === 'notFound') {
    if (scheme === 'legacy' || (scheme === 'token' && sentBasic)) return new DavError(401, NOT_AUTHENTICATED, WRONG_CREDENTIALS);
    return notFound('The share does not exist or has expired');
  }
  if (err.code === 'unauthenticated') return sentBasic ? new DavError(401, NOT_AUTHENTICATED, WRONG_CREDENTIALS) : missingBasic();
  return err;
}
