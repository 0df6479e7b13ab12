import type { Kysely } from 'kysely';
import type { PrivateDataEntry, PrivateDataRepository } from '../../ports/repositories.js';
import type { Database } from '../schema.js';

export class PrivateDataRepositoryImpl implements PrivateDataRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(userId: string, app?: string, key?: string): Promise<PrivateDataEntry[]> {
    let q = this.db.selectFrom('private_data').select(['app', 'key', 'value']).where('user_id', '=', userId);
    if (app !== undefined) q = q.where('app', '=', app);
    if (key !== undefined) q = q.where('key', '=', key);
    return q.orderBy('app').orderBy('key').execute();
  }

  async set(userId: string, e: PrivateDataEntry): Promise<void> {
    await this.db
      .insertInto('private_data')
      .values({ user_id: userId, app: e.app, key: e.key, value: e.value })
      .onConflict((oc) => oc.columns(['user_id', 'app', 'key']).doUpdateSet({ value: e.value }))
      .execute();
  }

  async remove(userId: string, app: string, key: string): Promise<void> {
    await this.db.deleteFrom('private_data').where('user_id', '=', userId).where('app', '=', app).where('key', '=', key).execute();
  }
}
