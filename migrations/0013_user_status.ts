import type { Kysely } from 'kysely';

/**
 * User status (Nextcloud user_status): one row per user, the status with when
 * it was last set or renewed and whether the user chose it, and the message
 * (a predefined id, or a custom icon and text) with when it clears. Times are
 * epoch ms; booleans 0/1.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_status')
    .addColumn('user_id', 'varchar(64)', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('status_at', 'bigint', (c) => c.notNull())
    .addColumn('user_defined', 'smallint', (c) => c.notNull())
    .addColumn('message_id', 'varchar(64)')
    .addColumn('icon', 'varchar(64)')
    .addColumn('message', 'text')
    .addColumn('clear_at', 'bigint')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('user_status').ifExists().execute();
}
