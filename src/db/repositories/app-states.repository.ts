import type { Kysely } from 'kysely';
import type { AppStateRepository } from '../../ports/repositories.js';
import type { Database } from '../schema.js';

export class AppStatesRepository implements AppStateRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async all(): Promise<Map<string, boolean>> {
    const rows = await this.db.selectFrom('app_states').selectAll().execute();
    return new Map(rows.map((r) => [r.app_id, r.enabled === 1]));
  }

  async set(appId: string, enabled: boolean): Promise<void> {
    await this.db
      .insertInto('app_states')
      .values({ app_id: appId, enabled: enabled ? 1 : 0 })
      .onConflict((oc) => oc.column('app_id').doUpdateSet({ enabled: enabled ? 1 : 0 }))
      .execute();
  }
}
