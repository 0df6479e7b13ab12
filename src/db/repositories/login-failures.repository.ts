import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { compiledQuery } from '../compiled-query.js';
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
