import type { DavCall } from '../context.js';
import { sendFile } from '../../common/send-file.js';
import { notImplemented } from '../errors.js';

// Still importable from here: PUT's preconditions and the parser tests use them.
export { type ByteRange, contentDisposition, etagMatches, parseRange } from '../../common/send-file.js';

/**
 * GET and HEAD: 1 resolve (404; a folder is 501 as Sabre without its browser
 * plugin), 2 validators and conditionals (412/304), 3 range (206/416),
 * 4 headers, 5 stream the bytes.
 */
export async function get(call: DavCall): Promise<unknown> {
  const t = await call.target();
  const node = await call.mustStat(t);
  if (node.type === 'folder') {
    throw notImplemented('There was no plugin in the system that was willing to handle this GET method. Enable the Browser plugin to get a better result here.');
  }
  return sendFile(call.request, call.reply, node, (range) => call.files.read(t.place, range));
}
