import type { Kysely } from 'kysely';

/**
 * The trash bin: one item per deletion (what was deleted, from where, when,
 * by whom) and the deleted rows themselves, moved out of `nodes` as a set so
 * no query of the live tree ever sees them. Rows keep their ids, file ids,
 * blobs and dead properties; a restore moves them back.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('trash_items')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('space_id', 'varchar(64)', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    // The deleted node (the top of the moved subtree) and its space-relative path when it was deleted.
    .addColumn('node_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('original_path', 'text', (c) => c.notNull())
    // Nextcloud's name of the item in the trash: `name.d<seconds>`, unique within the space's trash.
    .addColumn('trash_name', 'varchar(1100)', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_by', 'varchar(64)', (c) => c.notNull())
    .addUniqueConstraint('trash_items_space_name_uq', ['space_id', 'trash_name'])
    .execute();
  await db.schema.createIndex('trash_items_space_deleted_idx').on('trash_items').columns(['space_id', 'deleted_at']).execute();
  await db.schema.createIndex('trash_items_deleted_idx').on('trash_items').column('deleted_at').execute();

  await db.schema
    .createTable('trash_nodes')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('item_id', 'varchar(64)', (c) => c.notNull().references('trash_items.id').onDelete('cascade'))
    .addColumn('file_id', 'bigint', (c) => c.notNull())
    .addColumn('space_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('parent_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(1024)', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('type', 'varchar(8)', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('mtime', 'bigint', (c) => c.notNull())
    .addColumn('etag', 'varchar(64)', (c) => c.notNull())
    .addColumn('mime_type', 'varchar(255)', (c) => c.notNull())
    .addColumn('checksums', 'text')
    .addColumn('blob_id', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('trash_nodes_item_path_idx').on('trash_nodes').columns(['item_id', 'path']).execute();
  await db.schema.createIndex('trash_nodes_parent_idx').on('trash_nodes').column('parent_id').execute();
  await db.schema.createIndex('trash_nodes_blob_idx').on('trash_nodes').column('blob_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('trash_nodes').ifExists().execute();
  await db.schema.dropTable('trash_items').ifExists().execute();
}
