import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FsBlobInventory } from './blob-inventory.js';
import type { BlobEndpoint } from './blob-endpoint.js';

const BLOB_ID = /^[0-9a-f]{32}$/;
const CHUNK = 1024 * 1024;

/**
 * The data directory's blobs (`blobs/ab/cd/<id>`, as fs-blob-store.ts lays
 * them out). Writes go to a folder of their own, not to `staging/`, whose
 * leftovers a server's start-up sweep would settle; each is fsynced and
 * renamed into place, so a killed run leaves no partial blob behind.
 */
export class FsBlobEndpoint implements BlobEndpoint {
  readonly description: string;
  private readonly blobs: string;
  private readonly temp: string;

  constructor(private readonly dataDir: string) {
    this.description = `data directory ${dataDir}`;
    this.blobs = path.join(dataDir, 'blobs');
    this.temp = path.join(dataDir, 'migration-staging');
  }

  private file(id: string): string {
    if (!BLOB_ID.test(id)) throw new Error(`not a blob id: ${id}`);
    return path.join(this.blobs, id.slice(0, 2), id.slice(2, 4), id);
  }

  async *list(): AsyncIterable<{ id: string; size: number }> {
    for await (const b of new FsBlobInventory(this.dataDir).blobs()) yield { id: b.id, size: b.size };
  }

  async size(id: string): Promise<number | null> {
    return stat(this.file(id)).then(
      (s) => (s.isFile() ? s.size : null),
      () => null,
    );
  }

  async read(id: string): Promise<Readable> {
    const handle = await open(this.file(id), 'r');
    return createReadStream('', { fd: handle, highWaterMark: CHUNK });
  }

  async write(id: string, body: Readable): Promise<void> {
    const target = this.file(id);
    await mkdir(this.temp, { recursive: true });
    const temp = path.join(this.temp, `${id}.${randomBytes(4).toString('hex')}`);
    try {
      const handle = await open(temp, 'wx');
      await pipeline(body, createWriteStream('', { fd: handle, highWaterMark: 4 * CHUNK, flush: true }));
      await mkdir(path.dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async remove(id: string): Promise<void> {
    await unlink(this.file(id)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  async clearLeftovers(): Promise<void> {
    await rm(this.temp, { recursive: true, force: true });
  }

  async close(): Promise<void> {}
}
