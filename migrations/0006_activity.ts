import { type Kysely, sql } from 'kysely';

/**
 * ACTIVITY (Nextcloud activity app): one row per event and affected user, as
 * Nextcloud's `activity` table stores it. Ids come from the `activity_id`
 * counter so they only grow on both databases and serve as the `since`
 * cursor. The author is a plain id (no foreign key) so a user's events
 * survive their deletion; the affected user's rows go with them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('activities')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('affected_user', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('author', 'varchar(64)')
    .addColumn('app', 'varchar(32)', (c) => c.notNull())
    .addColumn('type', 'varchar(255)', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('subject_params', 'text', (c) => c.notNull())
    .addColumn('object_type', 'varchar(255)', (c) => c.notNull())
    .addColumn('object_id', 'bigint', (c) => c.notNull())
    .addColumn('object_name', 'text', (c) => c.notNull())
    .addColumn('link', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('activities_user_id_idx').on('activities').columns(['affected_user', 'id']).execute();
  await sql`insert into counters (name, value) values ('activity_id', 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('activities').ifExists().execute();
  await sql`delete from counters where name = 'activity_id'`.execute(db);
}
