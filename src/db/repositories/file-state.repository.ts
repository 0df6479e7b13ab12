import { type Kysely, type Selectable, sql } from 'kysely';
import type { DavLock } from '../../domain/lock.js';
import type { BlobJournalRepository, CounterRepository, DavLockRepository, DavPropertyRepository, SpaceTreeRepository, StoredNode } from '../../ports/files.js';
import type { Space } from '../../domain/space.js';
import type { Database, DavLocksTable } from '../schema.js';
import { toNode } from './nodes.repository.js';
import { toSpace } from './space-rows.js';

export class SpaceTreeRepositoryImpl implements SpaceTreeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async adjust(spaceId: string, delta: number, etag: string, mtime: number): Promise<number> {
    const r = await this.db
      .updateTable('spaces')
      .set({ size: sql<number>`size + ${delta}`, etag, mtime })
      .where('id', '=', spaceId)
      .returning('size')
      .executeTakeFirst();
    return Number(r?.size ?? 0);
  }

  async take(spaceId: string, delta: number, etag: string, mtime: number): Promise<Space | undefined> {
    const r = await this.db
      .updateTable('spaces')
      .set({ size: sql<number>`size + ${delta}`, etag, mtime })
      .where('id', '=', spaceId)
      .returningAll()
      .executeTakeFirst();
    return r ? toSpace(r) : undefined;
  }
}

export class CountersRepository implements CounterRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async allocate(name: string, n: number): Promise<number> {
    const r = await this.db
      .updateTable('counters')
      .set({ value: sql<number>`value + ${n}` })
      .where('name', '=', name)
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(r.value) - n + 1;
  }
}

export class DavPropertiesRepository implements DavPropertyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(nodeIds: string[]): Promise<Array<{ nodeId: string; name: string; value: string }>> {
    if (!nodeIds.length) return [];
    const out: Array<{ nodeId: string; name: string; value: string }> = [];
    for (let i = 0; i < nodeIds.length; i += 500) {
      const rows = await this.db.selectFrom('dav_properties').selectAll().where('node_id', 'in', nodeIds.slice(i, i + 500)).execute();
      for (const r of rows) out.push({ nodeId: r.node_id, name: r.name, value: r.value });
    }
    return out;
  }

  async set(nodeId: string, name: string, value: string): Promise<void> {
    await this.db
      .insertInto('dav_properties')
      .values({ node_id: nodeId, name, value })
      .onConflict((oc) => oc.columns(['node_id', 'name']).doUpdateSet({ value }))
      .execute();
  }

  async remove(nodeId: string, name: string): Promise<void> {
    await this.db.deleteFrom('dav_properties').where('node_id', '=', nodeId).where('name', '=', name).execute();
  }

  async nodesWith(name: string, value: string, allProperties = true): Promise<Array<{ node: StoredNode; properties: Array<{ name: string; value: string }> }>> {
    const marked = this.db
      .selectFrom('dav_properties as mark')
      .innerJoin('nodes', 'nodes.id', 'mark.node_id')
      .selectAll('nodes')
      .where('mark.name', '=', name)
      .where('mark.value', '=', value);
    if (!allProperties) {
      // The mark alone: one row per node, no second join (a favourites listing that asks for live properties only).
      const mark = [{ name, value }];
      return (await marked.execute()).map((r) => ({ node: toNode(r), properties: mark }));
    }
    // One query: the marked nodes joined with every property they carry (a node has few), grouped here by node
    // rather than sorted by the database.
    const rows = await marked
      .innerJoin('dav_properties as p', 'p.node_id', 'mark.node_id')
      .select(['p.name as prop_name', 'p.value as prop_value'])
      .execute();
    const byNode = new Map<string, { node: StoredNode; properties: Array<{ name: string; value: string }> }>();
    for (const r of rows) {
      let entry = byNode.get(r.id);
      if (!entry) byNode.set(r.id, (entry = { node: toNode(r), properties: [] }));
      entry.properties.push({ name: r.prop_name, value: r.prop_value });
    }
    return [...byNode.values()];
  }

  async copy(pairs: Array<{ from: string; to: string }>): Promise<void> {
    const target = new Map(pairs.map((p) => [p.from, p.to]));
    const rows = await this.list(pairs.map((p) => p.from));
    const values = rows.map((r) => ({ node_id: target.get(r.nodeId)!, name: r.name, value: r.value }));
    for (let i = 0; i < values.length; i += 500) await this.db.insertInto('dav_properties').values(values.slice(i, i + 500)).execute();
  }
}

const toLock = (r: Selectable<DavLocksTable>): DavLock => ({
  token: r.token,
  spaceId: r.space_id,
  path: r.path,
  scope: r.scope as DavLock['scope'],
  depth: r.depth === 'infinity' ? 'infinity' : 0,
  owner: r.owner,
  userId: r.user_id,
  timeout: Number(r.timeout),
  expiresAt: Number(r.expires_at),
});

export class DavLocksRepository implements DavLockRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async onPaths(spaceId: string, paths: string[], now: number): Promise<DavLock[]> {
    if (!paths.length) return [];
    const rows = await this.db
      .selectFrom('dav_locks')
      .selectAll()
      .where('space_id', '=', spaceId)
      .where('path', 'in', paths)
      .where('expires_at', '>', now)
      .execute();
    return rows.map(toLock);
  }

  async below(spaceId: string, path: string, now: number): Promise<DavLock[]> {
    let q = this.db.selectFrom('dav_locks').selectAll().where('space_id', '=', spaceId).where('expires_at', '>', now);
    const prefix = `${path}/`;
    q = path === '' ? q.where('path', '<>', '') : q.where(sql<boolean>`substr(path, 1, length(${prefix})) = ${prefix}`);
    return (await q.execute()).map(toLock);
  }

  async byToken(token: string, now: number): Promise<DavLock | undefined> {
    const r = await this.db.selectFrom('dav_locks').selectAll().where('token', '=', token).where('expires_at', '>', now).executeTakeFirst();
    return r ? toLock(r) : undefined;
  }

  async insert(l: DavLock): Promise<void> {
    await this.db
      .insertInto('dav_locks')
      .values({ token: l.token, space_id: l.spaceId, path: l.path, scope: l.scope, depth: String(l.depth), owner: l.owner, user_id: l.userId, timeout: l.timeout, expires_at: l.expiresAt })
      .execute();
  }

  async refresh(token: string, timeout: number, expiresAt: number): Promise<void> {
    await this.db.updateTable('dav_locks').set({ timeout, expires_at: expiresAt }).where('token', '=', token).execute();
  }

  async remove(token: string): Promise<void> {
    await this.db.deleteFrom('dav_locks').where('token', '=', token).execute();
  }

  async removeUnder(spaceId: string, path: string): Promise<void> {
    let q = this.db.deleteFrom('dav_locks').where('space_id', '=', spaceId);
    const prefix = `${path}/`;
    if (path !== '') q = q.where((eb) => eb.or([eb('path', '=', path), sql<boolean>`substr(path, 1, length(${prefix})) = ${prefix}`]));
    await q.execute();
  }

  async pruneExpired(now: number): Promise<void> {
    await this.db.deleteFrom('dav_locks').where('expires_at', '<=', now).execute();
  }
}

export class BlobJournalRepositoryImpl implements BlobJournalRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async add(blobIds: string[], owner: string, at: number): Promise<void> {
    for (let i = 0; i < blobIds.length; i += 500) {
      await this.db
        .insertInto('blob_journal')
        .values(blobIds.slice(i, i + 500).map((blob_id) => ({ blob_id, owner, created_at: at })))
        .onConflict((oc) => oc.column('blob_id').doNothing())
        .execute();
    }
  }

  async remove(blobIds: string[]): Promise<void> {
    for (let i = 0; i < blobIds.length; i += 500) await this.db.deleteFrom('blob_journal').where('blob_id', 'in', blobIds.slice(i, i + 500)).execute();
  }

  async list(): Promise<Array<{ blobId: string; owner: string; createdAt: number }>> {
    return (await this.db.selectFrom('blob_journal').selectAll().execute()).map((r) => ({ blobId: r.blob_id, owner: r.owner, createdAt: Number(r.created_at) }));
  }
}
