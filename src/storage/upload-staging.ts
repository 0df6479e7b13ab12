import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fail } from '../domain/errors.js';
import type { AssembledUpload, ChunkInfo, UploadInfo, UploadStaging } from '../ports/upload-staging.js';
import {
  assemblyOf,
  CHUNK_PREFIX,
  type ChunkSource,
  completedEntry,
  DATA_FILE,
  declaredEntry,
  entriesOf,
  inPlaceNumber,
  overlapping,
  type PlacedChunk,
  placementFor,
  readEntries,
  reservationEntry,
  type UploadEntries,
} from './chunk-layout.js';

const INFO = 'upload.json';
/** As the blob store's writes: fewer, bigger write calls (fs.writev of what has arrived). */
const WRITE_BUFFER = 4 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

const missingOk = (err: unknown): void => {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
};

/**
 * Chunks under `<data>/uploads/<user>/<upload>/`: numbered chunks that
 * follow chunks of known length go straight into the folder's `data` file
 * at their offset (see chunk-layout.ts), so that assembling an upload sent
 * in order moves no byte; any other chunk is a file of its own, written to
 * a temporary name and renamed into place.
 */
export class FsUploadStaging implements UploadStaging {
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'uploads');
  }

  /** User ids may hold characters a file name cannot: hex keeps every one distinct and harmless. */
  private dir(userId: string, uploadId: string): string {
    return path.join(this.root, Buffer.from(userId, 'utf8').toString('hex'), uploadId);
  }

  async create(userId: string, uploadId: string, info: UploadInfo): Promise<boolean> {
    const dir = this.dir(userId, uploadId);
    await mkdir(path.dirname(dir), { recursive: true });
    try {
      await mkdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    await writeFile(path.join(dir, INFO), JSON.stringify(info));
    return true;
  }

  async info(userId: string, uploadId: string): Promise<UploadInfo | null> {
    try {
      return JSON.parse(await readFile(path.join(this.dir(userId, uploadId), INFO), 'utf8')) as UploadInfo;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async putChunk(userId: string, uploadId: string, name: string, body: Readable, length?: number): Promise<{ size: number; created: boolean }> {
    const dir = this.dir(userId, uploadId);
    const entries = readEntries(await readdir(dir));
    const n = inPlaceNumber(name);
    const created = !(entries.files.has(name) || (n !== null && entries.inPlace.has(n)));
    // Sent again: whatever the earlier sending left (bytes, reservation, declared length) goes first.
    for (const entry of entriesOf(entries, name)) await unlink(path.join(dir, entry)).catch(missingOk);
    if (n !== null) forget(entries, n);
    const place = n !== null && length !== undefined ? placementFor(entries, n, length) : null;
    if (place) return { size: await this.writeInPlace(dir, place, body), created };
    // Its length still places the chunks after it.
    const declared = n !== null && length !== undefined ? path.join(dir, declaredEntry(n, length)) : null;
    if (declared) await writeFile(declared, '');
    try {
      return { size: await this.writeOwnFile(dir, name, body), created };
    } catch (err) {
      if (declared) await unlink(declared).catch(() => undefined);
      throw err;
    }
  }

  private async writeInPlace(dir: string, place: PlacedChunk, body: Readable): Promise<number> {
    const reservation = path.join(dir, reservationEntry(place));
    const data = path.join(dir, DATA_FILE);
    await writeFile(reservation, '');
    let size = 0;
    try {
      await open(data, 'wx').then(
        (fh) => fh.close(),
        (err: NodeJS.ErrnoException) => {
          if (err.code !== 'EEXIST') throw err;
        },
      );
      // Counted from here on: a listener attached before the awaits above would let bytes flow past the pipe.
      body.on('data', (c: Buffer) => (size += c.length));
      await pipeline(body, createWriteStream(data, { flags: 'r+', start: place.offset, highWaterMark: WRITE_BUFFER }));
      if (size !== place.length) fail('invalidInput', `Expected ${place.length} bytes of the chunk but received ${size}`);
      await rename(reservation, path.join(dir, completedEntry(place)));
      return size;
    } catch (err) {
      await unlink(reservation).catch(() => undefined);
      throw err;
    }
  }

  private async writeOwnFile(dir: string, name: string, body: Readable): Promise<number> {
    const temp = path.join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
    let size = 0;
    body.on('data', (c: Buffer) => (size += c.length));
    try {
      await pipeline(body, createWriteStream(temp, { flags: 'wx', highWaterMark: WRITE_BUFFER }));
      await rename(temp, path.join(dir, CHUNK_PREFIX + name));
      return size;
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  async chunks(userId: string, uploadId: string): Promise<ChunkInfo[]> {
    const dir = this.dir(userId, uploadId);
    const entries = readEntries(await readdir(dir));
    const out: ChunkInfo[] = [];
    for (const name of entries.files) {
      const s = await stat(path.join(dir, CHUNK_PREFIX + name));
      out.push({ name, size: s.size, mtime: s.mtimeMs });
    }
    for (const c of entries.inPlace.values()) {
      const s = await stat(path.join(dir, c.entry));
      out.push({ name: String(c.n), size: c.length, mtime: s.mtimeMs });
    }
    return out;
  }

  private async sources(dir: string, names: string[]): Promise<{ chunks: ChunkSource[]; aligned: boolean; total: number }> {
    const entries = readEntries(await readdir(dir));
    const wanted = new Set(names);
    const sizes = new Map<string, number>();
    for (const name of names) if (entries.files.has(name)) sizes.set(name, (await stat(path.join(dir, CHUNK_PREFIX + name))).size);
    for (const n of [...entries.inPlace.keys()]) if (!wanted.has(String(n))) entries.inPlace.delete(n);
    const order = new Map(names.map((name, i) => [name, i]));
    const layout = assemblyOf(entries, sizes, (a, b) => order.get(a)! - order.get(b)!);
    if (overlapping(layout.chunks)) fail('conflict', 'Chunks were sent again with other lengths while later ones were written; upload them again');
    return layout;
  }

  async open(userId: string, uploadId: string, names: string[]): Promise<Readable> {
    const dir = this.dir(userId, uploadId);
    return concatenated(dir, (await this.sources(dir, names)).chunks);
  }

  async assemble(userId: string, uploadId: string, names: string[]): Promise<AssembledUpload> {
    const dir = this.dir(userId, uploadId);
    const { chunks, aligned, total } = await this.sources(dir, names);
    if (!aligned || !chunks.some((c) => c.kind === 'data')) return { body: concatenated(dir, chunks), total, undo: async () => undefined };
    // Taken out of the way of any chunk sent while this assembly runs; given back if the write fails.
    const data = path.join(dir, DATA_FILE);
    const taken = path.join(dir, `.assembling-${randomBytes(8).toString('hex')}`);
    await rename(data, taken).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') fail('conflict', 'The upload is being assembled by another request');
      throw err;
    });
    const undo = () => rename(taken, data).catch(() => undefined);
    try {
      let offset = 0;
      for (const c of chunks) {
        if (c.kind === 'file' && c.length > 0) {
          await pipeline(createReadStream(path.join(dir, CHUNK_PREFIX + c.name), { highWaterMark: READ_CHUNK }), createWriteStream(taken, { flags: 'r+', start: offset, highWaterMark: WRITE_BUFFER }));
        }
        offset += c.length;
      }
      await truncate(taken, total);
    } catch (err) {
      await undo();
      throw err;
    }
    return { body: { localFile: taken }, total, undo };
  }

  async remove(userId: string, uploadId: string): Promise<void> {
    await rm(this.dir(userId, uploadId), { recursive: true, force: true });
  }

  async listOlderThan(cutoff: number): Promise<Array<{ userId: string; uploadId: string }>> {
    const out: Array<{ userId: string; uploadId: string }> = [];
    let users: string[];
    try {
      users = await readdir(this.root);
    } catch {
      return out;
    }
    for (const hex of users) {
      const userId = Buffer.from(hex, 'hex').toString('utf8');
      for (const uploadId of await readdir(path.join(this.root, hex)).catch(() => [] as string[])) {
        const info = await this.info(userId, uploadId).catch(() => null);
        if (!info || info.createdAt < cutoff) out.push({ userId, uploadId });
      }
    }
    return out;
  }
}

function forget(entries: UploadEntries, n: number): void {
  entries.inPlace.delete(n);
  entries.reserved.delete(n);
  entries.declared.delete(n);
  entries.files.delete(String(n));
}

function concatenated(dir: string, chunks: ChunkSource[]): Readable {
  async function* concat() {
    for (const c of chunks) {
      if (c.length === 0) continue;
      if (c.kind === 'file') yield* createReadStream(path.join(dir, CHUNK_PREFIX + c.name), { highWaterMark: READ_CHUNK });
      else yield* createReadStream(path.join(dir, DATA_FILE), { start: c.offset, end: c.offset + c.length - 1, highWaterMark: READ_CHUNK });
    }
  }
  return Readable.from(concat(), { objectMode: false });
}
