import type { Kysely } from 'kysely';
import type { ConsistencyRepository, FileBlobRef } from '../../ports/consistency.js';
import type { TreeEntry } from '../../domain/tree-sizes.js';
import type { Database } from '../schema.js';

/** Whole-instance reads for `nimbus check`; the repairs go through the nodes and spaces repositories. */
export class KyselyConsistencyRepository implements ConsistencyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async spaceIds(): Promise<Array<{ id: string; size: number }>> {
    const rows = await this.db.selectFrom('spaces').select(['id', 'size']).orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, size: Number(r.size) }));
  }

  async treeOf(spaceId: string): Promise<TreeEntry[]> {
    const rows = await this.db.selectFrom('nodes').select(['id', 'parent_id', 'path', 'type', 'size', 'etag']).where('space_id', '=', spaceId).execute();
    return rows.map((r) => ({ id: r.id, parentId: r.parent_id, path: r.path, type: r.type as TreeEntry['type'], size: Number(r.size), etag: r.etag }));
  }

  async fileBlobs(): Promise<FileBlobRef[]> {
    const rows = await this.db.selectFrom('nodes').select(['id', 'space_id', 'path', 'blob_id', 'size']).where('blob_id', 'is not', null).execute();
    return rows.map((r) => ({ nodeId: r.id, spaceId: r.space_id, path: r.path, blobId: r.blob_id!, size: Number(r.size) }));
  }

  async strayRows(): Promise<Array<{ nodeId: string; spaceId: string; path: string }>> {
    const rows = await this.db
      .selectFrom('nodes as n')
      .leftJoin('nodes as p', 'p.id', 'n.parent_id')
      .select(['n.id', 'n.space_id', 'n.path'])
      .where('p.id', 'is', null)
      .whereRef('n.parent_id', '!=', 'n.space_id')
      .execute();
    return rows.map((r) => ({ nodeId: r.id, spaceId: r.space_id, path: r.path }));
  }
}
