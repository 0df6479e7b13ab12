import { type Kysely, type Selectable, sql } from 'kysely';
import type { TrashItem } from '../../domain/trash.js';
import type { StoredNode } from '../../ports/files.js';
import type { NewTrashItem, TrashRepository } from '../../ports/trash.js';
import type { Database, NodesTable, TrashItemsTable } from '../schema.js';
import { toNode } from './nodes.repository.js';

const NODE_COLUMNS = ['id', 'file_id', 'space_id', 'parent_id', 'name', 'path', 'type', 'size', 'mtime', 'etag', 'mime_type', 'checksums', 'blob_id', 'created_at', 'modified_by'] as const;
/** Ids bound per statement: far below SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;


type ItemRow = Selectable<TrashItemsTable> & { [K in (typeof NODE_COLUMNS)[number] as `n_${K}`]: Selectable<NodesTable>[K] };

const toItem = (r: ItemRow): TrashItem => ({
  id: r.id,
  spaceId: r.space_id,
  originalPath: r.original_path,
  trashName: r.trash_name,
  deletedAt: Number(r.deleted_at),
  deletedBy: r.deleted_by,
  node: toNode(Object.fromEntries(NODE_COLUMNS.map((c) => [c, r[`n_${c}`]])) as unknown as Selectable<NodesTable>),
});

/** The node at a path and everything below it, compared by prefix with SQL's own length (as the nodes repository does). */
const inSubtree = (path: string) => sql<boolean>`(path = ${path} or substr(path, 1, length(${`${path}/`})) = ${`${path}/`})`;

export class TrashRepositoryImpl implements TrashRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private items() {
    return this.db
      .selectFrom('trash_items as i')
      .innerJoin('trash_nodes as n', 'n.id', 'i.node_id')
      .selectAll('i')
      .select(NODE_COLUMNS.map((c) => sql.ref(`n.${c}`).as(`n_${c}`)))
      .$castTo<ItemRow>();
  }

  async moveIn(item: NewTrashItem): Promise<void> {
    await this.db
      .insertInto('trash_items')
      .values({ id: item.id, space_id: item.spaceId, node_id: item.nodeId, original_path: item.originalPath, trash_name: item.trashName, deleted_at: item.deletedAt, deleted_by: item.deletedBy })
      .execute();
    // Two statements for the whole subtree: the rows are copied as a set and removed as a set.
    await this.db
      .insertInto('trash_nodes')
      .columns(['item_id', ...NODE_COLUMNS])
      .expression(
        this.db
          .selectFrom('nodes')
          .select([sql<string>`cast(${item.id} as varchar(64))`.as('item_id'), ...NODE_COLUMNS])
          .where('space_id', '=', item.spaceId)
          .where(inSubtree(item.originalPath)),
      )
      .execute();
    await this.db.deleteFrom('nodes').where('space_id', '=', item.spaceId).where(inSubtree(item.originalPath)).execute();
  }

  async nameTaken(spaceId: string, trashName: string): Promise<boolean> {
    return (await this.db.selectFrom('trash_items').select('id').where('space_id', '=', spaceId).where('trash_name', '=', trashName).executeTakeFirst()) !== undefined;
  }

  async list(spaceId: string): Promise<TrashItem[]> {
    return (await this.items().where('i.space_id', '=', spaceId).orderBy('i.deleted_at', 'desc').orderBy('i.id').execute()).map(toItem);
  }

  async byId(spaceId: string, itemId: string): Promise<TrashItem | undefined> {
    const r = await this.items().where('i.space_id', '=', spaceId).where('i.id', '=', itemId).executeTakeFirst();
    return r ? toItem(r) : undefined;
  }

  async byTrashName(spaceId: string, trashName: string): Promise<TrashItem | undefined> {
    const r = await this.items().where('i.space_id', '=', spaceId).where('i.trash_name', '=', trashName).executeTakeFirst();
    return r ? toItem(r) : undefined;
  }

  async nodeAt(itemId: string, path: string): Promise<StoredNode | undefined> {
    const r = await this.db.selectFrom('trash_nodes').select(NODE_COLUMNS).where('item_id', '=', itemId).where('path', '=', path).executeTakeFirst();
    return r ? toNode(r) : undefined;
  }

  async children(itemId: string, parentId: string): Promise<StoredNode[]> {
    return (await this.db.selectFrom('trash_nodes').select(NODE_COLUMNS).where('item_id', '=', itemId).where('parent_id', '=', parentId).execute()).map(toNode);
  }

  async claim(itemIds: string[]): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < itemIds.length; i += CHUNK) {
      // A no-op update: it takes each row's lock until the transaction ends and answers the rows that still exist.
      const rows = await this.db
        .updateTable('trash_items')
        .set({ deleted_by: sql<string>`deleted_by` })
        .where('id', 'in', itemIds.slice(i, i + CHUNK))
        .returning('id')
        .execute();
      out.push(...rows.map((r) => r.id));
    }
    return out;
  }

  async claimAll(spaceId: string): Promise<string[]> {
    const rows = await this.db.updateTable('trash_items').set({ deleted_by: sql<string>`deleted_by` }).where('space_id', '=', spaceId).returning('id').execute();
    return rows.map((r) => r.id);
  }

  async restore(item: TrashItem, toPath: string, parentId: string, name: string): Promise<void> {
    const top = item.node.id;
    await this.db
      .insertInto('nodes')
      .columns([...NODE_COLUMNS])
      .expression(
        this.db
          .selectFrom('trash_nodes')
          .select([
            'id',
            'file_id',
            'space_id',
            sql<string>`case when id = ${top} then cast(${parentId} as varchar(64)) else parent_id end`.as('parent_id'),
            sql<string>`case when id = ${top} then cast(${name} as varchar(1024)) else name end`.as('name'),
            // Every stored path starts with the original one: the rest is kept, the start replaced.
            sql<string>`cast(${toPath} as text) || substr(path, length(${item.originalPath}) + 1)`.as('path'),
            'type',
            'size',
            'mtime',
            'etag',
            'mime_type',
            'checksums',
            'blob_id',
            'created_at',
            'modified_by',
          ])
          .where('item_id', '=', item.id),
      )
      .execute();
    await this.db.deleteFrom('trash_nodes').where('item_id', '=', item.id).execute();
    await this.db.deleteFrom('trash_items').where('id', '=', item.id).execute();
  }

  async nodeIdsOf(itemIds: string[]): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < itemIds.length; i += CHUNK) {
      const rows = await this.db.selectFrom('trash_nodes').select('id').where('item_id', 'in', itemIds.slice(i, i + CHUNK)).execute();
      out.push(...rows.map((r) => r.id));
    }
    return out;
  }

  async purge(itemIds: string[]): Promise<string[]> {
    const blobs: string[] = [];
    for (let i = 0; i < itemIds.length; i += CHUNK) {
      const ids = itemIds.slice(i, i + CHUNK);
      const rows = await this.db.selectFrom('trash_nodes').select('blob_id').where('item_id', 'in', ids).where('blob_id', 'is not', null).execute();
      blobs.push(...rows.map((r) => r.blob_id!));
      await this.db
        .deleteFrom('dav_properties')
        .where('node_id', 'in', this.db.selectFrom('trash_nodes').select('id').where('item_id', 'in', ids))
        .execute();
      await this.db.deleteFrom('trash_nodes').where('item_id', 'in', ids).execute();
      await this.db.deleteFrom('trash_items').where('id', 'in', ids).execute();
    }
    return blobs;
  }

  async sizeOf(spaceId: string): Promise<number> {
    const r = await this.db
      .selectFrom('trash_items as i')
      .innerJoin('trash_nodes as n', 'n.id', 'i.node_id')
      .select(sql<number>`coalesce(sum(n.size), 0)`.as('total'))
      .where('i.space_id', '=', spaceId)
      .executeTakeFirst();
    return Number(r?.total ?? 0);
  }

  async expired(before: number, limit: number): Promise<Array<{ id: string; spaceId: string }>> {
    const rows = await this.db.selectFrom('trash_items').select(['id', 'space_id']).where('deleted_at', '<', before).orderBy('deleted_at').orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, spaceId: r.space_id }));
  }
}
