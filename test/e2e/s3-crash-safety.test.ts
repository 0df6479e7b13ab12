import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Settings } from '../../src/config.js';
import { s3ClientFor } from '../../src/storage/s3/s3-client.js';
import { S3Keys } from '../../src/storage/s3/s3-keys.js';
import { basic } from '../helpers/app.js';
import { createPgSchema, postgresReachable, TEST_PG_URL } from '../helpers/db.js';
import { describeS3, emptyPrefix, s3Env, s3Settings } from '../helpers/s3.js';
import { pgRows } from './db-rows.js';
import { compiledServerForFile, type RunningServer, startServer, until } from './server-process.js';

/**
 * The S3 store's promise tested as crash-safety.test.ts tests the file
 * store's: a real server process on PostgreSQL and the RADOS Gateway,
 * SIGKILLed while a PUT streams into a multipart upload, then restarted.
 * Nothing may be visible, and nothing may stay in the bucket: no object
 * without a row, no marker, no unfinished multipart upload.
 */

const ADMIN = { user: 'admin', password: 'Crash-Test-Pass-1' };
const AUTH = basic(ADMIN.user, ADMIN.password);
const MB = 1024 * 1024;
const PIECE = randomBytes(MB);
const PG_UP = await postgresReachable();

describeS3('crash safety on S3', () => {
  describe.skipIf(!PG_UP)('a SIGKILLed server leaves nothing visible and nothing in the bucket [postgres]', () => {
    const build = compiledServerForFile();
    let dataDir: string;
    let env: Record<string, string>;
    let schema: { schema: string; drop(): Promise<void> };
    let settings: S3Settings;
    let server: RunningServer | undefined;
    const files = new Map<string, number>();
    const dav = (name = '') => `/remote.php/dav/files/${ADMIN.user}/${name}`;

    beforeAll(async () => {
      dataDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-s3-crash-'));
      schema = await createPgSchema();
      settings = s3Settings();
      env = {
        DATA_DIR: dataDir,
        ADMIN_USER: ADMIN.user,
        ADMIN_PASSWORD: ADMIN.password,
        DATABASE_URL: TEST_PG_URL,
        DATABASE_SCHEMA: schema.schema,
        ...s3Env(settings.prefix),
      };
      server = await startServer(build.entry, env);
    });
    afterAll(async () => {
      await server?.kill();
      await schema?.drop();
      if (settings) await emptyPrefix(settings.prefix);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    const call = async (method: string, url: string, headers: Record<string, string> = {}, body?: Buffer | string) => {
      const res = await request(`${server!.base}${url}`, { method, headers: { authorization: AUTH, ...headers }, body });
      return { status: res.statusCode, text: await res.body.text() };
    };

    const rows = <T>(sql: string): Promise<T[]> => pgRows(schema.schema)<T>(sql);

    async function bucket(): Promise<{ blobs: string[]; markers: string[]; uploads: string[] }> {
      const client = s3ClientFor(settings);
      const keys = new S3Keys(settings.prefix);
      const listed = await client.send(new ListObjectsV2Command({ Bucket: settings.bucket, Prefix: settings.prefix }));
      const all = (listed.Contents ?? []).map((o) => o.Key!);
      const uploads = ((await client.send(new ListMultipartUploadsCommand({ Bucket: settings.bucket, Prefix: settings.prefix }))).Uploads ?? []).map((u) => u.Key!);
      client.destroy();
      return {
        blobs: all.map((k) => keys.blobIdOf(k)).filter((id): id is string => id !== null).sort(),
        markers: all.filter((k) => k.startsWith(keys.staging)),
        uploads,
      };
    }

    async function expectConsistent(): Promise<void> {
      const b = await bucket();
      expect(b.markers, 'staging markers left behind').toEqual([]);
      expect(b.uploads, 'unfinished multipart uploads left behind').toEqual([]);
      const referenced = [
        ...(await rows<{ blob_id: string }>('select blob_id from nodes where blob_id is not null')),
        ...(await rows<{ blob_id: string }>('select blob_id from file_versions')),
      ].map((r) => r.blob_id);
      expect(b.blobs, 'objects in the bucket are exactly the blobs rows reference').toEqual(referenced.sort());
      expect(await rows('select blob_id from blob_journal')).toEqual([]);
      const [space] = await rows<{ size: string }>(`select size from spaces where type = 'personal' and owner_id = '${ADMIN.user}'`);
      expect(Number(space!.size)).toBe([...files.values()].reduce((a, c) => a + c, 0));
      for (const [name, size] of files) {
        const got = await request(`${server!.base}${dav(name)}`, { headers: { authorization: AUTH } });
        expect(got.statusCode, name).toBe(200);
        expect((await got.body.arrayBuffer()).byteLength, name).toBe(size);
      }
    }

    it('keeps a small and a multipart-sized file as the baseline', async () => {
      for (const [name, size] of [['a.txt', 1000], ['b.bin', 20 * MB + 17]] as const) {
        expect((await call('PUT', dav(name), { 'content-type': 'application/octet-stream' }, randomBytes(size))).status).toBe(201);
        files.set(name, size);
      }
      await expectConsistent();
    }, 120_000);

    it('a PUT killed while its parts stream leaves no file, no object, no marker and no multipart upload after the restart', async () => {
      const req = http.request(new URL(dav('big.bin'), server!.base), {
        method: 'PUT',
        headers: { authorization: AUTH, 'content-length': String(200 * MB), 'content-type': 'application/octet-stream' },
      });
      const ended = new Promise<number | Error>((resolve) => {
        req.on('response', (res) => resolve(res.statusCode ?? 0));
        req.on('error', resolve);
      });
      // 40 MB of the 200 announced, then nothing: the server can only be mid-upload when it dies.
      for (let i = 0; i < 40; i++) if (!req.write(PIECE)) await new Promise((r) => req.once('drain', r));
      await until('a multipart upload in the bucket', async () => ((await bucket()).uploads.length ? true : undefined), 30_000, 100);
      await server!.kill();
      expect(await ended).toBeInstanceOf(Error);
      const left = await bucket();
      expect(left.markers.length, 'the killed process left its marker').toBe(1);
      expect(left.uploads.length, 'and its unfinished multipart upload').toBe(1);

      server = await startServer(build.entry, env);
      expect((await call('GET', dav('big.bin'))).status).toBe(404);
      expect((await call('PROPFIND', dav('big.bin'), { depth: '0' })).status).toBe(404);
      await expectConsistent();
    }, 180_000);

    it('a restarted server serves ranges of the files that were complete', async () => {
      const res = await request(`${server!.base}${dav('b.bin')}`, { headers: { authorization: AUTH, range: `bytes=${20 * MB}-${20 * MB + 16}` } });
      expect(res.statusCode).toBe(206);
      expect((await res.body.arrayBuffer()).byteLength).toBe(17);
    });
  });
});
