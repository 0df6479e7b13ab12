import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Every blob a row holds (files, trashed files, versions), with the
 * checksums those rows declare for it ("SHA1:<hex>", as clients sent them
 * and the upload verified): what a blob copied elsewhere must still match.
 */
export async function blobReferences(db: Kysely<Database>): Promise<Map<string, string[]>> {
  const rows = [
    ...(await db.selectFrom('nodes').select(['blob_id', 'checksums']).where('blob_id', 'is not', null).execute()),
    ...(await db.selectFrom('trash_nodes').select(['blob_id', 'checksums']).where('blob_id', 'is not', null).execute()),
    ...(await db.selectFrom('file_versions').select(['blob_id', 'checksums']).execute()),
  ];
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const list = out.get(r.blob_id!) ?? [];
    if (r.checksums && !list.includes(r.checksums)) list.push(r.checksums);
    out.set(r.blob_id!, list);
  }
  return out;
}
