import type { FastifyRequest } from 'fastify';
import type { OpenedLink, PublicLinksService } from '../../services/public-links.service.js';
import { parseAuthorization, throttleAddress } from '../common/credentials.js';
import { missingBasic, notFound, publicLinkRefusal } from './errors.js';
import { parseDavPathname } from './location.js';

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
