import { Readable } from 'node:stream';
import type { FileNode } from '../../../domain/node.js';
import type { DavCall } from '../context.js';
import { badRequest, methodNotAllowed, preconditionFailed } from '../errors.js';
import { assertUnlocked, locksCovering } from '../locks.js';
import { ocId } from '../props/oc.js';
import { etagMatches } from './get.js';
import { refusedIfTaken } from './name-taken.js';
import { allowHeader, servesReport } from './options.js';

/** X-OC-MTime: unix seconds (Nextcloud accepts decimals); epoch ms for the files layer. */
export function clientMtime(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\s*\d+(\.\d+)?\s*$/.test(raw)) throw badRequest('X-OC-MTime header must be an integer (unix timestamp).');
  return Math.round(Number(raw) * 1000);
}

/** A declared length: Content-Length, or OC-Total-Length for a chunked transfer. */
export function declaredLength(call: DavCall): number | undefined {
  const raw = call.header('content-length') ?? call.header('oc-total-length');
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim())) throw badRequest('Invalid length header');
  return Number(raw);
}

/** ETag, OC-ETag and OC-FileId of a written file (samples 20, 21, 23). */
export function writeHeaders(call: DavCall, node: FileNode, mtimeSent: boolean): void {
  const etag = `"${node.etag}"`;
  call.reply.header('ETag', etag).header('OC-ETag', etag).header('OC-FileId', ocId(node.fileId, call.deps.env.instanceId));
  if (mtimeSent) call.reply.header('X-OC-MTime', 'accepted');
}

/** If-Match / If-None-Match against the current file (null: nothing there yet). */
export function checkWritePreconditions(call: DavCall, existing: FileNode | null): void {
  const etag = existing ? `"${existing.etag}"` : null;
  const ifMatch = call.header('if-match');
  if (ifMatch !== undefined && !etagMatches(ifMatch, etag)) throw preconditionFailed('An If-Match header was specified, but none of the specified ETags matched.');
  const ifNoneMatch = call.header('if-none-match');
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, etag)) {
    throw preconditionFailed('An If-None-Match header was specified, but the ETag matched (or * was specified).');
  }
}

/**
 * PUT: 1 resolve (a folder or the root is 405), 2 If header (412),
 * 3 If-Match/If-None-Match (412), 4 locks (423), 5 stream the body into the
 * files layer (missing parent 409, quota 507, checksum mismatch 400, a
 * folder made meanwhile 405 as in 1),
 * 6 201 new / 204 overwritten with the validators.
 */
export async function put(call: DavCall): Promise<unknown> {
  const body = call.request.body as Readable | undefined;
  const t = await call.target();
  const existing = t.path.length === 0 ? null : await call.stat(t);
  const notAFile = () => methodNotAllowed('PUT is not allowed on non-files.', allowHeader(true, servesReport(call)));
  if (t.path.length === 0 || existing?.type === 'folder') throw notAFile();
  await call.checkIf(async () => ({
    etag: existing ? `"${existing.etag}"` : null,
    lockTokens: new Set((await locksCovering(call, t, t.path)).map((l) => l.token)),
  }));
  checkWritePreconditions(call, existing);
  await assertUnlocked(call, t, t.path, { membership: existing === null, descendants: false });
  // Sabre refuses partial PUTs: a Content-Range would otherwise overwrite the whole file with a slice.
  if (call.header('content-range') !== undefined) throw badRequest('Content-Range on PUT requests is not supported.');

  const mtime = clientMtime(call.header('x-oc-mtime'));
  const checksum = call.header('oc-checksum');
  const written = call.files.write(t.place, body ?? Readable.from([]), {
    expectedSize: declaredLength(call),
    mtime,
    checksum: checksum || undefined,
  });
  const result = await refusedIfTaken(written, notAFile);
  writeHeaders(call, result.node, mtime !== undefined);
  return call.reply.code(result.created ? 201 : 204).header('Content-Length', '0').send();
}
