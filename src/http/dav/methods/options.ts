import type { DavCall } from '../context.js';

/**
 * Compliance classes as Nextcloud's files endpoint announces them (sample 29),
 * with class 2 added because LOCK/UNLOCK are served (as Sabre's Locks plugin
 * adds it); the calendar and pagination features of Nextcloud are not ours.
 */
export const DAV_HEADER = '1, 2, 3, extended-mkcol, nextcloud-checksum-update';
const ALLOW = 'OPTIONS, GET, HEAD, DELETE, PROPFIND, PUT, PROPPATCH, COPY, MOVE';

/** Sabre's getAllowedMethods: MKCOL only on an unmapped URL; LOCK/UNLOCK from the locks support. */
export const allowHeader = (exists: boolean): string => `${ALLOW}${exists ? '' : ', MKCOL'}, LOCK, UNLOCK`;

/** What the resource allows: anonymous callers and the roots get the static answer; MKCOL only where nothing is yet. */
export async function resourceAllow(call: DavCall): Promise<string> {
  let exists = true;
  if (call.userId && call.loc.family !== 'root' && call.loc.path.length > 0) {
    const t = await call.target();
    exists = (await call.stat(t)) !== null;
  }
  return allowHeader(exists);
}

/** OPTIONS: step 1 resolve, step 2 headers. */
export async function options(call: DavCall): Promise<void> {
  call.reply
    .code(200)
    .header('Allow', await resourceAllow(call))
    .header('DAV', DAV_HEADER)
    .header('MS-Author-Via', 'DAV')
    .header('Accept-Ranges', 'bytes')
    .header('Content-Length', '0');
  return call.reply.send();
}
