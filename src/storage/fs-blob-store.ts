import { randomBytes, randomUUID } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { copyFile, type FileHandle, link, mkdir, open, readdir, readFile, rename, rm, stat, statfs, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { processHost } from './process-host.js';
import { SmallBlobCache } from './small-blob-cache.js';
import { pipeline } from 'node:stream/promises';
import { fail } from '../domain/errors.js';
import type { BlobSource, BlobStore, DigestAlgorithm, LocalFile, StagedBlob, StageOptions } from '../ports/files.js';
import { digesterFor } from './digests.js';
import { meterHeld, StageMeter } from './stage-meter.js';

/** Journal entries and staging folders of processes on other hosts are settled only after this long (their liveness cannot be checked). */
const FOREIGN_OWNER_GRACE_MS = 24 * 3600 * 1000;
const READ_CHUNK = 256 * 1024;
/** Bigger write batches (fs.writev of the buffered chunks) measured about 1.3–1.6x faster uploads than 256 KiB; 4 MiB per upload in flight is the memory price. */
const WRITE_BUFFER = 4 * 1024 * 1024;

const SEP = '~';

export interface FsBlobStoreOptions {
  /** fsync each file before it becomes visible, so a power cut cannot expose an empty one. */
  fsync: boolean;
}

/**
 * Blobs as files under `<data>/blobs/ab/cd/<id>`. Writes go to
 * `<data>/staging/<owner>/` on the same file system and become visible only
 * by rename, once complete. The owner (host, pid, start token) names this
 * process, so a restart can tell which staging files and journal entries
 * belong to a process that is gone.
 */
export class FsBlobStore implements BlobStore {
  readonly owner: string;
  private readonly blobs: string;
  private readonly stagingRoot: string;
  private readonly staging: string;
  private readonly derived: string;
  private readonly host = processHost;
  private readonly token = randomBytes(6).toString('hex');
  private readonly madeDirs = new Set<string>();
  private readonly small = new SmallBlobCache();

  constructor(
    dataDir: string,
    private readonly opts: FsBlobStoreOptions,
  ) {
    this.blobs = path.join(dataDir, 'blobs');
    this.stagingRoot = path.join(dataDir, 'staging');
    this.derived = path.join(dataDir, 'derived');
    this.owner = [this.host, process.pid, this.token].join(SEP);
    this.staging = path.join(this.stagingRoot, this.owner);
  }

  private blobPath(id: string): string {
    if (!/^[0-9a-f]{32}$/.test(id)) throw new Error(`not a blob id: ${id}`);
    return path.join(this.blobs, id.slice(0, 2), id.slice(2, 4), id);
  }

  private stagingPath(id: string): string {
    return path.join(this.staging, id);
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  /**
   * Not cached like the blob folders: another host's start-up sweep (or an
   * operator) may remove this folder while the process lives, and a cached
   * "made" would then fail every later upload of the process.
   */
  private async ensureStaging(): Promise<void> {
    await mkdir(this.staging, { recursive: true });
  }

  /** A new staging file, opened exclusively; the folder is made only when it is missing (a syscall saved on every upload). */
  private async createStaged(file: string): Promise<FileHandle> {
    try {
      return await open(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await this.ensureStaging();
      return open(file, 'wx');
    }
  }

  async stage(source: BlobSource, opts: StageOptions): Promise<StagedBlob> {
    // Objects of another store never reach this one: each STORAGE makes its own uploads' sources.
    if ('storedParts' in source) throw new Error('the file store cannot take objects of an object store');
    if (!(source instanceof Readable)) return 'bytes' in source ? this.stageHeld(source.bytes, opts) : this.stageFile(source, opts);
    const body = source;
    const id = randomUUID().replace(/-/g, '');
    const file = this.stagingPath(id);
    const meter = new StageMeter(opts);
    try {
      const handle = await this.createStaged(file);
      await pipeline(body, meter.stream, createWriteStream(file, { fd: handle, highWaterMark: WRITE_BUFFER }));
      meter.assertWithinQuota();
      if (this.opts.fsync) await this.sync(file);
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
    return meter.staged(id);
  }

  /** Bytes in memory: one write, no stream (for many small files the stream's ticks cost more than the bytes). */
  private async stageHeld(bytes: Buffer, opts: StageOptions): Promise<StagedBlob> {
    const measured = meterHeld(bytes, opts);
    const id = randomUUID().replace(/-/g, '');
    const file = this.stagingPath(id);
    try {
      const handle = await this.createStaged(file);
      try {
        await handle.writeFile(bytes);
        if (this.opts.fsync) await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
    return { id, ...measured };
  }

  /** A hard link to the file (the same bytes, none copied), or a streamed copy where the file system has no links. */
  private async stageFile(source: LocalFile, opts: StageOptions): Promise<StagedBlob> {
    const { size } = await stat(source.localFile);
    if (opts.maxBytes !== undefined && size > opts.maxBytes) fail('quotaExceeded', `Insufficient space: ${size} bytes sent, ${opts.maxBytes} available`);
    const id = randomUUID().replace(/-/g, '');
    const file = this.stagingPath(id);
    try {
      await this.ensureStaging();
      await link(source.localFile, file);
    } catch (err) {
      if (!['EXDEV', 'EPERM', 'ENOTSUP', 'EMLINK'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
      return this.stage(createReadStream(source.localFile, { highWaterMark: READ_CHUNK }), opts);
    }
    try {
      const digests = await digestsOf(file, opts.digests ?? []);
      if (this.opts.fsync) await this.sync(file);
      return { id, size, digests };
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
  }

  async stageCopy(blobId: string): Promise<StagedBlob> {
    await this.ensureStaging();
    const id = randomUUID().replace(/-/g, '');
    const file = this.stagingPath(id);
    try {
      // A reflink costs nothing where the file system has them; elsewhere a plain copy.
      await copyFile(this.blobPath(blobId), file, constants.COPYFILE_FICLONE);
      if (this.opts.fsync) await this.sync(file);
      return { id, size: (await stat(file)).size, digests: {} };
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
  }

  private async sync(file: string): Promise<void> {
    const fh = await open(file, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /** The folder is made only when the rename finds it missing: most blobs land in one that exists. */
  async commit(blob: StagedBlob): Promise<void> {
    const target = this.blobPath(blob.id);
    try {
      await rename(this.stagingPath(blob.id), target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(path.dirname(target), { recursive: true });
      await rename(this.stagingPath(blob.id), target);
    }
  }

  async discard(blob: StagedBlob): Promise<void> {
    await rm(this.stagingPath(blob.id), { force: true });
  }

  async open(blobId: string, range?: { start: number; end: number }, size?: number): Promise<Readable> {
    const small = size !== undefined && this.small.holds(size);
    const cached = small ? this.small.get(blobId) : undefined;
    if (cached) return bytesStream(cached, range);
    let file = this.blobPath(blobId);
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      // Committed a moment ago, not yet moved out of its writer's staging folder (any process's).
      const staged = (err as NodeJS.ErrnoException).code === 'ENOENT' ? await this.findStaged(blobId) : null;
      if (!staged) throw err;
      file = staged;
      handle = await open(file, 'r');
    }
    if (small) {
      let data: Buffer;
      try {
        data = await handle.readFile();
      } finally {
        await handle.close();
      }
      this.small.remember(blobId, data);
      return bytesStream(data, range);
    }
    return createReadStream(file, { fd: handle, highWaterMark: READ_CHUNK, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  private async findStaged(blobId: string): Promise<string | null> {
    let owners: string[];
    try {
      owners = await readdir(this.stagingRoot);
    } catch {
      return null;
    }
    for (const owner of owners) {
      const candidate = path.join(this.stagingRoot, owner, blobId);
      try {
        await stat(candidate);
        return candidate;
      } catch {
        // not this owner's
      }
    }
    return null;
  }

  async freeBytes(): Promise<number> {
    await this.ensureDir(this.blobs);
    const fs = await statfs(this.blobs);
    return Number(fs.bavail) * Number(fs.bsize);
  }

  async remove(blobId: string): Promise<void> {
    this.small.forget(blobId);
    try {
      await unlink(this.blobPath(blobId));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await rm(this.derivedDir(blobId), { recursive: true, force: true });
  }

  /** `<data>/derived/ab/cd/<id>/`: previews and the like, one folder per blob so that removing the blob removes them at once. */
  private derivedDir(blobId: string): string {
    if (!/^[0-9a-f]{32}$/.test(blobId)) throw new Error(`not a blob id: ${blobId}`);
    return path.join(this.derived, blobId.slice(0, 2), blobId.slice(2, 4), blobId);
  }

  private derivedPath(blobId: string, key: string): string {
    if (!/^[a-z0-9][a-z0-9.-]{0,63}$/.test(key)) throw new Error(`not a derived key: ${key}`);
    return path.join(this.derivedDir(blobId), key);
  }

  async readDerived(blobId: string, key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.derivedPath(blobId, key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async writeDerived(blobId: string, key: string, bytes: Buffer): Promise<void> {
    const target = this.derivedPath(blobId, key);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, bytes, { flag: 'wx' });
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async refreshOwners(): Promise<void> {}

  ownerGone(owner: string, createdAt: number): boolean {
    if (owner === this.owner) return false;
    const [host, pidText, token] = owner.split(SEP);
    const pid = Number(pidText);
    if (host !== this.host || !Number.isInteger(pid) || token === undefined) return Date.now() - createdAt > FOREIGN_OWNER_GRACE_MS;
    // Our own pid under another token: an earlier process that had it is gone.
    if (pid === process.pid) return true;
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }

  async sweepStaging(referenced: (blobIds: string[]) => Promise<Set<string>>): Promise<number> {
    let removed = 0;
    let owners: string[];
    try {
      owners = await readdir(this.stagingRoot);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    for (const owner of owners) {
      if (owner === this.owner) continue;
      const dir = path.join(this.stagingRoot, owner);
      const activity = await lastActivity(dir);
      if (activity === null || !this.ownerGone(owner, activity.at)) continue;
      const names = await readdir(dir).catch(() => [] as string[]);
      const used = await referenced(names.filter((n) => /^[0-9a-f]{32}$/.test(n)));
      for (const id of used) {
        const target = this.blobPath(id);
        await this.ensureDir(path.dirname(target));
        await rename(path.join(dir, id), target);
      }
      removed += names.length - used.size;
      await rm(dir, { recursive: true, force: true });
    }
    return removed;
  }
}

function bytesStream(data: Buffer, range?: { start: number; end: number }): Readable {
  const slice = range ? data.subarray(range.start, range.end + 1) : data;
  return Readable.from(slice.length ? [slice] : [], { objectMode: false });
}

/**
 * When a staging folder last saw a write: the newest of the folder's own
 * mtime (a file made or removed) and its files' (bytes still arriving). The
 * folder's alone would let a sweep on another host take a long upload of a
 * live process for abandoned. Null when it is gone or not a folder.
 */
async function lastActivity(dir: string): Promise<{ at: number; files: number } | null> {
  try {
    let at = (await stat(dir)).mtimeMs;
    const names = await readdir(dir);
    for (const name of names) {
      const s = await stat(path.join(dir, name)).catch(() => null);
      if (s && s.mtimeMs > at) at = s.mtimeMs;
    }
    return { at, files: names.length };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

async function digestsOf(file: string, algorithms: DigestAlgorithm[]): Promise<Partial<Record<DigestAlgorithm, string>>> {
  if (algorithms.length === 0) return {};
  const digesters = algorithms.map((a) => [a, digesterFor(a)] as const);
  for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK })) for (const [, d] of digesters) d.update(chunk as Buffer);
  return Object.fromEntries(digesters.map(([a, d]) => [a, d.hex()]));
}
