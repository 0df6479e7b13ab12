import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from '../../config.js';
import type { BlobInventory, StoredBlob } from '../../ports/consistency.js';
import { isNotFound, listObjects, s3ClientFor } from './s3-client.js';
import { BLOB_ID, S3Keys } from './s3-keys.js';
import { listStaging } from './s3-sweep.js';

/** The bucket walked as `nimbus check` needs it: blob objects, and the staging markers of every process (see s3-keys.ts). */
export class S3BlobInventory implements BlobInventory {
  private readonly keys: S3Keys;

  constructor(
    private readonly settings: S3Settings,
    private readonly client: S3Client = s3ClientFor(settings),
  ) {
    this.keys = new S3Keys(settings.prefix);
  }

  async *blobs(): AsyncIterable<StoredBlob> {
    for await (const o of listObjects(this.client, this.settings.bucket, this.keys.blobs)) {
      const id = this.keys.blobIdOf(o.Key!);
      if (id) yield { id, size: o.Size ?? 0, mtimeMs: o.LastModified?.getTime() ?? 0 };
    }
  }

  async has(blobId: string): Promise<boolean> {
    if (!BLOB_ID.test(blobId)) return false;
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.keys.blob(blobId) }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async stagingFolders(): Promise<Array<{ owner: string; files: number; lastActivity: number }>> {
    return (await listStaging({ client: this.client, bucket: this.settings.bucket, keys: this.keys })).map((s) => ({
      owner: s.owner,
      files: s.markers.length,
      lastActivity: Math.max(...s.markers.map((m) => m.at)),
    }));
  }
}
