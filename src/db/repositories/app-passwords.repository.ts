import type { Kysely } from 'kysely';
import type { AppPasswordRecord, AppPasswordRepository } from '../../ports/repositories.js';
import type { Database } from '../schema.js';

export class AppPasswordsRepository implements AppPasswordRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(r: AppPasswordRecord): Promise<void> {
    await this.db
      .insertInto('app_passwords')
      .values({
        id: r.id,
        user_id: r.userId,
        name: r.name,
        token_hash: r.tokenHash,
        created_at: r.createdAt,
        last_used_at: r.lastUsedAt,
      })
      .execute();
  }

  async findByTokenHash(tokenHash: string): Promise<AppPasswordRecord | undefined> {
    const r = await this.db.selectFrom('app_passwords').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    if (!r) return undefined;
    return {
      id: r.id,
      userId: r.user_id,
      name: r.name,
      tokenHash: r.token_hash,
      createdAt: Number(r.created_at),
      lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    };
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('app_passwords').where('id', '=', id).execute();
  }

  async deleteForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('app_passwords').where('user_id', '=', userId).execute();
  }

  async touch(id: string, at: number): Promise<void> {
    await this.db.updateTable('app_passwords').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}
