import { spawn } from 'node:child_process';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { isPostgres } from './dialect-helpers.js';
import type { Database } from './schema.js';

/**
 * A consistent copy of a live SQLite database through its online backup API
 * (better-sqlite3's backup()): every page in one step, so a writer in
 * another process cannot make the copy start over, and readers and writers
 * of the source carry on (WAL).
 */
export async function snapshotSqlite(sourceFile: string, targetFile: string): Promise<void> {
  const source = new BetterSqlite3(sourceFile, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    await source.backup(targetFile, { progress: () => 1 << 30 });
  } finally {
    source.close();
  }
  // The copy stands alone: no WAL beside it.
  const copy = new BetterSqlite3(targetFile);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/** The blobs a database's file rows name; `db` may be a snapshot. */
export async function referencedBlobIds(db: Kysely<Database>): Promise<Set<string>> {
  // Every kind of row that holds a blob: files, trashed files and versions.
  const files = await db.selectFrom('nodes').select('blob_id').where('blob_id', 'is not', null).execute();
  const trashed = await db.selectFrom('trash_nodes').select('blob_id').where('blob_id', 'is not', null).execute();
  const versions = await db.selectFrom('file_versions').select('blob_id').execute();
  return new Set([...files, ...trashed, ...versions].map((r) => r.blob_id!));
}

/** Row counts of every table of ours (Kysely's bookkeeping aside), for a backup's manifest and the restore test. */
export async function tableRowCounts(db: Kysely<Database>): Promise<Record<string, number>> {
  const tables = (await tableNames(db)).filter((n) => !n.startsWith('kysely_')).sort();
  const out: Record<string, number> = {};
  for (const t of tables) {
    const { rows } = await sql<{ c: number }>`select count(*) as c from ${sql.table(t)}`.execute(db);
    out[t] = Number(rows[0]!.c);
  }
  return out;
}

/** Drops a schema that holds nothing (without CASCADE: anything in it makes this fail), so that a restore can create it. */
export async function dropEmptySchema(db: Kysely<Database>, schema: string): Promise<void> {
  await sql`drop schema if exists ${sql.id(schema)}`.execute(db);
}

/**
 * Runs pg_dump or pg_restore against `url`; fails with its stderr, or with
 * how to install it when it is missing. The password goes in PGPASSWORD,
 * never on the command line, where other users could read it.
 */
export function runPgTool(tool: 'pg_dump' | 'pg_restore', args: string[], url: string): Promise<void> {
  const parsed = new URL(url);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (parsed.password) {
    env.PGPASSWORD = decodeURIComponent(parsed.password);
    parsed.password = '';
  }
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [...args, `--dbname=${parsed.toString()}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'ENOENT' ? `${tool} is not installed or not on PATH (install the PostgreSQL client tools of the server's major version)` : err.message)),
    );
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${tool} failed (exit ${code}): ${stderr.trim()}`))));
  });
}

/** A read-only Kysely over an SQLite file (a backup's snapshot), for the reads above. */
export function openSqliteReadonly(file: string): Kysely<Database> {
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file, { readonly: true, fileMustExist: true }) }) });
}

/** Runs `fn` in a repeatable-read transaction whose snapshot is exported (pg_export_snapshot), for pg_dump --snapshot to share. */
export async function inPgSnapshot<T>(db: Kysely<Database>, fn: (snapshot: string, trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
    const { rows } = await sql<{ id: string }>`select pg_export_snapshot() as id`.execute(trx);
    return fn(rows[0]!.id, trx);
  });
}

/**
 * The tables of the schema in use. Not Kysely's introspection: on PostgreSQL
 * it reads every schema of the database, and fails when another installation
 * drops one of them at that moment.
 */
export async function tableNames(db: Kysely<Database>, schema?: string): Promise<string[]> {
  if (isPostgres(db)) {
    const { rows } = schema
      ? await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = ${schema}`.execute(db)
      : await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = current_schema()`.execute(db);
    return rows.map((r) => r.name);
  }
  const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
  return rows.map((r) => r.name);
}

/**
 * A dump names pg_trgm's operator class (migration 0018's name index) but,
 * being of one schema, not the extension: create it in `public` before the
 * restore, as the migration does. Best effort; where it cannot be created
 * the restore reports the missing operator class.
 */
export async function ensureTrigramExtension(db: Kysely<Database>): Promise<void> {
  try {
    await sql`create extension if not exists pg_trgm schema public`.execute(db);
  } catch {
    // No privilege or not installed: pg_restore names what is missing.
  }
}
