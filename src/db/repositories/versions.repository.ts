import { type Kysely, type Selectable, sql } from 'kysely';
import type { FileVersion } from '../../domain/file-versions.js';
import type { VersionRepository } from '../../ports/versions.js';
import type { Database, FileVersionsTable } from '../schema.js';

const toVersion = (r: Selectable<FileVersionsTable>): FileVersion => ({
  nodeId: r.node_id,
  revision: Number(r.revision),
  blobId: r.blob_id,
  size: Number(r.size),
  mtime: Number(r.mtime),
  etag: r.etag,
  mimeType: r.mime_type,
  checksums: r.checksums,
  author: r.author,
  label: r.label,
  createdAt: Number(r.created_at),
});

/** The counters row holding when the last expiry sweep started (any process). */
const SWEEP_COUNTER = 'versions_expiry_sweep';

export class VersionsRepository implements VersionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async keep(nodeId: string, at: number): Promise<FileVersion | null> {
    // One statement: the node's content as it is now, named by its mtime in seconds unless that revision is taken.
    const second = sql<number>`cast(n.mtime / 1000 as bigint)`;
    const taken = sql<number>`(select max(v.revision) from file_versions as v where v.node_id = n.id)`;
    const clash = sql<boolean>`exists (select 1 from file_versions as c where c.node_id = n.id and c.revision = ${second})`;
    const row = await this.db
      .insertInto('file_versions')
      .columns(['node_id', 'revision', 'blob_id', 'size', 'mtime', 'etag', 'mime_type', 'checksums', 'author', 'label', 'created_at'])
      .expression(
        this.db
          .selectFrom('nodes as n')
          .select([
            'n.id',
            sql<number>`case when ${clash} then ${taken} + 1 else ${second} end`.as('revision'),
            sql<string>`n.blob_id`.as('blob_id'),
            'n.size',
            'n.mtime',
            'n.etag',
            'n.mime_type',
            'n.checksums',
            'n.modified_by',
            sql<null>`null`.as('label'),
            sql<number>`${at}`.as('created_at'),
          ])
          .where('n.id', '=', nodeId)
          .where('n.type', '=', 'file')
          .where('n.blob_id', 'is not', null),
      )
      .returningAll()
      .executeTakeFirst();
    return row ? toVersion(row) : null;
  }

  async list(nodeId: string): Promise<FileVersion[]> {
    return (await this.db.selectFrom('file_versions').selectAll().where('node_id', '=', nodeId).orderBy('revision', 'desc').execute()).map(toVersion);
  }

  async get(nodeId: string, revision: number): Promise<FileVersion | undefined> {
    const row = await this.db.selectFrom('file_versions').selectAll().where('node_id', '=', nodeId).where('revision', '=', revision).executeTakeFirst();
    return row ? toVersion(row) : undefined;
  }

  async setLabel(nodeId: string, revision: number, label: string | null): Promise<void> {
    await this.db.updateTable('file_versions').set({ label }).where('node_id', '=', nodeId).where('revision', '=', revision).execute();
  }

  async remove(keys: Array<{ nodeId: string; revision: number }>): Promise<string[]> {
    const blobs: string[] = [];
    for (const k of keys) {
      const row = await this.db.deleteFrom('file_versions').where('node_id', '=', k.nodeId).where('revision', '=', k.revision).returning('blob_id').executeTakeFirst();
      if (row) blobs.push(row.blob_id);
    }
    return blobs;
  }

  async removeOfNodes(nodeIds: string[]): Promise<string[]> {
    const blobs: string[] = [];
    for (let i = 0; i < nodeIds.length; i += 500) {
      const rows = await this.db.deleteFrom('file_versions').where('node_id', 'in', nodeIds.slice(i, i + 500)).returning('blob_id').execute();
      blobs.push(...rows.map((r) => r.blob_id));
    }
    return blobs;
  }

  async removeOfSpace(spaceId: string): Promise<string[]> {
    const rows = await this.db
      .deleteFrom('file_versions')
      .where((eb) =>
        eb.or([
          eb('node_id', 'in', this.db.selectFrom('nodes').select('id').where('space_id', '=', spaceId)),
          // Versions follow their file into the trash: those of the space's trashed files go too.
          eb('node_id', 'in', this.db.selectFrom('trash_nodes').select('id').where('space_id', '=', spaceId)),
        ]),
      )
      .returning('blob_id')
      .execute();
    return rows.map((r) => r.blob_id);
  }

  async reassign(fromNodeId: string, toNodeId: string): Promise<void> {
    const moving = await this.list(fromNodeId);
    if (!moving.length) return;
    const taken = new Set((await this.list(toNodeId)).map((v) => v.revision));
    let next = Math.max(0, ...taken, ...moving.map((v) => v.revision)) + 1;
    for (const v of moving) {
      const revision = taken.has(v.revision) ? next++ : v.revision;
      await this.db.updateTable('file_versions').set({ node_id: toNodeId, revision }).where('node_id', '=', fromNodeId).where('revision', '=', v.revision).execute();
      taken.add(revision);
    }
  }

  async holdsBlob(blobId: string): Promise<boolean> {
    return (await this.db.selectFrom('file_versions').select('node_id').where('blob_id', '=', blobId).limit(1).executeTakeFirst()) !== undefined;
  }

  async setAuthor(nodeId: string, userId: string): Promise<void> {
    await this.db.updateTable('nodes').set({ modified_by: userId }).where('id', '=', nodeId).execute();
  }

  async authorOf(nodeId: string): Promise<string | null> {
    return (await this.db.selectFrom('nodes').select('modified_by').where('id', '=', nodeId).executeTakeFirst())?.modified_by ?? null;
  }

  async nodesWithVersions(after: string, limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('file_versions').select('node_id').distinct().where('node_id', '>', after).orderBy('node_id').limit(limit).execute();
    return rows.map((r) => r.node_id);
  }

  async usageBySpace(): Promise<Array<{ spaceId: string; bytes: number }>> {
    const rows = await this.db
      .selectFrom('file_versions as v')
      .innerJoin('nodes as n', 'n.id', 'v.node_id')
      .select(['n.space_id', sql<number>`sum(v.size)`.as('bytes')])
      .groupBy('n.space_id')
      .execute();
    return rows.map((r) => ({ spaceId: r.space_id, bytes: Number(r.bytes) }));
  }

  async oldestInSpace(spaceId: string, limit: number): Promise<FileVersion[]> {
    const rows = await this.db
      .selectFrom('file_versions as v')
      .innerJoin('nodes as n', 'n.id', 'v.node_id')
      .selectAll('v')
      .where('n.space_id', '=', spaceId)
      .orderBy('v.mtime')
      .orderBy('v.created_at')
      .limit(limit)
      .execute();
    return rows.map(toVersion);
  }

  async olderThan(cutoff: number, limit: number): Promise<FileVersion[]> {
    return (await this.db.selectFrom('file_versions').selectAll().where('mtime', '<', cutoff).orderBy('mtime').limit(limit).execute()).map(toVersion);
  }

  async claimSweep(now: number, everyMs: number): Promise<boolean> {
    await this.db.insertInto('counters').values({ name: SWEEP_COUNTER, value: 0 }).onConflict((oc) => oc.column('name').doNothing()).execute();
    const res = await this.db.updateTable('counters').set({ value: now }).where('name', '=', SWEEP_COUNTER).where('value', '<=', now - everyMs).executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }
}
