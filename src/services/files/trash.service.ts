import { dropVersionsOf } from './version-keeping.js';
import type { Readable } from 'node:stream';
import { fail } from '../../domain/errors.js';
import { ancestorPaths, assertValidPath, joinPath } from '../../domain/file-names.js';
import type { FileNode, PathSegments } from '../../domain/node.js';
import type { Space } from '../../domain/space.js';
import { restoredName, type TrashItem } from '../../domain/trash.js';
import { roleHasAction } from '../../domain/unified-roles.js';
import type { BlobStore, StoredNode } from '../../ports/files.js';
import type { Repositories } from '../../ports/repositories.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { publicNode, quotaLimitOf } from '../access/file-tree.js';
import { linkShareIdOf } from '../access/share-access.js';
import { callerRoleIn, effectiveRole } from '../access/space-access.js';
import { recordFileActivity } from '../activity/file-activity.js';
import { settleBlobs } from './blob-settlement.js';
import { moveToTrash } from './trash-moves.js';

/**
 * What a caller may do with a space's trash bin, from their role on the
 * space as oCIS decides it (unified roles: `deleted/read` lists and reads,
 * `deleted/update` restores, `deleted/delete` purges): a personal space's
 * owner and a project's Managers may do all, Space Editors list and restore,
 * Space Viewers list.
 */
export interface TrashRights {
  space: Space;
  restore: boolean;
  purge: boolean;
}

export type ItemRef = { id: string } | { trashName: string };

/** A trashed item with the name of whoever deleted it. */
export interface ListedTrashItem extends TrashItem {
  deletedByName: string;
}

/** A node inside a trashed item: the item itself (path []) or a member below it. */
export interface TrashEntry {
  item: ListedTrashItem;
  /** Segments below the item's node. */
  path: string[];
  node: FileNode;
}

export type RestoreTarget = { kind: 'original' } | { kind: 'path'; path: PathSegments; overwrite: boolean };

/** Nextcloud purges expired trash in a background job; one sweep takes at most this many items per round. */
const SWEEP_BATCH = 500;

/**
 * The trash bin of every space (Nextcloud's files_trashbin, oCIS's recycle):
 * listing, reading, restoring, purging and emptying, plus the retention
 * sweep and the size bound. Deleting into it is FilesService.remove.
 */
export class TrashService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly blobs: BlobStore,
  ) {}

  /** The caller's rights on a space's trash; a space they may not list it in is not found (nothing leaks about it). */
  async rights(userId: string, spaceId: string, repos: Repositories = this.ctx.repos): Promise<TrashRights> {
    const space = linkShareIdOf(userId) === null ? await repos.spaces.findById(spaceId) : undefined;
    if (!space || space.disabledAt !== null) fail('notFound', 'Space not found');
    const [members, groups] = await Promise.all([repos.spaceMembers.listForSpace(space!.id), repos.groups.groupsOfUser(userId)]);
    const role = effectiveRole(space!, callerRoleIn(members, userId, new Set(groups), this.ctx.clock.now()));
    if (role === null || !roleHasAction(role, 'deleted/read')) fail('notFound', 'Space not found');
    return { space: space!, restore: roleHasAction(role!, 'deleted/update'), purge: roleHasAction(role!, 'deleted/delete') };
  }

  async list(userId: string, spaceId: string): Promise<{ rights: TrashRights; items: ListedTrashItem[] }> {
    const rights = await this.rights(userId, spaceId);
    return { rights, items: await this.named(await this.ctx.repos.trash.list(spaceId)) };
  }

  private async named(items: TrashItem[]): Promise<ListedTrashItem[]> {
    const ids = [...new Set(items.map((i) => i.deletedBy).filter((id) => linkShareIdOf(id) === null))];
    const users = new Map((ids.length ? await this.ctx.repos.users.findMany(ids) : []).map((u) => [u.id, u.displayName || u.id]));
    return items.map((i) => ({ ...i, deletedByName: users.get(i.deletedBy) ?? (linkShareIdOf(i.deletedBy) === null ? i.deletedBy : '') }));
  }

  private async item(repos: Repositories, spaceId: string, ref: ItemRef): Promise<TrashItem> {
    const item = 'id' in ref ? await repos.trash.byId(spaceId, ref.id) : await repos.trash.byTrashName(spaceId, ref.trashName);
    if (!item) fail('notFound', 'Trash item not found');
    return item!;
  }

  /** A trashed item, or a member of a trashed folder, with its members when it is a folder. */
  async entry(userId: string, spaceId: string, ref: ItemRef, below: PathSegments): Promise<{ rights: TrashRights; entry: TrashEntry; members: FileNode[] }> {
    const rights = await this.rights(userId, spaceId);
    const [item] = await this.named([await this.item(this.ctx.repos, spaceId, ref)]);
    let node: StoredNode | undefined = item!.node as StoredNode;
    if (below.length) node = await this.ctx.repos.trash.nodeAt(item!.id, `${item!.originalPath}/${joinPath(below)}`);
    if (!node) fail('notFound', `File with name ${below[below.length - 1] ?? ''} could not be located`);
    const members = node!.type === 'folder' ? (await this.ctx.repos.trash.children(item!.id, node!.id)).map(publicNode) : [];
    return { rights, entry: { item: item!, path: [...below], node: publicNode(node!) }, members };
  }

  async read(userId: string, spaceId: string, ref: ItemRef, below: PathSegments, range?: { start: number; end: number }): Promise<{ node: FileNode; body: Readable }> {
    const { entry } = await this.entry(userId, spaceId, ref, below);
    if (entry.node.type !== 'file' || !entry.node.blobId) fail('notFound', 'Not a file');
    return { node: entry.node, body: await this.blobs.open(entry.node.blobId!, range, entry.node.size) };
  }

  /**
   * Moves an item back into the live tree as one transaction, its rows as a
   * set. To its original place (Nextcloud): into its old folder, or the
   * space's root when that folder is gone (Trashbin::restore), under
   * `name (restored)` when the name is taken. To a given path (oCIS): the
   * folder must exist (409), a node there is trashed first with Overwrite
   * (answered 204) or refused (412). The quota must hold the restored size
   * (Nextcloud's TrashbinPlugin::beforeMove answers 507).
   */
  async restore(userId: string, spaceId: string, ref: ItemRef, target: RestoreTarget): Promise<{ node: FileNode; created: boolean; path: string[] }> {
    const rights = await this.rights(userId, spaceId);
    if (!rights.restore) fail('forbidden', 'Permission denied to restore');
    if (target.kind === 'path') {
      if (target.path.length === 0) fail('forbidden', 'The root of a space cannot be overwritten');
      assertValidPath(target.path);
    }
    const now = this.ctx.clock.now();
    const outcome = await this.ctx.tx.run(async (repos) => {
      const etag = this.ctx.secrets.id();
      const space = await repos.spaceTree.take(spaceId, 0, etag, now);
      if (!space || space.disabledAt !== null) fail('notFound', 'Space not found');
      // Checked again once the space row is taken: a grant may have gone meanwhile.
      if (!(await this.rights(userId, spaceId, repos)).restore) fail('forbidden', 'Permission denied to restore');
      const item = await this.item(repos, spaceId, ref);
      if (!(await repos.trash.claim([item.id])).length) fail('notFound', 'Trash item not found');
      const { path, parentId, replaced } = await this.destination(repos, space!, item, target, userId, etag, now);
      const name = path[path.length - 1]!;
      await repos.trash.restore(item, joinPath(path), parentId, name);
      const size = item.node.size;
      await repos.nodes.propagate(spaceId, ancestorPaths(path), size, etag, now);
      const used = await repos.spaceTree.adjust(spaceId, size, etag, now);
      const limit = await quotaLimitOf(repos, space!, this.ctx.settings.defaultQuota);
      if (size > 0 && limit !== null && used > limit) fail('quotaExceeded', `Insufficient space in ${space!.name}`);
      await recordFileActivity(repos, now, { verb: 'restored', author: userId, spaceIds: [spaceId], fileId: item.node.fileId, path });
      return { node: { ...publicNode(item.node as StoredNode), parentId, name }, created: !replaced, path };
    });
    if (!outcome.created) await this.enforceBound(spaceId);
    return { node: outcome.node, created: outcome.created, path: outcome.path };
  }

  private async destination(
    repos: Repositories,
    space: Space,
    item: TrashItem,
    target: RestoreTarget,
    userId: string,
    etag: string,
    now: number,
  ): Promise<{ path: string[]; parentId: string; replaced: boolean }> {
    if (target.kind === 'path') {
      const path = [...target.path];
      const folder = path.length > 1 ? await repos.nodes.byPath(space.id, joinPath(path.slice(0, -1))) : undefined;
      if (path.length > 1 && folder?.type !== 'folder') fail('conflict', 'The destination parent does not exist');
      const existing = await repos.nodes.byPath(space.id, joinPath(path));
      if (existing && !target.overwrite) fail('preconditionFailed', 'The destination node already exists, and the overwrite header is set to false');
      // oCIS deletes what is there before restoring (ocdav trashbin restore): into the trash, as any deletion.
      if (existing) await moveToTrash(repos, this.ctx.secrets, { spaceId: space.id, path, userId, etag, now });
      return { path, parentId: folder?.id ?? space.id, replaced: existing !== undefined };
    }
    const original = item.originalPath.split('/');
    let folderPath = original.slice(0, -1);
    let parentId = space.id;
    if (folderPath.length) {
      const folder = await repos.nodes.byPath(space.id, joinPath(folderPath));
      if (folder?.type === 'folder') parentId = folder.id;
      else folderPath = [];
    }
    const name = original[original.length - 1]!;
    let candidate = name;
    for (let attempt = 1; await repos.nodes.byPath(space.id, joinPath([...folderPath, candidate])); attempt++) candidate = restoredName(name, attempt);
    return { path: [...folderPath, candidate], parentId, replaced: false };
  }

  /** Deletes one item for good (oCIS answers a missing one with 409, Nextcloud with 404: the front doors map it). */
  async purge(userId: string, spaceId: string, ref: ItemRef): Promise<void> {
    const rights = await this.rights(userId, spaceId);
    if (!rights.purge) fail('forbidden', 'Permission denied to delete');
    const blobs = await this.ctx.tx.run(async (repos) => {
      if (!(await this.rights(userId, spaceId, repos)).purge) fail('forbidden', 'Permission denied to delete');
      const item = await this.item(repos, spaceId, ref);
      const claimed = await repos.trash.claim([item.id]);
      if (!claimed.length) fail('notFound', 'Trash item not found');
      return this.purgeClaimed(repos, claimed);
    });
    await settleBlobs(this.ctx.repos, this.blobs, blobs);
  }

  /** Empties a space's trash in one transaction: a process killed meanwhile leaves every item, or none. */
  async empty(userId: string, spaceId: string): Promise<void> {
    const rights = await this.rights(userId, spaceId);
    if (!rights.purge) fail('forbidden', 'Permission denied to purge recycle');
    const blobs = await this.ctx.tx.run(async (repos) => {
      if (!(await this.rights(userId, spaceId, repos)).purge) fail('forbidden', 'Permission denied to purge recycle');
      return this.purgeClaimed(repos, await repos.trash.claimAll(spaceId));
    });
    await settleBlobs(this.ctx.repos, this.blobs, blobs);
  }

  /** Deletes claimed items; their blobs are journaled with the deletion and settled by the caller once it committed. */
  private async purgeClaimed(repos: Repositories, itemIds: string[]): Promise<string[]> {
    if (!itemIds.length) return [];
    // Versions followed their files into the trash; they go with them now.
    const versionBlobs = await dropVersionsOf(repos, await repos.trash.nodeIdsOf(itemIds));
    const blobs = [...versionBlobs, ...(await repos.trash.purge(itemIds))];
    await repos.blobJournal.add(blobs, this.blobs.owner, this.ctx.clock.now());
    return blobs;
  }

  /**
   * Retention: items deleted more than TRASH_RETENTION_DAYS ago are purged.
   * Safe with any number of processes sweeping at once: each batch claims
   * its items first, so a row is purged by one of them and the others skip it.
   */
  /** Answers how many items this call purged (those another process took first are not counted). */
  async purgeExpired(): Promise<number> {
    const before = this.ctx.clock.now() - this.ctx.settings.trashRetentionDays * 86_400_000;
    let total = 0;
    for (;;) {
      const due = await this.ctx.repos.trash.expired(before, SWEEP_BATCH);
      if (!due.length) return total;
      let claimed = 0;
      const blobs = await this.ctx.tx.run(async (repos) => {
        const ids = await repos.trash.claim(due.map((d) => d.id));
        claimed = ids.length;
        return this.purgeClaimed(repos, ids);
      });
      await settleBlobs(this.ctx.repos, this.blobs, blobs);
      total += claimed;
      if (due.length < SWEEP_BATCH) return total;
    }
  }

  /**
   * Nextcloud's bound (Trashbin::calculateFreeSpace with DEFAULTMAXSIZE 50):
   * with a quota, the trash may hold half of the space still free; once it
   * holds more, the oldest items go first until it fits. Without a quota
   * there is no bound but retention.
   */
  async enforceBound(spaceId: string): Promise<void> {
    const space = await this.ctx.repos.spaces.findById(spaceId);
    if (!space) return;
    const limit = await quotaLimitOf(this.ctx.repos, space, this.ctx.settings.defaultQuota);
    if (limit === null) return;
    const free = limit - space.size;
    const trashSize = await this.ctx.repos.trash.sizeOf(spaceId);
    const available = free > 0 ? free * 0.5 - trashSize : free - trashSize;
    if (available >= 0) return;
    const oldestFirst = (await this.ctx.repos.trash.list(spaceId)).reverse();
    let toFree = -available;
    const victims: string[] = [];
    for (const item of oldestFirst) {
      if (toFree <= 0) break;
      victims.push(item.id);
      toFree -= item.node.size;
    }
    const blobs = await this.ctx.tx.run(async (repos) => this.purgeClaimed(repos, await repos.trash.claim(victims)));
    await settleBlobs(this.ctx.repos, this.blobs, blobs);
  }
}
