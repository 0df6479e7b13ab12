import type { Kysely, Selectable } from 'kysely';
import { type CacheContext, cachedRead, cachedWrite } from '../cache/cached.js';
import type { RemoteShare } from '../../domain/federation.js';
import type { RemoteShareRepository } from '../../ports/remote-shares.js';
import type { Database, RemoteSharesTable } from '../schema.js';

const numericId = (id: string): number | null => (/^\d{1,15}$/.test(id) ? Number(id) : null);

function toRemoteShare(r: Selectable<RemoteSharesTable>): RemoteShare {
  return {
    id: String(r.id),
    userId: r.user_id,
    remote: r.remote,
    remoteId: r.remote_id,
    token: r.token,
    name: r.name,
    owner: r.owner,
    sharedBy: r.shared_by,
    mountName: r.mount_name,
    accepted: Number(r.accepted) === 1,
    createdAt: Number(r.created_at),
  };
}

const remoteKey = (userId: string): string => `remote:${userId}`;

export class RemoteSharesRepository implements RemoteShareRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cx: CacheContext,
  ) {}

  async insert(s: RemoteShare): Promise<void> {
    await cachedWrite(this.cx, this.db, [remoteKey(s.userId)], (db) => db
      .insertInto('remote_shares')
      .values({
        id: Number(s.id),
        user_id: s.userId,
        remote: s.remote,
        remote_id: s.remoteId,
        token: s.token,
        name: s.name,
        owner: s.owner,
        shared_by: s.sharedBy,
        mount_name: s.mountName,
        accepted: s.accepted ? 1 : 0,
        created_at: s.createdAt,
      })
      .execute());
  }

  async byId(id: string): Promise<RemoteShare | undefined> {
    const n = numericId(id);
    if (n === null) return undefined;
    const r = await this.db.selectFrom('remote_shares').selectAll().where('id', '=', n).executeTakeFirst();
    return r ? toRemoteShare(r) : undefined;
  }

  /** Every WebDAV request in a home lists the accepted ones: cached per user, all states. */
  async ofUser(userId: string, accepted?: boolean): Promise<RemoteShare[]> {
    const all = await cachedRead(this.cx, remoteKey(userId), async () =>
      (await this.db.selectFrom('remote_shares').selectAll().where('user_id', '=', userId).orderBy('id').execute()).map(toRemoteShare),
    );
    return accepted === undefined ? all : all.filter((s) => s.accepted === accepted);
  }

  async byRemoteId(remoteId: string, token: string): Promise<RemoteShare[]> {
    return (await this.db.selectFrom('remote_shares').selectAll().where('remote_id', '=', remoteId).where('token', '=', token).execute()).map(toRemoteShare);
  }

  async accept(id: string, mountName: string): Promise<void> {
    const n = numericId(id);
    if (n !== null) await cachedWrite(this.cx, this.db, ['remote:*'], (db) => db.updateTable('remote_shares').set({ accepted: 1, mount_name: mountName }).where('id', '=', n).execute());
  }

  async rename(id: string, mountName: string): Promise<void> {
    const n = numericId(id);
    if (n !== null) await cachedWrite(this.cx, this.db, ['remote:*'], (db) => db.updateTable('remote_shares').set({ mount_name: mountName }).where('id', '=', n).execute());
  }

  async delete(id: string): Promise<void> {
    const n = numericId(id);
    if (n !== null) await cachedWrite(this.cx, this.db, ['remote:*'], (db) => db.deleteFrom('remote_shares').where('id', '=', n).execute());
  }
}
