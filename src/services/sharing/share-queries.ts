import { fail } from '../../domain/errors.js';
import type { FileNode, PathSegments } from '../../domain/node.js';
import { isExpired, PERM, type Share, SHARE_STATE, SHARE_TYPE, type ShareState } from '../../domain/share.js';
import type { Space } from '../../domain/space.js';
import type { StoredNode } from '../../ports/files.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { openTree, publicNode, rootNode } from '../access/file-tree.js';
import { linkShareIdOf } from '../access/share-access.js';
import { buildMounts, type Mount, mountsOf, nodesOf, resolveInView, viewPathOf } from '../access/share-mounts.js';

/** A share with everything its wire forms show, as seen by one caller. */
export interface ShareView {
  share: Share;
  space: Space;
  node: FileNode;
  /** Space-relative path of the node. */
  nodePath: string[];
  /** numeric id of the node's parent (the space root's for top-level nodes). */
  parentFileId: number;
  /** The node's path in the caller's home view, '/'-prefixed (`/Spaces/<name>/…` style paths are not used: project items show space-relative). */
  path: string;
  /** The recipient's mount point when the caller received the share. */
  fileTarget: string;
  /** The caller's state when they received it. */
  state: ShareState | null;
  names: { owner: string; fileOwner: string; shareWith: string | null };
  /** The recipient's e-mail or uid (share_with_displayname_unique). */
  shareWithUnique: string | null;
  canEdit: boolean;
  canDelete: boolean;
  itemPermissions: number;
}

/** What a caller of describe already has in hand. */
export interface KnownForDescribe {
  mounts?: Mount[];
  states?: Map<string, { state: ShareState; mountName: string }>;
  /** Stored nodes by id, covering at least the shared nodes (parents are loaded when missing). */
  nodes?: ReadonlyMap<string, StoredNode>;
  groups?: string[];
}

export interface ListQuery {
  sharedWithMe?: boolean;
  reshares?: boolean;
  subfiles?: boolean;
  path?: PathSegments;
}

/** Listing and describing shares in bulk: a constant number of queries per page, whatever the number of shares. */
export class ShareQueries {
  constructor(private readonly ctx: ServiceContext) {}

  async list(userId: string, q: ListQuery): Promise<ShareView[]> {
    const repos = this.ctx.repos;
    const now = this.ctx.clock.now();
    if (q.sharedWithMe) return this.received(userId, q.path, now);
    if (q.path !== undefined) {
      const mounts = await mountsOf(repos, userId, now);
      const target = resolveInView(mounts, userId, q.path);
      const node = await this.nodeAt(target.spaceId, target.path);
      if (!node) fail('notFound', 'the item does not exist or is out of reach', 'itemNotFound');
      let tree;
      try {
        tree = await openTree(repos, userId, target.spaceId, now, target.path);
      } catch {
        return fail('notFound', 'the item does not exist or is out of reach', 'itemNotFound');
      }
      let nodeIds = [node!.id];
      if (q.subfiles) {
        if (node!.type !== 'folder') fail('invalidInput', 'not a folder', 'notAFolder');
        nodeIds = (await repos.nodes.children(node!.id)).map((n) => n.id);
      }
      const all = await repos.shares.onNodes(target.spaceId, nodeIds);
      // Owners and holders of the share right see everyone's shares on the node; others only their own.
      const seesAll = tree!.access.can.share || target.spaceId === userId;
      return this.describe(userId, all.filter((s) => (seesAll || s.ownerId === userId) && !(s.type === SHARE_TYPE.user && s.shareWith === userId)), { mounts });
    }
    const own = await repos.shares.byOwner(userId);
    const shares = q.reshares ? mergeById(own, await repos.shares.byFileOwner(userId)) : own;
    return this.describe(userId, shares.filter((s) => !(s.type === SHARE_TYPE.user && s.shareWith === userId)));
  }

  /**
   * The share types on each node, as Nextcloud's oc:share-types shows them:
   * of the shares the caller made there and of those they received there,
   * unexpired, each type once in ascending order. Keys are node ids (the
   * space id for a space root); nodes without shares are absent.
   */
  async typesOn(userId: string, spaceId: string, nodeIds: string[]): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    if (!nodeIds.length || linkShareIdOf(userId) !== null) return out;
    const now = this.ctx.clock.now();
    const shares = await this.ctx.repos.shares.onNodes(spaceId, nodeIds);
    if (!shares.length) return out;
    const groups = new Set(shares.some((s) => s.type === SHARE_TYPE.group) ? await this.ctx.repos.groups.groupsOfUser(userId) : []);
    for (const s of shares) {
      if (isExpired(s, now)) continue;
      const concerns = s.ownerId === userId || (s.type === SHARE_TYPE.user && s.shareWith === userId) || (s.type === SHARE_TYPE.group && groups.has(s.shareWith!));
      if (!concerns) continue;
      const types = out.get(s.nodeId) ?? [];
      if (!types.includes(s.type)) out.set(s.nodeId, [...types, s.type].sort((a, b) => a - b));
    }
    return out;
  }

  /** Received shares waiting for the caller's answer, or declined (Nextcloud's `shares/pending`). */
  pending(userId: string): Promise<ShareView[]> {
    return this.received(userId, undefined, this.ctx.clock.now(), true);
  }

  /** Received user and group shares, accepted and unexpired (`shared_with_me`), or those still pending. */
  private async received(userId: string, path: PathSegments | undefined, now: number, pending = false): Promise<ShareView[]> {
    const repos = this.ctx.repos;
    const groups = await repos.groups.groupsOfUser(userId);
    // One read of the received list and of their nodes serves the mounts, the filter and the description.
    const all = await repos.shares.receivedBy(userId, groups);
    const nodes = await nodesOf(repos, all);
    const mounts = await buildMounts(repos, all, now, nodes);
    let shares: Share[] = all.filter((s) => !isExpired(s, now) && (pending ? s.state !== SHARE_STATE.accepted : s.state === SHARE_STATE.accepted));
    const states = new Map(all.map((r) => [r.id, { state: r.state, mountName: r.mountName }]));
    if (path !== undefined && !pending) {
      const target = resolveInView(mounts, userId, path);
      const node = target.mount ? await this.nodeAt(target.spaceId, target.path) : undefined;
      shares = node ? shares.filter((s) => s.spaceId === target.spaceId && s.nodeId === node.id) : [];
    }
    return this.describe(userId, shares, { mounts, states, nodes, groups });
  }

  private async nodeAt(spaceId: string, path: string[]): Promise<FileNode | undefined> {
    if (path.length === 0) {
      const space = await this.ctx.repos.spaces.findById(spaceId);
      return space ? publicNode(rootNode(space)) : undefined;
    }
    const n = await this.ctx.repos.nodes.byPath(spaceId, path.join('/'));
    return n ? publicNode(n) : undefined;
  }

  /** Describes shares for the caller; `known` carries what the caller already loaded, so nothing is read twice. */
  async describe(userId: string, shares: Share[], known: KnownForDescribe = {}): Promise<ShareView[]> {
    if (!shares.length) return [];
    const repos = this.ctx.repos;
    const now = this.ctx.clock.now();
    const mounts = known.mounts ?? (await mountsOf(repos, userId, now));
    const nodes = new Map<string, StoredNode>(known.nodes ?? (await nodesOf(repos, shares)));
    const parentIds = [...new Set([...nodes.values()].map((n) => n.parentId!).filter((p) => !nodes.has(p)))];
    for (const p of await repos.nodes.byIds(parentIds)) nodes.set(p.id, p);
    const spaces = new Map<string, Space>();
    for (const id of new Set(shares.map((s) => s.spaceId))) {
      const space = await repos.spaces.findById(id);
      if (space) spaces.set(id, space);
    }
    const userIds = new Set<string>();
    const groupIds = new Set<string>();
    for (const s of shares) {
      userIds.add(s.ownerId).add(s.fileOwnerId);
      if (s.type === SHARE_TYPE.user) userIds.add(s.shareWith!);
      if (s.type === SHARE_TYPE.group) groupIds.add(s.shareWith!);
    }
    const users = new Map((await repos.users.findMany([...userIds])).map((u) => [u.id, u]));
    const groups = new Map((await repos.groups.findMany([...groupIds])).map((g) => [g.id, g]));
    const myGroups = new Set(known.groups ?? (await repos.groups.groupsOfUser(userId)));
    let states = known.states;
    if (!states) {
      states = new Map();
      if (shares.some((s) => s.shareWith === userId || (s.type === SHARE_TYPE.group && myGroups.has(s.shareWith!)))) {
        for (const r of await repos.shares.receivedBy(userId, [...myGroups])) states.set(r.id, { state: r.state, mountName: r.mountName });
      }
    }
    const mountOfShare = new Map<string, Mount>();
    for (const m of mounts) for (const s of m.shares) mountOfShare.set(s.id, m);

    const views: ShareView[] = [];
    for (const share of shares) {
      const space = spaces.get(share.spaceId);
      if (!space) continue;
      let node: FileNode;
      let nodePath: string[];
      let parentFileId: number;
      if (share.nodeId === share.spaceId) {
        node = publicNode(rootNode(space));
        nodePath = [];
        parentFileId = space.rootFileId;
      } else {
        const stored = nodes.get(share.nodeId);
        if (!stored) continue;
        node = publicNode(stored);
        nodePath = stored.path.split('/');
        parentFileId = stored.parentId === space.id ? space.rootFileId : (nodes.get(stored.parentId!)?.fileId ?? space.rootFileId);
      }
      const mine = states.get(share.id);
      const received = mine !== undefined && share.ownerId !== userId;
      const mount = received ? mountOfShare.get(share.id) : undefined;
      const viewPath = received ? (mount ? [mount.name] : [mine!.mountName]) : viewPathOf(mounts, userId, share.spaceId, nodePath);
      const isManager = share.ownerId === userId || share.fileOwnerId === userId;
      const shareWithUser = share.type === SHARE_TYPE.user ? users.get(share.shareWith!) : undefined;
      views.push({
        share,
        space,
        node: received && mount ? { ...node, name: mount.name } : node,
        nodePath,
        parentFileId,
        path: `/${(viewPath ?? nodePath).join('/')}`,
        fileTarget: `/${received ? (mount?.name ?? mine!.mountName) : share.targetName}`,
        state: received ? mine!.state : null,
        names: {
          owner: users.get(share.ownerId)?.displayName ?? share.ownerId,
          fileOwner: users.get(share.fileOwnerId)?.displayName ?? share.fileOwnerId,
          shareWith:
            share.type === SHARE_TYPE.user ? (shareWithUser?.displayName ?? share.shareWith) : share.type === SHARE_TYPE.group ? (groups.get(share.shareWith!)?.displayName ?? share.shareWith) : share.shareWith,
        },
        shareWithUnique: shareWithUser ? shareWithUser.email || shareWithUser.id : null,
        canEdit: isManager,
        canDelete: isManager || (share.type === SHARE_TYPE.user && share.shareWith === userId),
        itemPermissions: received ? share.permissions | (share.type === SHARE_TYPE.user ? PERM.delete : 0) : node.type === 'folder' ? PERM.all : PERM.read | PERM.update | PERM.delete | PERM.share,
      });
    }
    return views;
  }
}

function mergeById(a: Share[], b: Share[]): Share[] {
  const seen = new Set(a.map((s) => s.id));
  return [...a, ...b.filter((s) => !seen.has(s.id))].sort((x, y) => Number(x.id) - Number(y.id));
}
