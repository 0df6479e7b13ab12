import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Settings } from '../../config.js';
import { fail } from '../../domain/errors.js';
import type { BlobSource, BlobStore, StagedBlob, StageOptions, StoredParts } from '../../ports/files.js';
import { StageMeter } from '../stage-meter.js';
import { SmallBlobCache } from '../small-blob-cache.js';
import { enoent, isNotFound, s3ClientFor, storeFailure, UPLOAD_PART_SIZE, UPLOAD_QUEUE_SIZE } from './s3-client.js';
import { composeObjects } from './s3-compose.js';
import { multipartCopy, SINGLE_COPY_MAX } from './s3-copy.js';
import { S3Keys } from './s3-keys.js';
import { S3Owners } from './s3-owners.js';
import { sweepS3Staging } from './s3-sweep.js';

const READ_CHUNK = 256 * 1024;

/**
 * Blobs as objects of an S3 bucket (`s3-keys.ts` has the layout).
 *
 * A write goes straight to the blob's own key, not to a staging key copied
 * into place: a server-side copy would read and write every byte again (and
 * above 5 GiB takes a multipart copy), and S3 already gives what the file
 * store's rename gives, since an object appears whole or not at all (a
 * multipart upload is no object until completed). What the staging folder
 * gives the file store (knowing which bytes no row may hold yet, and whose
 * they are) an empty marker object `staging/<owner>/<id>` gives here: it is
 * written before the first byte, and removed by commit (once the row holds
 * the blob) or with the bytes by discard. A process killed in between leaves
 * a marker; the sweep of another process, once this one's heartbeat is
 * stale, keeps the blob if a row references it and otherwise deletes it and
 * aborts its unfinished multipart upload. So no row ever names a missing
 * object, and no object outlives its marker without a row.
 */
export class S3BlobStore implements BlobStore {
  readonly owner: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  readonly keys: S3Keys;
  /** Who is alive among the processes on the bucket (the TUS staging's locks ask it too). */
  readonly owners: S3Owners;
  private readonly small = new SmallBlobCache();

  constructor(settings: S3Settings, client: S3Client = s3ClientFor(settings)) {
    this.client = client;
    this.bucket = settings.bucket;
    this.keys = new S3Keys(settings.prefix);
    this.owners = new S3Owners(client, this.bucket, this.keys);
    this.owner = this.owners.owner;
  }

  /** Begins the heartbeat that tells other processes this one lives; resolves once it is written. */
  start(): Promise<void> {
    return this.owners.start();
  }

  /** Stops the heartbeat and removes it (what this process left is then anyone's to settle). */
  close(): Promise<void> {
    return this.owners.stop();
  }

  private put(key: string, body: Buffer | string): Promise<unknown> {
    // The length said even when 0: without it the SDK takes the body for a stream of unknown length.
    return this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: Buffer.byteLength(body) }));
  }

  private del(key: string): Promise<unknown> {
    return this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** The marker that keeps a blob out of the sweep's reach while it is written; refused while this process cannot prove it lives. */
  private async mark(id: string): Promise<void> {
    await this.owners.start();
    if (!this.owners.healthy()) fail('unavailable', 'The object store has not answered this server for too long; try again later');
    await this.put(this.keys.marker(this.owner, id), '');
  }

  async stage(source: BlobSource, opts: StageOptions): Promise<StagedBlob> {
    if ('storedParts' in source) return this.stageParts(source, opts);
    const body = source instanceof Readable ? source : 'bytes' in source ? Readable.from([source.bytes]) : createReadStream(source.localFile, { highWaterMark: READ_CHUNK });
    const id = randomUUID().replace(/-/g, '');
    const meter = new StageMeter(opts);
    // A body that breaks is the client's doing and is thrown as it is, as on the file store; a failed upload is the store's.
    let bodyFailed = false;
    body.once('error', () => {
      bodyFailed = true;
    });
    await this.mark(id).catch((err: unknown) => {
      throw storeFailure(err);
    });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.keys.blob(id), Body: meter.stream },
      partSize: UPLOAD_PART_SIZE,
      queueSize: UPLOAD_QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      // An upload that fails stops reading: the meter is destroyed so the body's pipeline ends too.
      const sent = upload.done().catch((err: unknown) => {
        meter.stream.destroy(err as Error);
        throw err;
      });
      const [read, stored] = await Promise.allSettled([pipeline(body, meter.stream), sent]);
      if (read.status === 'rejected' && (bodyFailed || stored.status !== 'rejected')) throw read.reason;
      if (stored.status === 'rejected') throw storeFailure(stored.reason);
      meter.assertWithinQuota();
    } catch (err) {
      await upload.abort().catch(() => undefined);
      // With the store down the marker may stay: the sweep removes what it names.
      await this.drop(id).catch(() => undefined);
      throw err;
    }
    return meter.staged(id);
  }

  /**
   * An upload's objects joined into a new blob by the gateway (s3-compose.ts
   * says which bytes still pass through), behind a marker like any stage.
   * A declared checksum is then computed by reading the blob back once: the
   * digests clients send (SHA-1, MD5, SHA-256) cannot be combined from
   * digests of the parts, and hashing every chunk as it arrives would cost
   * every upload what only the ones with a checksum need.
   */
  private async stageParts(source: StoredParts, opts: StageOptions): Promise<StagedBlob> {
    const objects = source.storedParts;
    for (const o of objects) if (!this.keys.isStagedUpload(o.key)) throw new Error(`not an upload's object: ${o.key}`);
    const size = objects.reduce((n, o) => n + o.size, 0);
    if (opts.maxBytes !== undefined && size > opts.maxBytes) fail('quotaExceeded', `Insufficient space: ${size} bytes sent, ${opts.maxBytes} available`);
    const id = randomUUID().replace(/-/g, '');
    await this.mark(id).catch((err: unknown) => {
      throw storeFailure(err);
    });
    try {
      await composeObjects(this.client, this.bucket, objects, this.keys.blob(id));
      const meter = new StageMeter({ digests: opts.digests ?? [] });
      if (meter.digesting) await pipeline(await this.open(id), meter.stream, new Writable({ write: (_c, _e, done) => done() }));
      return { ...meter.staged(id), size };
    } catch (err) {
      await this.drop(id).catch(() => undefined);
      if (isNotFound(err)) throw enoent(objects.map((o) => o.key).join(', '));
      throw storeFailure(err);
    }
  }

  /** A server-side copy: the gateway copies the bytes (or, like Ceph RGW, shares them), none pass through this process. */
  async stageCopy(blobId: string): Promise<StagedBlob> {
    const from = this.keys.blob(blobId);
    let size: number;
    try {
      size = (await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: from }))).ContentLength ?? 0;
    } catch (err) {
      if (isNotFound(err)) throw enoent(from);
      throw storeFailure(err);
    }
    const id = randomUUID().replace(/-/g, '');
    await this.mark(id).catch((err: unknown) => {
      throw storeFailure(err);
    });
    try {
      const to = this.keys.blob(id);
      if (size <= SINGLE_COPY_MAX) await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: `${this.bucket}/${from}` }));
      else await multipartCopy(this.client, this.bucket, from, to, size);
    } catch (err) {
      await this.drop(id).catch(() => undefined);
      if (isNotFound(err)) throw enoent(from);
      throw storeFailure(err);
    }
    return { id, size, digests: {} };
  }

  /** The row holds the blob now: the marker goes, and with it the sweep's claim on the bytes. */
  async commit(blob: StagedBlob): Promise<void> {
    // The row already holds the blob: a marker the store did not let go is the sweep's, which keeps referenced blobs.
    await this.del(this.keys.marker(this.owner, blob.id)).catch(() => undefined);
  }

  async discard(blob: StagedBlob): Promise<void> {
    // Called on the way out of a failure, often the store's own: what stays is named by its marker, for the sweep.
    await this.drop(blob.id).catch(() => undefined);
  }

  /** The bytes first, the marker last: a failure between leaves the marker for the sweep. */
  private async drop(id: string): Promise<void> {
    await this.del(this.keys.blob(id));
    await this.del(this.keys.marker(this.owner, id));
  }

  async open(blobId: string, range?: { start: number; end: number }, size?: number): Promise<Readable> {
    const small = size !== undefined && this.small.holds(size);
    const cached = small ? this.small.get(blobId) : undefined;
    if (cached) return bytesStream(cached, range);
    const key = this.keys.blob(blobId);
    // A small blob is read whole once (and remembered); a range of a large one is asked of S3 as a range.
    const asked = range && !small ? { Range: `bytes=${range.start}-${range.end}` } : {};
    let body: Readable;
    try {
      const got = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...asked }));
      body = got.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) throw enoent(key);
      // An empty object has no byte to range over; S3 answers 416 where a file would give nothing.
      if (range && size === 0) return bytesStream(Buffer.alloc(0));
      throw storeFailure(err);
    }
    if (!small) return body;
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    const data = Buffer.concat(chunks);
    this.small.remember(blobId, data);
    return bytesStream(data, range);
  }

  async remove(blobId: string): Promise<void> {
    this.small.forget(blobId);
    try {
      await this.del(this.keys.blob(blobId));
      const folder = this.keys.derivedFolder(blobId);
      const listed = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: folder }));
      // One request per key: a blob has a handful of previews, and DeleteObjects needs a Content-MD5 not every gateway computes alike.
      for (const o of listed.Contents ?? []) await this.del(o.Key!);
    } catch (err) {
      throw storeFailure(err);
    }
  }

  async readDerived(blobId: string, key: string): Promise<Buffer | null> {
    try {
      const got = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keys.derived(blobId, key) }));
      return Buffer.from(await got.Body!.transformToByteArray());
    } catch (err) {
      if (isNotFound(err)) return null;
      throw storeFailure(err);
    }
  }

  /** One PutObject: S3 shows an object whole or not at all. */
  async writeDerived(blobId: string, key: string, bytes: Buffer): Promise<void> {
    await this.put(this.keys.derived(blobId, key), bytes).catch((err: unknown) => {
      throw storeFailure(err);
    });
  }

  async refreshOwners(): Promise<void> {
    await this.owners.refresh();
  }

  ownerGone(owner: string, createdAt: number): boolean {
    return this.owners.gone(owner, createdAt);
  }

  sweepStaging(referenced: (blobIds: string[]) => Promise<Set<string>>): Promise<number> {
    return sweepS3Staging({ client: this.client, bucket: this.bucket, keys: this.keys, owners: this.owners }, referenced);
  }

  /**
   * A bucket has no free space to speak of: the versions' size bound then
   * applies only to spaces with a quota (with none, versions are bounded by
   * their schedule and VERSIONS_MAX_AGE_DAYS), as Nextcloud does on object
   * storage, where free_space is reported unknown.
   */
  async freeBytes(): Promise<number> {
    return Number.POSITIVE_INFINITY;
  }
}

function bytesStream(data: Buffer, range?: { start: number; end: number }): Readable {
  const slice = range ? data.subarray(range.start, range.end + 1) : data;
  return Readable.from(slice.length ? [slice] : [], { objectMode: false });
}
