import { HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StoredParts } from '../../src/ports/files.js';
import { TusAppendError, type TusRecord } from '../../src/ports/tus-staging.js';
import { S3BlobStore } from '../../src/storage/s3/s3-blob-store.js';
import { s3ClientFor } from '../../src/storage/s3/s3-client.js';
import { MIN_PART, planParts } from '../../src/storage/s3/s3-compose.js';
import { S3Keys } from '../../src/storage/s3/s3-keys.js';
import { processHost } from '../../src/storage/process-host.js';
import { S3Objects } from '../../src/storage/s3/s3-objects.js';
import { SEGMENT, S3TusStaging } from '../../src/storage/s3/s3-tus-staging.js';
import { S3UploadStaging } from '../../src/storage/s3/s3-upload-staging.js';
import { describeS3, emptyPrefix, s3Settings } from '../helpers/s3.js';

const MiB = 1024 * 1024;
const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');
const bytes = (n: number, seed: number): Buffer => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += 4096) b.writeUInt32LE((i * 2654435761 + seed) >>> 0, i);
  return b;
};

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A body that sends these bytes and then breaks, as a dropped connection does. */
function brokenAfter(b: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (sent) return void this.destroy(new Error('connection reset'));
      sent = true;
      this.push(b);
    },
  });
}

describeS3('S3 upload stagings (chunked and TUS): every process sees every byte, the gateway joins them', () => {
  const settings = s3Settings();
  const client = s3ClientFor(settings);
  const keys = new S3Keys(settings.prefix);
  const objects = new S3Objects(client, settings.bucket);
  // Two stores and stagings on one bucket prefix stand for two processes (each store has its own heartbeat owner).
  let a: S3BlobStore;
  let b: S3BlobStore;
  const chunkedA = new S3UploadStaging(settings, client);
  const chunkedB = new S3UploadStaging(settings, client);
  let tusA: S3TusStaging;
  let tusB: S3TusStaging;

  beforeAll(async () => {
    a = new S3BlobStore(settings, client);
    b = new S3BlobStore(settings, client);
    await Promise.all([a.start(), b.start()]);
    tusA = new S3TusStaging(settings, a.owners, client);
    tusB = new S3TusStaging(settings, b.owners, client);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await emptyPrefix(settings.prefix);
  });

  const blobBytes = async (id: string) => readAll(await a.open(id));
  const markers = async () => (await objects.list(keys.staging)).length;

  it('plans copy parts for chunks of 5 MiB or more, and streams only the small ones into parts of at least 5 MiB', () => {
    const o = (key: string, size: number) => ({ key, size });
    expect(planParts([o('a', 10 * MiB), o('b', 10 * MiB), o('c', MiB)]).map((p) => p.kind)).toEqual(['copy', 'copy', 'copy']);
    // A small run before a large chunk takes its head; the rest of it is still copied.
    const mixed = planParts([o('s', MiB), o('l', 12 * MiB), o('t', 10)]);
    expect(mixed.map((p) => p.kind)).toEqual(['stream', 'copy', 'copy']);
    expect(mixed[0]).toEqual({ kind: 'stream', pieces: [{ key: 's', start: 0, end: MiB }, { key: 'l', start: 0, end: MIN_PART - MiB }] });
    const small = planParts(Array.from({ length: 12 }, (_, i) => o(`k${i}`, MiB)));
    expect(small.map((p) => (p.kind === 'stream' ? p.pieces.length : 1))).toEqual([5, 5, 2]);
  });

  it('chunked: one MKCOL of two wins, and a chunk stored through one process is seen, listed and joined through another', async () => {
    const info = { destination: null, totalLength: 21 * MiB, createdAt: Date.now() };
    expect(await chunkedA.create('alice', 'up1', info)).toBe(true);
    expect(await chunkedB.create('alice', 'up1', info)).toBe(false);
    expect(await chunkedB.info('alice', 'up1')).toEqual(info);
    const parts = [bytes(8 * MiB, 1), bytes(8 * MiB, 2), bytes(5 * MiB, 3)];
    const stagings = [chunkedA, chunkedB, chunkedA];
    for (let i = 0; i < 3; i++) expect((await stagings[i]!.putChunk('alice', 'up1', String(i + 1), Readable.from([parts[i]!]), parts[i]!.length)).created).toBe(true);
    expect((await chunkedB.putChunk('alice', 'up1', '3', Readable.from([parts[2]!]), parts[2]!.length)).created).toBe(false);
    expect((await chunkedA.chunks('alice', 'up1')).map((c) => [c.name, c.size]).sort()).toEqual([
      ['1', 8 * MiB],
      ['2', 8 * MiB],
      ['3', 5 * MiB],
    ]);
    const assembled = await chunkedB.assemble('alice', 'up1', ['1', '2', '3']);
    expect(assembled.total).toBe(21 * MiB);
    const whole = Buffer.concat(parts);
    const staged = await b.stage(assembled.body, { digests: ['sha1'] });
    expect(staged.size).toBe(21 * MiB);
    expect(staged.digests.sha1).toBe(sha1(whole));
    // A multipart object of three parts, one per chunk, as the gateway copied them (a streamed upload would be cut in 8 MiB parts).
    const head = await client.send(new HeadObjectCommand({ Bucket: settings.bucket, Key: keys.blob(staged.id) }));
    expect(head.ETag).toMatch(/-3"$/);
    // Staged like any write: behind a marker until its row commits.
    expect(await markers()).toBe(1);
    await b.commit(staged);
    expect(await markers()).toBe(0);
    expect((await blobBytes(staged.id)).equals(whole)).toBe(true);
    await chunkedA.remove('alice', 'up1');
    expect(await objects.list(keys.upload('alice', 'up1'))).toEqual([]);
    await expect(chunkedA.chunks('alice', 'up1')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('chunked: small and odd-sized chunks come out byte for byte; a single chunk is one server-side copy; quota refuses before a byte moves', async () => {
    await chunkedA.create('bob', 'mix', { destination: null, totalLength: null, createdAt: Date.now() });
    const parts = [bytes(100 * 1024, 4), bytes(7 * MiB, 5), bytes(300 * 1024, 6), bytes(300 * 1024, 7), bytes(6 * MiB, 8), Buffer.from('end')];
    for (let i = 0; i < parts.length; i++) await chunkedA.putChunk('bob', 'mix', String(i + 1), Readable.from([parts[i]!]));
    const names = parts.map((_, i) => String(i + 1));
    const staged = await a.stage((await chunkedB.assemble('bob', 'mix', names)).body, {});
    expect((await blobBytes(staged.id)).equals(Buffer.concat(parts))).toBe(true);
    expect((await readAll(await chunkedB.open('bob', 'mix', names))).equals(Buffer.concat(parts))).toBe(true);
    await a.discard(staged);

    const one = await a.stage((await chunkedB.assemble('bob', 'mix', ['3'])).body, { digests: ['md5'] });
    expect(one.digests.md5).toBe(createHash('md5').update(parts[2]!).digest('hex'));
    await a.commit(one);

    const body = (await chunkedA.assemble('bob', 'mix', names)).body as StoredParts;
    await expect(a.stage(body, { maxBytes: 1000 })).rejects.toMatchObject({ code: 'quotaExceeded' });
    expect(await objects.list(keys.staging)).toEqual([]);
    // Nothing but upload objects is taken.
    await expect(a.stage({ storedParts: [{ key: keys.blob(one.id), size: 1 }] }, {})).rejects.toThrow(/not an upload/);
    const leftMultipart = await client.send(new ListMultipartUploadsCommand({ Bucket: settings.bucket, Prefix: settings.prefix }));
    expect(leftMultipart.Uploads ?? []).toEqual([]);
  });

  it('chunked: the sweep finds uploads by age, and chunks a removal left without their declaration', async () => {
    await chunkedA.create('carol', 'old', { destination: null, totalLength: null, createdAt: Date.now() });
    await chunkedA.putChunk('carol', 'old', '1', Readable.from([Buffer.from('x')]), 1);
    const future = Date.now() + 60_000;
    expect(await chunkedB.listOlderThan(Date.now() - 60_000)).not.toContainEqual({ userId: 'carol', uploadId: 'old' });
    expect(await chunkedB.listOlderThan(future)).toContainEqual({ userId: 'carol', uploadId: 'old' });
    await objects.del(`${keys.upload('carol', 'old')}info`);
    expect(await chunkedB.listOlderThan(future)).toContainEqual({ userId: 'carol', uploadId: 'old' });
    await chunkedB.remove('carol', 'old');
    expect(await chunkedB.listOlderThan(future)).not.toContainEqual({ userId: 'carol', uploadId: 'old' });
  });

  const record = (length: number): TusRecord => ({
    owner: { kind: 'user', userId: 'alice' },
    spaceId: 's',
    path: ['f.bin'],
    length,
    mtime: null,
    checksum: null,
    createdAt: Date.now(),
    expiresAt: Date.now() + 3600_000,
  });
  const tusId = () => randomBytes(24).toString('base64url');

  it('TUS: PATCHes of any size through either process end in segments the gateway can copy, and the file comes out whole', async () => {
    const id = tusId();
    const whole = bytes(20 * MiB + 123, 9);
    await tusA.create(id, record(whole.length));
    const cuts = [0, 3 * MiB, 3 * MiB + 1, 11 * MiB, 20 * MiB + 123];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const tus = i % 2 ? tusB : tusA;
      const offset = await tus.exclusive(id, () => tus.append(id, cuts[i]!, Readable.from([whole.subarray(cuts[i], cuts[i + 1])]), whole.length - cuts[i]!));
      expect(offset).toBe(cuts[i + 1]);
      expect((await tusB.read(id))!.offset).toBe(cuts[i + 1]);
    }
    const data = await tusB.data(id);
    const sizes = data.storedParts.map((p) => p.size);
    expect(sizes.slice(0, -1).every((s) => s >= SEGMENT)).toBe(true);
    expect(sizes.reduce((n, s) => n + s, 0)).toBe(whole.length);
    const staged = await b.stage(data, { digests: ['sha1'] });
    expect(staged.digests.sha1).toBe(sha1(whole));
    await b.commit(staged);
    await tusA.markCommitted(id);
    expect((await tusB.read(id))!.committed).toBe(true);
    await tusA.remove(id);
    expect(await tusB.read(id)).toBeNull();
    expect(await objects.list(keys.tus(id))).toEqual([]);
  });

  it('TUS: a wrong Upload-Checksum keeps nothing, a broken plain body keeps what arrived, past the length is refused', async () => {
    const id = tusId();
    const whole = bytes(12 * MiB, 10);
    await tusA.create(id, record(whole.length));
    const first = whole.subarray(0, 9 * MiB);
    const wrong = { algorithm: 'sha1' as const, hex: '0'.repeat(40) };
    await expect(tusA.append(id, 0, Readable.from([first]), whole.length, wrong)).rejects.toMatchObject({ refusal: 'checksumMismatch' });
    expect((await tusB.read(id))!.offset).toBe(0);
    await expect(tusA.append(id, 0, brokenAfter(first), whole.length)).rejects.toThrow(/reset/);
    expect((await tusB.read(id))!.offset).toBe(9 * MiB);
    await expect(tusB.append(id, 0, Readable.from([Buffer.from('x')]), 1)).rejects.toMatchObject({ refusal: 'offsetMismatch', offset: 9 * MiB });
    await expect(tusB.append(id, 9 * MiB, Readable.from([whole.subarray(9 * MiB), Buffer.from('over')]), 3 * MiB)).rejects.toMatchObject({ refusal: 'tooLong' });
    expect((await tusA.read(id))!.offset).toBe(9 * MiB);
    const right = { algorithm: 'sha1' as const, hex: sha1(whole.subarray(9 * MiB)) };
    expect(await tusB.append(id, 9 * MiB, Readable.from([whole.subarray(9 * MiB)]), 3 * MiB, right)).toBe(12 * MiB);
    const staged = await a.stage(await tusA.data(id), {});
    expect((await blobBytes(staged.id)).equals(whole)).toBe(true);
    await a.commit(staged);
    await tusA.remove(id);
  });

  it('TUS: a live holder in another process makes others busy; a dead one holds nothing; an expired or half-made upload is listed', async () => {
    const id = tusId();
    await tusA.create(id, record(4));
    let inside!: () => void;
    const held = new Promise<void>((r) => (inside = r));
    let release!: () => void;
    const done = tusA.exclusive(id, async () => {
      inside();
      await new Promise<void>((r) => (release = r));
    });
    await held;
    await expect(tusB.exclusive(id, async () => 1)).rejects.toBeInstanceOf(TusAppendError);
    release();
    await done;
    expect(await tusB.exclusive(id, async () => 2)).toBe(2);
    // A lock left by a process of this host that has exited.
    const { pid } = spawnSync(process.execPath, ['-e', '']);
    await objects.put(`${keys.tus(id)}lock-1`, JSON.stringify({ owner: [processHost, pid, 'dead'].join('~') }));
    expect(await tusB.exclusive(id, async () => 3)).toBe(3);
    expect((await objects.list(`${keys.tus(id)}lock-`)).length).toBe(0);

    expect(await tusA.listExpired(Date.now())).not.toContain(id);
    expect(await tusA.listExpired(Date.now() + 2 * 3600_000)).toContain(id);
    const half = tusId();
    await objects.put(`${keys.tus(half)}state`, JSON.stringify({ segments: [], committed: false }));
    expect(await tusA.listExpired(Date.now())).not.toContain(half);
    expect(await tusA.listExpired(Date.now() + 120_000)).toContain(half);
    expect(await tusA.read(half)).toBeNull();
    await expect(tusA.exclusive(half, async () => 4)).rejects.toMatchObject({ refusal: 'busy' });
    await tusA.remove(half);
    await tusA.remove(id);
  });
});
