import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { LoginFailureRepository } from '../../ports/repositories.js';
import type { Database } from '../schema.js';

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

  async clear(address: string, login: string): Promise<void> {
    await this.db.deleteFrom('login_failures').where('address', '=', address).where('login', '=', login.toLowerCase()).execute();
  }

  async pruneBefore(at: number): Promise<void> {
    await this.db.deleteFrom('login_failures').where('created_at', '<', at).execute();
  }
}
