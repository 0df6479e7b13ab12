import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { NodeRepository, StoredNode } from '../../ports/files.js';
import type { Space } from '../../domain/space.js';
import { compiledQuery } from '../compiled-query.js';
import type { Database, NodesTable, SpacesTable } from '../schema.js';
import { toSpace } from './space-rows.js';

export const toNode = (r: Selectable<NodesTable>): StoredNode => ({
  id: r.id,
  fileId: Number(r.file_id),
  spaceId: r.space_id,
  parentId: r.parent_id,
  name: r.name,
  path: r.path,
  type: r.type as StoredNode['type'],
  size: Number(r.size),
  mtime: Number(r.mtime),
  etag: r.etag,
  mimeType: r.mime_type,
  checksums: r.checksums,
  blobId: r.blob_id,
  createdAt: Number(r.created_at),
});

const toRow = (n: StoredNode): Insertable<NodesTable> => ({
  id: n.id,
  file_id: n.fileId,
  space_id: n.spaceId,
  parent_id: n.parentId ?? n.spaceId,
  name: n.name,
  path: n.path,
  type: n.type,
  size: n.size,
  mtime: n.mtime,
  etag: n.etag,
  mime_type: n.mimeType,
  checksums: n.checksums,
  blob_id: n.blobId,
  created_at: n.createdAt,
});

const NODE_COLUMNS = ['id', 'file_id', 'space_id', 'parent_id', 'name', 'path', 'type', 'size', 'mtime', 'etag', 'mime_type', 'checksums', 'blob_id', 'created_at'] as const;
type NodeColumn = (typeof NODE_COLUMNS)[number];
type SpaceWithNodeRow = Selectable<SpacesTable> & { [K in NodeColumn as `n_${K}`]: Selectable<NodesTable>[K] | null };

/** Whether the space holds any WebDAV lock (expired ones count too: callers then look closer). */
const anyLock = (spaceId: string) => sql<number>`(select count(*) from dav_locks as l where l.space_id = ${spaceId})`.as('lock_count');

// Every WebDAV and Graph file request opens a place with one of these: kept compiled, one per number of paths.
const selectSpaceOnly = compiledQuery((db: Kysely<Database>, spaceId: string) => db.selectFrom('spaces').selectAll().select(anyLock(spaceId)).where('id', '=', spaceId));

const spaceWithNodes = (db: Kysely<Database>, spaceId: string, paths: string[]) =>
  db
    .selectFrom('spaces as s')
    .leftJoin('nodes as n', (j) => j.onRef('n.space_id', '=', 's.id').on('n.path', 'in', paths))
    .selectAll('s')
    .select(anyLock(spaceId))
    .select(NODE_COLUMNS.map((c) => sql.ref(`n.${c}`).as(`n_${c}`)))
    .where('s.id', '=', spaceId)
    .$castTo<SpaceWithNodeRow & { lock_count: number }>();
const selectSpaceWithOne = compiledQuery((db: Kysely<Database>, spaceId: string, path: string) => spaceWithNodes(db, spaceId, [path]));
const selectSpaceWithTwo = compiledQuery((db: Kysely<Database>, spaceId: string, path: string, parent: string) => spaceWithNodes(db, spaceId, [path, parent]));

/** Rows strictly below a path: compared by prefix with SQL's own length, which counts characters as substr does. */
const below = (prefix: string) => sql<boolean>`substr(path, 1, length(${prefix})) = ${prefix}`;

export class NodesRepository implements NodeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async openAt(spaceId: string, paths: string[]): Promise<{ space: Space; nodes: StoredNode[]; locked: boolean } | undefined> {
    if (!paths.length) {
      const [row] = await selectSpaceOnly(this.db, spaceId);
      return row ? { space: toSpace(row), nodes: [], locked: Number(row.lock_count) > 0 } : undefined;
    }
    const rows = paths.length === 1 ? await selectSpaceWithOne(this.db, spaceId, paths[0]!) : await selectSpaceWithTwo(this.db, spaceId, paths[0]!, paths[1]!);
    if (!rows.length) return undefined;
    const nodes: StoredNode[] = [];
    for (const r of rows) {
      if (r.n_id === null) continue;
      const node = Object.fromEntries(NODE_COLUMNS.map((c) => [c, r[`n_${c}`]])) as unknown as Selectable<NodesTable>;
      nodes.push(toNode(node));
    }
    return { space: toSpace(rows[0]!), nodes, locked: Number(rows[0]!.lock_count) > 0 };
  }

  async byPaths(spaceId: string, paths: string[]): Promise<StoredNode[]> {
    if (!paths.length) return [];
    if (paths.length <= 500) return (await this.db.selectFrom('nodes').selectAll().where('space_id', '=', spaceId).where('path', 'in', paths).execute()).map(toNode);
    const out: StoredNode[] = [];
    for (let i = 0; i < paths.length; i += 500) out.push(...(await this.byPaths(spaceId, paths.slice(i, i + 500))));
    return out;
  }

  async byPath(spaceId: string, path: string): Promise<StoredNode | undefined> {
    const r = await this.db.selectFrom('nodes').selectAll().where('space_id', '=', spaceId).where('path', '=', path).executeTakeFirst();
    return r ? toNode(r) : undefined;
  }

  async byId(id: string): Promise<StoredNode | undefined> {
    const r = await this.db.selectFrom('nodes').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toNode(r) : undefined;
  }

  async byFileId(fileId: number): Promise<StoredNode | undefined> {
    const r = await this.db.selectFrom('nodes').selectAll().where('file_id', '=', fileId).executeTakeFirst();
    return r ? toNode(r) : undefined;
  }

  async byIds(ids: string[]): Promise<StoredNode[]> {
    const out: StoredNode[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      out.push(...(await this.db.selectFrom('nodes').selectAll().where('id', 'in', ids.slice(i, i + 500)).execute()).map(toNode));
    }
    return out;
  }

  async children(parentId: string): Promise<StoredNode[]> {
    return (await this.db.selectFrom('nodes').selectAll().where('parent_id', '=', parentId).execute()).map(toNode);
  }

  async subtree(spaceId: string, path: string): Promise<StoredNode[]> {
    let q = this.db.selectFrom('nodes').selectAll().where('space_id', '=', spaceId);
    if (path !== '') q = q.where((eb) => eb.or([eb('path', '=', path), below(`${path}/`)]));
    return (await q.orderBy(sql`length(path)`).orderBy('path').execute()).map(toNode);
  }

  async insert(nodes: StoredNode[], opts: { modifiedBy?: string } = {}): Promise<void> {
    const author = opts.modifiedBy === undefined ? {} : { modified_by: opts.modifiedBy };
    // Bounded batches: SQLite allows at most 32,766 bound parameters per statement.
    for (let i = 0; i < nodes.length; i += 500) {
      await this.db.insertInto('nodes').values(nodes.slice(i, i + 500).map((n) => ({ ...toRow(n), ...author }))).execute();
    }
  }

  async update(id: string, c: Partial<Omit<StoredNode, 'id' | 'fileId' | 'createdAt'>>, opts: { modifiedBy?: string } = {}): Promise<void> {
    const set: Partial<Selectable<NodesTable>> = {};
    if (opts.modifiedBy !== undefined) set.modified_by = opts.modifiedBy;
    if (c.spaceId !== undefined) set.space_id = c.spaceId;
    if (c.parentId !== undefined) set.parent_id = c.parentId ?? c.spaceId ?? '';
    if (c.name !== undefined) set.name = c.name;
    if (c.path !== undefined) set.path = c.path;
    if (c.size !== undefined) set.size = c.size;
    if (c.mtime !== undefined) set.mtime = c.mtime;
    if (c.etag !== undefined) set.etag = c.etag;
    if (c.mimeType !== undefined) set.mime_type = c.mimeType;
    if (c.checksums !== undefined) set.checksums = c.checksums;
    if (c.blobId !== undefined) set.blob_id = c.blobId;
    if (Object.keys(set).length) await this.db.updateTable('nodes').set(set).where('id', '=', id).execute();
  }

  async deleteSubtree(spaceId: string, path: string): Promise<void> {
    const ids = this.db
      .selectFrom('nodes')
      .select('id')
      .where('space_id', '=', spaceId)
      .where((eb) => eb.or([eb('path', '=', path), below(`${path}/`)]));
    await this.db.deleteFrom('dav_properties').where('node_id', 'in', ids).execute();
    await this.db
      .deleteFrom('nodes')
      .where('space_id', '=', spaceId)
      .where((eb) => eb.or([eb('path', '=', path), below(`${path}/`)]))
      .execute();
  }

  async moveDescendants(fromSpace: string, from: string, toSpace: string, to: string): Promise<void> {
    const fromPrefix = `${from}/`;
    await this.db
      .updateTable('nodes')
      .set({ space_id: toSpace, path: sql<string>`${`${to}/`} || substr(path, length(${fromPrefix}) + 1)` })
      .where('space_id', '=', fromSpace)
      .where(below(fromPrefix))
      .execute();
  }

  async propagate(spaceId: string, folderPaths: string[], delta: number, etag: string, mtime: number): Promise<void> {
    if (!folderPaths.length) return;
    await this.db
      .updateTable('nodes')
      .set({ size: sql<number>`size + ${delta}`, etag, mtime })
      .where('space_id', '=', spaceId)
      .where('path', 'in', folderPaths)
      .execute();
  }

  /** A blob stays while a live row or a row in the trash bin holds it. */
  async isBlobReferenced(blobId: string): Promise<boolean> {
    if ((await this.db.selectFrom('nodes').select('id').where('blob_id', '=', blobId).limit(1).executeTakeFirst()) !== undefined) return true;
    return (await this.db.selectFrom('trash_nodes').select('id').where('blob_id', '=', blobId).limit(1).executeTakeFirst()) !== undefined;
  }

  async deleteSpaceContent(spaceId: string): Promise<string[]> {
    const blobs = await this.db.selectFrom('nodes').select('blob_id').where('space_id', '=', spaceId).where('blob_id', 'is not', null).execute();
    const ids = this.db.selectFrom('nodes').select('id').where('space_id', '=', spaceId);
    await this.db.deleteFrom('dav_properties').where('node_id', 'in', ids).execute();
    await this.db.deleteFrom('dav_properties').where('node_id', '=', spaceId).execute();
    await this.db.deleteFrom('nodes').where('space_id', '=', spaceId).execute();
    // The space's trash bin goes with it.
    const trashed = await this.db.selectFrom('trash_nodes').select('blob_id').where('space_id', '=', spaceId).where('blob_id', 'is not', null).execute();
    await this.db.deleteFrom('dav_properties').where('node_id', 'in', this.db.selectFrom('trash_nodes').select('id').where('space_id', '=', spaceId)).execute();
    await this.db.deleteFrom('trash_nodes').where('space_id', '=', spaceId).execute();
    await this.db.deleteFrom('trash_items').where('space_id', '=', spaceId).execute();
    return [...blobs, ...trashed].map((b) => b.blob_id!);
  }
}
