import { ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { S3Settings } from '../../src/config.js';
import { s3ClientFor } from '../../src/storage/s3/s3-client.js';
import { S3Keys } from '../../src/storage/s3/s3-keys.js';
import { emptyPrefix, listKeys, s3Env, s3Settings } from '../helpers/s3.js';

export type StoreKind = 'fs' | 's3';

/** The blob store of a server process under test, looked at (and written to) from outside: the data directory, or the server's prefix of the bucket. */
export interface StoreView {
  /** What the server's environment needs for this store. */
  env: Record<string, string>;
  /** The blob ids the store holds, sorted. */
  blobs(): Promise<string[]>;
  /** What writes in flight left: staging files (fs), or staging markers and unfinished multipart uploads (s3). */
  leftovers(): Promise<string[]>;
  /** Puts a blob in place behind the server's back (a fixture). */
  putBlob(id: string, bytes: string | Buffer): Promise<void>;
  /** Removes what the test left in the bucket. */
  close(): Promise<void>;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

export function fsView(dataDir: string): StoreView {
  return {
    env: {},
    blobs: async () => (await filesUnder(path.join(dataDir, 'blobs'))).map((f) => path.basename(f)).sort(),
    leftovers: () => filesUnder(path.join(dataDir, 'staging')),
    putBlob: async (id, bytes) => {
      const dir = path.join(dataDir, 'blobs', id.slice(0, 2), id.slice(2, 4));
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, id), bytes);
    },
    close: async () => {},
  };
}

export function s3View(settings: S3Settings = s3Settings()): StoreView {
  const keys = new S3Keys(settings.prefix);
  const client = s3ClientFor(settings);
  return {
    env: s3Env(settings.prefix),
    blobs: async () => (await listKeys(keys.blobs)).map((k) => keys.blobIdOf(k)).filter((id): id is string => id !== null).sort(),
    leftovers: async () => {
      const markers = await listKeys(keys.staging);
      const uploads = ((await client.send(new ListMultipartUploadsCommand({ Bucket: settings.bucket, Prefix: settings.prefix }))).Uploads ?? []).map((u) => `upload ${u.Key}`);
      return [...markers, ...uploads];
    },
    putBlob: async (id, bytes) => {
      await client.send(new PutObjectCommand({ Bucket: settings.bucket, Key: keys.blob(id), Body: bytes }));
    },
    close: async () => {
      client.destroy();
      await emptyPrefix(settings.prefix);
    },
  };
}
