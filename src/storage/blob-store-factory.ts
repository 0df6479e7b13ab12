import type { Config } from '../config.js';
import type { BlobInventory } from '../ports/consistency.js';
import type { BlobStore } from '../ports/files.js';
import type { ReadinessCheck } from '../ports/readiness.js';
import type { TusStaging } from '../ports/tus-staging.js';
import type { UploadStaging } from '../ports/upload-staging.js';
import { FsBlobInventory } from './blob-inventory.js';
import { dataDirReadiness } from './data-dir-readiness.js';
import { FsBlobStore } from './fs-blob-store.js';
import { ReadOnlyBlobStore } from './read-only-blob-store.js';
import { FsTusStaging } from './tus-staging.js';
import { FsUploadStaging } from './upload-staging.js';

/**
 * The blob store STORAGE names, with the stagings of chunked and TUS uploads
 * on the same storage (so that on S3 no request needs the local disk), and
 * what its owner must do at start and close (the S3 store's heartbeat).
 */
export interface ManagedBlobStore {
  store: BlobStore;
  uploads: UploadStaging;
  tus: TusStaging;
  start(): Promise<void>;
  close(): Promise<void>;
}

// The S3 modules (and the SDK behind them) are loaded only when STORAGE=s3: a file-store server never pays for them.

export async function createBlobStore(config: Config): Promise<ManagedBlobStore> {
  const managed = await createWritableBlobStore(config);
  return config.storageReadOnly ? { ...managed, store: new ReadOnlyBlobStore(managed.store) } : managed;
}

async function createWritableBlobStore(config: Config): Promise<ManagedBlobStore> {
  if (config.storage.kind === 's3') {
    const [{ S3BlobStore }, { S3UploadStaging }, { S3TusStaging }, { s3ClientFor }] = await Promise.all([
      import('./s3/s3-blob-store.js'),
      import('./s3/s3-upload-staging.js'),
      import('./s3/s3-tus-staging.js'),
      import('./s3/s3-client.js'),
    ]);
    const s3 = config.storage.s3;
    const client = s3ClientFor(s3);
    const store = new S3BlobStore(s3, client);
    return {
      store,
      uploads: new S3UploadStaging(s3, client),
      tus: new S3TusStaging(s3, store.owners, client),
      start: () => store.start(),
      close: () => store.close(),
    };
  }
  return {
    store: new FsBlobStore(config.dataDir, { fsync: config.dataFsync }),
    uploads: new FsUploadStaging(config.dataDir),
    tus: new FsTusStaging(config.dataDir),
    start: async () => {},
    close: async () => {},
  };
}

/** What `nimbus check` walks: the data directory's blobs, or the bucket's. */
export async function createBlobInventory(config: Config): Promise<BlobInventory> {
  if (config.storage.kind !== 's3') return new FsBlobInventory(config.dataDir);
  const { S3BlobInventory } = await import('./s3/s3-blob-inventory.js');
  return new S3BlobInventory(config.storage.s3);
}

/** Whether the blob store can be used: null when it can, else why not (S3: the bucket answers and takes a write). */
export async function probeBlobStore(config: Config): Promise<string | null> {
  if (config.storage.kind !== 's3') return null;
  const { probeBucket } = await import('./s3/s3-client.js');
  return probeBucket(config.storage.s3);
}

/** The blob store's part of /readyz: the data directory (the server's own files) and, with STORAGE=s3, the bucket. */
export async function createStorageReadiness(config: Config): Promise<{ checks(): Promise<ReadinessCheck[]>; close(): void }> {
  if (config.storage.kind !== 's3') return { checks: async () => [await dataDirReadiness(config.dataDir)], close: () => {} };
  const { S3Readiness } = await import('./s3/s3-readiness.js');
  const bucket = new S3Readiness(config.storage.s3);
  return { checks: () => Promise.all([dataDirReadiness(config.dataDir), bucket.check()]), close: () => bucket.close() };
}
