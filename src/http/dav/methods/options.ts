import type { DavCall } from '../context.js';

/**
 * Compliance classes as Nextcloud's files endpoint announces them (sample 29),
 * with class 2 added because LOCK/UNLOCK are served (as Sabre's Locks plugin
 * adds it); the calendar and pagination features of Nextcloud are not ours.
 */
export const DAV_HEADER = '1, 2, 3, extended-mkcol, nextcloud-checksum-update';
const ALLOW = 'OPTIONS, GET, HEAD, DELETE, PROPFIND, PUT, PROPPATCH, COPY, MOVE';

/**
 * Sabre's getAllowedMethods: REPORT where a report is served (the personal
 * entry points, report.ts), MKCOL only on an unmapped URL; LOCK/UNLOCK from
 * the locks support.
 */
export const allowHeader = (exists: boolean, report = false): string => `${ALLOW}${report ? ', REPORT' : ''}${exists ? '' : ', MKCOL'}, LOCK, UNLOCK`;

/** Whether REPORT answers at this location: oc:filter-files on the caller's home. */
export const servesReport = (call: DavCall): boolean => call.loc.family === 'files' || call.loc.family === 'webdav';

/** What the resource allows: anonymous callers and the roots get the static answer; MKCOL only where nothing is yet. */
export async function resourceAllow(call: DavCall): Promise<string> {
  let exists = true;
  if (call.userId && call.loc.family !== 'root' && call.loc.path.length > 0) {
    const t = await call.target();
    exists = (await call.stat(t)) !== null;
  }
  return allowHeader(exists, servesReport(call));
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
