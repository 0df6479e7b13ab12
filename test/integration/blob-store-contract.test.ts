import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/ports/files.js';
import { FsBlobInventory } from '../../src/storage/blob-inventory.js';
import { Adler32 } from '../../src/storage/digests.js';
import { FsBlobStore } from '../../src/storage/fs-blob-store.js';
import { S3BlobInventory } from '../../src/storage/s3/s3-blob-inventory.js';
import { S3BlobStore } from '../../src/storage/s3/s3-blob-store.js';
import { s3ClientFor } from '../../src/storage/s3/s3-client.js';
import { S3Keys } from '../../src/storage/s3/s3-keys.js';
import { describeS3, emptyPrefix, s3Settings } from '../helpers/s3.js';
import { processHost } from '../../src/storage/process-host.js';

/** What a store kind needs to be put through the contract: stores sharing one place (as processes do), and a look behind them. */
interface Harness {
  /**
   * Whether two stores of one OS process may stand for two processes: the
   * S3 store tells owners apart by heartbeat; the file store takes its own
   * pid under another token for an earlier, dead process.
   */
  peersInProcess: boolean;
  /** Another process's store on the same bytes. */
  open(): Promise<{ store: BlobStore; close(): Promise<void> }>;
  /** Every blob id stored, and how many staged entries (files, markers, unfinished multipart uploads) are left. */
  leftovers(): Promise<{ blobs: string[]; staged: number }>;
  /** What a process killed mid-write leaves: complete staged blobs (and on S3 an unfinished multipart upload) under a dead owner. */
  leaveKilledWriter(blobs: Array<{ id: string; bytes: Buffer }>, partialId: string): Promise<void>;
  teardown(): Promise<void>;
}

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
const newId = (): string => randomBytes(16).toString('hex');

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** An owner name of this host whose pid is certainly dead (a child that has exited). */
function deadOwner(): string {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  return [processHost, pid, 'deadbeef0000'].join('~');
}

/** A body that sends some bytes and then fails, as a dropped connection does. */
function brokenBody(bytes: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(bytes);
      } else this.destroy(new Error('connection reset'));
    },
  });
}

function fsHarness(): Harness {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-contract-'));
  return {
    peersInProcess: false,
    async open() {
      return { store: new FsBlobStore(dir, { fsync: false }), close: async () => {} };
    },
    async leftovers() {
      const inv = new FsBlobInventory(dir);
      const blobs: string[] = [];
      for await (const b of inv.blobs()) blobs.push(b.id);
      const staged = (await inv.stagingFolders()).reduce((n, f) => n + f.files, 0);
      return { blobs, staged };
    },
    async leaveKilledWriter(blobs, partialId) {
      const folder = path.join(dir, 'staging', deadOwner());
      mkdirSync(folder, { recursive: true });
      for (const b of blobs) writeFileSync(path.join(folder, b.id), b.bytes);
      writeFileSync(path.join(folder, partialId), randomBytes(1000));
    },
    async teardown() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function s3Harness(): Harness {
  const settings = s3Settings();
  const client = s3ClientFor(settings);
  const keys = new S3Keys(settings.prefix);
  const opened: S3BlobStore[] = [];
  const list = async (prefix: string): Promise<string[]> => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: settings.bucket, Prefix: prefix, ContinuationToken: token }));
      out.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  };
  return {
    peersInProcess: true,
    async open() {
      const store = new S3BlobStore(settings);
      await store.start();
      opened.push(store);
      return { store, close: () => store.close() };
    },
    async leftovers() {
      const blobs = (await list(keys.blobs)).map((k) => keys.blobIdOf(k)).filter((id): id is string => id !== null);
      const markers = (await list(keys.staging)).length;
      const uploads = (await client.send(new ListMultipartUploadsCommand({ Bucket: settings.bucket, Prefix: settings.prefix }))).Uploads ?? [];
      return { blobs, staged: markers + uploads.length };
    },
    async leaveKilledWriter(blobs, partialId) {
      const owner = deadOwner();
      const put = (Key: string, Body: Buffer | string) => client.send(new PutObjectCommand({ Bucket: settings.bucket, Key, Body, ContentLength: Buffer.byteLength(Body) }));
      for (const b of [...blobs.map((x) => x.id), partialId]) await put(keys.marker(owner, b), '');
      for (const b of blobs) await put(keys.blob(b.id), b.bytes);
      // Killed while sending the parts of a large upload: parts without an object.
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: settings.bucket, Key: keys.blob(partialId) }));
      await client.send(new UploadPartCommand({ Bucket: settings.bucket, Key: keys.blob(partialId), UploadId, PartNumber: 1, Body: randomBytes(5 * 1024 * 1024) }));
    },
    async teardown() {
      for (const s of opened) await s.close();
      const inv = new S3BlobInventory(settings);
      expect(await inv.stagingFolders()).toEqual([]);
      await emptyPrefix(settings.prefix);
    },
  };
}

function contract(makeHarness: () => Harness): void {
  let h: Harness;
  let store: BlobStore;
  let closeStore: () => Promise<void>;
  beforeAll(async () => {
    h = makeHarness();
    ({ store, close: closeStore } = await h.open());
  });
  afterAll(async () => {
    await closeStore?.();
    await h?.teardown();
  });

  it('stages with the digests asked for, shows nothing before commit, serves the bytes after', async () => {
    const bytes = randomBytes(100_000);
    const before = await h.leftovers();
    const staged = await store.stage(Readable.from([bytes.subarray(0, 40_000), bytes.subarray(40_000)]), { digests: ['sha1', 'md5', 'adler32'] });
    expect(staged.size).toBe(bytes.length);
    const adler = new Adler32();
    adler.update(bytes);
    expect(staged.digests).toEqual({ sha1: sha1(bytes), md5: md5(bytes), adler32: adler.hex() });
    expect((await h.leftovers()).staged).toBe(before.staged + 1);
    await store.commit(staged);
    expect((await h.leftovers()).staged).toBe(before.staged);
    expect((await readAll(await store.open(staged.id))).equals(bytes)).toBe(true);
    expect((await readAll(await store.open(staged.id, { start: 10, end: 20 }))).equals(bytes.subarray(10, 21))).toBe(true);
    expect((await readAll(await store.open(staged.id, { start: 99_990, end: 99_999 }, bytes.length))).equals(bytes.subarray(99_990))).toBe(true);
    // Another store on the same bytes sees it at once.
    const other = await h.open();
    expect((await readAll(await other.store.open(staged.id))).equals(bytes)).toBe(true);
    await other.close();
  });

  it('serves small blobs (and their ranges) the same from memory as from the store, and empty ones', async () => {
    const bytes = Buffer.from('hello, small world');
    const staged = await store.stage(Readable.from([bytes]), {});
    await store.commit(staged);
    for (let i = 0; i < 2; i++) {
      expect((await readAll(await store.open(staged.id, undefined, bytes.length))).toString()).toBe('hello, small world');
      expect((await readAll(await store.open(staged.id, { start: 7, end: 11 }, bytes.length))).toString()).toBe('small');
    }
    const empty = await store.stage(Readable.from([]), { digests: ['md5'] });
    expect(empty).toMatchObject({ size: 0, digests: { md5: md5(Buffer.alloc(0)) } });
    await store.commit(empty);
    expect((await readAll(await store.open(empty.id))).length).toBe(0);
    expect((await readAll(await store.open(empty.id, undefined, 0))).length).toBe(0);
  });

  it('streams a large body in parts and reads any range of it back', async () => {
    const bytes = randomBytes(21 * 1024 * 1024 + 123);
    const parts = Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536));
    const staged = await store.stage(Readable.from(parts), { digests: ['sha1'] });
    expect(staged).toMatchObject({ size: bytes.length, digests: { sha1: sha1(bytes) } });
    await store.commit(staged);
    const got = await readAll(await store.open(staged.id));
    expect(sha1(got)).toBe(sha1(bytes));
    const start = 8 * 1024 * 1024 - 5;
    expect((await readAll(await store.open(staged.id, { start, end: start + 9 }, bytes.length))).equals(bytes.subarray(start, start + 10))).toBe(true);
  });

  it('takes a complete local file as the source (an assembled upload)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-contract-src-'));
    const file = path.join(dir, 'assembled');
    const bytes = randomBytes(70_000);
    writeFileSync(file, bytes);
    const staged = await store.stage({ localFile: file }, { digests: ['sha1'] });
    expect(staged).toMatchObject({ size: bytes.length, digests: { sha1: sha1(bytes) } });
    await store.commit(staged);
    expect((await readAll(await store.open(staged.id))).equals(bytes)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes bytes held in memory as the source (a part of a bulk upload): staged unseen, digested, refused past maxBytes', async () => {
    const before = await h.leftovers();
    const bytes = randomBytes(1024);
    const staged = await store.stage({ bytes }, { digests: ['md5', 'adler32'] });
    const adler = new Adler32();
    adler.update(bytes);
    expect(staged).toMatchObject({ size: 1024, digests: { md5: md5(bytes), adler32: adler.hex() } });
    expect((await h.leftovers()).staged).toBe(before.staged + 1);
    await store.commit(staged);
    expect((await readAll(await store.open(staged.id, undefined, bytes.length))).equals(bytes)).toBe(true);
    const empty = await store.stage({ bytes: Buffer.alloc(0) }, {});
    expect(empty.size).toBe(0);
    await store.discard(empty);
    await expect(store.stage({ bytes: randomBytes(6000) }, { maxBytes: 5000 })).rejects.toMatchObject({ code: 'quotaExceeded' });
    expect((await h.leftovers()).staged).toBe(before.staged);
  });

  it('discard leaves nothing: no blob, no staging', async () => {
    const before = await h.leftovers();
    const staged = await store.stage(Readable.from([randomBytes(5000)]), {});
    await store.discard(staged);
    const after = await h.leftovers();
    expect(after.blobs).not.toContain(staged.id);
    expect(after.staged).toBe(before.staged);
    await expect(store.open(staged.id)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a body past maxBytes with quotaExceeded, reading it to the end, and keeps none of it', async () => {
    const before = await h.leftovers();
    const body = Readable.from([randomBytes(3000), randomBytes(3000), randomBytes(3000)]);
    await expect(store.stage(body, { maxBytes: 5000 })).rejects.toMatchObject({ code: 'quotaExceeded' });
    expect(body.readableEnded).toBe(true);
    const after = await h.leftovers();
    expect(after.blobs.length).toBe(before.blobs.length);
    expect(after.staged).toBe(before.staged);
  });

  it('a body that breaks mid-way (a dropped connection) leaves nothing visible and nothing staged', async () => {
    const before = await h.leftovers();
    await expect(store.stage(brokenBody(randomBytes(6 * 1024 * 1024)), { digests: ['md5'] })).rejects.toThrow(/connection reset/);
    const after = await h.leftovers();
    expect(after.blobs.sort()).toEqual(before.blobs.sort());
    expect(after.staged).toBe(before.staged);
  });

  it('copies a blob without the caller touching its bytes; a missing one is ENOENT', async () => {
    const bytes = randomBytes(30_000);
    const staged = await store.stage(Readable.from([bytes]), {});
    await store.commit(staged);
    const copy = await store.stageCopy(staged.id);
    expect(copy.id).not.toBe(staged.id);
    expect(copy.size).toBe(bytes.length);
    await store.commit(copy);
    await store.remove(staged.id);
    expect((await readAll(await store.open(copy.id))).equals(bytes)).toBe(true);
    await expect(store.stageCopy(newId())).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps derived bytes beside a blob until the blob is removed', async () => {
    const staged = await store.stage(Readable.from([Buffer.from('picture')]), {});
    await store.commit(staged);
    expect(await store.readDerived(staged.id, 'preview-64.webp')).toBeNull();
    await store.writeDerived(staged.id, 'preview-64.webp', Buffer.from('small'));
    await store.writeDerived(staged.id, 'preview-64.webp', Buffer.from('smaller'));
    await store.writeDerived(staged.id, 'preview-256.webp', Buffer.from('large'));
    expect((await store.readDerived(staged.id, 'preview-64.webp'))?.toString()).toBe('smaller');
    await store.remove(staged.id);
    await expect(store.open(staged.id)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await store.readDerived(staged.id, 'preview-64.webp')).toBeNull();
    expect(await store.readDerived(staged.id, 'preview-256.webp')).toBeNull();
    // Removing what is gone is no error.
    await store.remove(staged.id);
  });

  it('refuses ids and keys that are not its own', async () => {
    await expect(store.open('../../etc/passwd')).rejects.toThrow(/not a blob id/);
    await expect(store.writeDerived(newId(), '../x', Buffer.from('x'))).rejects.toThrow(/not a derived key/);
  });

  it("sweeps a killed writer's staging: referenced blobs kept, the rest (and unfinished uploads) dropped; two sweepers at once agree", async () => {
    const kept = { id: newId(), bytes: randomBytes(2000) };
    const dropped = { id: newId(), bytes: randomBytes(2000) };
    const partial = newId();
    const before = await h.leftovers();
    await h.leaveKilledWriter([kept, dropped], partial);
    // A live writer's staging beside it must survive the sweep.
    const live = await store.stage(Readable.from([randomBytes(100)]), {});
    const other = h.peersInProcess ? await h.open() : null;
    const referenced = async (ids: string[]) => new Set(ids.filter((id) => id === kept.id));
    const counts = await Promise.all([store.sweepStaging(referenced), ...(other ? [other.store.sweepStaging(referenced)] : [])]);
    // Each of the leftovers is dropped by one sweeper or both (every step may be repeated), never kept.
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(2);
    const after = await h.leftovers();
    expect(after.blobs).toContain(kept.id);
    expect(after.blobs).not.toContain(dropped.id);
    expect(after.blobs).not.toContain(partial);
    expect(after.staged).toBe(before.staged + 1);
    expect((await readAll(await store.open(kept.id))).equals(kept.bytes)).toBe(true);
    await store.commit(live);
    expect((await h.leftovers()).staged).toBe(before.staged);
    await other?.close();
  });

  it('knows its own owner alive and a dead pid of this host gone', async () => {
    expect(store.ownerGone(store.owner, 0)).toBe(false);
    await store.refreshOwners();
    expect(store.ownerGone(deadOwner(), Date.now())).toBe(true);
    if (!h.peersInProcess) return;
    const other = await h.open();
    await store.refreshOwners();
    expect(store.ownerGone(other.store.owner, Date.now() - 3600_000)).toBe(false);
    await other.close();
  });
}

describe('Blob store contract [fs]', () => contract(fsHarness));
describeS3('Blob store contract', () => contract(s3Harness));
