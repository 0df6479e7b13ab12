import { type Kysely, Migrator, sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { isPostgres } from './dialect-helpers.js';

/**
 * `schema`: the PostgreSQL schema the tables live in, when one is configured.
 * Kysely otherwise decides whether its bookkeeping tables exist by looking at
 * every schema of the database, and so skips creating its own when another
 * schema (another instance, or a parallel test) already has them.
 *
 * Safe when several processes start at once on one database. On PostgreSQL
 * the whole run holds a session-level advisory lock for the schema: Kysely
 * locks only around applying migrations, not around creating its own
 * bookkeeping tables, which processes starting together race for. On SQLite
 * the pending migrations apply in one immediate transaction (see
 * sqlite-dialect.ts), so the second process finds them applied.
 */
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<string[]> {
  if (!isPostgres(db)) return runMigrator(db, schema);
  // The lock lives on one connection of the pool; the migrator works on others.
  return db.connection().execute(async (locked) => {
    const key = sql`hashtext('nimbus:migrations:' || current_schema())`;
    await sql`select pg_advisory_lock(${key})`.execute(locked);
    try {
      return await runMigrator(db, schema);
    } finally {
      await sql`select pg_advisory_unlock(${key})`.execute(locked);
    }
  });
}

/**
 * Kysely's migrator looks for its bookkeeping tables by introspecting every
 * schema of the database; a schema another installation drops at that moment
 * fails the catalog query with invalid_schema_name, undefined_table naming
 * one of that schema's tables, or undefined_column from the query's
 * pg_get_serial_sequence() on a table being dropped. That is not ours to
 * mind: look again.
 */
async function runMigrator(db: Kysely<any>, schema?: string, attempt = 0): Promise<string[]> {
  try {
    return await migrateOnce(db, schema);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const message = String((err as Error).message);
    const elsewhere = !(schema && (message.includes(`"${schema}"`) || message.includes(`"${schema}.`)));
    const catalogRace = code === '3F000' || code === '42P01' || code === '42703';
    if (catalogRace && attempt < 5 && elsewhere) return runMigrator(db, schema, attempt + 1);
    throw err;
  }
}

async function migrateOnce(db: Kysely<any>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Names of the migrations this build has that the database has not applied,
 * from one read of Kysely's bookkeeping table (cheap enough for a readiness
 * probe); every migration when the table does not exist yet.
 */
export async function pendingMigrations(db: Kysely<any>, schema?: string, opts: { strict?: boolean } = {}): Promise<string[]> {
  const table = schema ? db.withSchema(schema) : db;
  let applied: Set<string>;
  try {
    const rows = await table.selectFrom('kysely_migration').select('name').execute();
    applied = new Set(rows.map((r: { name: string }) => r.name));
  } catch (err) {
    // strict: only a missing table means "nothing applied"; any other failure (the database is down) is thrown.
    if (opts.strict && !/kysely_migration/.test(String((err as Error).message))) throw err;
    applied = new Set();
  }
  return Object.keys(migrations).filter((name) => !applied.has(name));
}
