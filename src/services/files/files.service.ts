import type { Share } from '../../domain/share.js';
import type { Readable } from 'node:stream';
import { formatChecksum, parseChecksum } from '../../domain/checksum.js';
import { fail } from '../../domain/errors.js';
import { ancestorPaths, assertValidPath, joinPath } from '../../domain/file-names.js';
import { FOLDER_MIME_TYPE, mimeTypeOf } from '../../domain/mime.js';
import type { FileNode, PathSegments } from '../../domain/node.js';
import type { Space } from '../../domain/space.js';
import type { BlobStore, StagedBlob, StoredNode } from '../../ports/files.js';
import type { Repositories } from '../../ports/repositories.js';
import { settleBlobs } from './blob-settlement.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { folderAt, openTree, type OpenTree, type Place, publicNode, quotaLimitOf, rootNode } from '../access/file-tree.js';
import type { FileAccess, FilesApi, WriteOptions, WriteResult } from '../access/files.contract.js';
import { recordFileActivity } from '../activity/file-activity.js';
import { NodeTransfers } from './node-transfers.js';

const notFound = (path: PathSegments): never => fail('notFound', `File with name ${path[path.length - 1] ?? ''} could not be located`);

/**
 * Files and folders of every space: metadata rows in the database, bytes in
 * the blob store. Each change runs in one transaction that first takes the
 * space row (serialising writers of a space), so sizes, etags and the quota
 * check stay exact; bytes are staged before and made visible by rename.
 */
export class FilesService implements FilesApi {
  private readonly transfers: NodeTransfers;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly blobs: BlobStore,
    /** Told of the shares that went with deleted nodes, once the deletion committed (federated recipients are notified). */
    private readonly onSharesDropped: (shares: Share[]) => Promise<void> = async () => {},
  ) {
    this.transfers = new NodeTransfers(ctx, blobs, (repos, userId, spaceId, place) => this.open(repos, userId, spaceId, place));
  }

  private open(repos: Repositories, userId: string, spaceId: string, place: Place): Promise<OpenTree> {
    return openTree(repos, userId, spaceId, this.ctx.clock.now(), place);
  }

  private async readable(userId: string, spaceId: string, place: Place): Promise<OpenTree> {
    const tree = await this.open(this.ctx.repos, userId, spaceId, place);
    if (!tree.access.can.read) fail('forbidden', 'You are not allowed to read this space');
    return tree;
  }

  /** Where a node is, for access through shares; only looked up when shares decide. */
  private placeOf(spaceId: string, node: FileNode): Place {
    if (node.id === spaceId) return [];
    return async () => {
      const stored = await this.ctx.repos.nodes.byId(node.id);
      if (!stored || stored.spaceId !== spaceId) fail('notFound', 'File not found');
      return stored!.path.split('/');
    };
  }

  openSpace(userId: string, spaceId: string, path: PathSegments = []): Promise<{ space: Space; access: FileAccess }> {
    return this.open(this.ctx.repos, userId, spaceId, path);
  }

  async stat(userId: string, spaceId: string, path: PathSegments): Promise<FileNode> {
    const { space } = await this.readable(userId, spaceId, path);
    if (path.length === 0) return publicNode(rootNode(space));
    const node = await this.ctx.repos.nodes.byPath(spaceId, joinPath(path));
    return node ? publicNode(node) : notFound(path);
  }

  /** A node by its id (the space id is the root), with its space-relative path; notFound outside the space. */
  async statById(userId: string, spaceId: string, nodeId: string): Promise<{ node: FileNode; path: string[] }> {
    if (nodeId === spaceId) {
      const { space } = await this.readable(userId, spaceId, []);
      return { node: publicNode(rootNode(space)), path: [] };
    }
    const node = await this.ctx.repos.nodes.byId(nodeId);
    if (!node || node.spaceId !== spaceId) fail('notFound', 'Item not found');
    const path = node!.path.split('/');
    await this.readable(userId, spaceId, path);
    return { node: publicNode(node!), path };
  }

  async children(userId: string, spaceId: string, folder: FileNode): Promise<FileNode[]> {
    await this.readable(userId, spaceId, this.placeOf(spaceId, folder));
    if (folder.type !== 'folder' || folder.spaceId !== spaceId) return [];
    return (await this.ctx.repos.nodes.children(folder.id)).map(publicNode);
  }

  async read(userId: string, spaceId: string, file: FileNode, range?: { start: number; end: number }): Promise<Readable> {
    await this.readable(userId, spaceId, this.placeOf(spaceId, file));
    if (file.type !== 'file' || file.spaceId !== spaceId || !file.blobId) fail('notFound', 'Not a file');
    return this.blobs.open(file.blobId!, range);
  }

  async quota(spaceId: string): Promise<{ used: number; limit: number | null }> {
    const space = await this.ctx.repos.spaces.findById(spaceId);
    if (!space) fail('notFound', 'Space not found');
    return { used: space!.size, limit: await quotaLimitOf(this.ctx.repos, space!, this.ctx.settings.defaultQuota) };
  }

  async mkdir(userId: string, spaceId: string, path: PathSegments): Promise<FileNode> {
    if (path.length === 0) fail('conflict', 'The root of a space already exists', 'alreadyExists');
    assertValidPath(path);
    const now = this.ctx.clock.now();
    return this.ctx.tx.run(async (repos) => {
      const { space, access } = await this.open(repos, userId, spaceId, path);
      if (!access.can.create) fail('forbidden', 'You are not allowed to create folders here');
      const etag = this.ctx.secrets.id();
      await repos.spaceTree.adjust(spaceId, 0, etag, now);
      const parent = await folderAt(repos, space, path.slice(0, -1));
      if (await repos.nodes.byPath(spaceId, joinPath(path))) fail('conflict', 'The resource you tried to create already exists', 'alreadyExists');
      const node: StoredNode = {
        id: this.ctx.secrets.uuid(),
        fileId: await repos.counters.allocate('file_id', 1),
        spaceId,
        parentId: parent.id,
        name: path[path.length - 1]!,
        path: joinPath(path),
        type: 'folder',
        size: 0,
        mtime: now,
        etag: this.ctx.secrets.id(),
        mimeType: FOLDER_MIME_TYPE,
        checksums: null,
        blobId: null,
        createdAt: now,
      };
      await repos.nodes.insert([node]);
      await repos.nodes.propagate(spaceId, ancestorPaths(path), 0, etag, now);
      await recordFileActivity(repos, now, { verb: 'created', author: userId, spaceIds: [spaceId], fileId: node.fileId, path });
      return publicNode(node);
    });
  }

  async remove(userId: string, spaceId: string, path: PathSegments): Promise<void> {
    if (path.length === 0) fail('forbidden', 'The root of a space cannot be deleted');
    const now = this.ctx.clock.now();
    let dropped: Share[] = [];
    const freed = await this.ctx.tx.run(async (repos) => {
      const { access } = await this.open(repos, userId, spaceId, path);
      if (!access.can.delete) fail('forbidden', 'You are not allowed to delete here');
      const etag = this.ctx.secrets.id();
      await repos.spaceTree.adjust(spaceId, 0, etag, now);
      const subtree = await repos.nodes.subtree(spaceId, joinPath(path));
      if (!subtree.length) notFound(path);
      const blobIds = subtree.flatMap((n) => (n.blobId ? [n.blobId] : []));
      await repos.blobJournal.add(blobIds, this.blobs.owner, now);
      await repos.nodes.deleteSubtree(spaceId, joinPath(path));
      dropped = await repos.shares.onNodes(spaceId, subtree.map((n) => n.id));
      await repos.shares.deleteOnNodes(subtree.map((n) => n.id));
      await repos.davLocks.removeUnder(spaceId, joinPath(path));
      const size = subtree[0]!.size;
      await repos.nodes.propagate(spaceId, ancestorPaths(path), -size, etag, now);
      await repos.spaceTree.adjust(spaceId, -size, etag, now);
      await recordFileActivity(repos, now, { verb: 'deleted', author: userId, spaceIds: [spaceId], fileId: subtree[0]!.fileId, path });
      return blobIds;
    });
    await settleBlobs(this.ctx.repos, this.blobs, freed);
    if (dropped.length) await this.onSharesDropped(dropped);
  }

  /**
   * PUT and chunk assembly: quota checked before a byte is written when the
   * length is known, and while streaming when it is not; the checksum the
   * client declared verified; the bytes visible only once the row commits.
   */
  async write(userId: string, spaceId: string, path: PathSegments, body: Readable, opts: WriteOptions): Promise<WriteResult> {
    if (path.length === 0) fail('conflict', 'The root of a space is a folder', 'alreadyExists');
    assertValidPath(path);
    const declared = opts.checksum ? parseChecksum(opts.checksum) : null;
    const { space, access } = await this.open(this.ctx.repos, userId, spaceId, path);
    await folderAt(this.ctx.repos, space, path.slice(0, -1));
    const existing = await this.ctx.repos.nodes.byPath(spaceId, joinPath(path));
    if (existing?.type === 'folder') fail('conflict', 'A folder exists at this path', 'alreadyExists');
    if (!(existing ? access.can.write : access.can.create)) fail('forbidden', 'You are not allowed to write here');
    const limit = await quotaLimitOf(this.ctx.repos, space, this.ctx.settings.defaultQuota);
    const room = limit === null ? undefined : Math.max(0, limit - space.size + (existing?.size ?? 0));
    if (room !== undefined && opts.expectedSize !== undefined && opts.expectedSize > room) {
      fail('quotaExceeded', `Insufficient space in ${space.name}, ${opts.expectedSize} required, ${room} available`);
    }

    const staged = await this.blobs.stage(body, { maxBytes: room, digests: declared ? [declared.algorithm] : [] });
    try {
      if (opts.expectedSize !== undefined && staged.size !== opts.expectedSize) {
        fail('invalidInput', `Expected filesize of ${opts.expectedSize} bytes but read and wrote ${staged.size} bytes. Could either be a network problem on the sending side or a problem writing to the storage on the server side.`);
      }
      if (declared && staged.digests[declared.algorithm] !== declared.value) fail('invalidInput', 'The computed checksum does not match the one received from the client.');
    } catch (err) {
      await this.blobs.discard(staged);
      throw err;
    }
    const checksums = declared ? formatChecksum(declared) : null;
    return this.commitWrite(userId, spaceId, path, staged, { mtime: opts.mtime, checksums });
  }

  private async commitWrite(userId: string, spaceId: string, path: PathSegments, staged: StagedBlob, meta: { mtime?: number; checksums: string | null }): Promise<WriteResult> {
    const now = this.ctx.clock.now();
    await this.ctx.repos.blobJournal.add([staged.id], this.blobs.owner, now);
    let outcome: { node: StoredNode; created: boolean; released: string | null };
    try {
      await this.blobs.commit(staged);
      outcome = await this.ctx.tx.run(async (repos) => {
        const { space, access } = await this.open(repos, userId, spaceId, path);
        const etag = this.ctx.secrets.id();
        await repos.spaceTree.adjust(spaceId, 0, etag, now);
        const parent = await folderAt(repos, space, path.slice(0, -1));
        const existing = await repos.nodes.byPath(spaceId, joinPath(path));
        if (existing?.type === 'folder') fail('conflict', 'A folder exists at this path', 'alreadyExists');
        if (!(existing ? access.can.write : access.can.create)) fail('forbidden', 'You are not allowed to write here');
        const delta = staged.size - (existing?.size ?? 0);
        const size = await repos.spaceTree.adjust(spaceId, delta, etag, now);
        const limit = await quotaLimitOf(repos, space, this.ctx.settings.defaultQuota);
        if (delta > 0 && limit !== null && size > limit) fail('quotaExceeded', `Insufficient space in ${space.name}`);
        const name = path[path.length - 1]!;
        const fields = { size: staged.size, mtime: meta.mtime ?? now, etag: this.ctx.secrets.id(), mimeType: mimeTypeOf(name), checksums: meta.checksums, blobId: staged.id };
        let node: StoredNode;
        if (existing) {
          await repos.nodes.update(existing.id, fields);
          node = { ...existing, ...fields };
        } else {
          const fileId = await repos.counters.allocate('file_id', 1);
          node = { id: this.ctx.secrets.uuid(), fileId, spaceId, parentId: parent.id, name, path: joinPath(path), type: 'file', createdAt: now, ...fields };
          await repos.nodes.insert([node]);
        }
        await repos.nodes.propagate(spaceId, ancestorPaths(path), delta, etag, now);
        await repos.blobJournal.remove([staged.id]);
        if (existing?.blobId) await repos.blobJournal.add([existing.blobId], this.blobs.owner, now);
        await recordFileActivity(repos, now, { verb: existing ? 'changed' : 'created', author: userId, spaceIds: [spaceId], fileId: node.fileId, path });
        return { node, created: !existing, released: existing?.blobId ?? null };
      });
    } catch (err) {
      await this.blobs.discard(staged);
      await settleBlobs(this.ctx.repos, this.blobs, [staged.id]);
      throw err;
    }
    if (outcome.released) await settleBlobs(this.ctx.repos, this.blobs, [outcome.released]);
    return { node: publicNode(outcome.node), created: outcome.created };
  }

  move(userId: string, from: { spaceId: string; path: PathSegments }, to: { spaceId: string; path: PathSegments }, overwrite: boolean): Promise<WriteResult> {
    return this.transfers.move(userId, from, to, overwrite);
  }

  copy(userId: string, from: { spaceId: string; path: PathSegments }, to: { spaceId: string; path: PathSegments }, overwrite: boolean, depth: 0 | 'infinity'): Promise<WriteResult> {
    return this.transfers.copy(userId, from, to, overwrite, depth);
  }
}
