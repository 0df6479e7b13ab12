import { type Kysely, sql } from 'kysely';

/**
 * Shares of files and folders: one row per share whichever API made it
 * (OCS shares, Graph invites and links). `share_recipients` holds what one
 * recipient changed about a share they received: accepted, declined or left,
 * and the name it is mounted under in their tree.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('shares')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('share_type', 'integer', (c) => c.notNull())
    // The sharer (initiator); survives as a plain id so a share's history can name them.
    .addColumn('owner_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('file_owner_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('space_id', 'varchar(64)', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    // The shared node's id; the space id when the space root is shared.
    .addColumn('node_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('item_type', 'varchar(8)', (c) => c.notNull())
    .addColumn('share_with', 'varchar(255)')
    .addColumn('permissions', 'integer', (c) => c.notNull())
    .addColumn('token', 'varchar(64)', (c) => c.unique())
    .addColumn('password_hash', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('label', 'varchar(255)', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('hide_download', 'integer', (c) => c.notNull())
    .addColumn('attributes', 'text')
    // The name a recipient's mount gets unless they renamed it: the node's name when shared.
    .addColumn('target_name', 'varchar(1024)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('shares_owner_idx').on('shares').columns(['owner_id', 'id']).execute();
  await db.schema.createIndex('shares_space_node_idx').on('shares').columns(['space_id', 'node_id']).execute();
  await db.schema.createIndex('shares_with_idx').on('shares').columns(['share_with', 'share_type']).execute();
  await db.schema.createIndex('shares_node_idx').on('shares').column('node_id').execute();

  await db.schema
    .createTable('share_recipients')
    .addColumn('share_id', 'bigint', (c) => c.notNull().references('shares.id').onDelete('cascade'))
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // 0 accepted, 1 pending, 2 declined or left (as ownCloud's `state`).
    .addColumn('state', 'integer', (c) => c.notNull())
    .addColumn('target_name', 'varchar(1024)')
    .addPrimaryKeyConstraint('share_recipients_pk', ['share_id', 'user_id'])
    .execute();
  await db.schema.createIndex('share_recipients_user_idx').on('share_recipients').column('user_id').execute();
  await sql`insert into counters (name, value) values ('share_id', 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from counters where name = 'share_id'`.execute(db);
  await db.schema.dropTable('share_recipients').ifExists().execute();
  await db.schema.dropTable('shares').ifExists().execute();
}
