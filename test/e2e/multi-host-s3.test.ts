import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Settings } from '../../src/config.js';
import { S3Keys } from '../../src/storage/s3/s3-keys.js';
import { basic } from '../helpers/app.js';
import { createPgSchema, postgresReachable, TEST_PG_URL } from '../helpers/db.js';
import { describeS3, listKeys, s3Settings } from '../helpers/s3.js';
import { s3View, type StoreView } from './blob-store-view.js';
import { pgRows } from './db-rows.js';
import { compiledServerForFile, type RunningServer, startServer, until } from './server-process.js';

/**
 * Three processes that share nothing but PostgreSQL and a bucket, each with
 * a data directory of its own that starts empty, as on three hosts behind a
 * load balancer: a chunked upload whose chunks land on different processes,
 * PUTs racing for one path, a process killed mid-upload and a TUS upload
 * resumed on another process. At the end no data directory holds anything a
 * request needed (no blobs, staging, chunks or TUS bytes), and the bucket
 * holds exactly what rows reference.
 */

const ADMIN = { user: 'admin', password: 'Multi-Host-Pass-1' };
const AUTH = basic(ADMIN.user, ADMIN.password);
const MB = 1024 * 1024;
const PG_UP = await postgresReachable();
const HOSTS = 3;
const sha = (b: Buffer | Uint8Array): string => createHash('sha256').update(b).digest('hex');
const FILES = `/remote.php/dav/files/${ADMIN.user}`;

/** Every file under a folder, recursively (paths relative to it). */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

describeS3('several hosts on one PostgreSQL and one bucket', () => {
  describe.skipIf(!PG_UP)('three processes with empty data directories of their own [postgres]', () => {
    const build = compiledServerForFile();
    const dataDirs: string[] = [];
    const servers: RunningServer[] = [];
    let schema: { schema: string; drop(): Promise<void> };
    let settings: S3Settings;
    let view: StoreView;
    const kept = new Map<string, string>(); // name → sha256 of what must be served

    const envFor = (dataDir: string): Record<string, string> => ({
      DATA_DIR: dataDir,
      ADMIN_USER: ADMIN.user,
      ADMIN_PASSWORD: ADMIN.password,
      DATABASE_URL: TEST_PG_URL,
      DATABASE_SCHEMA: schema.schema,
      ...view.env,
    });
    const startHost = async (i: number) => {
      servers[i] = await startServer(build.entry, envFor(dataDirs[i]!));
    };

    beforeAll(async () => {
      schema = await createPgSchema();
      settings = s3Settings();
      view = s3View(settings);
      for (let i = 0; i < HOSTS; i++) dataDirs.push(mkdtempSync(path.join(os.tmpdir(), `nimbus-host${i}-`)));
      await Promise.all(dataDirs.map((_, i) => startHost(i)));
    }, 120_000);
    afterAll(async () => {
      await Promise.all(servers.map((s) => s?.kill()));
      await schema?.drop();
      await view?.close();
      for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
    });

    const call = async (host: number, method: string, url: string, headers: Record<string, string> = {}, body?: Buffer | string) => {
      const res = await request(`${servers[host]!.base}${url}`, { method: method as 'GET', headers: { authorization: AUTH, ...headers }, body });
      const bytes = Buffer.from(await res.body.arrayBuffer());
      return { status: res.statusCode, headers: res.headers, bytes, text: bytes.toString('utf8') };
    };

    /** Every process serves every kept file byte for byte. */
    async function expectServedEverywhere(): Promise<void> {
      for (const [name, digest] of kept) {
        for (let host = 0; host < HOSTS; host++) {
          const got = await call(host, 'GET', `${FILES}/${name}`);
          expect(got.status, `${name} on host ${host}`).toBe(200);
          expect(sha(got.bytes), `${name} on host ${host}`).toBe(digest);
        }
      }
    }

    it('assembles a chunked upload whose chunks went to three processes, on a fourth request to another one', async () => {
      // Nextcloud chunking v2: chunks of 5 MiB or more (S3's part minimum) can be joined on the gateway.
      const chunks = [randomBytes(6 * MB), randomBytes(6 * MB), randomBytes(6 * MB), randomBytes(MB + 123)];
      const whole = Buffer.concat(chunks);
      const upload = `/remote.php/dav/uploads/${ADMIN.user}/web-file-upload-${randomBytes(8).toString('hex')}`;
      const destination = `${servers[0]!.base}${FILES}/chunked.bin`;
      expect((await call(0, 'MKCOL', upload, { destination })).status).toBe(201);
      for (const [i, chunk] of chunks.entries()) {
        const put = await call(i % HOSTS, 'PUT', `${upload}/${i + 1}`, { destination, 'oc-total-length': String(whole.length) }, chunk);
        expect([201, 204], `chunk ${i + 1}: ${put.text}`).toContain(put.status);
      }
      // Any process lists the chunks the others stored.
      const listing = await call(2, 'PROPFIND', `${upload}/`, { depth: '1' });
      expect(listing.status).toBe(207);
      expect(listing.text.match(/<d:response>/g)?.length).toBe(chunks.length + 1);
      const moved = await call(1, 'MOVE', `${upload}/.file`, { destination, 'oc-total-length': String(whole.length) });
      expect(moved.status, moved.text).toBe(201);
      kept.set('chunked.bin', sha(whole));
      await expectServedEverywhere();
      expect(await listKeys(new S3Keys(settings.prefix).uploads), 'the chunks are gone once assembled').toEqual([]);
    }, 180_000);

    it('lets PUTs of three processes race for one path: one body wins whole, none is mixed, none is a 5xx', async () => {
      const bodies = Array.from({ length: HOSTS }, () => randomBytes(3 * MB));
      const answers = await Promise.all(bodies.map((body, host) => call(host, 'PUT', `${FILES}/raced.bin`, { 'content-type': 'application/octet-stream' }, body)));
      for (const a of answers) expect(a.status, a.text).toBeLessThan(500);
      expect(answers.filter((a) => a.status === 201 || a.status === 204).length).toBeGreaterThan(0);
      const served = await call(0, 'GET', `${FILES}/raced.bin`);
      expect(bodies.map(sha)).toContain(sha(served.bytes));
      kept.set('raced.bin', sha(served.bytes));
      await expectServedEverywhere();
    }, 120_000);

    it('a process SIGKILLed mid-PUT leaves nothing visible on the others, and what it left is swept', async () => {
      const piece = randomBytes(MB);
      const req = http.request(new URL(`${FILES}/killed.bin`, servers[2]!.base), {
        method: 'PUT',
        headers: { authorization: AUTH, 'content-length': String(100 * MB), 'content-type': 'application/octet-stream' },
      });
      const ended = new Promise<number | Error>((resolve) => {
        req.on('response', (res) => resolve(res.statusCode ?? 0));
        req.on('error', resolve);
      });
      for (let i = 0; i < 24; i++) if (!req.write(piece)) await new Promise((r) => req.once('drain', r));
      await until('a multipart upload in the bucket', async () => ((await view.leftovers()).some((l) => l.startsWith('upload ')) ? true : undefined), 30_000, 100);
      await servers[2]!.kill();
      expect(await ended).toBeInstanceOf(Error);
      for (let host = 0; host < 2; host++) expect((await call(host, 'GET', `${FILES}/killed.bin`)).status).toBe(404);
      // Its replacement starts on yet another empty data directory; the start-up sweep settles the dead one's leftovers.
      rmSync(dataDirs[2]!, { recursive: true, force: true });
      dataDirs[2] = mkdtempSync(path.join(os.tmpdir(), 'nimbus-host2b-'));
      await startHost(2);
      await until('the dead process\'s marker and multipart upload swept', async () => ((await view.leftovers()).length === 0 ? true : undefined), 60_000, 250);
      for (let host = 0; host < HOSTS; host++) expect((await call(host, 'PROPFIND', `${FILES}/killed.bin`, { depth: '0' })).status).toBe(404);
    }, 180_000);

    it('resumes on another process a TUS upload whose first process was killed mid-PATCH', async () => {
      const source = randomBytes(20 * MB + 5);
      const created = await call(0, 'POST', `${FILES}/`, {
        'tus-resumable': '1.0.0',
        'upload-length': String(source.length),
        'upload-metadata': `filename ${Buffer.from('resumed.bin').toString('base64')}`,
      });
      expect(created.status, created.text).toBe(201);
      const at = new URL(String(created.headers.location), servers[0]!.base).pathname;
      const req = http.request(new URL(at, servers[0]!.base), {
        method: 'PATCH',
        headers: { authorization: AUTH, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'content-length': String(source.length) },
      });
      req.on('error', () => undefined);
      // 12 MiB of 20, then the process dies: what it stored whole is where the next one resumes.
      for (let i = 0; i < 12; i++) if (!req.write(source.subarray(i * MB, (i + 1) * MB))) await new Promise((r) => req.once('drain', r));
      await new Promise((r) => setTimeout(r, 1500));
      await servers[0]!.kill();
      const head = await until('the upload answers HEAD on another process', async () => {
        const h = await call(1, 'HEAD', at, { 'tus-resumable': '1.0.0' });
        return h.status === 200 || h.status === 204 ? h : undefined;
      }, 90_000, 500);
      const offset = Number(head.headers['upload-offset']);
      expect(offset).toBeGreaterThan(0);
      expect(offset).toBeLessThanOrEqual(12 * MB);
      const rest = await until('the PATCH from the stored offset is taken', async () => {
        const p = await call(1, 'PATCH', at, { 'tus-resumable': '1.0.0', 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, source.subarray(offset));
        return p.status === 423 ? undefined : p; // the dead holder's lock, until it is found gone
      }, 90_000, 1000);
      expect(rest.status, rest.text).toBe(204);
      expect(rest.headers['upload-offset']).toBe(String(source.length));
      await startHost(0);
      kept.set('resumed.bin', sha(source));
      await expectServedEverywhere();
    }, 240_000);

    it('leaves nothing a request needed in any data directory, and in the bucket exactly what rows reference', async () => {
      for (const [i, dir] of dataDirs.entries()) {
        const held = filesUnder(dir).filter((f) => /^(blobs|staging|uploads|tus|derived)\//.test(f));
        expect(held, `data directory of host ${i}`).toEqual([]);
      }
      const referenced = [
        ...(await pgRows(schema.schema)<{ blob_id: string }>('select blob_id from nodes where blob_id is not null')),
        ...(await pgRows(schema.schema)<{ blob_id: string }>('select blob_id from file_versions')),
      ].map((r) => r.blob_id);
      expect(await view.leftovers(), 'staging markers and unfinished multipart uploads').toEqual([]);
      expect(await view.blobs()).toEqual([...new Set(referenced)].sort());
      await expectServedEverywhere();
    }, 120_000);
  });
});
