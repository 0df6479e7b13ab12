import { DomainError } from '../../domain/errors.js';
import { type Share, SHARE_TYPE } from '../../domain/share.js';
import { findRole } from '../../domain/unified-roles.js';
import type { Repositories } from '../../ports/repositories.js';
import { openTree } from '../access/file-tree.js';
import { callerRoleIn } from '../access/space-access.js';

/** A share the caller may see: they made it, own the file, received it, may share the node themselves, or their space role lists grants. */
export async function canSeeShare(repos: Repositories, userId: string, share: Share, now: number): Promise<boolean> {
  if (share.ownerId === userId || share.fileOwnerId === userId) return true;
  if (share.type === SHARE_TYPE.user && share.shareWith === userId) return true;
  if (share.type === SHARE_TYPE.group && (await repos.groups.isMember(share.shareWith!, userId))) return true;
  try {
    const at = share.nodeId === share.spaceId ? [] : async () => (await repos.nodes.byId(share.nodeId))?.path.split('/') ?? [];
    const tree = await openTree(repos, userId, share.spaceId, now, at);
    if (tree.access.can.manage || (tree.access.can.share && !tree.access.viaShare)) return true;
    return !tree.access.viaShare && (await listsGrants(repos, userId, share.spaceId, now));
  } catch {
    return false;
  }
}

/** Whether the caller's space role lists the grants of the space (oCIS permissions/read): its members see the shares made in it, as Graph lists them. */
async function listsGrants(repos: Repositories, userId: string, spaceId: string, now: number): Promise<boolean> {
  const role = callerRoleIn(await repos.spaceMembers.listForSpace(spaceId), userId, new Set(await repos.groups.groupsOfUser(userId)), now);
  return (role ? findRole(role)?.actions.includes('permissions/read') : false) ?? false;
}

/** The sharer, the file's owner and the space's managers may change and delete a share. */
export async function mayEditShare(repos: Repositories, userId: string, share: Share, now: number): Promise<boolean> {
  if (share.ownerId === userId || share.fileOwnerId === userId) return true;
  try {
    return (await openTree(repos, userId, share.spaceId, now, [])).access.can.manage;
  } catch {
    return false;
  }
}

/**
 * The shares in a space whose sharer may no longer share their node, once
 * a share they reshared from is gone (Nextcloud deletes such reshares too);
 * chains of reshares show in turn, so the caller asks again after deleting.
 */
export async function lostReshares(repos: Repositories, spaceId: string, ownerId: string, now: number): Promise<string[]> {
  const candidates = await repos.shares.othersInSpace(spaceId, ownerId);
  const nodes = new Map((await repos.nodes.byIds(candidates.filter((c) => c.nodeId !== spaceId).map((c) => c.nodeId))).map((n) => [n.id, n]));
  const lost: string[] = [];
  for (const c of candidates) {
    const path = c.nodeId === spaceId ? [] : (nodes.get(c.nodeId)?.path.split('/') ?? null);
    if (path === null) continue;
    try {
      if (!(await openTree(repos, c.ownerId, spaceId, now, path)).access.can.share) lost.push(c.id);
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'notFound')) throw err;
      lost.push(c.id);
    }
  }
  return lost;
}
