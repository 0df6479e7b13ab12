import type { Kysely, Selectable } from 'kysely';
import type { AppPasswordRecord, AppPasswordRepository } from '../../ports/repositories.js';
import type { AppPasswordsTable, Database } from '../schema.js';
import { type CacheContext, cachedRead, cachedWrite } from '../cache/cached.js';

const tokenKey = (tokenHash: string): string => `apppw:${tokenHash}`;

const toRecord = (r: Selectable<AppPasswordsTable>): AppPasswordRecord => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  tokenHash: r.token_hash,
  createdAt: Number(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
});

export class AppPasswordsRepository implements AppPasswordRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cx: CacheContext,
  ) {}

  async insert(r: AppPasswordRecord): Promise<void> {
    await cachedWrite(this.cx, this.db, [tokenKey(r.tokenHash)], (db) => db
      .insertInto('app_passwords')
      .values({
        id: r.id,
        user_id: r.userId,
        name: r.name,
        token_hash: r.tokenHash,
        created_at: r.createdAt,
        last_used_at: r.lastUsedAt,
      })
      .execute());
  }

  /** Cached for authentication; lastUsedAt in a cached record may lag behind touch(). */
  async findByTokenHash(tokenHash: string): Promise<AppPasswordRecord | undefined> {
    return (await cachedRead(this.cx, tokenKey(tokenHash), () => this.load(tokenHash))) ?? undefined;
  }

  private async load(tokenHash: string): Promise<AppPasswordRecord | null> {
    const r = await this.db.selectFrom('app_passwords').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return r ? toRecord(r) : null;
  }

  // Deletions name rows by id or owner, not by token: every cached token is dropped (deletions are rare).
  async delete(id: string): Promise<void> {
    await cachedWrite(this.cx, this.db, ['apppw:*'], (db) => db.deleteFrom('app_passwords').where('id', '=', id).execute());
  }

  async deleteForUser(userId: string): Promise<void> {
    await cachedWrite(this.cx, this.db, ['apppw:*'], (db) => db.deleteFrom('app_passwords').where('user_id', '=', userId).execute());
  }

  async touch(tokenHash: string, at: number): Promise<void> {
    await cachedWrite(this.cx, this.db, [tokenKey(tokenHash)], (db) => db.updateTable('app_passwords').set({ last_used_at: at }).where('token_hash', '=', tokenHash).execute());
  }

  async listForUser(userId: string): Promise<AppPasswordRecord[]> {
    const rows = await this.db.selectFrom('app_passwords').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute();
    return rows.map(toRecord);
  }

  async deleteOwn(userId: string, id: string): Promise<boolean> {
    const r = await cachedWrite(this.cx, this.db, ['apppw:*'], (db) => db.deleteFrom('app_passwords').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst());
    return Number(r.numDeletedRows) > 0;
  }
}
