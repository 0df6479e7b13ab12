import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, rename, stat, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { basic, type DbKind, describeEachDb } from '../helpers/app.js';
import { createPgSchema, TEST_PG_URL } from '../helpers/db.js';
import { compiledServerForFile, type RunningServer, startServer, until } from './server-process.js';
import { processHost } from '../../src/storage/process-host.js';

/**
 * The blob store's promise, tested the only honest way: a real server
 * process SIGKILLed while bytes stream (a PUT, a chunk assembly), then
 * restarted on the same data directory and database. Nothing half-written
 * may become visible, nothing may leak on disk, and quota must still be the
 * exact sum of the files.
 */

const ADMIN = { user: 'admin', password: 'Crash-Test-Pass-1' };
const AUTH = basic(ADMIN.user, ADMIN.password);
const MB = 1024 * 1024;
const BIG = 200 * MB;
const PIECE = randomBytes(MB);

const build = compiledServerForFile();

/** The database behind the server, opened by the test only for as long as one call. */
interface Inspector {
  rows<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

function sqliteInspector(file: string): Inspector {
  return {
    async rows<T>(sql: string, params: unknown[] = []) {
      const readonly = /^\s*select/i.test(sql);
      const db = new Database(file, { readonly, fileMustExist: true });
      try {
        const stmt = db.prepare(sql);
        return (readonly ? stmt.all(...params) : (stmt.run(...params), [])) as T[];
      } finally {
        db.close();
      }
    },
  };
}

function pgInspector(schema: string): Inspector {
  return {
    async rows<T>(sql: string, params: unknown[] = []) {
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      try {
        await client.query(`set search_path to ${schema}`);
        let n = 0;
        return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
      } finally {
        await client.end();
      }
    },
  };
}

async function filesUnder(dir: string): Promise<Array<{ file: string; size: number }>> {
  const out: Array<{ file: string; size: number }> = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else {
      // A staging file may be renamed or removed between the listing and the stat.
      const s = await stat(p).catch(() => null);
      if (s) out.push({ file: p, size: s.size });
    }
  }
  return out;
}

/** Hundreds of megabytes, a kill and a restart: far more than the default on a loaded machine. */
const HEAVY = 120_000;

describeEachDb('crash safety: a SIGKILLed server leaves nothing half-done', (kind: DbKind) => {
  let dataDir: string;
  let env: Record<string, string>;
  let db: Inspector;
  let dropSchema: (() => Promise<void>) | undefined;
  let server: RunningServer | undefined;
  /** name → size of every file that must exist. */
  const files = new Map<string, number>();
  const dav = (name = '') => `/remote.php/dav/files/${ADMIN.user}/${name}`;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-crash-'));
    env = { DATA_DIR: dataDir, ADMIN_USER: ADMIN.user, ADMIN_PASSWORD: ADMIN.password };
    if (kind === 'postgres') {
      const s = await createPgSchema();
      dropSchema = s.drop;
      env = { ...env, DATABASE_URL: TEST_PG_URL, DATABASE_SCHEMA: s.schema };
      db = pgInspector(s.schema);
    } else {
      db = sqliteInspector(path.join(dataDir, 'nimbus.sqlite'));
    }
    server = await startServer(build.entry, env);
  });
  afterAll(async () => {
    await server?.kill();
    await dropSchema?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (method: string, url: string, headers: Record<string, string> = {}, body?: Buffer | string) => {
    const res = await request(`${server!.base}${url}`, { method, headers: { authorization: AUTH, ...headers }, body });
    return { status: res.statusCode, text: await res.body.text() };
  };

  async function restart(): Promise<void> {
    if (server && server.child.exitCode === null && server.child.signalCode === null) await server.kill();
    server = await startServer(build.entry, env);
  }

  /** The invariants every restart must restore. */
  async function expectConsistent(): Promise<void> {
    expect(await filesUnder(path.join(dataDir, 'staging')), 'staging files left behind').toEqual([]);
    const onDisk = (await filesUnder(path.join(dataDir, 'blobs'))).map((f) => path.basename(f.file)).sort();
    const referenced = (await db.rows<{ blob_id: string }>('select blob_id from nodes where blob_id is not null')).map((r) => r.blob_id).sort();
    expect(onDisk, 'blobs on disk are exactly the blobs rows reference').toEqual(referenced);
    expect(await db.rows('select blob_id, owner from blob_journal')).toEqual([]);

    const expected = [...files.values()].reduce((a, b) => a + b, 0);
    const [space] = await db.rows<{ size: number | string }>(
      "select size from spaces where type = 'personal' and owner_id = ?",
      [ADMIN.user],
    );
    expect(Number(space!.size), 'the space row size').toBe(expected);
    const [sum] = await db.rows<{ total: number | string | null }>("select sum(size) as total from nodes where type = 'file'");
    expect(Number(sum!.total ?? 0), 'the sum of file rows').toBe(expected);
    const root = await call('PROPFIND', dav(), { depth: '0', 'content-type': 'application/xml' }, '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:quota-used-bytes/></d:prop></d:propfind>');
    expect(root.status).toBe(207);
    expect(root.text).toContain(`<d:quota-used-bytes>${expected}</d:quota-used-bytes>`);
    for (const [name, size] of files) {
      const head = await call('HEAD', dav(name));
      expect(head.status, name).toBe(200);
      const [row] = await db.rows<{ size: number | string }>('select size from nodes where name = ?', [name]);
      expect(Number(row!.size), name).toBe(size);
    }
  }

  async function expectAbsent(name: string): Promise<void> {
    expect((await call('GET', dav(name))).status).toBe(404);
    expect((await call('PROPFIND', dav(name), { depth: '0' })).status).toBe(404);
    expect(await db.rows('select id from nodes where name = ?', [name])).toEqual([]);
  }

  /** The first staging file at least `min` bytes long (and, with `max`, shorter than that). */
  const stagingAt = (min: number, max = Infinity) => async () => (await filesUnder(path.join(dataDir, 'staging'))).find((f) => f.size >= min && f.size < max);

  it('keeps a few small files as the baseline', async () => {
    for (const [name, size] of [['a.txt', 1000], ['b.bin', 2345], ['c', 7]] as const) {
      expect((await call('PUT', dav(name), { 'content-type': 'application/octet-stream' }, randomBytes(size))).status).toBe(201);
      files.set(name, size);
    }
    await expectConsistent();
  });

  it('A: a PUT killed while its body streams leaves no file, no staging file and no blob', async () => {
    const url = new URL(dav('big.bin'), server!.base);
    const req = http.request(url, { method: 'PUT', headers: { authorization: AUTH, 'content-length': String(BIG), 'content-type': 'application/octet-stream' } });
    const ended = new Promise<number | Error>((resolve) => {
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('error', resolve);
    });
    // 32 MB of the 200 announced, then nothing: the server can only be mid-write when it dies.
    for (let i = 0; i < 32; i++) if (!req.write(PIECE)) await new Promise((r) => req.once('drain', r));
    const partial = await until('the staged PUT body to pass 24 MB', stagingAt(24 * MB));
    await server!.kill();
    expect(await ended).toBeInstanceOf(Error);
    expect(existsSync(partial.file), 'the killed process left its staging file').toBe(true);

    await restart();
    await expectAbsent('big.bin');
    await expectConsistent();
  }, HEAVY);

  it('B: a chunk assembly killed mid-copy leaves no file; the chunks stay for the client to retry', async () => {
    const chunk = Buffer.concat(Array.from({ length: 50 }, () => PIECE));
    const destination = dav('assembled.bin');
    let upload = '';
    // Chunks under zero-padded names keep files of their own, so the assembly copies them (chunks
    // numbered 1, 2, … lie in place and assemble without a copy: uploads-in-place.test.ts).
    const name = (i: number) => String(i).padStart(4, '0');
    // The assembly copies from disk (~0.7 s for 200 MB here) and cannot be held back like a request
    // body: the kill must land inside that window. A test process starved for the whole of it
    // would see the MOVE finish instead; then the file is kept, deleted, and the race run again.
    for (let attempt = 1; ; attempt++) {
      upload = `/remote.php/dav/uploads/${ADMIN.user}/crash-${randomBytes(4).toString('hex')}`;
      expect((await call('MKCOL', upload, { destination, 'oc-total-length': String(BIG) })).status).toBe(201);
      for (let i = 1; i <= 4; i++) expect((await call('PUT', `${upload}/${name(i)}`, { 'content-type': 'application/octet-stream' }, chunk)).status).toBe(201);

      let settled = false;
      const move = call('MOVE', `${upload}/.file`, { destination, 'oc-total-length': String(BIG) }).then(
        (res) => ((settled = true), res),
        (err: Error) => err,
      );
      // Killed while well short of the end, so the kill lands before the rename can.
      const stagingSmall = stagingAt(4 * MB, BIG / 2);
      const partial = await until('the assembly to stage 4 MB', async () => (settled ? null : await stagingSmall()), 15_000, 0);
      if (partial) await server!.kill();
      const outcome = await move;
      if (partial && outcome instanceof Error) break;
      expect(outcome, 'the MOVE answered').not.toBeInstanceOf(Error);
      expect(attempt, 'the kill never landed inside the assembly').toBeLessThan(3);
      // Killed just after the answer was sent: the file is complete, which is fine too.
      if (partial) await restart();
      expect((await call('DELETE', destination)).status).toBe(204);
    }

    await restart();
    await expectAbsent('assembled.bin');
    await expectConsistent();

    // What a client does next: PROPFIND the upload folder, find every chunk, MOVE again.
    const listing = await call('PROPFIND', upload, { depth: '1' });
    expect(listing.status).toBe(207);
    for (let i = 1; i <= 4; i++) expect(listing.text).toContain(`${upload}/${name(i)}<`);
    expect((await call('MOVE', `${upload}/.file`, { destination, 'oc-total-length': String(BIG) })).status).toBe(201);
    files.set('assembled.bin', BIG);
    expect((await call('PROPFIND', upload, { depth: '0' })).status).toBe(404);
    await expectConsistent();
  }, HEAVY);

  it('C: journal entries and staging folders of dead owners are settled at start; live and referenced ones are not', async () => {
    await server!.stop();
    const host = processHost;
    // A pid nothing runs under (checked the way the store checks it).
    let deadPid = 4_194_000;
    while (alive(deadPid)) deadPid--;
    const day = 24 * 3600 * 1000;
    const blobFile = async (id: string) => {
      const dir = path.join(dataDir, 'blobs', id.slice(0, 2), id.slice(2, 4));
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, id), 'orphan');
      return path.join(dir, id);
    };
    const newId = () => randomBytes(16).toString('hex');
    const [kept] = await db.rows<{ blob_id: string }>('select blob_id from nodes where name = ?', ['a.txt']);
    const entries = {
      deadLocal: { id: newId(), owner: `${host}~${deadPid}~deadbeef0000`, at: Date.now() },
      oldForeign: { id: newId(), owner: 'otherhost~1~cafecafe0000', at: Date.now() - day - 60_000 },
      youngForeign: { id: newId(), owner: 'otherhost~1~feedfeed0000', at: Date.now() },
      referenced: { id: kept!.blob_id, owner: `${host}~${deadPid}~deadbeef0000`, at: Date.now() },
    };
    const paths: Record<string, string> = {};
    for (const [key, e] of Object.entries(entries)) {
      if (key !== 'referenced') paths[key] = await blobFile(e.id);
      await db.rows('insert into blob_journal (blob_id, owner, created_at) values (?, ?, ?)', [e.id, e.owner, e.at]);
    }
    const stagingDir = async (owner: string, ageMs: number, fileAgeMs = ageMs) => {
      const dir = path.join(dataDir, 'staging', owner);
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, newId());
      await writeFile(file, 'half');
      const ago = (ms: number) => new Date(Date.now() - ms);
      await utimes(file, ago(fileAgeMs), ago(fileAgeMs));
      await utimes(dir, ago(ageMs), ago(ageMs));
      return dir;
    };
    const deadStaging = await stagingDir(entries.deadLocal.owner, 0);
    const oldStaging = await stagingDir(entries.oldForeign.owner, day + 60_000);
    const youngStaging = await stagingDir(entries.youngForeign.owner, 0);
    // Another host's upload that began over a day ago and is still receiving bytes.
    const busyStaging = await stagingDir('otherhost~2~beefbeef0000', day + 60_000, 0);
    const stray = path.join(dataDir, 'staging', 'not-a-folder');
    await writeFile(stray, '');

    await restart();
    expect(existsSync(paths.deadLocal!)).toBe(false);
    expect(existsSync(paths.oldForeign!)).toBe(false);
    expect(existsSync(deadStaging)).toBe(false);
    expect(existsSync(oldStaging)).toBe(false);
    // Another host's process may still be writing: a day's grace before its work is touched.
    expect(existsSync(paths.youngForeign!)).toBe(true);
    expect(existsSync(youngStaging)).toBe(true);
    expect(existsSync(busyStaging)).toBe(true);
    expect(existsSync(stray), 'what is not a staging folder is left alone').toBe(true);
    expect((await db.rows<{ blob_id: string }>('select blob_id from blob_journal')).map((r) => r.blob_id)).toEqual([entries.youngForeign.id]);
    // A journaled blob a row still uses is only unjournaled, never deleted.
    expect((await call('GET', dav('a.txt'))).status).toBe(200);

    // That other host settles its own work; what is left must be the plain invariants.
    for (const p of [youngStaging, busyStaging, stray]) rmSync(p, { recursive: true });
    rmSync(paths.youngForeign!);
    await db.rows('delete from blob_journal where blob_id = ?', [entries.youngForeign.id]);
    await expectConsistent();
  }, HEAVY);

  it('D: a live process whose staging folder was swept away (by another host, by hand) still takes uploads', async () => {
    expect((await call('PUT', dav('before.txt'), {}, 'one')).status).toBe(201);
    rmSync(path.join(dataDir, 'staging'), { recursive: true });
    expect((await call('PUT', dav('after.txt'), {}, 'two')).status).toBe(201);
    expect((await call('COPY', dav('after.txt'), { destination: dav('copied.txt') })).status).toBe(201);
    for (const [name, size] of [['before.txt', 3], ['after.txt', 3], ['copied.txt', 3]] as const) files.set(name, size);
    await expectConsistent();
  });

  it('E: a write killed after its row committed but before its bytes moved into place is read from staging, and moved into place at start', async () => {
    expect((await call('PUT', dav('window.txt'), {}, 'committed bytes')).status).toBe(201);
    files.set('window.txt', 15);
    const [row] = await db.rows<{ blob_id: string }>('select blob_id from nodes where name = ?', ['window.txt']);
    const id = row!.blob_id;
    const blobPath = path.join(dataDir, 'blobs', id.slice(0, 2), id.slice(2, 4), id);
    let deadPid = 4_194_000;
    while (alive(deadPid)) deadPid--;
    // The file as the killed writer left it: still in its staging folder, its row already committed.
    const staging = path.join(dataDir, 'staging', `${processHost}~${deadPid}~0123456789ab`);
    await mkdir(staging, { recursive: true });
    await rename(blobPath, path.join(staging, id));
    const during = await call('GET', dav('window.txt'));
    expect(during.status).toBe(200);
    expect(during.text).toBe('committed bytes');

    await restart();
    expect(existsSync(blobPath)).toBe(true);
    expect(existsSync(staging)).toBe(false);
    expect((await call('GET', dav('window.txt'))).text).toBe('committed bytes');
    await expectConsistent();
  }, HEAVY);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
