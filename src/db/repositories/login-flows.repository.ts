import type { Kysely, Selectable } from 'kysely';
import type { LoginFlowRecord, LoginFlowRepository } from '../../ports/sessions.js';
import type { Database, LoginFlowsTable } from '../schema.js';

const toFlow = (r: Selectable<LoginFlowsTable>): LoginFlowRecord => ({
  id: r.id,
  loginHash: r.login_hash,
  pollHash: r.poll_hash,
  version: Number(r.version) === 1 ? 1 : 2,
  clientName: r.client_name,
  publicKey: r.public_key,
  sealedPrivateKey: r.sealed_private_key,
  loginName: r.login_name,
  sealedPassword: r.sealed_password,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
});

export class LoginFlowsRepository implements LoginFlowRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(f: LoginFlowRecord): Promise<void> {
    await this.db
      .insertInto('login_flows')
      .values({
        id: f.id,
        login_hash: f.loginHash,
        poll_hash: f.pollHash,
        version: f.version,
        client_name: f.clientName,
        public_key: f.publicKey,
        sealed_private_key: f.sealedPrivateKey,
        login_name: f.loginName,
        sealed_password: f.sealedPassword,
        created_at: f.createdAt,
        expires_at: f.expiresAt,
      })
      .execute();
  }

  async byLoginHash(loginHash: string): Promise<LoginFlowRecord | undefined> {
    const r = await this.db.selectFrom('login_flows').selectAll().where('login_hash', '=', loginHash).executeTakeFirst();
    return r ? toFlow(r) : undefined;
  }

  async byPollHash(pollHash: string): Promise<LoginFlowRecord | undefined> {
    const r = await this.db.selectFrom('login_flows').selectAll().where('poll_hash', '=', pollHash).executeTakeFirst();
    return r ? toFlow(r) : undefined;
  }

  async grant(id: string, loginName: string, sealedPassword: string | null): Promise<boolean> {
    const r = await this.db
      .updateTable('login_flows')
      .set({ login_name: loginName, sealed_password: sealedPassword })
      .where('id', '=', id)
      .where('login_name', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async take(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('login_flows').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async pruneExpired(now: number): Promise<void> {
    await this.db.deleteFrom('login_flows').where('expires_at', '<=', now).execute();
  }
}
