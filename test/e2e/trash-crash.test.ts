import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, type DbKind, describeEachDb } from '../helpers/app.js';
import { createPgSchema, postgresReachable, TEST_PG_URL } from '../helpers/db.js';
import { describeS3 } from '../helpers/s3.js';
import { fsView, s3View, type StoreKind, type StoreView } from './blob-store-view.js';
import { pgRows, type Rows, sqliteRows } from './db-rows.js';
import { compiledServerForFile, type RunningServer, startServer } from './server-process.js';

/**
 * The trash bin's promise under SIGKILL: a restore of a 10,000-entry folder
 * and an empty-trash of 1,000 items each run as one transaction, so a real
 * server process killed at any moment during them leaves every item wholly
 * in the trash or wholly out of it; after a restart the blobs on disk are
 * exactly those rows hold and the quota is the sum of the live files. On the
 * file store with both databases, and once on S3 (PostgreSQL).
 */

const ADMIN = { user: 'admin', password: 'Crash-Test-Pass-1' };
const AUTH = basic(ADMIN.user, ADMIN.password);
const BIG = 10_000;

const build = compiledServerForFile();
const PG_UP = await postgresReachable();

function suite(kind: DbKind, store: StoreKind): void {
  // On S3 each purged blob is a request or two: fewer items keep the run in bounds.
  const ITEMS = store === 's3' ? 300 : 1_000;
  let dataDir: string;
  let env: Record<string, string>;
  let rows: Rows;
  let dropSchema: (() => Promise<void>) | undefined;
  let server: RunningServer | undefined;
  let view: StoreView;

  const call = async (method: string, url: string, headers: Record<string, string> = {}, body?: string) => {
    const res = await request(`${server!.base}${url}`, { method, headers: { authorization: AUTH, ...headers }, body });
    return { status: res.statusCode, text: await res.body.text() };
  };
  const restart = async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) await server.kill();
    server = await startServer(build.entry, env);
  };
  const count = async (sql: string, params: unknown[] = []) => Number((await rows<{ n: number | string }>(sql, params))[0]!.n);

  /** Every restart must leave: blobs exactly those rows hold, nothing journaled, the space's size the sum of its live files. */
  async function expectConsistent(): Promise<void> {
    const onDisk = await view.blobs();
    const held = (await rows<{ blob_id: string }>('select blob_id from nodes where blob_id is not null union all select blob_id from trash_nodes where blob_id is not null')).map((r) => r.blob_id).sort();
    expect(onDisk, 'blobs on disk are exactly those live and trashed rows hold').toEqual(held);
    expect(await rows('select blob_id from blob_journal')).toEqual([]);
    const [space] = await rows<{ size: number | string }>("select size from spaces where id = 'admin'");
    expect(Number(space!.size)).toBe(await count("select coalesce(sum(size), 0) as n from nodes where space_id = 'admin' and type = 'file'"));
    // Every trashed row belongs to an item, every item has its node.
    expect(await count('select count(*) as n from trash_nodes t left join trash_items i on i.id = t.item_id where i.id is null')).toBe(0);
    expect(await count('select count(*) as n from trash_items i left join trash_nodes t on t.id = i.node_id where t.id is null')).toBe(0);
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-trash-crash-'));
    view = store === 's3' ? s3View() : fsView(dataDir);
    env = { DATA_DIR: dataDir, ADMIN_USER: ADMIN.user, ADMIN_PASSWORD: ADMIN.password, ...view.env };
    if (kind === 'postgres') {
      const s = await createPgSchema();
      dropSchema = s.drop;
      env = { ...env, DATABASE_URL: TEST_PG_URL, DATABASE_SCHEMA: s.schema };
      rows = pgRows(s.schema);
    } else rows = sqliteRows(path.join(dataDir, 'nimbus.sqlite'));
    // A first start makes the schema and the admin; the big folder is then written while no process runs.
    server = await startServer(build.entry, env);
    await server.kill();
    const now = Date.now();
    await rows(`insert into nodes (id, file_id, space_id, parent_id, name, path, type, size, mtime, etag, mime_type, checksums, blob_id, created_at) values ('big', 50000000, 'admin', 'admin', 'big', 'big', 'folder', ${BIG}, ${now}, 'e', 'httpd/unix-directory', null, null, ${now})`);
    for (let i = 0; i < BIG; i += 1000) {
      const values = Array.from({ length: 1000 }, (_, j) => `('big-${i + j}', ${50000001 + i + j}, 'admin', 'big', 'f${i + j}.txt', 'big/f${i + j}.txt', 'file', 1, ${now}, 'e${i + j}', 'text/plain', null, null, ${now})`);
      await rows(`insert into nodes (id, file_id, space_id, parent_id, name, path, type, size, mtime, etag, mime_type, checksums, blob_id, created_at) values ${values.join(',')}`);
    }
    await rows(`update spaces set size = size + ${BIG} where id = 'admin'`);
    // The trash the empty-trash test purges, written the same way: deleted files, each with its blob in the store.
    const deletedAt = Math.floor(now / 1000);
    for (let i = 0; i < ITEMS; i += 500) {
      const ids = Array.from({ length: Math.min(500, ITEMS - i) }, (_, j) => i + j);
      const blobOf = (k: number) => (0x10000000 + k).toString(16).padStart(32, 'a');
      for (let at = 0; at < ids.length; at += 25) await Promise.all(ids.slice(at, at + 25).map((k) => view.putBlob(blobOf(k), `bytes of t-${k}.txt`)));
      await rows(`insert into trash_items (id, space_id, node_id, original_path, trash_name, deleted_at, deleted_by) values ${ids.map((k) => `('item-${k}', 'admin', 'gone-${k}', 't-${k}.txt', 't-${k}.txt.d${deletedAt}', ${now}, 'admin')`).join(',')}`);
      await rows(
        `insert into trash_nodes (id, item_id, file_id, space_id, parent_id, name, path, type, size, mtime, etag, mime_type, checksums, blob_id, created_at) values ${ids
          .map((k) => `('gone-${k}', 'item-${k}', ${60000000 + k}, 'admin', 'admin', 't-${k}.txt', 't-${k}.txt', 'file', ${`bytes of t-${k}.txt`.length}, ${now}, 'g${k}', 'text/plain', null, '${blobOf(k)}', ${now})`)
          .join(',')}`,
      );
    }
    server = await startServer(build.entry, env);
  }, 120_000);
  afterAll(async () => {
    await server?.kill();
    await dropSchema?.();
    await view?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('a restore of a 10,000-entry folder killed at any moment is all or nothing', async () => {
    const outcomes: string[] = [];
    for (const delay of [0, 5, 15, 40, 80, 250, 800]) {
      expect((await call('DELETE', '/remote.php/dav/files/admin/big')).status).toBe(204);
      const [item] = await rows<{ trash_name: string }>("select trash_name from trash_items where original_path = 'big'");
      const url = `${server!.base}/remote.php/dav/trashbin/admin/trash/${item!.trash_name}`;
      const pending = request(url, { method: 'MOVE', headers: { authorization: AUTH, destination: `${server!.base}/remote.php/dav/trashbin/admin/restore/${item!.trash_name}` } }).then((r) => r.statusCode, () => 'killed');
      await new Promise((r) => setTimeout(r, delay));
      await server!.kill();
      const answered = await pending;
      await restart();
      const live = await count("select count(*) as n from nodes where space_id = 'admin' and (path = 'big' or path like 'big/%')");
      const trashed = await count("select count(*) as n from trash_nodes t join trash_items i on i.id = t.item_id where i.original_path = 'big'");
      expect([live, trashed].sort((a, b) => a - b), `after a kill ${delay} ms in`).toEqual([0, BIG + 1]);
      if (answered === 201) expect(live).toBe(BIG + 1);
      outcomes.push(`${delay} ms: ${live ? 'restored' : 'still in the trash'} (${answered})`);
      await expectConsistent();
      // Both outcomes seen: later kills can only restore too.
      if (live && outcomes.some((o) => o.includes('still in the trash'))) break;
      if (!live) {
        const retry = await call('MOVE', `/remote.php/dav/trashbin/admin/trash/${item!.trash_name}`, { destination: `${server!.base}/remote.php/dav/trashbin/admin/restore/${item!.trash_name}` });
        expect(retry.status, retry.text).toBe(201);
      }
    }
    console.log(`[${kind}, ${store}] restore killed: ${outcomes.join('; ')}`);
  }, 240_000);

  it(`an empty-trash of ${ITEMS.toLocaleString('en')} items killed at any moment purges all of them or none`, async () => {
    const before = await count('select count(*) as n from trash_items');
    expect(before).toBeGreaterThanOrEqual(ITEMS);
    const outcomes: string[] = [];
    // Later and later kills of the same empty-trash, until one lets it finish: each must leave all items or none.
    for (const delay of [0, 20, 60, 150, 400, 1000, 3000]) {
      const pending = request(`${server!.base}/remote.php/dav/trashbin/admin/trash`, { method: 'DELETE', headers: { authorization: AUTH } }).then((r) => r.statusCode, () => 'killed');
      await new Promise((r) => setTimeout(r, delay));
      await server!.kill();
      const answered = await pending;
      await restart();
      const left = await count('select count(*) as n from trash_items');
      expect([0, before], `after a kill ${delay} ms in`).toContain(left);
      if (answered === 204) expect(left).toBe(0);
      outcomes.push(`${delay} ms: ${left ? 'all kept' : 'all purged'} (${answered})`);
      await expectConsistent();
      if (!left) break;
    }
    console.log(`[${kind}, ${store}] empty-trash killed: ${outcomes.join('; ')}`);
    expect(outcomes.some((o) => o.includes('all purged'))).toBe(true);
  }, 300_000);
}

describeEachDb('crash safety of the trash bin: SIGKILL during a restore or an empty-trash', (kind: DbKind) => suite(kind, 'fs'));
// On S3 once, on PostgreSQL (what several hosts share): the purged blobs are objects, removed after the commit or by the restart's settling.
describeS3('crash safety of the trash bin on S3', () => {
  describe.skipIf(!PG_UP)('[postgres]', () => suite('postgres', 's3'));
});
