import type { Kysely, Selectable } from 'kysely';
import { type CacheContext, cachedRead, cachedWrite } from '../cache/cached.js';
import type { SessionRecord, SessionRepository } from '../../ports/sessions.js';
import type { Database, SessionsTable } from '../schema.js';

const toSession = (r: Selectable<SessionsTable>): SessionRecord => ({
  id: r.id,
  tokenHash: r.token_hash,
  userId: r.user_id,
  name: r.name,
  remember: Number(r.remember) === 1,
  passwordProof: r.password_proof,
  createdAt: Number(r.created_at),
  lastUsedAt: Number(r.last_used_at),
  expiresAt: Number(r.expires_at),
});

/** Every request a browser makes is authenticated by its session: cached by token digest, like app passwords. */
const tokenKey = (tokenHash: string): string => `session:${tokenHash}`;

export class SessionsRepository implements SessionRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cx: CacheContext,
  ) {}

  async insert(s: SessionRecord): Promise<void> {
    await cachedWrite(this.cx, this.db, [tokenKey(s.tokenHash)], (db) =>
      db
        .insertInto('sessions')
        .values({
          id: s.id,
          token_hash: s.tokenHash,
          user_id: s.userId,
          name: s.name,
          remember: s.remember ? 1 : 0,
          password_proof: s.passwordProof,
          created_at: s.createdAt,
          last_used_at: s.lastUsedAt,
          expires_at: s.expiresAt,
        })
        .execute(),
    );
  }

  async findByTokenHash(tokenHash: string): Promise<SessionRecord | undefined> {
    const found = await cachedRead(this.cx, tokenKey(tokenHash), async () => {
      const r = await this.db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return r ? toSession(r) : null;
    });
    return found ?? undefined;
  }

  async listForUser(userId: string): Promise<SessionRecord[]> {
    return (await this.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).orderBy('last_used_at', 'desc').execute()).map(toSession);
  }

  async touch(tokenHash: string, at: number): Promise<void> {
    await cachedWrite(this.cx, this.db, [tokenKey(tokenHash)], (db) => db.updateTable('sessions').set({ last_used_at: at }).where('token_hash', '=', tokenHash).execute());
  }

  async deleteByTokenHash(tokenHash: string): Promise<void> {
    await cachedWrite(this.cx, this.db, [tokenKey(tokenHash)], (db) => db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute());
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const r = await cachedWrite(this.cx, this.db, ['session:*'], (db) => db.deleteFrom('sessions').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst());
    return Number(r.numDeletedRows) > 0;
  }

  async deleteForUser(userId: string): Promise<void> {
    await cachedWrite(this.cx, this.db, ['session:*'], (db) => db.deleteFrom('sessions').where('user_id', '=', userId).execute());
  }

  async pruneExpired(now: number): Promise<void> {
    await cachedWrite(this.cx, this.db, ['session:*'], (db) => db.deleteFrom('sessions').where('expires_at', '<=', now).execute());
  }
}
