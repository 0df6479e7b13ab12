import type { Kysely } from 'kysely';

/**
 * The change log that keeps every process's cache of hot rows true
 * (src/db/cache): a write to a cached table bumps the one epoch row, which
 * orders such writes by commit, and records the cache keys it changed under
 * the new number. Each process reads the entries past the last number it saw
 * before it serves a request from memory.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cache_epoch')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await (db as Kysely<{ cache_epoch: { id: number; seq: number } }>).insertInto('cache_epoch').values({ id: 1, seq: 0 }).execute();
  await db.schema
    .createTable('cache_changes')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('keys', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cache_changes_created_idx').on('cache_changes').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('cache_changes').ifExists().execute();
  await db.schema.dropTable('cache_epoch').ifExists().execute();
}
