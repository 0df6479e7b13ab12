import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, truncate, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { LocalFile } from '../ports/files.js';
import { TusAppendError, type TusChecksum, type TusRecord, type TusStaging } from '../ports/tus-staging.js';
import { digesterFor } from './digests.js';
import { processHost } from './process-host.js';

const RECORD = 'upload.json';
const DATA = 'data';
const LOCK = 'lock';
const COMMITTED = 'committed';
/** A holder refreshes its lock this often while it writes; a lock not refreshed for STALE_MS belongs to a holder that is gone (another host's crash). */
const HEARTBEAT_MS = 5_000;
const STALE_MS = 60_000;
const WRITE_BUFFER = 4 * 1024 * 1024;
/** Ids are minted by the service (random base64url); anything else never becomes a path. */
const ID = /^[A-Za-z0-9_-]{16,64}$/;

interface LockOwner {
  pid: number;
  host: string;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * `<data>/tus/<id>/`: `upload.json` (written once, atomically), `data` (the
 * bytes received; its size is the offset, so whatever a killed process
 * wrote is where the next one resumes) and, while a request writes, `lock`
 * (pid and host of the writer, refreshed as it goes).
 */
export class FsTusStaging implements TusStaging {
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'tus');
  }

  private dir(id: string): string {
    if (!ID.test(id)) throw new Error('invalid TUS upload id');
    return path.join(this.root, id);
  }

  private dataFile(id: string): string {
    return path.join(this.dir(id), DATA);
  }

  async data(id: string): Promise<LocalFile> {
    return { localFile: this.dataFile(id) };
  }

  async create(id: string, record: TusRecord): Promise<void> {
    const dir = this.dir(id);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, DATA), '', { flag: 'wx' });
    const temp = path.join(dir, `.record-${randomBytes(6).toString('hex')}`);
    await writeFile(temp, JSON.stringify(record));
    // Last: an upload without its record is unknown (and swept), never half-described.
    await rename(temp, path.join(dir, RECORD));
  }

  async markCommitted(id: string): Promise<void> {
    await writeFile(path.join(this.dir(id), COMMITTED), '');
  }

  async read(id: string): Promise<{ record: TusRecord; offset: number; committed: boolean } | null> {
    if (!ID.test(id)) return null;
    const dir = this.dir(id);
    try {
      const record = JSON.parse(await readFile(path.join(dir, RECORD), 'utf8')) as TusRecord;
      const { size } = await stat(path.join(dir, DATA));
      const committed = await stat(path.join(dir, COMMITTED)).then(
        () => true,
        () => false,
      );
      return { record, offset: size, committed };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const lock = path.join(this.dir(id), LOCK);
    await this.acquire(lock, id);
    const beat = setInterval(() => {
      const now = new Date();
      utimes(lock, now, now).catch(() => undefined);
    }, HEARTBEAT_MS);
    beat.unref();
    try {
      return await fn();
    } finally {
      clearInterval(beat);
      await unlink(lock).catch(() => undefined);
    }
  }

  private async acquire(lock: string, id: string, retried = false): Promise<void> {
    const me: LockOwner = { pid: process.pid, host: processHost };
    try {
      const fh = await open(lock, 'wx');
      await fh.writeFile(JSON.stringify(me));
      await fh.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new TusAppendError('busy', -1);
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (!retried && (await this.stale(lock, me.host))) {
      await unlink(lock).catch(() => undefined);
      return this.acquire(lock, id, true);
    }
    throw new TusAppendError('busy', (await this.read(id))?.offset ?? -1);
  }

  /** Its holder died on this host, or has not refreshed it for a minute (a holder on another host that is gone). */
  private async stale(lock: string, host: string): Promise<boolean> {
    try {
      const [text, s] = await Promise.all([readFile(lock, 'utf8'), stat(lock)]);
      if (Date.now() - s.mtimeMs > STALE_MS) return true;
      const holder = JSON.parse(text || '{}') as Partial<LockOwner>;
      // Written but not yet filled in by a live holder: not stale.
      if (typeof holder.pid !== 'number') return false;
      return holder.host === host && holder.pid !== process.pid && !isAlive(holder.pid);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT';
    }
  }

  async append(id: string, offset: number, body: Readable, limit: number, checksum?: TusChecksum): Promise<number> {
    const data = this.dataFile(id);
    const stored = (await stat(data)).size;
    if (stored !== offset) {
      body.resume();
      throw new TusAppendError('offsetMismatch', stored);
    }
    const digester = checksum ? digesterFor(checksum.algorithm) : null;
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        if (received > limit) return done(new TusAppendError('tooLong', offset));
        digester?.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(data, { flags: 'r+', start: offset, highWaterMark: WRITE_BUFFER }));
    } catch (err) {
      // Over the length, or a checksummed body cut short: none of it is kept. A plain body cut short keeps what was written.
      if (err instanceof TusAppendError || digester) {
        await truncate(data, offset);
        throw err instanceof TusAppendError ? err : new TusAppendError('checksumMismatch', offset);
      }
      throw err;
    }
    if (digester && digester.hex() !== checksum!.hex) {
      await truncate(data, offset);
      throw new TusAppendError('checksumMismatch', offset);
    }
    return offset + received;
  }

  async remove(id: string): Promise<void> {
    await rm(this.dir(id), { recursive: true, force: true });
  }

  async listExpired(now: number): Promise<string[]> {
    let ids: string[];
    try {
      ids = await readdir(this.root);
    } catch {
      return [];
    }
    const out: string[] = [];
    for (const id of ids) {
      if (!ID.test(id)) continue;
      const found = await this.read(id).catch(() => null);
      // Without a record: a creation that died before it finished, once it is old enough not to be one under way.
      if (found ? found.record.expiresAt < now : await olderThan(path.join(this.root, id), now - STALE_MS)) out.push(id);
    }
    return out;
  }
}

async function olderThan(dir: string, cutoff: number): Promise<boolean> {
  try {
    return (await stat(dir)).mtimeMs < cutoff;
  } catch {
    return false;
  }
}
