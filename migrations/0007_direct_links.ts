import type { Kysely } from 'kysely';

/**
 * Direct download links (Nextcloud apps/dav `directlink`): a credential-free
 * URL to one file for a limited time. Only a SHA-256 of the token is stored,
 * so a copy of the database holds no working link. The node is not a foreign
 * key: a link to a deleted or moved file simply stops resolving at use time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('direct_links')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('space_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('node_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('direct_links_expires_idx').on('direct_links').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('direct_links').ifExists().execute();
}
