import { fail } from '../../domain/errors.js';
import { ancestorPaths, assertValidPath, isWithin, joinPath } from '../../domain/file-names.js';
import type { PathSegments } from '../../domain/node.js';
import type { BlobStore, StagedBlob, StoredNode } from '../../ports/files.js';
import type { Repositories } from '../../ports/repositories.js';
import { settleBlobs } from './blob-settlement.js';
import type { ServiceContext } from '../../ports/service-context.js';
import type { Space } from '../../domain/space.js';
import { publicNode, quotaLimitOf } from '../access/file-tree.js';
import type { OpenedPlace } from '../access/files.contract.js';
import { recheck } from './places.js';
import { moveToTrash } from './trash-moves.js';
import { recordFileActivity } from '../activity/file-activity.js';
import { dropVersionsOf, handOverHistory } from './version-keeping.js';
import type { WriteResult } from '../access/files.contract.js';

type Place = { spaceId: string; path: PathSegments };
const where = (p: OpenedPlace): Place => ({ spaceId: p.space.id, path: p.path });

const notFound = (path: PathSegments): never => fail('notFound', `File with name ${path[path.length - 1] ?? ''} could not be located`);

/** MOVE and COPY within a space and between spaces, with the quota of the destination checked like a write. */
export class NodeTransfers {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly blobs: BlobStore,
  ) {}

  private check(from: Place, to: Place): void {
    if (from.path.length === 0) fail('forbidden', 'The root of a space cannot be moved or copied');
    if (to.path.length === 0) fail('forbidden', 'The root of a space cannot be overwritten');
    assertValidPath(to.path);
    if (from.spaceId === to.spaceId && isWithin(from.path, to.path)) {
      fail('conflict', 'The destination may not be part of the same subtree as the source path.');
    }
    if (from.spaceId === to.spaceId && isWithin(to.path, from.path)) fail('conflict', 'The destination may not contain the source.');
  }

  /** Takes the rows of both spaces in a fixed order (no deadlock between opposite transfers), gives them new etags, and answers them as they now are. */
  private async lockSpaces(repos: Repositories, a: string, b: string, etag: string, now: number): Promise<Map<string, Space | undefined>> {
    const taken = new Map<string, Space | undefined>();
    for (const id of [...new Set([a, b])].sort()) taken.set(id, await repos.spaceTree.take(id, 0, etag, now));
    return taken;
  }

  /**
   * The node at the destination, when Overwrite allows it. A file replaced
   * by a file hands its history (its versions, its content as the newest) to
   * the successor, as an overwrite does; anything else goes to the trash as
   * any deletion (Sabre deletes the destination first, and Nextcloud's delete
   * is a move to the trash), which already takes its size off the folders and
   * the space, so nothing is left to subtract then.
   */
  private async clearDestination(
    repos: Repositories,
    to: Place,
    overwrite: boolean,
    userId: string,
    etag: string,
    now: number,
    successor: { id: string; type: StoredNode['type'] },
  ): Promise<{ existed: boolean; removedSize: number; released: string[] }> {
    const top = await repos.nodes.byPath(to.spaceId, joinPath(to.path));
    if (!top) return { existed: false, removedSize: 0, released: [] };
    if (!overwrite) fail('preconditionFailed', 'The destination node already exists, and the overwrite header is set to false');
    if (top.type === 'file' && successor.type === 'file' && (await handOverHistory(this.ctx, repos, top, successor.id, now))) {
      const released = await dropVersionsOf(repos, [top.id]);
      await repos.blobJournal.add(released, this.blobs.owner, now);
      await repos.nodes.deleteSubtree(to.spaceId, joinPath(to.path));
      await repos.davLocks.removeUnder(to.spaceId, joinPath(to.path));
      return { existed: true, removedSize: top.size, released };
    }
    await moveToTrash(repos, this.ctx.secrets, { spaceId: to.spaceId, path: to.path, userId, etag, now });
    return { existed: true, removedSize: 0, released: [] };
  }

  private async assertRoom(repos: Repositories, space: Space, delta: number, etag: string, now: number): Promise<void> {
    const size = await repos.spaceTree.adjust(space.id, delta, etag, now);
    const limit = await quotaLimitOf(repos, space, this.ctx.settings.defaultQuota);
    if (delta > 0 && limit !== null && size > limit) fail('quotaExceeded', `Insufficient space in ${space.name}`);
  }

  /** Moving needs delete on the source and write on the destination (Nextcloud's rule); within a space only rows change. */
  async move(fromPlace: OpenedPlace, toPlace: OpenedPlace, overwrite: boolean): Promise<WriteResult> {
    const from = where(fromPlace);
    const to = where(toPlace);
    const userId = fromPlace.userId;
    this.check(from, to);
    const now = this.ctx.clock.now();
    const result = await this.ctx.tx.run(async (repos) => {
      const etag = this.ctx.secrets.id();
      const taken = await this.lockSpaces(repos, from.spaceId, to.spaceId, etag, now);
      const src = await recheck(repos, fromPlace, taken.get(from.spaceId), now, { nodes: false });
      const dst = await recheck(repos, toPlace, taken.get(to.spaceId), now);
      // A rename in place needs update on the item, a move out of its folder delete (Nextcloud's FilesPlugin::checkMove).
      const rename = from.spaceId === to.spaceId && joinPath(from.path.slice(0, -1)) === joinPath(to.path.slice(0, -1));
      if (src.access.viaShare?.atRoot || !(rename ? src.access.can.write : src.access.can.delete) || !dst.access.can.create) {
        fail('forbidden', 'You are not allowed to move this item here');
      }
      const node = await repos.nodes.byPath(from.spaceId, joinPath(from.path));
      if (!node) notFound(from.path);
      const parent = dst.parent;
      if (!parent) fail('conflict', 'Parent folder does not exist');
      const { existed, removedSize, released } = await this.clearDestination(repos, to, overwrite, userId, etag, now, node!);
      const size = node!.size;
      const toPath = joinPath(to.path);
      await repos.nodes.update(node!.id, { spaceId: to.spaceId, parentId: parent!.id, name: to.path[to.path.length - 1]!, path: toPath });
      if (from.spaceId !== to.spaceId) {
        const moved = await repos.nodes.subtree(from.spaceId, joinPath(from.path));
        await repos.shares.relocate(moved.map((n) => n.id), to.spaceId);
      }
      if (node!.type === 'folder') await repos.nodes.moveDescendants(from.spaceId, joinPath(from.path), to.spaceId, toPath);
      await repos.davLocks.removeUnder(from.spaceId, joinPath(from.path));
      await repos.nodes.propagate(from.spaceId, ancestorPaths(from.path), -size, etag, now);
      await repos.nodes.propagate(to.spaceId, ancestorPaths(to.path), size - removedSize, etag, now);
      if (from.spaceId === to.spaceId) await repos.spaceTree.adjust(to.spaceId, -removedSize, etag, now);
      else {
        await repos.spaceTree.adjust(from.spaceId, -size, etag, now);
        await this.assertRoom(repos, dst.space, size - removedSize, etag, now);
      }
      await recordFileActivity(repos, now, { verb: 'moved', author: userId, spaceIds: [from.spaceId, to.spaceId], fileId: node!.fileId, path: to.path, oldPath: from.path });
      const moved = { ...node!, spaceId: to.spaceId, parentId: parent!.id, name: to.path[to.path.length - 1]!, path: toPath };
      return { node: moved, created: !existed, released };
    });
    await settleBlobs(this.ctx.repos, this.blobs, result.released);
    return { node: publicNode(result.node), created: result.created };
  }

  /**
   * Copies get new ids, file ids and etags, keep mtimes, checksums and dead
   * properties. Blobs are copied to staging first (outside the transaction),
   * made visible under journal, and settled if the transaction fails.
   */
  async copy(fromPlace: OpenedPlace, toPlace: OpenedPlace, overwrite: boolean, depth: 0 | 'infinity'): Promise<WriteResult> {
    const from = where(fromPlace);
    const to = where(toPlace);
    const userId = fromPlace.userId;
    this.check(from, to);
    if (!fromPlace.access.can.read) fail('forbidden', 'You are not allowed to read this item');
    if (!toPlace.access.can.create) fail('forbidden', 'You are not allowed to copy here');
    const dstSpace = toPlace.space;
    let source = await this.ctx.repos.nodes.subtree(from.spaceId, joinPath(from.path));
    if (!source.length) notFound(from.path);
    if (depth === 0) source = source.slice(0, 1);
    const total = source.reduce((sum, n) => sum + (n.type === 'file' ? n.size : 0), 0);
    const limit = await quotaLimitOf(this.ctx.repos, dstSpace, this.ctx.settings.defaultQuota);
    if (limit !== null && dstSpace.size - (toPlace.node?.size ?? 0) + total > limit) {
      fail('quotaExceeded', `Insufficient space in ${dstSpace.name}, ${total} required`);
    }

    const now = this.ctx.clock.now();
    const staged = new Map<string, StagedBlob>();
    try {
      for (const n of source) if (n.blobId) staged.set(n.id, await this.blobs.stageCopy(n.blobId));
    } catch (err) {
      for (const b of staged.values()) await this.blobs.discard(b);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') notFound(from.path);
      throw err;
    }
    const newBlobs = [...staged.values()].map((b) => b.id);
    await this.ctx.repos.blobJournal.add(newBlobs, this.blobs.owner, now);
    let result: { node: StoredNode; created: boolean; released: string[] };
    try {
      for (const b of staged.values()) await this.blobs.commit(b);
      result = await this.ctx.tx.run(async (repos) => {
        const etag = this.ctx.secrets.id();
        const taken = await this.lockSpaces(repos, from.spaceId, to.spaceId, etag, now);
        await recheck(repos, fromPlace, taken.get(from.spaceId), now, { nodes: false });
        const dst = await recheck(repos, toPlace, taken.get(to.spaceId), now);
        if (!dst.access.can.create) fail('forbidden', 'You are not allowed to copy here');
        const parent = dst.parent;
        if (!parent) fail('conflict', 'Parent folder does not exist');
        const rootId = this.ctx.secrets.uuid();
        const { existed, removedSize, released } = await this.clearDestination(repos, to, overwrite, userId, etag, now, { id: rootId, type: source[0]!.type });
        const copies = await this.copiesOf(repos, source, to, parent!.id, staged, depth, rootId);
        await repos.nodes.insert(copies);
        await repos.versions.setAuthor(rootId, userId);
        await repos.davProperties.copy(source.slice(0, copies.length).map((n, i) => ({ from: n.id, to: copies[i]!.id })));
        const size = copies[0]!.size;
        await repos.nodes.propagate(to.spaceId, ancestorPaths(to.path), size - removedSize, etag, now);
        await this.assertRoom(repos, dst.space, size - removedSize, etag, now);
        await repos.blobJournal.remove(newBlobs);
        await recordFileActivity(repos, now, { verb: 'created', author: userId, spaceIds: [to.spaceId], fileId: copies[0]!.fileId, path: to.path });
        return { node: copies[0]!, created: !existed, released };
      });
    } catch (err) {
      for (const b of staged.values()) await this.blobs.discard(b);
      await settleBlobs(this.ctx.repos, this.blobs, newBlobs);
      throw err;
    }
    await settleBlobs(this.ctx.repos, this.blobs, result.released);
    return { node: publicNode(result.node), created: result.created };
  }

  /** New rows for the copied subtree, rebased at the destination; sources are shallowest first, so parents map before children. */
  private async copiesOf(repos: Repositories, source: StoredNode[], to: Place, parentId: string, staged: Map<string, StagedBlob>, depth: 0 | 'infinity', rootId: string): Promise<StoredNode[]> {
    const firstFileId = await repos.counters.allocate('file_id', source.length);
    const root = source[0]!;
    const toPath = joinPath(to.path);
    const ids = new Map<string, string>();
    return source.map((n, i) => {
      const id = i === 0 ? rootId : this.ctx.secrets.uuid();
      ids.set(n.id, id);
      const isRoot = i === 0;
      return {
        ...n,
        id,
        fileId: firstFileId + i,
        spaceId: to.spaceId,
        parentId: isRoot ? parentId : ids.get(n.parentId!)!,
        name: isRoot ? to.path[to.path.length - 1]! : n.name,
        path: isRoot ? toPath : `${toPath}${n.path.slice(root.path.length)}`,
        // A Depth 0 copy of a folder is an empty folder.
        size: isRoot && depth === 0 && n.type === 'folder' ? 0 : n.size,
        etag: this.ctx.secrets.id(),
        blobId: staged.get(n.id)?.id ?? null,
        createdAt: this.ctx.clock.now(),
      };
    });
  }
}
