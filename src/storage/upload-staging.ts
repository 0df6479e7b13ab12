import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ChunkInfo, UploadInfo, UploadStaging } from '../ports/upload-staging.js';

const INFO = 'upload.json';
const CHUNK_PREFIX = 'chunk-';

/** Chunks as files under `<data>/uploads/<user>/<upload>/`, written to a temporary name and renamed into place. */
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

  async putChunk(userId: string, uploadId: string, name: string, body: Readable): Promise<{ size: number; created: boolean }> {
    const dir = this.dir(userId, uploadId);
    const final = path.join(dir, CHUNK_PREFIX + name);
    const temp = path.join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
    let size = 0;
    body.on('data', (c: Buffer) => (size += c.length));
    try {
      await pipeline(body, createWriteStream(temp, { flags: 'wx' }));
      const created = await stat(final).then(
        () => false,
        () => true,
      );
      await rename(temp, final);
      return { size, created };
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  async chunks(userId: string, uploadId: string): Promise<ChunkInfo[]> {
    const dir = this.dir(userId, uploadId);
    const out: ChunkInfo[] = [];
    for (const entry of await readdir(dir)) {
      if (!entry.startsWith(CHUNK_PREFIX)) continue;
      const s = await stat(path.join(dir, entry));
      out.push({ name: entry.slice(CHUNK_PREFIX.length), size: s.size, mtime: s.mtimeMs });
    }
    return out;
  }

  open(userId: string, uploadId: string, names: string[]): Readable {
    const dir = this.dir(userId, uploadId);
    async function* concat() {
      for (const name of names) yield* createReadStream(path.join(dir, CHUNK_PREFIX + name), { highWaterMark: 1024 * 1024 });
    }
    return Readable.from(concat(), { objectMode: false });
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
