import { type Kysely, sql } from 'kysely';

/**
 * The file tree: one row per file or folder (the space root is the space row
 * itself), dead properties and locks for WebDAV, a counter for the numeric
 * file ids clients show, and the blob journal that lets a restart remove
 * blobs a killed process left without a row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('counters')
    .addColumn('name', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();

  // Every space root needs a numeric file id too (oc:fileid of the root folder).
  await db.schema.alterTable('spaces').addColumn('root_file_id', 'bigint').execute();
  const spaces = await sql<{ id: string }>`select id from spaces order by created_at, id`.execute(db);
  let next = 0;
  for (const s of spaces.rows) {
    next += 1;
    await sql`update spaces set root_file_id = ${next} where id = ${s.id}`.execute(db);
  }
  await sql`insert into counters (name, value) values ('file_id', ${next})`.execute(db);

  await db.schema
    .createTable('nodes')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('file_id', 'bigint', (c) => c.notNull().unique())
    .addColumn('space_id', 'varchar(64)', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    // The space id for entries at the top of a space.
    .addColumn('parent_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(1024)', (c) => c.notNull())
    // Space-relative, segments joined with '/': one lookup per path, one update per ancestor chain.
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('type', 'varchar(8)', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('mtime', 'bigint', (c) => c.notNull())
    .addColumn('etag', 'varchar(64)', (c) => c.notNull())
    .addColumn('mime_type', 'varchar(255)', (c) => c.notNull())
    .addColumn('checksums', 'text')
    .addColumn('blob_id', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('nodes_parent_name_uq', ['parent_id', 'name'])
    .execute();
  await db.schema.createIndex('nodes_space_path_idx').on('nodes').columns(['space_id', 'path']).execute();
  await db.schema.createIndex('nodes_blob_idx').on('nodes').column('blob_id').execute();

  await db.schema
    .createTable('dav_properties')
    .addColumn('node_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(512)', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('dav_properties_pk', ['node_id', 'name'])
    .execute();

  await db.schema
    .createTable('dav_locks')
    .addColumn('token', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('space_id', 'varchar(64)', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('scope', 'varchar(16)', (c) => c.notNull())
    .addColumn('depth', 'varchar(16)', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('timeout', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dav_locks_space_idx').on('dav_locks').column('space_id').execute();

  // A blob that may have no row: written before a new blob is moved into place and
  // after a row lets go of one; removed once the outcome is settled.
  await db.schema
    .createTable('blob_journal')
    .addColumn('blob_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('owner', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['blob_journal', 'dav_locks', 'dav_properties', 'nodes', 'counters']) await db.schema.dropTable(t).ifExists().execute();
  await db.schema.alterTable('spaces').dropColumn('root_file_id').execute();
}
