import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
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

export class LoginFailuresRepository implements LoginFailureRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async record(address: string, login: string, at: number): Promise<void> {
    await this.db
      .insertInto('login_failures')
      .values({ id: randomBytes(12).toString('hex'), address, login: login.toLowerCase(), created_at: at })
      .execute();
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
    return this.db.isTransaction ? attempt(this.db) : this.db.transaction().execute(attempt);
  }

  async release(id: string): Promise<void> {
    await this.db.deleteFrom('login_failures').where('id', '=', id).execute();
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

  async countsSince(address: string, login: string, since: number): Promise<{ forLogin: number; forAddress: number }> {
    const [row] = await selectCounts(this.db, login.toLowerCase(), address, since);
    return { forLogin: Number(row?.for_login ?? 0), forAddress: Number(row?.for_address ?? 0) };
  }

  async clear(address: string, login: string): Promise<void> {
    await this.db.deleteFrom('login_failures').where('address', '=', address).where('login', '=', login.toLowerCase()).execute();
  }

  async pruneBefore(at: number): Promise<void> {
    await this.db.deleteFrom('login_failures').where('created_at', '<', at).execute();
  }
}
