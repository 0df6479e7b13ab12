import type { Kysely, Selectable } from 'kysely';
import { isStatusType, type UserStatus } from '../../domain/user-status.js';
import type { UserStatusRepository } from '../../ports/user-status.js';
import type { Database, UserStatusTable } from '../schema.js';

const toStatus = (r: Selectable<UserStatusTable>): UserStatus => ({
  userId: r.user_id,
  status: isStatusType(r.status) ? r.status : 'offline',
  statusAt: Number(r.status_at),
  userDefined: Number(r.user_defined) === 1,
  messageId: r.message_id,
  icon: r.icon,
  message: r.message,
  clearAt: r.clear_at === null ? null : Number(r.clear_at),
});

export class UserStatusesRepository implements UserStatusRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async find(userId: string): Promise<UserStatus | undefined> {
    const row = await this.db.selectFrom('user_status').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return row && toStatus(row);
  }

  async list(limit: number | undefined, offset: number | undefined): Promise<UserStatus[]> {
    let q = this.db.selectFrom('user_status').selectAll().orderBy('user_id');
    if (limit !== undefined) q = q.limit(limit);
    if (offset !== undefined) q = (limit === undefined ? q.limit(Number.MAX_SAFE_INTEGER) : q).offset(offset);
    return (await q.execute()).map(toStatus);
  }

  async upsert(s: UserStatus): Promise<void> {
    const values = {
      status: s.status,
      status_at: s.statusAt,
      user_defined: s.userDefined ? 1 : 0,
      message_id: s.messageId,
      icon: s.icon,
      message: s.message,
      clear_at: s.clearAt,
    };
    await this.db
      .insertInto('user_status')
      .values({ user_id: s.userId, ...values })
      .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
      .execute();
  }
}
