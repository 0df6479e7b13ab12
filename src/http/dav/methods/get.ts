import type { DavCall } from '../context.js';
import { previewAskOf, sendPreview } from '../../common/preview-reply.js';
import { sendFile } from '../../common/send-file.js';
import { archiveFolder, archiveKind } from './archive-folder.js';

// Still importable from here: PUT's preconditions and the parser tests use them.
export { type ByteRange, contentDisposition, etagMatches, parseRange } from '../../common/send-file.js';

/**
 * Nextcloud's DummyGetResponsePlugin (apps/dav/lib/Connector/Sabre): a GET
 * that no file answers (a collection) gets this text with 200, so clients
 * checking the DAV endpoint with GET or HEAD (the desktop wizard's HEAD on
 * the files root) see it working. PHP's default content type goes with it.
 */
export const DAV_INTERFACE_TEXT = 'This is the WebDAV interface. It can only be accessed by WebDAV clients such as the Nextcloud desktop sync client.';

/**
 * GET and HEAD: 1 resolve (404), 2 a collection answers as its reference
 * server does (an archive when one is asked for, archive-folder.ts), a
 * file its preview when one is asked for, 3 validators and conditionals (412/304), 4 range (206/416),
 * 5 headers, 6 stream the bytes.
 */
export async function get(call: DavCall): Promise<unknown> {
  if (call.loc.family === 'root') return collection(call);
  const t = await call.target();
  const node = await call.mustStat(t);
  if (node.type === 'folder') {
    const kind = archiveKind(call);
    return kind ? archiveFolder(call, t, node, kind) : collection(call);
  }
  const query = (call.request.query ?? {}) as Record<string, unknown>;
  // oCIS's thumbnails: the file's own WebDAV URL with preview=1 (ocdav hands it to the thumbnails service), x, y, a; c only busts caches.
  if (query.preview === '1') return sendPreview(call.request, call.reply, await call.deps.services.previews.preview(t.place, previewAskOf(query)));
  return sendFile(call.request, call.reply, node, (range) => call.files.read(t.place, range));
}

/** oCIS's entry points (spaces, /dav/…): ocdav's handleGet answers a non-file with 200 and an empty body. */
const ocisStyle = (call: DavCall): boolean => call.loc.family === 'spaces' || call.loc.scheme === 'ocis' || call.loc.base.startsWith('/dav/') || call.loc.base === '/dav';

function collection(call: DavCall): unknown {
  if (ocisStyle(call)) return call.reply.code(200).header('Content-Length', '0').send();
  // HEAD goes through the same path: Node leaves the body out and keeps the length GET would send.
  return call.reply.code(200).type('text/html; charset=UTF-8').send(DAV_INTERFACE_TEXT);
}
