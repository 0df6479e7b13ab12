import { type DavCall, isMountRoot } from '../context.js';
import { forbidden } from '../errors.js';
import { assertUnlocked, locksCovering } from '../locks.js';
import { lockPath } from '../state.js';

/**
 * DELETE: 1 resolve (404; the space root is 403), 2 If header (412), 3 locks
 * on the resource, its members and its parent's membership (423), 4 remove
 * (the files layer checks delete permission), 5 drop the locks rooted there, 204.
 */
export async function remove(call: DavCall): Promise<unknown> {
  const t = await call.target();
  // Deleting a received share's mount point leaves the share; the owner's node stays (Nextcloud's unshare-from-self).
  if (isMountRoot(t)) {
    await call.deps.services.shares.leave(call.userId, t.mount!);
    return call.reply.code(204).send();
  }
  if (t.path.length === 0) throw forbidden('The root of a space cannot be deleted');
  const node = await call.mustStat(t);
  await call.checkIf(async () => ({ etag: `"${node.etag}"`, lockTokens: new Set((await locksCovering(call, t, t.path)).map((l) => l.token)) }));
  await assertUnlocked(call, t, t.path, { membership: true, descendants: node.type === 'folder' });
  await call.files.remove(t.place);
  await call.deps.state.locks.removeUnder(t.spaceId, lockPath(t.path));
  return call.reply.code(204).send();
}
