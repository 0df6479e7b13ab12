import type { Config } from '../config.js';
import type { BlobInventory } from '../ports/consistency.js';
import type { BlobStore } from '../ports/files.js';
import { FsBlobInventory } from './blob-inventory.js';
import { FsBlobStore } from './fs-blob-store.js';
import { S3BlobInventory } from './s3/s3-blob-inventory.js';
import { S3BlobStore } from './s3/s3-blob-store.js';
import { probeBucket } from './s3/s3-client.js';

/** The blob store STORAGE names, with what its owner must do at start and close (the S3 store's heartbeat). */
export interface ManagedBlobStore {
  store: BlobStore;
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createBlobStore(config: Config): ManagedBlobStore {
  if (config.storage.kind === 's3') {
    const store = new S3BlobStore(config.storage.s3);
    return { store, start: () => store.start(), close: () => store.close() };
  }
  return { store: new FsBlobStore(config.dataDir, { fsync: config.dataFsync }), start: async () => {}, close: async () => {} };
}

/** What `nimbus check` walks: the data directory's blobs, or the bucket's. */
export function createBlobInventory(config: Config): BlobInventory {
  return config.storage.kind === 's3' ? new S3BlobInventory(config.storage.s3) : new FsBlobInventory(config.dataDir);
}

/** Whether the blob store can be used: null when it can, else why not (S3: the bucket answers and takes a write). */
export async function probeBlobStore(config: Config): Promise<string | null> {
  return config.storage.kind === 's3' ? probeBucket(config.storage.s3) : null;
}
