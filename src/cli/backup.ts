import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { dropEmptySchema, ensureTrigramExtension, inPgSnapshot, openSqliteReadonly, tableNames, referencedBlobIds, runPgTool, snapshotSqlite, tableRowCounts } from '../db/backup.js';
import { sql } from 'kysely';
import { connect } from '../db/connect.js';
import { copyBlobs, hasBlob } from '../storage/blob-copy.js';
import { CliError } from './io.js';

export const MANIFEST = 'manifest.json';
const SQLITE_FILE = 'nimbus.sqlite';
const PG_DUMP_FILE = 'database.pgdump';
const ATTEMPTS = 8;

export interface Manifest {
  format: 1;
  createdAt: string;
  database: 'sqlite' | 'postgres';
  /** PostgreSQL: the schema dumped (restore needs the same name). */
  schema?: string | null;
  /** Rows per table in the snapshot. */
  tables?: Record<string, number>;
  blobs: { count: number; bytes: number; linked: number };
}

async function assertEmptyDir(dir: string, what: string): Promise<void> {
  if (!existsSync(dir)) return;
  const entries = await readdir(dir);
  if (entries.length) throw new CliError(`${what} ${dir} is not empty`);
}

/**
 * A consistent backup while the server runs. Blobs are never rewritten, only
 * added and removed, so: first every blob on disk is linked into the backup,
 * then the database is snapshotted, then any blob the snapshot names that
 * came after the first pass is linked too. A blob the snapshot names that
 * was deleted before it could be linked makes the backup start over.
 */
export async function backup(config: Config, dir: string): Promise<Manifest> {
  const target = path.resolve(dir);
  if (target === config.dataDir || target.startsWith(`${config.dataDir}${path.sep}`)) throw new CliError('the backup directory must not be inside the data directory');
  for (let attempt = 1; ; attempt++) {
    await assertEmptyDir(target, 'backup directory');
    await mkdir(target, { recursive: true });
    // Connected before the first pass, so that the snapshot follows it closely: a blob made between the
    // two and deleted soon after the snapshot is the one case the backup has to start over for.
    const pg = config.database.kind === 'postgres' ? connect(config.database) : undefined;
    if (pg) await sql`select 1`.execute(pg.db);
    const linked = new Set<string>();
    const first = await copyBlobs(config.dataDir, target, undefined, linked);
    // Again, for what came during the first (long) pass: only the walk costs, and the snapshot follows at once.
    const since = await copyBlobs(config.dataDir, target, undefined, linked);
    first.blobs += since.blobs;
    first.bytes += since.bytes;
    first.linked += since.linked;
    // The blobs the snapshot names that came after the first pass (or are still being moved out of staging).
    const linkLate = async (referenced: Set<string>) => {
      const late = [];
      for (const id of referenced) if (!(await hasBlob(target, id))) late.push(id);
      return copyBlobs(config.dataDir, target, late);
    };
    let second: Awaited<ReturnType<typeof copyBlobs>>;
    let tables: Record<string, number>;
    if (config.database.kind === 'sqlite') {
      await snapshotSqlite(config.database.file, path.join(target, SQLITE_FILE));
      const snapshot = openSqliteReadonly(path.join(target, SQLITE_FILE));
      try {
        second = await linkLate(await referencedBlobIds(snapshot));
        tables = await tableRowCounts(snapshot);
      } finally {
        await snapshot.destroy();
      }
    } else {
      // One snapshot for everything: this transaction exports it, reads the blobs it names (linked
      // at once, before a delete can take them) and its row counts, and pg_dump then joins it.
      const pgConfig = config.database;
      const handle = pg!;
      try {
        ({ second, tables } = await inPgSnapshot(handle.db, async (snapshot, trx) => {
          const linked = await linkLate(await referencedBlobIds(trx));
          const counts = await tableRowCounts(trx);
          const args = ['--format=custom', '--no-owner', `--snapshot=${snapshot}`, `--file=${path.join(target, PG_DUMP_FILE)}`, ...(pgConfig.schema ? [`--schema=${pgConfig.schema}`] : [])];
          await runPgTool('pg_dump', args, pgConfig.url);
          return { second: linked, tables: counts };
        }));
      } finally {
        await handle.close();
      }
    }
    if (second.missing.length) {
      if (attempt >= ATTEMPTS) throw new CliError(`${second.missing.length} blob(s) named by the database vanished during the backup, ${ATTEMPTS} times (${second.missing.slice(0, 3).join(", ")}); is the data directory shared with another instance?`);
      await rm(target, { recursive: true, force: true });
      continue;
    }
    const manifest: Manifest = {
      format: 1,
      createdAt: new Date().toISOString(),
      database: config.database.kind,
      ...(config.database.kind === 'postgres' ? { schema: config.database.schema ?? null } : {}),
      tables,
      blobs: { count: first.blobs + second.blobs, bytes: first.bytes + second.bytes, linked: first.linked + second.linked },
    };
    await writeFile(path.join(target, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  }
}

/** Puts a backup onto an empty data directory (and, for PostgreSQL, an empty schema of the same name). */
export async function restore(config: Config, dir: string): Promise<Manifest> {
  const source = path.resolve(dir);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(path.join(source, MANIFEST), 'utf8')) as Manifest;
  } catch {
    throw new CliError(`${source} holds no Nimbus backup (${MANIFEST} is missing or unreadable)`);
  }
  if (manifest.format !== 1) throw new CliError(`unknown backup format ${String(manifest.format)}`);
  if (manifest.database !== config.database.kind) throw new CliError(`the backup is of a ${manifest.database} database, the configuration names ${config.database.kind}`);
  await assertEmptyDir(config.dataDir, 'data directory');
  if (config.database.kind === 'postgres') {
    if ((manifest.schema ?? null) !== (config.database.schema ?? null)) throw new CliError(`the backup is of schema ${manifest.schema ?? '(default)'}; set DATABASE_SCHEMA to the same name (on an empty database)`);
    const handle = connect(config.database);
    try {
      const schema = config.database.schema;
      if ((await tableNames(handle.db, schema)).length) throw new CliError('the database (schema) to restore into is not empty');
      // The dump creates its schema; an empty one of that name (made for the restore) must make way.
      if (schema) await dropEmptySchema(handle.db, schema);
      await ensureTrigramExtension(handle.db);
    } finally {
      await handle.close();
    }
    await runPgTool('pg_restore', ['--no-owner', '--exit-on-error', path.join(source, PG_DUMP_FILE)], config.database.url);
  } else {
    await mkdir(config.dataDir, { recursive: true });
    await copyFile(path.join(source, SQLITE_FILE), config.database.file);
  }
  await mkdir(config.dataDir, { recursive: true });
  await copyBlobs(source, config.dataDir);
  return manifest;
}
