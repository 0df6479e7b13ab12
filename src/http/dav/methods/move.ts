import { type DavCall, isMountRoot, type SpaceTarget } from '../context.js';
import { forbidden } from '../errors.js';
import { assertUnlocked, locksCovering } from '../locks.js';
import { ocId } from '../props/oc.js';
import { lockPath } from '../state.js';
import { prepareTransfer } from './destination.js';

/**
 * MOVE: 1 source, destination and Overwrite (see prepareTransfer), 2 If
 * header on the source (412), 3 locks on the source with its members and on
 * the destination (423), 4 move (the files layer wants delete permission on
 * the source, as Nextcloud; forbidden names 400), 5 the source's locks stay
 * behind and go (RFC 4918 §9.9.4), 6 201 new / 204 overwritten.
 */
export async function move(call: DavCall): Promise<unknown> {
  const { src, srcNode, dst, dstNode, overwrite } = await prepareTransfer(call);
  if (isMountRoot(src)) return renameMount(call, src, dst, dstNode !== null);
  await call.checkIf(async () => ({ etag: `"${srcNode.etag}"`, lockTokens: new Set((await locksCovering(call, src, src.path)).map((l) => l.token)) }));
  await assertUnlocked(call, src, src.path, { membership: true, descendants: srcNode.type === 'folder' });
  await assertUnlocked(call, dst, dst.path, { membership: true, descendants: dstNode?.type === 'folder' });
  const result = await call.files.move(src.place, dst.place, overwrite);
  await call.deps.state.locks.removeUnder(src.spaceId, lockPath(src.path));
  call.reply.header('OC-FileId', ocId(result.node.fileId, call.deps.env.instanceId));
  if (result.node.type === 'file') call.reply.header('ETag', `"${result.node.etag}"`).header('OC-ETag', `"${result.node.etag}"`);
  return call.reply.code(result.created ? 201 : 204).header('Content-Length', '0').send();
}

/** A received share's mount point can only be renamed in place, at the top of the recipient's home, to a free name. */
async function renameMount(call: DavCall, src: SpaceTarget, dst: SpaceTarget, exists: boolean): Promise<unknown> {
  const inHome = (dst.loc.family === 'files' || dst.loc.family === 'webdav') && !dst.mount && dst.spaceId === call.userId && dst.path.length === 1;
  if (!inHome) throw forbidden('A received share can only be renamed within the top folder of your files');
  if (exists) throw forbidden('The destination already exists');
  await call.deps.services.shares.renameMount(call.userId, src.mount!, dst.path[0]!);
  return call.reply.code(201).header('Content-Length', '0').send();
}
