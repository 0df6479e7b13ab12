import { DomainError, fail } from '../../domain/errors.js';
import { FOLDER_MIME_TYPE } from '../../domain/mime.js';
import type { FileNode, PathSegments } from '../../domain/node.js';
import { effectiveQuotaBytes } from '../../domain/quota.js';
import type { Space } from '../../domain/space.js';
import { roleHasAction } from '../../domain/unified-roles.js';
import type { StoredNode } from '../../ports/files.js';
import type { Repositories } from '../../ports/repositories.js';
import type { FileAccess, SpaceView } from './files.contract.js';
import { callerRoleIn, canManageMembers } from './space-access.js';
import { accessThroughShares, linkShareIdOf, type ShareGrant, shareGrantsIn, throughSharer } from './share-access.js';

/** A space opened for one caller: what they may do and how much it may hold. */
export interface OpenTree {
  space: Space;
  access: FileAccess;
}

const NOT_FOUND = 'Space not found';

/** The caller's rights in a space, from the actions of their strongest grant on it. */
export function accessOf(roleId: string): FileAccess {
  return {
    can: {
      read: roleHasAction(roleId, 'children/read') || roleHasAction(roleId, 'content/read'),
      write: roleHasAction(roleId, 'upload/create'),
      create: roleHasAction(roleId, 'upload/create'),
      delete: roleHasAction(roleId, 'standard/delete'),
      share: roleHasAction(roleId, 'permissions/create'),
      manage: canManageMembers(roleId),
    },
  };
}

/** The place an operation concerns, when access may depend on it: a path, or a way to find one (only asked for when shares decide). */
export type Place = PathSegments | (() => Promise<PathSegments>);

/**
 * A space the caller is a member of (directly or through a group), or the
 * part of it their received shares reach. Disabled spaces hold no reachable
 * content for anyone, Managers included, as on the reference; admins
 * without a grant see no content either.
 */
export async function openTree(repos: Repositories, userId: string, spaceId: string, now: number, place: Place = []): Promise<OpenTree> {
  const space = await repos.spaces.findById(spaceId);
  if (!space || space.disabledAt !== null) fail('notFound', NOT_FOUND);
  const view = await viewOf(repos, userId, space!, now);
  const path = typeof place === 'function' ? await place() : place;
  return { space: space!, access: await view.accessAt(path) };
}

/** The caller's view of a space already read (and found enabled); the facts it needs (members, groups, shares) are cached reads. */
export function viewOf(repos: Repositories, userId: string, space: Space, now: number): Promise<SpaceView> {
  return viewAs(repos, userId, space, now, new Set());
}

/** viewOf, remembering whose access is being worked out so a ring of reshares (b to c, c to b) ends. */
async function viewAs(repos: Repositories, userId: string, space: Space, now: number, visiting: ReadonlySet<string>): Promise<SpaceView> {
  const link = linkShareIdOf(userId) !== null;
  let groups: string[] | undefined;
  if (!link) {
    let members;
    [members, groups] = await Promise.all([repos.spaceMembers.listForSpace(space.id), repos.groups.groupsOfUser(userId)]);
    const role = callerRoleIn(members, userId, new Set(groups), now);
    if (role !== null) {
      const access = accessOf(role);
      return { space, accessAt: async () => access };
    }
  }
  const inner = new Set(visiting).add(userId);
  const sharers = new Map<string, Promise<SpaceView>>();
  const sharerCan = async (sharer: string, p: PathSegments): Promise<FileAccess> => {
    let view = sharers.get(sharer);
    if (!view) sharers.set(sharer, (view = viewAs(repos, sharer, space, now, inner)));
    return (await view).accessAt(p);
  };
  // The caller's groups, read above for the membership check, serve the share lookup too.
  let grants = await shareGrantsIn(repos, userId, space.id, now, groups);
  if (!link) grants = await heldBySharers(grants, space, inner, sharerCan);
  if (!grants.length) fail('notFound', NOT_FOUND);
  return {
    space,
    async accessAt(path) {
      const access = accessThroughShares(grants, path);
      if (!access) fail('notFound', 'File not found');
      if (!link) return access!;
      const sharer = grants[0]!.share.ownerId;
      if (inner.has(sharer)) fail('notFound', 'File not found');
      return throughSharer(grants[0]!, path, access!, (p) => sharerCan(sharer, p));
    },
  };
}

/**
 * Reshares hold only while their sharer may still share the node: when the
 * share that let Bob reshare to Carol is deleted, Carol's goes dark at once,
 * as Nextcloud removes such reshares. Shares made by the space's owner (or
 * a member with a role, which openTree answers from the role) need no check.
 */
async function heldBySharers(
  grants: ShareGrant[],
  space: Space,
  visiting: ReadonlySet<string>,
  sharerCan: (sharer: string, path: PathSegments) => Promise<FileAccess>,
): Promise<ShareGrant[]> {
  const held: ShareGrant[] = [];
  for (const g of grants) {
    const sharer = g.share.ownerId;
    if (sharer === space.ownerId) {
      held.push(g);
      continue;
    }
    if (visiting.has(sharer)) continue;
    try {
      if ((await sharerCan(sharer, g.path)).can.share) held.push(g);
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'notFound')) throw err;
    }
  }
  return held;
}

/** The most a space may hold in bytes, null when unlimited: the owner's provisioning quota for personal spaces, `quota.total` for project spaces. */
export async function quotaLimitOf(repos: Repositories, space: Space, defaultQuota: string): Promise<number | null> {
  if (space.type === 'project') return space.quotaTotal ? space.quotaTotal : null;
  const owner = await repos.users.findById(space.ownerId);
  return owner ? effectiveQuotaBytes(owner.quota, defaultQuota) : null;
}

/** The space root as a node: its size, etag and mtime are the space's. */
export function rootNode(space: Space): StoredNode {
  return {
    id: space.id,
    fileId: space.rootFileId,
    spaceId: space.id,
    parentId: null,
    name: '',
    path: '',
    type: 'folder',
    size: space.size,
    mtime: space.mtime,
    etag: space.etag,
    mimeType: FOLDER_MIME_TYPE,
    checksums: null,
    blobId: null,
    createdAt: space.createdAt,
  };
}

/** The folder at a path (the root for []); 409 when it is missing or a file, as WebDAV reports a missing parent. */
export async function folderAt(repos: Repositories, space: Space, path: PathSegments): Promise<StoredNode> {
  if (path.length === 0) return rootNode((await repos.spaces.findById(space.id)) ?? space);
  const node = await repos.nodes.byPath(space.id, path.join('/'));
  if (!node || node.type !== 'folder') fail('conflict', 'Parent folder does not exist');
  return node!;
}

/** Strips the stored path: what callers outside the files layer see. */
export const publicNode = ({ path: _path, ...node }: StoredNode): FileNode => node;
