import { type Kysely, PostgresAdapter } from 'kysely';

/**
 * Avatars: one row per user who ever changed theirs. `image` is the uploaded
 * picture normalised to a square PNG (null: the generated one is served);
 * `version` is bumped by every change, so every process's resized copies,
 * keyed by it, are replaced at the next request. `pending` holds a
 * non-square upload until the crop that makes it square (or its expiry).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const bytes = db.getExecutor().adapter instanceof PostgresAdapter ? 'bytea' : 'blob';
  await db.schema
    .createTable('avatars')
    .addColumn('user_id', 'varchar(64)', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('image', bytes)
    .addColumn('pending', bytes)
    .addColumn('pending_expires_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('avatars').ifExists().execute();
}
