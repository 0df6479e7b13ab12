import { fail } from '../../domain/errors.js';
import { ancestorPaths, joinPath } from '../../domain/file-names.js';
import type { PathSegments } from '../../domain/node.js';
import type { Share } from '../../domain/share.js';
import { trashNameOf } from '../../domain/trash.js';
import type { Repositories } from '../../ports/repositories.js';
import type { Secrets } from '../../ports/system.js';
import { recordFileActivity } from '../activity/file-activity.js';

/**
 * Moves the node at a path of a space, with everything below it, into the
 * space's trash bin, inside the caller's transaction (which has taken the
 * space row). The subtree moves as a set: the cost is a fixed number of
 * statements whatever its size. Shares on the moved nodes are deleted, as
 * Nextcloud deletes them when a node goes to the trash (they are not
 * restored); locks rooted there go too. The bytes stay: trashed rows keep
 * their blobs, so nothing is journaled here.
 *
 * The trash does not count in the space's `quota.used`: the deleted size
 * leaves the folder sizes and the space size, as in Nextcloud (files_trashbin
 * lives beside `files`, whose size is the quota's used) and oCIS
 * (decomposedfs propagates a deletion's negative size to the space's tree size).
 */
export async function moveToTrash(
  repos: Repositories,
  secrets: Secrets,
  at: { spaceId: string; path: PathSegments; userId: string; etag: string; now: number },
): Promise<{ dropped: Share[]; size: number }> {
  const { spaceId, path, userId, etag, now } = at;
  const stored = joinPath(path);
  const node = await repos.nodes.byPath(spaceId, stored);
  if (!node) fail('notFound', `File with name ${path[path.length - 1] ?? ''} could not be located`);
  const dropped = await repos.shares.onSubtree(spaceId, stored);
  await repos.shares.deleteOnNodes(dropped.map((s) => s.nodeId));
  let bump = 0;
  // Two deletions of one name in the same second: the later one takes the next free second, as names must stay unique.
  while (await repos.trash.nameTaken(spaceId, trashNameOf(node!.name, now, bump))) bump += 1;
  await repos.trash.moveIn({ id: secrets.uuid(), spaceId, nodeId: node!.id, originalPath: stored, trashName: trashNameOf(node!.name, now, bump), deletedAt: now, deletedBy: userId });
  await repos.davLocks.removeUnder(spaceId, stored);
  await repos.nodes.propagate(spaceId, ancestorPaths(path), -node!.size, etag, now);
  await repos.spaceTree.adjust(spaceId, -node!.size, etag, now);
  await recordFileActivity(repos, now, { verb: 'deleted', author: userId, spaceIds: [spaceId], fileId: node!.fileId, path });
  return { dropped, size: node!.size };
}
