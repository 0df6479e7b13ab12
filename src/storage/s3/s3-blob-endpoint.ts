import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import type { S3Settings } from '../../config.js';
import type { BlobEndpoint } from '../blob-endpoint.js';
import { enoent, isNotFound, listObjects, s3ClientFor, UPLOAD_PART_SIZE, UPLOAD_QUEUE_SIZE } from './s3-client.js';
import { S3Keys } from './s3-keys.js';

/**
 * A bucket's blobs (`blobs/ab/cd/<id>` under the prefix), written with no
 * staging marker: the migration's target is no server's store yet, so no
 * sweep looks at it, and an object appears only once its upload completes.
 */
export class S3BlobEndpoint implements BlobEndpoint {
  readonly description: string;
  private readonly keys: S3Keys;
  private readonly started = new Date();

  constructor(
    private readonly settings: S3Settings,
    private readonly client: S3Client = s3ClientFor(settings),
  ) {
    this.keys = new S3Keys(settings.prefix);
    this.description = `bucket ${settings.bucket}${settings.endpoint ? ` at ${settings.endpoint}` : ''}${settings.prefix ? ` under ${settings.prefix}` : ''}`;
  }

  async *list(): AsyncIterable<{ id: string; size: number }> {
    for await (const o of listObjects(this.client, this.settings.bucket, this.keys.blobs)) {
      const id = this.keys.blobIdOf(o.Key!);
      if (id) yield { id, size: o.Size ?? 0 };
    }
  }

  async size(id: string): Promise<number | null> {
    try {
      return (await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.keys.blob(id) }))).ContentLength ?? 0;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async read(id: string): Promise<Readable> {
    const key = this.keys.blob(id);
    try {
      return (await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: key }))).Body as Readable;
    } catch (err) {
      if (isNotFound(err)) throw enoent(key);
      throw err;
    }
  }

  async write(id: string, body: Readable): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.settings.bucket, Key: this.keys.blob(id), Body: body },
      partSize: UPLOAD_PART_SIZE,
      queueSize: UPLOAD_QUEUE_SIZE,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async remove(id: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.keys.blob(id) }));
  }

  /** Multipart uploads of blobs begun before this run (a killed run's): no server writes this bucket yet, so they are ours. */
  async clearLeftovers(): Promise<void> {
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    do {
      const page = await this.client.send(
        new ListMultipartUploadsCommand({ Bucket: this.settings.bucket, Prefix: this.keys.blobs, KeyMarker: keyMarker, UploadIdMarker: idMarker }),
      );
      for (const u of page.Uploads ?? []) {
        if (u.Initiated && u.Initiated >= this.started) continue;
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.settings.bucket, Key: u.Key!, UploadId: u.UploadId! })).catch(() => undefined);
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      idMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
