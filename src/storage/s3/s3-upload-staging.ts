import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Settings } from '../../config.js';
import { fail } from '../../domain/errors.js';
import type { AssembledUpload, ChunkInfo, UploadInfo, UploadStaging } from '../../ports/upload-staging.js';
import { enoent, isNotFound, s3ClientFor, storeFailure } from './s3-client.js';
import { S3Keys } from './s3-keys.js';
import { type ListedObject, S3Objects } from './s3-objects.js';

const INFO = 'info';
const CHUNK = 'chunk-';
/** A chunk of unknown length goes up in parts of this size, as the blob store's writes. */
const PART_SIZE = 8 * 1024 * 1024;

/**
 * Chunked uploads as objects `uploads/<user hex>/<upload>/`: `info` (the
 * MKCOL's declaration, written only if absent, so one MKCOL of two wins) and
 * `chunk-<name>` per chunk, each one PutObject that is whole or absent, so
 * any process sees every chunk another one stored and a killed one leaves
 * no half chunk. Assembly hands the chunk objects to the blob store, which
 * joins them on the gateway (s3-compose.ts): no chunk is read back.
 */
export class S3UploadStaging implements UploadStaging {
  private readonly keys: S3Keys;
  private readonly objects: S3Objects;

  constructor(settings: S3Settings, client: S3Client = s3ClientFor(settings)) {
    this.keys = new S3Keys(settings.prefix);
    this.objects = new S3Objects(client, settings.bucket);
  }

  private get client(): S3Client {
    return this.objects.client;
  }

  private folder(userId: string, uploadId: string): string {
    return this.keys.upload(userId, uploadId);
  }

  async create(userId: string, uploadId: string, info: UploadInfo): Promise<boolean> {
    return this.objects.put(this.folder(userId, uploadId) + INFO, JSON.stringify(info), true).catch((err: unknown) => {
      throw storeFailure(err);
    });
  }

  async info(userId: string, uploadId: string): Promise<UploadInfo | null> {
    return this.objects.getJson<UploadInfo>(this.folder(userId, uploadId) + INFO).catch((err: unknown) => {
      throw storeFailure(err);
    });
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.objects.bucket, Key: key }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw storeFailure(err);
    }
  }

  async putChunk(userId: string, uploadId: string, name: string, body: Readable, length?: number): Promise<{ size: number; created: boolean }> {
    const key = this.folder(userId, uploadId) + CHUNK + name;
    const created = !(await this.exists(key));
    let size = 0;
    let bodyFailed = false;
    body.once('error', () => {
      bodyFailed = true;
    });
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (length !== undefined && size > length) return done(new Error('more bytes than declared'));
        done(null, chunk);
      },
    });
    const bucket = this.objects.bucket;
    // With its length known a chunk streams in one PutObject (up to 5 GiB, Nextcloud's chunk maximum); else in parts.
    const upload =
      length !== undefined
        ? null
        : new Upload({ client: this.client, params: { Bucket: bucket, Key: key, Body: counter }, partSize: PART_SIZE, queueSize: 2, leavePartsOnError: false });
    const sent = (upload ? upload.done() : this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: counter, ContentLength: length }))).catch(
      (err: unknown) => {
        counter.destroy(err as Error);
        throw err;
      },
    );
    const [read, stored] = await Promise.allSettled([pipeline(body, counter), sent]);
    if (read.status === 'rejected' && (bodyFailed || stored.status !== 'rejected')) {
      await upload?.abort().catch(() => undefined);
      throw read.reason;
    }
    if (stored.status === 'rejected') throw storeFailure(stored.reason);
    if (length !== undefined && size !== length) fail('invalidInput', `Expected ${length} bytes of the chunk but received ${size}`);
    return { size, created };
  }

  /** The upload's objects; ENOENT when its `info` is gone (removed, or never made), as the file staging's missing folder. */
  private async listed(userId: string, uploadId: string): Promise<{ folder: string; chunks: Map<string, ListedObject> }> {
    const folder = this.folder(userId, uploadId);
    const all = await this.objects.list(folder).catch((err: unknown) => {
      throw storeFailure(err);
    });
    if (!all.some((o) => o.key === folder + INFO)) throw enoent(folder);
    const chunks = new Map<string, ListedObject>();
    for (const o of all) if (o.key.startsWith(folder + CHUNK)) chunks.set(o.key.slice(folder.length + CHUNK.length), o);
    return { folder, chunks };
  }

  async chunks(userId: string, uploadId: string): Promise<ChunkInfo[]> {
    const { chunks } = await this.listed(userId, uploadId);
    return [...chunks].map(([name, o]) => ({ name, size: o.size, mtime: o.at }));
  }

  private async parts(userId: string, uploadId: string, names: string[]): Promise<Array<{ key: string; size: number }>> {
    const { chunks } = await this.listed(userId, uploadId).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') fail('notFound', 'Upload folder not found');
      throw err;
    });
    const out: Array<{ key: string; size: number }> = [];
    for (const name of names) {
      const o = chunks.get(name);
      if (!o) return fail('conflict', `Chunk ${name} was removed while the upload was assembled`);
      out.push({ key: o.key, size: o.size });
    }
    return out;
  }

  async open(userId: string, uploadId: string, names: string[]): Promise<Readable> {
    const parts = await this.parts(userId, uploadId, names);
    const objects = this.objects;
    async function* concat() {
      for (const p of parts) {
        if (p.size === 0) continue;
        const got = await objects.client.send(new GetObjectCommand({ Bucket: objects.bucket, Key: p.key }));
        yield* got.Body as Readable;
      }
    }
    return Readable.from(concat(), { objectMode: false });
  }

  /** The chunk objects themselves: the blob store joins them; they stay (nothing to undo) until the upload is removed. */
  async assemble(userId: string, uploadId: string, names: string[]): Promise<AssembledUpload> {
    const parts = await this.parts(userId, uploadId, names);
    return { body: { storedParts: parts }, total: parts.reduce((n, p) => n + p.size, 0), undo: async () => undefined };
  }

  async remove(userId: string, uploadId: string): Promise<void> {
    const folder = this.folder(userId, uploadId);
    // The declaration last: an upload half removed is still found by the sweep, which finishes it.
    const all = await this.objects.list(folder);
    for (const o of all) if (o.key !== folder + INFO) await this.objects.del(o.key);
    await this.objects.del(folder + INFO);
  }

  /** Uploads whose `info` is older than the cutoff, and chunks left without one (a removal cut short, a chunk stored after it) once as old. */
  async listOlderThan(cutoff: number): Promise<Array<{ userId: string; uploadId: string }>> {
    const byUpload = new Map<string, { infoAt: number | null; newest: number }>();
    for (const o of await this.objects.list(this.keys.uploads)) {
      const [hex, uploadId, leaf] = o.key.slice(this.keys.uploads.length).split('/');
      if (!hex || !uploadId || !leaf) continue;
      const id = `${hex}/${uploadId}`;
      const entry = byUpload.get(id) ?? { infoAt: null, newest: 0 };
      if (leaf === INFO) entry.infoAt = o.at;
      entry.newest = Math.max(entry.newest, o.at);
      byUpload.set(id, entry);
    }
    const out: Array<{ userId: string; uploadId: string }> = [];
    for (const [id, e] of byUpload) {
      if ((e.infoAt ?? e.newest) >= cutoff) continue;
      const [hex, uploadId] = id.split('/') as [string, string];
      out.push({ userId: Buffer.from(hex, 'hex').toString('utf8'), uploadId });
    }
    return out;
  }
}
