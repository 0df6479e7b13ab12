import type { DavCall } from '../context.js';
import { badRequest } from '../errors.js';
import { assertUnlocked, locksCovering } from '../locks.js';
import { ocId } from '../props/oc.js';
import { prepareTransfer } from './destination.js';

/** COPY's Depth: 0 copies a collection without its members; a missing header is infinity (RFC 4918 §9.8.3). */
export function copyDepth(raw: string | undefined): 0 | 'infinity' {
  const v = (raw ?? 'infinity').trim().toLowerCase();
  if (v === '0') return 0;
  if (v === 'infinity') return 'infinity';
  throw badRequest('The HTTP Depth header of a COPY may only be "0" or "infinity"');
}

/**
 * COPY: 1 Depth (400), 2 source, destination and Overwrite (see
 * prepareTransfer), 3 If header on the source (412), 4 locks on the
 * destination (423; locks never follow a copy), 5 copy (quota 507),
 * 6 201 new / 204 overwritten.
 */
export async function copy(call: DavCall): Promise<unknown> {
  const depth = copyDepth(call.header('depth'));
  const { src, srcNode, dst, dstNode, overwrite } = await prepareTransfer(call);
  await call.checkIf(async () => ({ etag: `"${srcNode.etag}"`, lockTokens: new Set((await locksCovering(call, src, src.path)).map((l) => l.token)) }));
  await assertUnlocked(call, dst, dst.path, { membership: true, descendants: dstNode?.type === 'folder' });
  const result = await call.files.copy(src.place, dst.place, overwrite, depth);
  call.reply.header('OC-FileId', ocId(result.node.fileId, call.deps.env.instanceId));
  if (result.node.type === 'file') call.reply.header('ETag', `"${result.node.etag}"`).header('OC-ETag', `"${result.node.etag}"`);
  return call.reply.code(result.created ? 201 : 204).header('Content-Length', '0').send();
}
