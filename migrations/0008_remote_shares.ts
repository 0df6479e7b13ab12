import { type Kysely, sql } from 'kysely';

/**
 * Shares other servers offered to local users (Nextcloud's share_external):
 * pending until the user accepts, then mounted in their home under
 * `mount_name`. The token is kept as sent: it is the credential this server
 * presents to the owner's public WebDAV, so it cannot be hashed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('remote_shares')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('remote', 'varchar(512)', (c) => c.notNull())
    .addColumn('remote_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('token', 'varchar(128)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('owner', 'varchar(255)', (c) => c.notNull())
    .addColumn('shared_by', 'varchar(255)', (c) => c.notNull())
    .addColumn('mount_name', 'varchar(255)')
    .addColumn('accepted', 'smallint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('remote_shares_user_idx').on('remote_shares').columns(['user_id', 'id']).execute();
  await db.schema.createIndex('remote_shares_remote_idx').on('remote_shares').columns(['remote_id', 'token']).execute();
  await sql`insert into counters (name, value) values ('remote_share_id', 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('remote_shares').ifExists().execute();
  await sql`delete from counters where name = 'remote_share_id'`.execute(db);
}
