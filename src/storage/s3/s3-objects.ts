import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isNotFound, listObjects } from './s3-client.js';

export interface ListedObject {
  key: string;
  size: number;
  at: number;
}

/** The small object operations the upload stagings share, on one bucket. */
export class S3Objects {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async list(prefix: string): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    for await (const o of listObjects(this.client, this.bucket, prefix)) out.push({ key: o.Key!, size: o.Size ?? 0, at: o.LastModified?.getTime() ?? 0 });
    return out;
  }

  /** `ifAbsent`: only when no object has the key (S3's conditional write); false when one had it. */
  async put(key: string, body: Buffer | string, ifAbsent = false): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: Buffer.byteLength(body), ...(ifAbsent ? { IfNoneMatch: '*' } : {}) }),
      );
      return true;
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (ifAbsent && (status === 412 || status === 409)) return false;
      throw err;
    }
  }

  async getBytes(key: string): Promise<Buffer | null> {
    try {
      const got = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return Buffer.from(await got.Body!.transformToByteArray());
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async getJson<T>(key: string): Promise<T | null> {
    const bytes = await this.getBytes(key);
    return bytes ? (JSON.parse(bytes.toString('utf8')) as T) : null;
  }

  async del(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** One request per key: DeleteObjects needs a Content-MD5 not every gateway computes alike (as S3BlobStore.remove). */
  async delAll(prefix: string): Promise<void> {
    for (const o of await this.list(prefix)) await this.del(o.key);
  }
}
