import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { basic, type Check, type Credentials, load, type Result, type Scenario, type ServerHandle } from '../lib.js';
import { BENCH_PG_URL, benchSchema } from '../pg.js';

const FILES = Number(process.env.BENCH_SEARCH_FILES ?? 100_000);
const FOLDERS = 1000;
const FAVORITES = Math.min(FILES, 10_000);
/** Matches document-4242.txt, document-14242.txt, …: a handful of hits among all files. */
const NEEDLE = '-4242';
/** Runs of the SQL-level comparison, index against scan. */
const SQL_RUNS = 40;

const searchBody = (user: string, literal: string) => `<?xml version="1.0"?>
<d:searchrequest xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:basicsearch>
<d:select><d:prop><d:displayname/><oc:fileid/><d:getcontentlength/></d:prop></d:select>
<d:from><d:scope><d:href>/files/${user}</d:href><d:depth>infinity</d:depth></d:scope></d:from>
<d:where><d:like><d:prop><d:displayname/></d:prop><d:literal>${literal}</d:literal></d:like></d:where>
<d:limit><d:nresults>50</d:nresults></d:limit></d:basicsearch></d:searchrequest>`;

/** What ownCloud Web's search box sends (web-client builders.ts, useSearch.ts). */
const searchFilesBody = (term: string) => `<?xml version="1.0"?>
<oc:search-files xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:fileid/><oc:name/></d:prop>
<oc:search><oc:pattern>name:"*${term}*"</oc:pattern><oc:limit>50</oc:limit></oc:search></oc:search-files>`;

const FAVORITES_BODY = `<?xml version="1.0"?>
<oc:filter-files xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><d:getlastmodified/><d:getetag/><oc:fileid/><oc:favorite/><d:getcontentlength/></d:prop>
<oc:filter-rules><oc:favorite>1</oc:favorite></oc:filter-rules></oc:filter-files>`;

/** Inserts rows of one table; each database writes them in one transaction. */
type RowWriter = (table: string, columns: string[], rows: unknown[][]) => Promise<void>;

/**
 * 100,000 files in 1,000 folders of the admin's personal space and the first
 * FAVORITES of them marked favourite, written straight into the database the
 * server runs on (uploading them takes minutes, and the search is what is
 * measured). File ids come from the server's own counter, so later writes
 * do not collide; the files have no content (the bench never reads it).
 */
async function seed(user: string, allocateFileIds: (n: number) => Promise<number>, write: RowWriter): Promise<number> {
  const t0 = performance.now();
  const now = Date.now();
  const perFolder = Math.ceil(FILES / FOLDERS);
  let fileId = await allocateFileIds(FOLDERS + FILES);
  const columns = ['id', 'file_id', 'space_id', 'parent_id', 'name', 'path', 'type', 'size', 'mtime', 'etag', 'mime_type', 'created_at'];
  const folders: unknown[][] = [];
  for (let d = 0; d < FOLDERS; d++) folders.push([randomUUID(), fileId++, user, user, `folder-${d}`, `folder-${d}`, 'folder', 0, now, randomUUID(), 'httpd/unix-directory', now]);
  const files: unknown[][] = [];
  for (let i = 0; i < FILES; i++) {
    const d = Math.floor(i / perFolder);
    files.push([randomUUID(), fileId++, user, folders[d]![0], `document-${i}.txt`, `folder-${d}/document-${i}.txt`, 'file', 0, now - i * 1000, randomUUID(), 'text/plain', now]);
  }
  await write('nodes', columns, [...folders, ...files]);
  await write('dav_properties', ['node_id', 'name', 'value'], files.slice(0, FAVORITES).map((f) => [f[0], `{http://owncloud.org/ns}favorite:${user}`, '1']));
  return (performance.now() - t0) / 1000;
}

async function seedSqlite(file: string, user: string): Promise<number> {
  const db = new BetterSqlite3(file, { fileMustExist: true, timeout: 10_000 });
  try {
    const allocate = async (n: number) => Number((db.prepare(`update counters set value = value + ? where name = 'file_id' returning value`).get(n) as { value: number }).value) - n + 1;
    const write: RowWriter = async (table, columns, rows) => {
      const insert = db.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
      db.transaction(() => {
        for (const r of rows) insert.run(...r);
      })();
    };
    return await seed(user, allocate, write);
  } finally {
    db.close();
  }
}

async function seedPostgres(schema: string, user: string): Promise<number> {
  const client = new pg.Client({ connectionString: BENCH_PG_URL });
  await client.connect();
  try {
    await client.query(`set search_path = ${schema}`);
    const allocate = async (n: number) => Number((await client.query(`update counters set value = value + $1 where name = 'file_id' returning value`, [n])).rows[0].value) - n + 1;
    const write: RowWriter = async (table, columns, rows) => {
      await client.query('begin');
      for (let i = 0; i < rows.length; i += 1000) {
        const chunk = rows.slice(i, i + 1000);
        const values = chunk.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ');
        await client.query(`insert into ${table} (${columns.join(', ')}) values ${values}`, chunk.flat());
      }
      await client.query('commit');
      await client.query(`analyze ${table}`);
    };
    return await seed(user, allocate, write);
  } finally {
    await client.end();
  }
}

function searchTargets(base: string, admin: Credentials, db: string): Array<Parameters<typeof load>[0]> {
  const headers = { authorization: basic(admin), 'content-type': 'text/xml' };
  return [
    { name: `SEARCH name like %${NEEDLE}% over ${FILES} files (${db})`, url: `${base}/remote.php/dav/`, method: 'SEARCH', headers, body: searchBody(admin.user, `%${NEEDLE}%`), connections: 1 },
    { name: `REPORT search-files name:"*${NEEDLE}*" over ${FILES} files (${db})`, url: `${base}/remote.php/dav/spaces/`, method: 'REPORT', headers, body: searchFilesBody(NEEDLE), connections: 1 },
  ];
}

const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const time = async (fn: () => unknown | Promise<unknown>): Promise<number[]> => {
  const out: number[] = [];
  for (let i = 0; i < SQL_RUNS; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
};
const ratioLine = (db: string, indexed: number[], scan: number[]) =>
  `search (${db}): the name query in SQL, index vs. scan, p50 ${percentile(indexed, 50).toFixed(2)} vs. ${percentile(scan, 50).toFixed(2)} ms (${(percentile(scan, 50) / percentile(indexed, 50)).toFixed(1)}x faster), p99 ${percentile(indexed, 99).toFixed(2)} vs. ${percentile(scan, 99).toFixed(2)} ms`;

/** The repository's name query read straight from the SQLite file, with the FTS5 restriction and without it (what it runs with no index). */
function sqliteBaseline(file: string, user: string): string {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const where = `path != '' and lower(name) like lower(?) escape '\\'`;
    const scan = db.prepare(`select * from nodes where space_id = ? and ${where} order by path limit 50`);
    // As the repository writes it (node-search.repository.ts): `+space_id`, so the FTS5 hits drive.
    const indexed = db.prepare(`select * from nodes where +space_id = ? and ${where} and file_id in (select rowid from nodes_name_fts where nodes_name_fts match ?) order by path limit 50`);
    const like = `%${NEEDLE}%`;
    const a = indexed.all(user, like, `"${NEEDLE}"`).length;
    const b = scan.all(user, like).length;
    if (a !== b || a === 0) throw new Error(`search baseline: the index found ${a} rows, the scan ${b}`);
    const ti: number[] = [];
    const ts: number[] = [];
    for (let i = 0; i < SQL_RUNS; i++) {
      let t0 = performance.now();
      indexed.all(user, like, `"${NEEDLE}"`);
      ti.push(performance.now() - t0);
      t0 = performance.now();
      scan.all(user, like);
      ts.push(performance.now() - t0);
    }
    return ratioLine('SQLite', ti, ts);
  } finally {
    db.close();
  }
}

/** The same on PostgreSQL: the query with the pg_trgm index, then with the index dropped inside a transaction that is rolled back. */
async function pgBaseline(schema: string, user: string): Promise<string> {
  const client = new pg.Client({ connectionString: BENCH_PG_URL });
  await client.connect();
  try {
    await client.query(`set search_path = ${schema}`);
    const q = { text: `select * from nodes where space_id = $1 and path <> '' and lower(name) like lower($2) escape '\\' order by path limit 50`, values: [user, `%${NEEDLE}%`] };
    const indexed = await time(() => client.query(q));
    await client.query('begin');
    try {
      await client.query('drop index nodes_name_trgm_idx');
      const scan = await time(() => client.query(q));
      return ratioLine('PostgreSQL', indexed, scan);
    } finally {
      await client.query('rollback');
    }
  } finally {
    await client.end();
  }
}

/**
 * Search: 100,000 files in 1,000 folders (BENCH_SEARCH_FILES changes the
 * count) on SQLite and on PostgreSQL, written straight into the database,
 * the first 10,000 marked favourite. Then, one request at a time: Nextcloud's SEARCH
 * and ownCloud Web's REPORT search-files for a name substring that matches a
 * few files, and the favourites REPORT (oc:filter-files) listing all 10,000.
 * The baseline: the name query in SQL with the trigram index and without it
 * (SQLite: without the FTS5 restriction; PostgreSQL: index dropped in a
 * rolled-back transaction), as a ratio.
 *
 * Goals: name search p99 < 100 ms on both databases; favourites p99 < 100 ms.
 */
export const searchScenario: Scenario = {
  name: 'search',
  async run({ admin, startNimbus }) {
    const results: Result[] = [];
    const checks: Check[] = [];
    const notes: string[] = [];
    const measure = async (server: ServerHandle, db: string, seeding: () => Promise<number>) => {
      const seconds = await seeding();
      notes.push(`search (${db}): seeded ${FILES} files in ${FOLDERS} folders and ${FAVORITES} favourites straight into the database in ${seconds.toFixed(1)} s`);
      for (const target of searchTargets(server.base, admin, db)) {
        const r = await load(target);
        results.push(r);
        checks.push({ name: `${target.name}: p99 < 100 ms`, met: r.non2xx === 0 && r.p99 < 100, detail: `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms` });
      }
      const fav = await load({
        name: `REPORT filter-files favourites, ${FAVORITES} of them (${db})`,
        url: `${server.base}/remote.php/dav/files/${encodeURIComponent(admin.user)}/`,
        method: 'REPORT',
        headers: { authorization: basic(admin), 'content-type': 'text/xml' },
        body: FAVORITES_BODY,
        connections: 1,
      });
      results.push(fav);
      checks.push({ name: `favourites REPORT over ${FAVORITES} favourites (${db}): p99 < 100 ms`, met: fav.non2xx === 0 && fav.p99 < 100, detail: `p50 ${fav.p50.toFixed(1)} ms, p99 ${fav.p99.toFixed(1)} ms` });
    };

    const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-bench-search-'));
    try {
      const server = await startNimbus({ DATA_DIR: dir });
      try {
        await measure(server, 'SQLite', () => seedSqlite(path.join(dir, 'nimbus.sqlite'), admin.user));
        notes.push(sqliteBaseline(path.join(dir, 'nimbus.sqlite'), admin.user));
      } finally {
        await server.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const schema = await benchSchema();
    if (!schema) notes.push('search: PostgreSQL targets skipped, PostgreSQL does not answer');
    else {
      try {
        const server = await startNimbus(schema.env);
        try {
          await measure(server, 'PostgreSQL', () => seedPostgres(schema.env.DATABASE_SCHEMA!, admin.user));
          notes.push(await pgBaseline(schema.env.DATABASE_SCHEMA!, admin.user));
        } finally {
          await server.stop();
        }
      } finally {
        await schema.drop();
      }
    }
    return { results, checks: () => checks, notes };
  },
};
