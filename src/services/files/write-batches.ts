import { DomainError, fail } from '../../domain/errors.js';
import { ancestorPaths, joinPath } from '../../domain/file-names.js';
import type { FileNode } from '../../domain/node.js';
import type { BlobStore, StagedBlob, StoredNode } from '../../ports/files.js';
import type { Repositories } from '../../ports/repositories.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { publicNode, quotaLimitOf, rootNode, viewOf } from '../access/file-tree.js';
import type { OpenedPlace, WriteBatch, WriteOptions, WriteResult } from '../access/files.contract.js';
import { recordFileActivities } from '../activity/file-activity.js';
import { settleBlobs } from './blob-settlement.js';
import { checkWrite, commitWrite, stageChecked, type WriteMeta, writtenFields } from './file-writes.js';
import { pathsOf } from './places.js';
import { keepReplacedContent } from './version-keeping.js';

/** Files committed in one transaction at most (the desktop client sends up to 100 a request). */
const GROUP_SIZE = 100;
/**
 * Files staged at once: each waits mostly on the file system (create,
 * write, close), so a few in flight overlap those waits; their bytes are
 * held in memory until staged.
 */
const STAGING_IN_FLIGHT = 8;

interface Settle {
  resolve(result: WriteResult): void;
  reject(err: unknown): void;
}

interface Entry {
  place: OpenedPlace;
  staging: Promise<{ staged: StagedBlob; meta: WriteMeta }>;
  settle: Settle;
}

interface Staged {
  place: OpenedPlace;
  staged: StagedBlob;
  meta: WriteMeta;
  settle: Settle;
}

interface Accepted {
  entry: Staged;
  existing: FileNode | null;
  parent: FileNode;
  delta: number;
}

interface ChunkCommit {
  written: Array<{ entry: Staged; node: StoredNode; created: boolean }>;
  refused: Array<{ entry: Staged; err: DomainError }>;
  released: string[];
}

/** Rolls a group's transaction back: it does not fit the quota as a whole, or nothing of it may be written. */
class RolledBack extends Error {
  constructor(readonly refused: ChunkCommit['refused'] | null) {
    super(refused ? 'every file of the group was refused' : 'the group does not fit the quota');
  }
}

/**
 * A bulk upload's writes (WriteBatch). Files are checked and staged as they
 * come, then committed in groups: one transaction per space and group that
 * takes the space row once (the lock that serialises every writer of the
 * space, in any process), rechecks each file against the tree as it now
 * is, inserts the new rows in one statement with one file-id bump,
 * propagates sizes and etags once per folder, and records the activities
 * in one insert. A file refused there is left out and the others commit.
 * Two files for one path never share a group, so the second replaces the
 * first as a later PUT would (keeping it as a version). A group that does
 * not fit the quota as a whole is committed file by file instead, so that
 * exactly the files a sequence of PUTs would have written are.
 */
export class WriteBatches implements WriteBatch {
  private pending: Entry[] = [];
  private readonly staging = new Set<Promise<void>>();
  private committing: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly blobs: BlobStore,
  ) {}

  async add(place: OpenedPlace, bytes: Buffer, opts: WriteOptions): Promise<{ outcome: Promise<WriteResult> }> {
    let settle!: Settle;
    const outcome = new Promise<WriteResult>((resolve, reject) => (settle = { resolve, reject }));
    outcome.catch(() => undefined); // the caller handles it; never an unhandled rejection meanwhile
    let room: number | undefined;
    try {
      room = await checkWrite(this.ctx, place, opts.expectedSize);
    } catch (err) {
      settle.reject(err);
      return { outcome };
    }
    while (this.staging.size >= STAGING_IN_FLIGHT) await Promise.race(this.staging);
    const staging = stageChecked(this.blobs, { bytes }, room, opts);
    const slot: Promise<void> = staging.then(
      () => undefined,
      () => undefined,
    ).finally(() => this.staging.delete(slot));
    this.staging.add(slot);
    this.pending.push({ place, staging, settle });
    if (this.pending.length >= GROUP_SIZE) this.commitPending();
    return { outcome };
  }

  flush(): Promise<void> {
    this.commitPending();
    return this.committing;
  }

  /** Groups commit one after the other, in the order their files came. */
  private commitPending(): void {
    if (!this.pending.length) return;
    const group = this.pending;
    this.pending = [];
    this.committing = this.committing.then(() => this.commitGroup(group));
  }

  /** Never throws: every failure ends in the outcome of the files it concerns. */
  private async commitGroup(group: Entry[]): Promise<void> {
    const staged: Staged[] = [];
    for (const e of group) {
      try {
        staged.push({ place: e.place, settle: e.settle, ...(await e.staging) });
      } catch (err) {
        e.settle.reject(err);
      }
    }
    for (const chunk of chunksOf(staged)) {
      try {
        await this.commitChunk(chunk);
      } catch (err) {
        for (const e of chunk) e.settle.reject(err);
      }
    }
  }

  private async commitChunk(chunk: Staged[]): Promise<void> {
    const now = this.ctx.clock.now();
    let done: ChunkCommit;
    try {
      done = await this.ctx.tx.run((repos) => this.writeChunk(repos, chunk, now));
    } catch (err) {
      if (err instanceof RolledBack && !err.refused) {
        for (const e of chunk) await commitWrite(this.ctx, this.blobs, e.place, e.staged, e.meta).then(e.settle.resolve, e.settle.reject);
        return;
      }
      await Promise.all(chunk.map((e) => this.blobs.discard(e.staged)));
      if (err instanceof RolledBack) for (const r of err.refused!) r.entry.settle.reject(r.err);
      else for (const e of chunk) e.settle.reject(err);
      return;
    }
    for (const { entry, err } of done.refused) {
      await this.blobs.discard(entry.staged);
      entry.settle.reject(err);
    }
    // The rows are committed: the bytes move into place after them, as for a single write (file-writes.ts).
    const moved = await Promise.allSettled(done.written.map((w) => this.blobs.commit(w.entry.staged)));
    if (done.released.length) await settleBlobs(this.ctx.repos, this.blobs, done.released);
    done.written.forEach((w, i) => {
      const m = moved[i]!;
      if (m.status === 'rejected') w.entry.settle.reject(m.reason);
      else w.entry.settle.resolve({ node: publicNode(w.node), created: w.created });
    });
  }

  /** One group of one space, inside its transaction. */
  private async writeChunk(repos: Repositories, chunk: Staged[], now: number): Promise<ChunkCommit> {
    const { space: opened, userId } = chunk[0]!.place;
    const etag = this.ctx.secrets.id();
    // The size change expected from what the places saw; corrected below if files changed meanwhile.
    const expected = chunk.reduce((sum, e) => sum + e.staged.size - (e.place.node?.size ?? 0), 0);
    const space = await repos.spaceTree.take(opened.id, expected, etag, now);
    if (!space || space.disabledAt !== null) fail('notFound', 'Space not found');
    const view = await viewOf(repos, userId, space!, now);
    const found = new Map((await repos.nodes.byPaths(space!.id, [...new Set(chunk.flatMap((e) => pathsOf(e.place.path)))])).map((n) => [n.path, publicNode(n)]));
    const limit = await quotaLimitOf(repos, space!, this.ctx.settings.defaultQuota);
    const before = space!.size - expected;
    let size = before;
    const accepted: Accepted[] = [];
    const refused: ChunkCommit['refused'] = [];
    for (const entry of chunk) {
      const { path } = entry.place;
      let checked: Omit<Accepted, 'entry'>;
      try {
        const access = await view.accessAt(path);
        const existing = found.get(joinPath(path)) ?? null;
        const folder = path.length === 1 ? publicNode(rootNode(space!)) : found.get(joinPath(path.slice(0, -1)));
        if (!folder || folder.type !== 'folder') fail('conflict', 'Parent folder does not exist');
        if (existing?.type === 'folder') fail('conflict', 'A folder exists at this path', 'alreadyExists');
        if (!(existing ? access.can.write : access.can.create)) fail('forbidden', 'You are not allowed to write here');
        checked = { existing, parent: folder!, delta: entry.staged.size - (existing?.size ?? 0) };
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        refused.push({ entry, err });
        continue;
      }
      // As a sequence of writes would: each growing file must fit after the ones before it.
      if (checked.delta > 0 && limit !== null && size + checked.delta > limit) throw new RolledBack(null);
      size += checked.delta;
      accepted.push({ entry, ...checked });
    }
    if (!accepted.length) throw new RolledBack(refused);
    if (size - before !== expected) await repos.spaceTree.adjust(space!.id, size - before - expected, etag, now);

    const released: string[] = [];
    for (const a of accepted) {
      // The replaced content becomes a version (its row takes over the blob) unless versions are off.
      const blob = a.existing ? await keepReplacedContent(this.ctx, repos, a.existing, now) : null;
      if (blob) released.push(blob);
    }
    const written = await this.putNodes(repos, space!.id, userId, accepted, now);
    await this.propagate(repos, space!.id, accepted, etag, now);
    if (released.length) await repos.blobJournal.add(released, this.blobs.owner, now);
    await recordFileActivities(
      repos,
      now,
      written.map((w) => ({ verb: w.created ? 'created' : 'changed', author: userId, spaceIds: [space!.id], fileId: w.node.fileId, path: w.entry.place.path })),
    );
    return { written, refused, released };
  }

  /** The rows: existing ones updated one by one, new ones with one file-id bump and one insert, the author with them. */
  private async putNodes(repos: Repositories, spaceId: string, userId: string, accepted: Accepted[], now: number): Promise<ChunkCommit['written']> {
    const fresh = accepted.filter((a) => !a.existing).length;
    let fileId = fresh ? await repos.counters.allocate('file_id', fresh) : 0;
    const inserts: StoredNode[] = [];
    const written: ChunkCommit['written'] = [];
    for (const a of accepted) {
      const name = a.entry.place.path[a.entry.place.path.length - 1]!;
      const path = joinPath(a.entry.place.path);
      const fields = writtenFields(this.ctx, name, a.entry.staged, a.entry.meta, now);
      if (a.existing) {
        await repos.nodes.update(a.existing.id, fields, { modifiedBy: userId });
        written.push({ entry: a.entry, node: { ...a.existing, ...fields, path }, created: false });
        continue;
      }
      const node: StoredNode = { id: this.ctx.secrets.uuid(), fileId: fileId++, spaceId, parentId: a.parent.id, name, path, type: 'file', createdAt: now, ...fields };
      inserts.push(node);
      written.push({ entry: a.entry, node, created: true });
    }
    if (inserts.length) await repos.nodes.insert(inserts, { modifiedBy: userId });
    return written;
  }

  /** Each folder above the files grows by the sum of the changes below it: one statement per distinct sum, usually one. */
  private async propagate(repos: Repositories, spaceId: string, accepted: Accepted[], etag: string, now: number): Promise<void> {
    const deltas = new Map<string, number>();
    for (const a of accepted) for (const p of ancestorPaths(a.entry.place.path)) deltas.set(p, (deltas.get(p) ?? 0) + a.delta);
    const byDelta = new Map<number, string[]>();
    for (const [p, d] of deltas) byDelta.set(d, [...(byDelta.get(d) ?? []), p]);
    for (const [delta, paths] of byDelta) await repos.nodes.propagate(spaceId, paths, delta, etag, now);
  }
}

/**
 * The files of a group split into what commits together: by space (a
 * received share's files go to its owner's space), in the order they came,
 * and a new chunk wherever a path comes again.
 */
function chunksOf(files: Staged[]): Staged[][] {
  const bySpace = new Map<string, { chunks: Staged[][]; paths: Set<string> }>();
  for (const f of files) {
    let space = bySpace.get(f.place.space.id);
    if (!space) bySpace.set(f.place.space.id, (space = { chunks: [[]], paths: new Set() }));
    const path = joinPath(f.place.path);
    if (space.paths.has(path) || space.chunks[space.chunks.length - 1]!.length >= GROUP_SIZE) {
      space.chunks.push([]);
      space.paths.clear();
    }
    space.paths.add(path);
    space.chunks[space.chunks.length - 1]!.push(f);
  }
  return [...bySpace.values()].flatMap((s) => s.chunks);
}
