import type { Kysely, Selectable } from 'kysely';
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

export class RemoteSharesRepository implements RemoteShareRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(s: RemoteShare): Promise<void> {
    await this.db
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
      .execute();
  }

  async byId(id: string): Promise<RemoteShare | undefined> {
    const n = numericId(id);
    if (n === null) return undefined;
    const r = await this.db.selectFrom('remote_shares').selectAll().where('id', '=', n).executeTakeFirst();
    return r ? toRemoteShare(r) : undefined;
  }

  async ofUser(userId: string, accepted?: boolean): Promise<RemoteShare[]> {
    let q = this.db.selectFrom('remote_shares').selectAll().where('user_id', '=', userId);
    if (accepted !== undefined) q = q.where('accepted', '=', accepted ? 1 : 0);
    return (await q.orderBy('id').execute()).map(toRemoteShare);
  }

  async byRemoteId(remoteId: string, token: string): Promise<RemoteShare[]> {
    return (await this.db.selectFrom('remote_shares').selectAll().where('remote_id', '=', remoteId).where('token', '=', token).execute()).map(toRemoteShare);
  }

  async accept(id: string, mountName: string): Promise<void> {
    const n = numericId(id);
    if (n !== null) await this.db.updateTable('remote_shares').set({ accepted: 1, mount_name: mountName }).where('id', '=', n).execute();
  }

  async rename(id: string, mountName: string): Promise<void> {
    const n = numericId(id);
    if (n !== null) await this.db.updateTable('remote_shares').set({ mount_name: mountName }).where('id', '=', n).execute();
  }

  async delete(id: string): Promise<void> {
    const n = numericId(id);
    if (n !== null) await this.db.deleteFrom('remote_shares').where('id', '=', n).execute();
  }
}
