import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, type DbKind, describeEachDb } from '../helpers/app.js';
import { createPgSchema, postgresReachable, TEST_PG_URL } from '../helpers/db.js';
import { describeS3 } from '../helpers/s3.js';
import { fsView, s3View, type StoreKind, type StoreView } from './blob-store-view.js';
import { pgRows, type Rows, sqliteRows } from './db-rows.js';
import { compiledServerForFile, type RunningServer, startServer, until } from './server-process.js';

/**
 * Versioned overwrites and restores under SIGKILL, with a real server
 * process: killed while an overwrite streams, and killed at a random moment
 * amid many overwrites and restores. After a restart every file reads whole
 * at its recorded size, every version reads whole, the blobs on disk are
 * exactly those that nodes and versions hold, nothing is journaled or
 * staged, and the space size is the sum of the current files (versions are
 * outside quota). On the file store with both databases, and once on S3
 * (PostgreSQL), where the bucket must end as the data directory does: no
 * marker, no unfinished multipart upload, objects exactly the held blobs.
 */

const ADMIN = { user: 'admin', password: 'Crash-Test-Pass-1' };
const AUTH = basic(ADMIN.user, ADMIN.password);
const MB = 1024 * 1024;

const build = compiledServerForFile();
const PG_UP = await postgresReachable();

function suite(kind: DbKind, store: StoreKind): void {
  let dataDir: string;
  let env: Record<string, string>;
  let rows: Rows;
  let dropSchema: (() => Promise<void>) | undefined;
  let server: RunningServer | undefined;
  let view: StoreView;
  const dav = (name = '') => `/remote.php/dav/files/${ADMIN.user}/${name}`;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-versions-crash-'));
    view = store === 's3' ? s3View() : fsView(dataDir);
    env = { DATA_DIR: dataDir, ADMIN_USER: ADMIN.user, ADMIN_PASSWORD: ADMIN.password, ...view.env };
    if (kind === 'postgres') {
      const s = await createPgSchema();
      dropSchema = s.drop;
      env = { ...env, DATABASE_URL: TEST_PG_URL, DATABASE_SCHEMA: s.schema };
      rows = pgRows(s.schema);
    } else rows = sqliteRows(path.join(dataDir, 'nimbus.sqlite'));
    server = await startServer(build.entry, env);
  });
  afterAll(async () => {
    await server?.kill();
    await dropSchema?.();
    await view?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (method: string, url: string, headers: Record<string, string> = {}, body?: Buffer | string) => {
    const res = await request(`${server!.base}${url}`, { method, headers: { authorization: AUTH, ...headers }, body });
    return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
  };

  async function restart(): Promise<void> {
    if (server && server.child.exitCode === null && server.child.signalCode === null) await server.kill();
    server = await startServer(build.entry, env);
  }

  async function expectConsistent(): Promise<void> {
    expect(await view.leftovers(), 'staging left behind').toEqual([]);
    expect(await rows('select blob_id from blob_journal')).toEqual([]);
    const onDisk = await view.blobs();
    const held = [
      ...(await rows<{ blob_id: string }>('select blob_id from nodes where blob_id is not null')),
      ...(await rows<{ blob_id: string }>('select blob_id from file_versions')),
    ].map((r) => r.blob_id);
    expect(new Set(held).size, 'no blob is held twice').toBe(held.length);
    expect(onDisk, 'blobs on disk are exactly those nodes and versions hold').toEqual(held.sort());
    const [space] = await rows<{ size: number | string }>("select size from spaces where type = 'personal' and owner_id = ?", [ADMIN.user]);
    const [sum] = await rows<{ total: number | string | null }>("select sum(size) as total from nodes where type = 'file'");
    expect(Number(space!.size), 'quota used is the current files only').toBe(Number(sum!.total ?? 0));
    for (const f of await rows<{ name: string; size: number | string; file_id: number | string }>("select name, size, file_id from nodes where type = 'file'")) {
      const got = await call('GET', dav(f.name));
      expect(got.status, f.name).toBe(200);
      expect(got.body.length, f.name).toBe(Number(f.size));
      for (const v of await rows<{ revision: number | string; size: number | string }>('select v.revision, v.size from file_versions v join nodes n on n.id = v.node_id where n.file_id = ?', [f.file_id])) {
        const version = await call('GET', `/remote.php/dav/versions/${ADMIN.user}/versions/${f.file_id}/${v.revision}`);
        expect(version.status, `${f.name} v${v.revision}`).toBe(200);
        expect(version.body.length, `${f.name} v${v.revision}`).toBe(Number(v.size));
      }
    }
  }

  it('an overwrite killed while its body streams leaves the file and its versions as they were', async () => {
    const original = randomBytes(3000);
    expect((await call('PUT', dav('doc.bin'), {}, original)).status).toBe(201);
    expect((await call('PUT', dav('doc.bin'), {}, randomBytes(2000))).status).toBe(204);
    const before = await rows('select node_id, revision, blob_id from file_versions order by revision');
    expect(before).toHaveLength(1);

    const req = http.request(new URL(dav('doc.bin'), server!.base), { method: 'PUT', headers: { authorization: AUTH, 'content-length': String(100 * MB) } });
    req.on('error', () => {});
    const piece = randomBytes(MB);
    for (let i = 0; i < 16; i++) if (!req.write(piece)) await new Promise((r) => req.once('drain', r));
    await until('the overwrite to be staging', async () => ((await view.leftovers()).length ? true : undefined), 30_000, 20);
    await server!.kill();
    await restart();
    expect(await rows('select node_id, revision, blob_id from file_versions order by revision')).toEqual(before);
    expect((await call('GET', dav('doc.bin'))).body.length).toBe(2000);
    await expectConsistent();
  });

  it('killed at a random moment amid overwrites and restores: every file and version still reads whole', async () => {
    const names = ['p.bin', 'q.bin', 'r.bin', 's.bin'];
    for (const n of names) expect((await call('PUT', dav(n), {}, randomBytes(500))).status).toBe(201);
    let stop = false;
    const worker = async (name: string) => {
      for (let i = 0; !stop; i++) {
        try {
          if (i % 4 === 3) {
            const listing = await call('PROPFIND', `/remote.php/dav/versions/${ADMIN.user}/versions/${(await rows<{ file_id: number }>('select file_id from nodes where name = ?', [name]))[0]!.file_id}`, { depth: '1' });
            // The last listed: an earlier version (the current content is listed first).
            const rev = [...listing.body.toString().matchAll(/\/(\d+)<\/d:href>/g)].pop()?.[1];
            if (rev) {
              const fileId = (await rows<{ file_id: number }>('select file_id from nodes where name = ?', [name]))[0]!.file_id;
              await call('MOVE', `/remote.php/dav/versions/${ADMIN.user}/versions/${fileId}/${rev}`, { destination: `/remote.php/dav/versions/${ADMIN.user}/restore/target` });
            }
          } else await call('PUT', dav(name), { 'x-oc-mtime': String(1_600_000_000 + i) }, randomBytes(200 + ((i * 37) % 900)));
        } catch {
          return; // the server is gone
        }
      }
    };
    const running = names.map(worker);
    await new Promise((r) => setTimeout(r, 700 + Math.floor(Math.random() * 800)));
    await server!.kill();
    stop = true;
    await Promise.all(running);
    await restart();
    expect(Number((await rows<{ n: number | string }>('select count(*) as n from file_versions'))[0]!.n)).toBeGreaterThan(0);
    await expectConsistent();
  });
}

describeEachDb('crash safety of versioned overwrites', (kind: DbKind) => suite(kind, 'fs'));
// On S3 once, on PostgreSQL (what several hosts share): the bucket must end as the data directory does.
describeS3('crash safety of versioned overwrites on S3', () => {
  describe.skipIf(!PG_UP)('[postgres]', () => suite('postgres', 's3'));
});
