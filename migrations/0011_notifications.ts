import { type Kysely, sql } from 'kysely';

/**
 * NOTIFICATIONS (Nextcloud's notifications app): one row per notification
 * and user, storing what it is about and its subject's parameters; the
 * wording and actions are rendered when it is read, as Nextcloud's notifiers
 * prepare them. Ids come from the `notification_id` counter. A notification
 * about a share or a remote share names that row, so it goes with it
 * whichever path deletes the share; it goes with its user too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('app', 'varchar(64)', (c) => c.notNull())
    .addColumn('object_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('object_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('subject', 'varchar(64)', (c) => c.notNull())
    .addColumn('subject_params', 'text', (c) => c.notNull())
    .addColumn('message', 'varchar(64)', (c) => c.notNull())
    .addColumn('message_params', 'text', (c) => c.notNull())
    .addColumn('share_id', 'bigint', (c) => c.references('shares.id').onDelete('cascade'))
    .addColumn('remote_share_id', 'bigint', (c) => c.references('remote_shares.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notifications_user_id_idx').on('notifications').columns(['user_id', 'id']).execute();
  await db.schema.createIndex('notifications_share_idx').on('notifications').column('share_id').execute();
  await db.schema.createIndex('notifications_remote_share_idx').on('notifications').column('remote_share_id').execute();
  await sql`insert into counters (name, value) values ('notification_id', 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notifications').ifExists().execute();
  await sql`delete from counters where name = 'notification_id'`.execute(db);
}
