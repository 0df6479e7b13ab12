import { DomainError, fail } from '../../domain/errors.js';
import { isWithin } from '../../domain/file-names.js';
import type { PathSegments } from '../../domain/node.js';
import { isExpired, PERM, SHARE_TYPE, type Share } from '../../domain/share.js';
import type { Repositories } from '../../ports/repositories.js';
import type { FileAccess } from './files.contract.js';

/**
 * Who is calling on behalf of a public link: the public front doors verify
 * the token (and password) and then act as this pseudo-user, whose only
 * grant is that link. User ids cannot contain ':', so it names no user.
 */
export const linkCaller = (shareId: string): string => `link:${shareId}`;
export const linkShareIdOf = (caller: string): string | null => (caller.startsWith('link:') ? caller.slice(5) : null);

/** A share that reaches into a space, with the space-relative path of its node. */
export interface ShareGrant {
  share: Share;
  path: string[];
}

/** The shares through which a caller without a space grant reaches into this space. */
export async function shareGrantsIn(repos: Repositories, caller: string, spaceId: string, now: number, callerGroups?: string[]): Promise<ShareGrant[]> {
  const linkId = linkShareIdOf(caller);
  let shares: Share[];
  if (linkId !== null) {
    const link = await repos.shares.byId(linkId);
    shares = link && (link.type === SHARE_TYPE.link || link.type === SHARE_TYPE.remote) && link.spaceId === spaceId && !isExpired(link, now) ? [link] : [];
  } else {
    shares = await repos.shares.grantsIn(caller, callerGroups ?? (await repos.groups.groupsOfUser(caller)), spaceId, now);
  }
  if (!shares.length) return [];
  const nodes = new Map((await repos.nodes.byIds(shares.filter((s) => s.nodeId !== spaceId).map((s) => s.nodeId))).map((n) => [n.id, n]));
  const grants: ShareGrant[] = [];
  for (const share of shares) {
    if (share.nodeId === spaceId) grants.push({ share, path: [] });
    else {
      const node = nodes.get(share.nodeId);
      if (node) grants.push({ share, path: node.path.split('/') });
    }
  }
  return grants;
}

/**
 * What the grants allow at a path: the union of the shares covering it. The
 * shared node itself cannot be deleted or renamed through a share (that is
 * the recipient leaving or renaming their mount); null when nothing covers it.
 */
export function accessThroughShares(grants: ShareGrant[], path: PathSegments): FileAccess | null {
  let perms = 0;
  let covered = false;
  let atRoot = false;
  for (const g of grants) {
    if (!isWithin(g.path, path)) continue;
    covered = true;
    perms |= g.share.permissions;
    if (g.path.length === path.length) atRoot = true;
  }
  if (!covered) return null;
  return shareAccess(perms, atRoot);
}

/** Access from share permission bits; at the shared node itself nothing can be deleted or renamed through the share. */
export function shareAccess(perms: number, atRoot: boolean): FileAccess {
  return {
    can: {
      read: (perms & PERM.read) !== 0,
      write: (perms & PERM.update) !== 0,
      create: (perms & PERM.create) !== 0,
      delete: !atRoot && (perms & PERM.delete) !== 0,
      share: (perms & PERM.share) !== 0,
      manage: false,
    },
    viaShare: { permissions: perms, atRoot },
  };
}

const bitsOf = (can: FileAccess['can']): number =>
  (can.read ? PERM.read : 0) | (can.write ? PERM.update : 0) | (can.create ? PERM.create : 0) | (can.delete ? PERM.delete : 0) | (can.share ? PERM.share : 0);

/**
 * A link serves its sharer's view, masked by the link's permissions
 * (Nextcloud's publicremote.php opens the node in the sharer's folder, and
 * PublicLinkCheckPlugin answers NotFound once they may no longer share it):
 * a link whose sharer lost the node, or the right to share it, is gone; one
 * whose sharer kept less than the link grants does only what both allow.
 * `sharerAccess` opens a space path as the sharer.
 */
export async function throughSharer(grant: ShareGrant, path: PathSegments, access: FileAccess, sharerAccess: (path: PathSegments) => Promise<FileAccess>): Promise<FileAccess> {
  let atNode: FileAccess;
  let here: FileAccess;
  try {
    atNode = await sharerAccess(grant.path);
    here = path.length === grant.path.length ? atNode : await sharerAccess(path);
  } catch (err) {
    if (err instanceof DomainError && err.code === 'notFound') fail('notFound', 'File not found');
    throw err;
  }
  if (!atNode!.can.share) fail('notFound', 'File not found');
  const c = here!.can;
  const can = { ...access.can, read: access.can.read && c.read, write: access.can.write && c.write, create: access.can.create && c.create, delete: access.can.delete && c.delete };
  return { can, viaShare: access.viaShare && { ...access.viaShare, permissions: access.viaShare.permissions & (bitsOf(c) | PERM.share) } };
}
