import type { Kysely } from 'kysely';

/**
 * File versions: one row per earlier content of a file, holding that
 * content's blob (taken over from the node when it was overwritten, never
 * copied) and the metadata the file had then. Keyed by the node, so
 * versions follow the file wherever it moves. The node remembers who wrote
 * its current content, so the version made from it can name its author.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('nodes').addColumn('modified_by', 'varchar(64)').execute();
  // Trashed rows are node rows set aside (0015): they keep the column too, so a restore brings it back.
  await db.schema.alterTable('trash_nodes').addColumn('modified_by', 'varchar(64)').execute();
  await db.schema
    .createTable('file_versions')
    .addColumn('node_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('blob_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('mtime', 'bigint', (c) => c.notNull())
    .addColumn('etag', 'varchar(64)', (c) => c.notNull())
    .addColumn('mime_type', 'varchar(255)', (c) => c.notNull())
    .addColumn('checksums', 'text')
    .addColumn('author', 'varchar(64)')
    .addColumn('label', 'varchar(1024)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('file_versions_pk', ['node_id', 'revision'])
    .execute();
  await db.schema.createIndex('file_versions_blob_idx').on('file_versions').column('blob_id').execute();
  await db.schema.createIndex('file_versions_created_idx').on('file_versions').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('file_versions').ifExists().execute();
  await db.schema.alterTable('trash_nodes').dropColumn('modified_by').execute();
  await db.schema.alterTable('nodes').dropColumn('modified_by').execute();
}
