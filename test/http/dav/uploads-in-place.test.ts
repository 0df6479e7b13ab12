import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, TEST_STORAGE, type TestApp } from '../../helpers/app.js';
import { dav, FILES, multistatus, put } from './dav-helpers.js';

const UPLOADS = '/remote.php/dav/uploads/admin';

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  let out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    out = entry.isDirectory() ? out.concat(filesUnder(p)) : out.concat(p);
  }
  return out;
}

const parts = (count: number, size: (i: number) => number) => Array.from({ length: count }, (_, i) => Buffer.alloc(size(i), (i * 37 + 11) % 251));

/**
 * Chunks that arrive in order are written straight into the upload's one
 * file at their offset, and the assembly hands that file to the blob store
 * as it is: these check that the bytes are right whatever order, repeats
 * and failures the chunks come with, and that in order nothing is copied.
 */
describeEachDb('WebDAV chunked uploads written in place', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(async () => t?.close());

  const uploadDir = (id: string) => path.join(t.dataDir, 'uploads', Buffer.from('admin').toString('hex'), id);
  /** The upload folder's entries on the file staging; on S3 (objects per chunk, joined by the gateway) only the bytes are checked. */
  const onDisk = (id: string): string[] | null => (TEST_STORAGE === 'fs' ? readdirSync(uploadDir(id)) : null);
  const start = async (id: string, name: string, total?: number) => {
    const headers: Record<string, string> = { destination: `http://nimbus.test${FILES}/${name}` };
    if (total !== undefined) headers['oc-total-length'] = String(total);
    const res = await dav(t.app, 'MKCOL', `${UPLOADS}/${id}`, { headers });
    expect(res.statusCode).toBe(201);
  };
  const send = async (id: string, n: number | string, body: Buffer) => {
    const res = await put(t.app, `${UPLOADS}/${id}/${n}`, body);
    expect([201, 204]).toContain(res.statusCode);
    return res.statusCode;
  };
  const finish = (id: string, name: string, headers: Record<string, string> = {}) =>
    dav(t.app, 'MOVE', `${UPLOADS}/${id}/.file`, { headers: { destination: `http://nimbus.test${FILES}/${name}`, ...headers } });
  const content = async (name: string) => (await dav(t.app, 'GET', `${FILES}/${name}`)).rawPayload;

  it('assembles chunks sent in order without copying a byte: the stored blob is the upload file itself', async () => {
    const chunks = parts(5, () => 64 * 1024);
    await start('order', 'order.bin', 5 * 64 * 1024);
    for (let i = 0; i < chunks.length; i++) await send('order', i + 1, chunks[i]!);
    const entries = onDisk('order')?.sort();
    if (entries) {
      expect(entries).toContain('data');
      expect(entries.filter((e) => e.startsWith('in-'))).toHaveLength(5);
      expect(entries.filter((e) => e.startsWith('chunk-'))).toEqual([]);
    }
    const inode = entries ? statSync(path.join(uploadDir('order'), 'data')).ino : 0;
    expect((await finish('order', 'order.bin')).statusCode).toBe(201);
    expect((await content('order.bin')).equals(Buffer.concat(chunks))).toBe(true);
    // On S3 the chunks are objects the gateway joins (the S3 staging contract checks that).
    if (entries) {
      const blob = filesUnder(path.join(t.dataDir, 'blobs')).find((f) => statSync(f).ino === inode);
      expect(blob, 'the blob shares the upload file’s inode').toBeDefined();
    }
  });

  it('lists in-place chunks for a resuming client with their sizes', async () => {
    await start('listing', 'listing.bin', 300);
    await send('listing', 1, Buffer.alloc(100, 1));
    await send('listing', 2, Buffer.alloc(200, 2));
    const listing = multistatus(await dav(t.app, 'PROPFIND', `${UPLOADS}/listing/`, { depth: '1' }));
    expect(listing.slice(1).map((r) => [r.href.split('/').pop(), r.ok['d:getcontentlength']])).toEqual([
      ['1', '100'],
      ['2', '200'],
    ]);
    expect((await dav(t.app, 'DELETE', `${UPLOADS}/listing`)).statusCode).toBe(204);
  });

  it('places chunks of equal length at their offsets in whatever order they come', async () => {
    const chunks = [...parts(4, () => 4096), Buffer.alloc(100, 3)];
    await start('shuffled', 'shuffled.bin', 4 * 4096 + 100);
    for (const n of [3, 2, 5, 1, 4]) await send('shuffled', n, chunks[n - 1]!);
    const entries = onDisk('shuffled');
    if (entries) expect(entries.filter((e) => e.startsWith('in-')).sort()).toEqual(['in-1-0-4096', 'in-2-4096-4096', 'in-3-8192-4096', 'in-4-12288-4096', 'in-5-16384-100']);
    expect((await finish('shuffled', 'shuffled.bin')).statusCode).toBe(201);
    expect((await content('shuffled.bin')).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('copies the chunks in order when a chunk sent early was placed by a wrong guess', async () => {
    const chunks = parts(4, (i) => 1000 + i * 10);
    const total = chunks.reduce((n, c) => n + c.length, 0);
    await start('late', 'late.bin', total);
    for (const n of [2, 1, 3, 4]) await send('late', n, chunks[n - 1]!);
    // Chunk 2 went to 1010 (two chunks of its length before it) but belongs at 1000; chunk 3's range was then taken.
    if (TEST_STORAGE === 'fs') expect(onDisk('late')).toContain('chunk-3');
    expect((await finish('late', 'late.bin')).statusCode).toBe(201);
    expect((await content('late.bin')).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('copies in only the chunks that took files of their own', async () => {
    const chunks = parts(3, () => 1000);
    await start('mixed', 'mixed.bin', 3000);
    await send('mixed', 1, chunks[0]!);
    // A chunk under a name that is not a plain number keeps a file of its own; 2 and 3 are sent that way.
    await send('mixed', '02', chunks[1]!);
    await send('mixed', 3, chunks[2]!);
    if (TEST_STORAGE === 'fs') expect(onDisk('mixed')).toContain('chunk-02');
    expect((await finish('mixed', 'mixed.bin')).statusCode).toBe(201);
    expect((await content('mixed.bin')).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('keeps every byte right when a chunk is sent again with another length after later ones were placed', async () => {
    const first = parts(3, () => 500);
    await start('resent', 'resent.bin');
    for (let i = 0; i < 3; i++) await send('resent', i + 1, first[i]!);
    // Chunk 1 again, longer: its bytes cannot go in place (they would run into chunk 2), so it takes a file of its own.
    const longer = Buffer.alloc(700, 9);
    expect(await send('resent', 1, longer)).toBe(204);
    if (TEST_STORAGE === 'fs') expect(onDisk('resent')).toContain('chunk-1');
    const res = await finish('resent', 'resent.bin');
    expect(res.statusCode).toBe(201);
    expect((await content('resent.bin')).equals(Buffer.concat([longer, first[1]!, first[2]!]))).toBe(true);
  });

  it('places a chunk sent again with the same length over its old bytes', async () => {
    await start('same', 'same.bin');
    await send('same', 1, Buffer.alloc(300, 1));
    await send('same', 2, Buffer.alloc(300, 2));
    expect(await send('same', 1, Buffer.alloc(300, 7))).toBe(204);
    if (TEST_STORAGE === 'fs') expect(onDisk('same')!.filter((e) => e.startsWith('chunk-'))).toEqual([]);
    expect((await finish('same', 'same.bin')).statusCode).toBe(201);
    expect((await content('same.bin')).equals(Buffer.concat([Buffer.alloc(300, 7), Buffer.alloc(300, 2)]))).toBe(true);
  });

  it('gives the chunks back when the assembled file is refused, so the client can finish again', async () => {
    const chunks = parts(3, () => 2000);
    await start('refused', 'refused.bin', 6000);
    for (let i = 0; i < 3; i++) await send('refused', i + 1, chunks[i]!);
    const wrong = await finish('refused', 'refused.bin', { 'oc-checksum': 'SHA1:0000000000000000000000000000000000000000' });
    expect(wrong.statusCode).toBe(400);
    if (TEST_STORAGE === 'fs') expect(onDisk('refused')).toContain('data');
    const sha1 = createHash('sha1').update(Buffer.concat(chunks)).digest('hex');
    const right = await finish('refused', 'refused.bin', { 'oc-checksum': `SHA1:${sha1}` });
    expect(right.statusCode).toBe(201);
    expect((await content('refused.bin')).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('keeps the file it replaces whole when an in-place chunk is overwritten after the assembly', async () => {
    // The stored blob shares the upload file's bytes only until the upload folder is gone: nothing may write into it after.
    const chunks = parts(2, () => 4096);
    await start('after', 'after.bin', 8192);
    for (let i = 0; i < 2; i++) await send('after', i + 1, chunks[i]!);
    expect((await finish('after', 'after.bin')).statusCode).toBe(201);
    expect((await put(t.app, `${UPLOADS}/after/1`, Buffer.alloc(4096, 0))).statusCode).toBe(404);
    expect((await content('after.bin')).equals(Buffer.concat(chunks))).toBe(true);
  });
});

describe('WebDAV chunked uploads written in place, over a real socket', () => {
  let t: TestApp;
  let origin: URL;
  beforeAll(async () => {
    t = await buildTestApp('sqlite');
    origin = new URL(await t.app.listen({ port: 0, host: '127.0.0.1' }));
  });
  afterAll(async () => t?.close());

  it('forgets a chunk whose request broke off, and places it again when it is sent whole', async () => {
    expect((await dav(t.app, 'MKCOL', `${UPLOADS}/cut`)).statusCode).toBe(201);
    const whole = Buffer.alloc(1024 * 1024, 5);
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: '127.0.0.1',
        port: Number(origin.port),
        method: 'PUT',
        path: `${UPLOADS}/cut/1`,
        headers: { authorization: basic(ADMIN.user, ADMIN.password), 'content-length': String(whole.length) },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(whole.subarray(0, 256 * 1024), () => setTimeout(() => req.destroy(), 50));
    });
    const dir = path.join(t.dataDir, 'uploads', Buffer.from('admin').toString('hex'), 'cut');
    // On S3 a broken PutObject stores nothing: the listing below is what tells.
    if (TEST_STORAGE === 'fs') {
      for (let i = 0; i < 100 && readdirSync(dir).some((e) => e.startsWith('at-')); i++) await new Promise((r) => setTimeout(r, 20));
      expect(readdirSync(dir).filter((e) => /^(at|in)-/.test(e))).toEqual([]);
    }
    const listing = multistatus(await dav(t.app, 'PROPFIND', `${UPLOADS}/cut/`, { depth: '1' }));
    expect(listing).toHaveLength(1);
    expect((await put(t.app, `${UPLOADS}/cut/1`, whole)).statusCode).toBe(201);
    expect((await put(t.app, `${UPLOADS}/cut/2`, Buffer.alloc(10, 6))).statusCode).toBe(201);
    expect((await dav(t.app, 'MOVE', `${UPLOADS}/cut/.file`, { headers: { destination: `${FILES}/cut.bin` } })).statusCode).toBe(201);
    expect((await dav(t.app, 'GET', `${FILES}/cut.bin`)).rawPayload.equals(Buffer.concat([whole, Buffer.alloc(10, 6)]))).toBe(true);
  });
});
