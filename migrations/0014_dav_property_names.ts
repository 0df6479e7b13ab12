import type { Kysely } from 'kysely';

/** Favourites (REPORT oc:filter-files) look dead properties up by name: an index instead of a scan of every property. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('dav_properties_name_idx').on('dav_properties').column('name').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('dav_properties_name_idx').ifExists().execute();
}
