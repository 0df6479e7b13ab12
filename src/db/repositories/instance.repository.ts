import type { Kysely } from 'kysely';
import { type CacheContext, cachedRead, cachedWrite } from '../cache/cached.js';
import type { InstanceSettingsRepository, UserRoleRepository } from '../../ports/repositories.js';
import type { Database } from '../schema.js';

const roleKey = (userId: string): string => `role:${userId}`;

export class UserRolesRepository implements UserRoleRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cx: CacheContext,
  ) {}

  async get(userId: string): Promise<string | undefined> {
    const role = await cachedRead(this.cx, roleKey(userId), async () => {
      const r = await this.db.selectFrom('user_roles').select('role').where('user_id', '=', userId).executeTakeFirst();
      return r?.role ?? null;
    });
    return role ?? undefined;
  }

  async set(userId: string, role: string | null): Promise<void> {
    await cachedWrite(this.cx, this.db, [roleKey(userId)], async (db) => {
      if (role === null) await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
      else await db.insertInto('user_roles').values({ user_id: userId, role }).onConflict((oc) => oc.column('user_id').doUpdateSet({ role })).execute();
    });
  }
}

export class InstanceSettingsRepositoryImpl implements InstanceSettingsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(key: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('instance_settings').select('value').where('key', '=', key).executeTakeFirst();
    return r?.value;
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    await this.db.insertInto('instance_settings').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
    return (await this.get(key)) ?? value;
  }
}
