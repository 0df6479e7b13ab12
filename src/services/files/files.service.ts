import type { Readable } from 'node:stream';
import { fail } from '../../domain/errors.js';
import { ancestorPaths, assertValidPath, joinPath } from '../../domain/file-names.js';
import { FOLDER_MIME_TYPE } from '../../domain/mime.js';
import type { FileNode, PathSegments } from '../../domain/node.js';
import type { Share } from '../../domain/share.js';
import type { Space } from '../../domain/space.js';
import type { BlobSource, BlobStore, StoredNode } from '../../ports/files.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { publicNode, quotaLimitOf } from '../access/file-tree.js';
import type { FilesApi, OpenedPlace, WriteBatch, WriteOptions, WriteResult } from '../access/files.contract.js';
import { recordFileActivity } from '../activity/file-activity.js';
import { checkWrite, commitWrite, stageChecked } from './file-writes.js';
import { NodeTransfers } from './node-transfers.js';
import { moveToTrash } from './trash-moves.js';
import { openPlace, placeAt, placeById, placeOfChild, recheck } from './places.js';
import { WriteBatches } from './write-batches.js';

const notFound = (path: PathSegments): never => fail('notFound', `File with name ${path[path.length - 1] ?? ''} could not be located`);

/**
 * Files and folders of every space: metadata rows in the database, bytes in
 * the blob store. Each change runs in one transaction that first takes the
 * space row (serialising writers of a space), so sizes, etags and the quota
 * check stay exact; bytes are staged before and made visible by rename.
 * Callers open a place once per request (open, reopen, openById) and hand
 * it to the operations.
 */
export class FilesService implements FilesApi {
  private readonly transfers: NodeTransfers;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly blobs: BlobStore,
    /** Told of the shares that went with deleted nodes, once the deletion committed (federated recipients are notified). */
    private readonly onSharesDropped: (shares: Share[]) => Promise<void> = async () => {},
    /** Told of each deletion once it committed: the trash bin keeps within its bound (TrashService.enforceBound). */
    private readonly afterTrashed: (spaceId: string) => Promise<void> = async () => {},
  ) {
    this.transfers = new NodeTransfers(ctx, blobs);
  }

  open(userId: string, spaceId: string, path: PathSegments): Promise<OpenedPlace> {
    return openPlace(this.ctx.repos, userId, spaceId, path, this.ctx.clock.now());
  }

  reopen(place: OpenedPlace, path: PathSegments): Promise<OpenedPlace> {
    return placeAt(this.ctx.repos, place, path);
  }

  openById(userId: string, spaceId: string, nodeId: string): Promise<OpenedPlace> {
    return placeById(this.ctx.repos, userId, spaceId, nodeId, this.ctx.clock.now());
  }

  childOf(folder: OpenedPlace, child: FileNode): Promise<OpenedPlace> {
    return placeOfChild(folder, child);
  }

  stat(place: OpenedPlace): FileNode | null {
    if (!place.access.can.read) fail('forbidden', 'You are not allowed to read this space');
    return place.node;
  }

  async children(place: OpenedPlace): Promise<FileNode[]> {
    const folder = this.stat(place);
    if (!folder || folder.type !== 'folder') return [];
    return (await this.ctx.repos.nodes.children(folder.id)).map(publicNode);
  }

  async read(place: OpenedPlace, range?: { start: number; end: number }): Promise<Readable> {
    const file = this.stat(place);
    if (!file || file.type !== 'file' || !file.blobId) fail('notFound', 'Not a file');
    return await this.blobs.open(file!.blobId!, range, file!.size);
  }

  async quota(space: Space): Promise<{ used: number; limit: number | null }> {
    return { used: space.size, limit: await quotaLimitOf(this.ctx.repos, space, this.ctx.settings.defaultQuota) };
  }

  async mkdir(place: OpenedPlace): Promise<FileNode> {
    const { path, space } = place;
    if (path.length === 0) fail('conflict', 'The root of a space already exists', 'alreadyExists');
    assertValidPath(path);
    const now = this.ctx.clock.now();
    return this.ctx.tx.run(async (repos) => {
      const etag = this.ctx.secrets.id();
      const { access, node: existing, parent } = await recheck(repos, place, await repos.spaceTree.take(space.id, 0, etag, now), now);
      if (!access.can.create) fail('forbidden', 'You are not allowed to create folders here');
      if (!parent) fail('conflict', 'Parent folder does not exist');
      if (existing) fail('conflict', 'The resource you tried to create already exists', 'alreadyExists');
      const node: StoredNode = {
        id: this.ctx.secrets.uuid(),
        fileId: await repos.counters.allocate('file_id', 1),
        spaceId: space.id,
        parentId: parent!.id,
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
      await repos.nodes.propagate(space.id, ancestorPaths(path), 0, etag, now);
      await recordFileActivity(repos, now, { verb: 'created', author: place.userId, spaceIds: [space.id], fileId: node.fileId, path });
      return publicNode(node);
    });
  }

  /** Deleting moves the node and its subtree to the space's trash bin (trash-moves.ts); the trash purges them for good. */
  async remove(place: OpenedPlace): Promise<void> {
    const { path, space } = place;
    if (path.length === 0) fail('forbidden', 'The root of a space cannot be deleted');
    const now = this.ctx.clock.now();
    const dropped = await this.ctx.tx.run(async (repos) => {
      const etag = this.ctx.secrets.id();
      const { access } = await recheck(repos, place, await repos.spaceTree.take(space.id, 0, etag, now), now, { nodes: false });
      if (!access.can.delete) fail('forbidden', 'You are not allowed to delete here');
      return (await moveToTrash(repos, this.ctx.secrets, { spaceId: space.id, path, userId: place.userId, etag, now })).dropped;
    });
    if (dropped.length) await this.onSharesDropped(dropped);
    await this.afterTrashed(space.id);
  }

  /**
   * PUT and chunk assembly: quota checked before a byte is written when the
   * length is known, and while streaming when it is not; the checksum the
   * client declared verified; the bytes visible only once the row commits.
   */
  async write(place: OpenedPlace, body: BlobSource, opts: WriteOptions): Promise<WriteResult> {
    const room = await checkWrite(this.ctx, place, opts.expectedSize);
    const { staged, meta } = await stageChecked(this.blobs, body, room, opts);
    return commitWrite(this.ctx, this.blobs, place, staged, meta);
  }

  batch(): WriteBatch {
    return new WriteBatches(this.ctx, this.blobs);
  }

  move(from: OpenedPlace, to: OpenedPlace, overwrite: boolean): Promise<WriteResult> {
    return this.transfers.move(from, to, overwrite);
  }

  copy(from: OpenedPlace, to: OpenedPlace, overwrite: boolean, depth: 0 | 'infinity'): Promise<WriteResult> {
    return this.transfers.copy(from, to, overwrite, depth);
  }
}

