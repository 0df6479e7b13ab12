import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { type CacheContext, cachedRead, cachedWrite } from '../cache/cached.js';
import { compiledQuery } from '../compiled-query.js';
import { lockForTransaction } from '../dialect-helpers.js';
import type { LoginFailureRepository } from '../../ports/repositories.js';
import type { Database } from '../schema.js';

const selectCounts = compiledQuery((db: Kysely<Database>, login: string, address: string, since: number) =>
  db
    .selectFrom('login_failures')
    .select([
      sql<number>`coalesce(sum(case when login = ${login} then 1 else 0 end), 0)`.as('for_login'),
      sql<number>`count(*)`.as('for_address'),
    ])
    .where('address', '=', address)
    .where('created_at', '>=', since),
);

/** The failures counted against an address, of every login, as rows: counts for any window are taken from them. */
const failuresKey = (address: string): string => `fail:${address}`;

export class LoginFailuresRepository implements LoginFailureRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cx: CacheContext,
  ) {}

  async record(address: string, login: string, at: number): Promise<void> {
    await cachedWrite(this.cx, this.db, [failuresKey(address)], (db) =>
      db.insertInto('login_failures').values({ id: randomBytes(12).toString('hex'), address, login: login.toLowerCase(), created_at: at }).execute(),
    );
  }

  async reserve(address: string, login: string, at: number, since: number, limits: { forLogin: number; forAddress: number }): Promise<string | null> {
    const id = randomBytes(12).toString('hex');
    const attempt = async (trx: Kysely<Database>): Promise<string | null> => {
      // The address key covers both counts.
      await lockForTransaction(trx, `login-failures:${address}`);
      await trx.insertInto('login_failures').values({ id, address, login: login.toLowerCase(), created_at: at }).execute();
      const [row] = await selectCounts(trx, login.toLowerCase(), address, since);
      const forLogin = Number(row?.for_login ?? 0);
      const forAddress = Number(row?.for_address ?? 0);
      if (forLogin <= limits.forLogin && forAddress <= limits.forAddress) return id;
      await trx.deleteFrom('login_failures').where('id', '=', id).execute();
      return null;
    };
    return cachedWrite(this.cx, this.db, [failuresKey(address)], (db) => (db.isTransaction ? attempt(db) : db.transaction().execute(attempt)));
  }

  async release(id: string): Promise<void> {
    await cachedWrite(this.cx, this.db, ['fail:*'], (db) => db.deleteFrom('login_failures').where('id', '=', id).execute());
  }

  async countSince(address: string, login: string | null, since: number): Promise<number> {
    let q = this.db
      .selectFrom('login_failures')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('address', '=', address)
      .where('created_at', '>=', since);
    if (login !== null) q = q.where('login', '=', login.toLowerCase());
    const r = await q.executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /**
   * Runs on every Basic request. From memory when the cache serves: the
   * address's failures since `since` as rows, kept until a failure is
   * recorded or cleared for that address in any process. Rows older than a
   * later call's window are simply not counted.
   */
  async countsSince(address: string, login: string, since: number): Promise<{ forLogin: number; forAddress: number }> {
    if (!this.cx.cache.enabled || this.cx.scope) return this.uncached(address, login, since);
    const cached = await cachedRead(this.cx, failuresKey(address), async () => ({
      since,
      rows: await this.db.selectFrom('login_failures').select(['login', 'created_at']).where('address', '=', address).where('created_at', '>=', since).execute(),
    }));
    // A window reaching further back than the cached rows: ask the database.
    if (since < cached.since) return this.uncached(address, login, since);
    const lower = login.toLowerCase();
    let forLogin = 0;
    let forAddress = 0;
    for (const r of cached.rows) {
      if (Number(r.created_at) < since) continue;
      forAddress++;
      if (r.login === lower) forLogin++;
    }
    return { forLogin, forAddress };
  }

  private async uncached(address: string, login: string, since: number): Promise<{ forLogin: number; forAddress: number }> {
    const [row] = await selectCounts(this.db, login.toLowerCase(), address, since);
    return { forLogin: Number(row?.for_login ?? 0), forAddress: Number(row?.for_address ?? 0) };
  }

  async clear(address: string, login: string): Promise<void> {
    await cachedWrite(this.cx, this.db, [failuresKey(address)], (db) => db.deleteFrom('login_failures').where('address', '=', address).where('login', '=', login.toLowerCase()).execute());
  }

  async pruneBefore(at: number): Promise<void> {
    await cachedWrite(this.cx, this.db, ['fail:*'], (db) => db.deleteFrom('login_failures').where('created_at', '<', at).execute());
  }
}
