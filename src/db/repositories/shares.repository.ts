import { type Kysely, type Selectable, sql } from 'kysely';
import { type ReceivedShare, type Share, SHARE_STATE, type ShareState, type ShareType } from '../../domain/share.js';
import type { ShareChanges, ShareRepository } from '../../ports/shares.js';
import type { Database, SharesTable } from '../schema.js';
import { type CacheContext, cachedRead, cachedWrite } from '../cache/cached.js';

/** Any share change may change what someone received: the whole namespace goes. */
const RECEIVED = ['received:*'];

const CHUNK = 500;

const toShare = (r: Selectable<SharesTable>): Share => ({
  id: String(r.id),
  type: Number(r.share_type) as ShareType,
  ownerId: r.owner_id,
  fileOwnerId: r.file_owner_id,
  spaceId: r.space_id,
  nodeId: r.node_id,
  itemType: r.item_type as Share['itemType'],
  shareWith: r.share_with,
  permissions: Number(r.permissions),
  token: r.token,
  passwordHash: r.password_hash,
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  label: r.label,
  note: r.note,
  hideDownload: Number(r.hide_download) === 1,
  attributes: r.attributes,
  targetName: r.target_name,
  createdAt: Number(r.created_at),
});

type ReceivedRow = Selectable<SharesTable> & { r_state: number | null; r_target: string | null };

const toReceived = (r: ReceivedRow): ReceivedShare => {
  const share = toShare(r);
  return { ...share, state: (r.r_state === null ? SHARE_STATE.accepted : Number(r.r_state)) as ShareState, mountName: r.r_target ?? share.targetName };
};

/** Share ids are numeric strings on the wire; anything else cannot name a row. */
const numericId = (id: string): number | null => (/^\d{1,15}$/.test(id) ? Number(id) : null);

export class SharesRepository implements ShareRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cx: CacheContext,
  ) {}

  async insert(s: Share): Promise<void> {
    await cachedWrite(this.cx, this.db, RECEIVED, (db) => db
      .insertInto('shares')
      .values({
        id: Number(s.id),
        share_type: s.type,
        owner_id: s.ownerId,
        file_owner_id: s.fileOwnerId,
        space_id: s.spaceId,
        node_id: s.nodeId,
        item_type: s.itemType,
        share_with: s.shareWith,
        permissions: s.permissions,
        token: s.token,
        password_hash: s.passwordHash,
        expires_at: s.expiresAt,
        label: s.label,
        note: s.note,
        hide_download: s.hideDownload ? 1 : 0,
        attributes: s.attributes,
        target_name: s.targetName,
        created_at: s.createdAt,
      })
      .execute());
  }

  async update(id: string, c: ShareChanges): Promise<void> {
    const n = numericId(id);
    if (n === null) return;
    const values: Partial<SharesTable> = {};
    if (c.permissions !== undefined) values.permissions = c.permissions;
    if (c.passwordHash !== undefined) values.password_hash = c.passwordHash;
    if (c.expiresAt !== undefined) values.expires_at = c.expiresAt;
    if (c.label !== undefined) values.label = c.label;
    if (c.note !== undefined) values.note = c.note;
    if (c.hideDownload !== undefined) values.hide_download = c.hideDownload ? 1 : 0;
    if (c.attributes !== undefined) values.attributes = c.attributes;
    if (c.token !== undefined) values.token = c.token;
    if (Object.keys(values).length) await cachedWrite(this.cx, this.db, RECEIVED, (db) => db.updateTable('shares').set(values).where('id', '=', n).execute());
  }

  async delete(ids: string[]): Promise<void> {
    const nums = ids.map(numericId).filter((n): n is number => n !== null);
    if (!nums.length) return;
    await cachedWrite(this.cx, this.db, RECEIVED, async (db) => {
      for (let i = 0; i < nums.length; i += CHUNK) await db.deleteFrom('shares').where('id', 'in', nums.slice(i, i + CHUNK)).execute();
    });
  }

  async byId(id: string): Promise<Share | undefined> {
    const n = numericId(id);
    if (n === null) return undefined;
    const r = await this.db.selectFrom('shares').selectAll().where('id', '=', n).executeTakeFirst();
    return r ? toShare(r) : undefined;
  }

  async byToken(token: string): Promise<Share | undefined> {
    const r = await this.db.selectFrom('shares').selectAll().where('token', '=', token).executeTakeFirst();
    return r ? toShare(r) : undefined;
  }

  async byOwner(ownerId: string, nodeIds?: string[]): Promise<Share[]> {
    if (nodeIds && nodeIds.length === 0) return [];
    let q = this.db.selectFrom('shares').selectAll().where('owner_id', '=', ownerId);
    if (nodeIds) q = q.where('node_id', 'in', nodeIds);
    return (await q.orderBy('id').execute()).map(toShare);
  }

  async byFileOwner(fileOwnerId: string): Promise<Share[]> {
    return (await this.db.selectFrom('shares').selectAll().where('file_owner_id', '=', fileOwnerId).orderBy('id').execute()).map(toShare);
  }

  /** Who hears of every change in the space reads these: cached with what users received (the same writes invalidate both). */
  internalInSpace(spaceId: string): Promise<Share[]> {
    return cachedRead(this.cx, `received:space:${spaceId}`, async () =>
      (await this.db.selectFrom('shares').selectAll().where('space_id', '=', spaceId).where('share_type', 'in', [0, 1]).orderBy('id').execute()).map(toShare),
    );
  }

  async othersInSpace(spaceId: string, exceptOwner: string): Promise<Share[]> {
    return (await this.db.selectFrom('shares').selectAll().where('space_id', '=', spaceId).where('owner_id', '!=', exceptOwner).orderBy('id').execute()).map(toShare);
  }

  async onNodes(spaceId: string, nodeIds: string[]): Promise<Share[]> {
    const out: Share[] = [];
    for (let i = 0; i < nodeIds.length; i += CHUNK) {
      const rows = await this.db.selectFrom('shares').selectAll().where('space_id', '=', spaceId).where('node_id', 'in', nodeIds.slice(i, i + CHUNK)).orderBy('id').execute();
      out.push(...rows.map(toShare));
    }
    return out;
  }

  async onSubtree(spaceId: string, path: string): Promise<Share[]> {
    const prefix = `${path}/`;
    const rows = await this.db
      .selectFrom('shares')
      .innerJoin('nodes as n', 'n.id', 'shares.node_id')
      .selectAll('shares')
      .where('shares.space_id', '=', spaceId)
      .where('n.space_id', '=', spaceId)
      .where(sql<boolean>`(n.path = ${path} or substr(n.path, 1, length(${prefix})) = ${prefix})`)
      .orderBy('shares.id')
      .execute();
    return rows.map(toShare);
  }

  private received(userId: string, groupIds: string[]) {
    return this.db
      .selectFrom('shares')
      .leftJoin('share_recipients as r', (j) => j.onRef('r.share_id', '=', 'shares.id').on('r.user_id', '=', userId))
      .selectAll('shares')
      .select(['r.state as r_state', 'r.target_name as r_target'])
      .where('shares.owner_id', '!=', userId)
      .where((w) =>
        w.or([
          w.and([w('shares.share_type', '=', 0), w('shares.share_with', '=', userId)]),
          ...(groupIds.length ? [w.and([w('shares.share_type', '=', 1), w('shares.share_with', 'in', groupIds)])] : []),
        ]),
      );
  }

  /** What a user received (directly and through these groups), cached: mounts and access checks read it on every request. */
  receivedBy(userId: string, groupIds: string[]): Promise<ReceivedShare[]> {
    return cachedRead(this.cx, `received:${userId}\u0000${[...groupIds].sort().join('\u0000')}`, async () => {
      const rows = await this.received(userId, groupIds).orderBy('shares.id').execute();
      return rows.map((r) => toReceived(r as ReceivedRow));
    });
  }

  async grantsIn(userId: string, groupIds: string[], spaceId: string, now: number): Promise<ReceivedShare[]> {
    if (this.cx.cache.enabled) {
      // The same rows as the query below, filtered from the cached list (a missing recipient row reads as accepted).
      return (await this.receivedBy(userId, groupIds)).filter((s) => s.spaceId === spaceId && (s.expiresAt === null || s.expiresAt > now) && s.state === SHARE_STATE.accepted);
    }
    const rows = await this.received(userId, groupIds)
      .where('shares.space_id', '=', spaceId)
      .where((w) => w.or([w('shares.expires_at', 'is', null), w('shares.expires_at', '>', now)]))
      .where((w) => w.or([w('r.state', 'is', null), w('r.state', '=', SHARE_STATE.accepted)]))
      .orderBy('shares.id')
      .execute();
    return rows.map((r) => toReceived(r as ReceivedRow));
  }

  async setRecipient(shareId: string, userId: string, state: ShareState, mountName: string | null): Promise<void> {
    const n = numericId(shareId);
    if (n === null) return;
    await cachedWrite(this.cx, this.db, RECEIVED, (db) =>
      db
        .insertInto('share_recipients')
        .values({ share_id: n, user_id: userId, state, target_name: mountName })
        .onConflict((oc) => oc.columns(['share_id', 'user_id']).doUpdateSet({ state, target_name: mountName }))
        .execute(),
    );
  }

  async relocate(nodeIds: string[], spaceId: string): Promise<void> {
    if (!nodeIds.length) return;
    await cachedWrite(this.cx, this.db, RECEIVED, async (db) => {
      for (let i = 0; i < nodeIds.length; i += CHUNK) await db.updateTable('shares').set({ space_id: spaceId }).where('node_id', 'in', nodeIds.slice(i, i + CHUNK)).execute();
    });
  }

  async deleteOnNodes(nodeIds: string[]): Promise<void> {
    if (!nodeIds.length) return;
    await cachedWrite(this.cx, this.db, RECEIVED, async (db) => {
      for (let i = 0; i < nodeIds.length; i += CHUNK) await db.deleteFrom('shares').where('node_id', 'in', nodeIds.slice(i, i + CHUNK)).execute();
    });
  }

  async deleteForRecipient(type: 0 | 1, principalId: string): Promise<void> {
    await cachedWrite(this.cx, this.db, RECEIVED, (db) => db.deleteFrom('shares').where('share_type', '=', type).where('share_with', '=', principalId).execute());
  }
}

