import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { processHost } from '../../src/storage/process-host.js';
import { s3ClientFor } from '../../src/storage/s3/s3-client.js';
import { S3Keys } from '../../src/storage/s3/s3-keys.js';
import { S3Objects } from '../../src/storage/s3/s3-objects.js';
import type { TestApp } from './app.js';

/**
 * What a TUS test does behind the server's back (an expired record, a lock
 * held by another process, bytes a killed process stored), on whichever
 * staging the app uses: files under the data directory, or objects in the
 * bucket (the layouts of src/storage/tus-staging.ts and s3/s3-tus-staging.ts).
 */
export interface TusStaged {
  ids(): Promise<string[]>;
  expire(id: string): Promise<void>;
  /** The upload held by process `pid` of this host (live or not). */
  holdAs(id: string, pid: number): Promise<void>;
  /** Every byte stored, as a process killed before its commit leaves them. */
  storeAll(id: string, bytes: Buffer): Promise<void>;
  markCommitted(id: string): Promise<void>;
}

export async function tusStaged(t: TestApp): Promise<TusStaged> {
  if (!t.s3Prefix) return onDisk(path.join(t.dataDir, 'tus'));
  const { s3Settings } = await import('./s3.js');
  const settings = s3Settings(t.s3Prefix);
  return inBucket(new S3Objects(s3ClientFor(settings), settings.bucket), new S3Keys(settings.prefix));
}

function onDisk(root: string): TusStaged {
  const dir = (id: string) => path.join(root, id);
  return {
    ids: () => readdir(root).catch(() => []),
    async expire(id) {
      const file = path.join(dir(id), 'upload.json');
      await writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')), expiresAt: Date.now() - 1000 }));
    },
    holdAs: (id, pid) => writeFile(path.join(dir(id), 'lock'), JSON.stringify({ pid, host: processHost })),
    storeAll: (id, bytes) => writeFile(path.join(dir(id), 'data'), bytes),
    markCommitted: (id) => writeFile(path.join(dir(id), 'committed'), ''),
  };
}

function inBucket(objects: S3Objects, keys: S3Keys): TusStaged {
  const state = async (id: string) => (await objects.getJson<{ segments: unknown[]; committed: boolean }>(`${keys.tus(id)}state`))!;
  return {
    async ids() {
      return [...new Set((await objects.list(keys.tusUploads)).map((o) => o.key.slice(keys.tusUploads.length).split('/')[0]!))];
    },
    async expire(id) {
      const key = `${keys.tus(id)}record`;
      await objects.put(key, JSON.stringify({ ...(await objects.getJson<object>(key)), expiresAt: Date.now() - 1000 }));
    },
    async holdAs(id, pid) {
      for (const o of await objects.list(`${keys.tus(id)}lock-`)) await objects.del(o.key);
      // An owner as s3-owners.ts names processes: host, pid, token.
      await objects.put(`${keys.tus(id)}lock-1`, JSON.stringify({ owner: [processHost, pid, 'test'].join('~') }));
    },
    async storeAll(id, bytes) {
      const key = `${keys.tus(id)}seg-0-test`;
      await objects.put(key, bytes);
      await objects.put(`${keys.tus(id)}state`, JSON.stringify({ segments: [{ key, start: 0, size: bytes.length }], committed: false }));
    },
    async markCommitted(id) {
      await objects.put(`${keys.tus(id)}state`, JSON.stringify({ ...(await state(id)), committed: true }));
    },
  };
}
