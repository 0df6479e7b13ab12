import type { DavCall } from '../context.js';
import { DavError } from '../errors.js';
import type { DavLocation } from '../location.js';
import { sendMultistatus } from '../multistatus.js';
import { parseSearchRequest } from '../search-request.js';
import { parseXmlBody } from '../xml.js';
import { homeResponses } from './home-items.js';
import { notImplemented } from './unhandled.js';

/**
 * SEARCH on /remote.php/dav/ (RFC 5323 basicsearch, Nextcloud's
 * FileSearchBackend): the scope is `/files/{user}/…` of the caller, hits are
 * their own files below it and, from their root, what they received under
 * its mount names; each hit is opened as the caller before it is listed,
 * with the properties selected as PROPFIND answers them. Elsewhere SEARCH
 * stays sabre's 501.
 */
export async function search(call: DavCall): Promise<unknown> {
  const { loc } = call;
  if (loc.family !== 'root' || loc.base !== '/remote.php/dav' || loc.path.length !== 0 || !call.request.principal) return notImplemented(call, false);
  const request = parseSearchRequest(parseXmlBody(call.request.body as Buffer | undefined));
  const [collection, user, ...below] = request.scope;
  // Nextcloud's backend knows the files of the user making the request only.
  if (collection !== 'files' || user !== call.userId) throw new DavError(400, 'Sabre\\DAV\\Exception\\BadRequest', 'The scope must be /files/{user} of the caller');
  const home: DavLocation = { family: 'files', base: `/remote.php/dav/files/${encodeURIComponent(call.userId)}`, ref: call.userId, path: below };
  const folder = await call.mustStat(await call.target(home));
  if (folder.type !== 'folder') throw new DavError(400, 'Sabre\\DAV\\Exception\\BadRequest', 'The scope must be a folder');
  const paths = await call.deps.services.fileSearch.inHome(call.userId, below, request.search, request.depthOne);
  return sendMultistatus(call.reply, await homeResponses(call, home, paths, request.props));
}
