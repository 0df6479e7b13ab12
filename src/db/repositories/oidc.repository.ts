import type { Kysely, Selectable } from 'kysely';
import { type CacheContext, cachedRead, cachedWrite } from '../cache/cached.js';
import type {
  OidcGrantRecord,
  OidcGrantRepository,
  OidcModelRecord,
  OidcModelRepository,
  OidcSigningKeyRecord,
  OidcSigningKeyRepository,
} from '../../ports/oidc.js';
import type { Database, OidcGrantsTable, OidcModelsTable } from '../schema.js';

const toModel = (r: Selectable<OidcModelsTable>): OidcModelRecord => ({
  model: r.model,
  id: r.id,
  payload: r.payload,
  grantId: r.grant_id,
  uid: r.uid,
  userCode: r.user_code,
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  consumedAt: r.consumed_at === null ? null : Number(r.consumed_at),
});

/** The provider library's models: read when a flow step or a token endpoint call needs them, never per API request. */
export class OidcModelsRepository implements OidcModelRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(r: OidcModelRecord): Promise<void> {
    const values = { payload: r.payload, grant_id: r.grantId, uid: r.uid, user_code: r.userCode, expires_at: r.expiresAt, consumed_at: r.consumedAt };
    await this.db
      .insertInto('oidc_models')
      .values({ model: r.model, id: r.id, ...values })
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(values))
      .execute();
  }

  async find(model: string, id: string): Promise<OidcModelRecord | undefined> {
    const r = await this.db.selectFrom('oidc_models').selectAll().where('model', '=', model).where('id', '=', id).executeTakeFirst();
    return r ? toModel(r) : undefined;
  }

  async findByUid(model: string, uid: string): Promise<OidcModelRecord | undefined> {
    const r = await this.db.selectFrom('oidc_models').selectAll().where('model', '=', model).where('uid', '=', uid).executeTakeFirst();
    return r ? toModel(r) : undefined;
  }

  async findByUserCode(model: string, userCode: string): Promise<OidcModelRecord | undefined> {
    const r = await this.db.selectFrom('oidc_models').selectAll().where('model', '=', model).where('user_code', '=', userCode).executeTakeFirst();
    return r ? toModel(r) : undefined;
  }

  async consume(model: string, id: string, at: number): Promise<boolean> {
    // One statement: two processes redeeming the same code cannot both see it unused.
    const r = await this.db.updateTable('oidc_models').set({ consumed_at: at }).where('model', '=', model).where('id', '=', id).where('consumed_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.db.deleteFrom('oidc_models').where('model', '=', model).where('id', '=', id).execute();
  }

  async destroyByGrantId(grantId: string): Promise<void> {
    await this.db.deleteFrom('oidc_models').where('grant_id', '=', grantId).execute();
  }

  async pruneExpired(now: number): Promise<void> {
    await this.db.deleteFrom('oidc_models').where('expires_at', '<=', now).execute();
  }
}

const toGrant = (r: Selectable<OidcGrantsTable>): OidcGrantRecord => ({
  grantId: r.grant_id,
  userId: r.user_id,
  clientId: r.client_id,
  passwordProof: r.password_proof,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
});

const grantKey = (grantId: string): string => `oidcgrant:${grantId}`;

/** Grants are read on every Bearer JWT request: cached by grant id, every write recorded in the change log. */
export class OidcGrantsRepository implements OidcGrantRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cx: CacheContext,
  ) {}

  async insert(g: OidcGrantRecord): Promise<void> {
    await cachedWrite(this.cx, this.db, [grantKey(g.grantId)], (db) =>
      db
        .insertInto('oidc_grants')
        .values({ grant_id: g.grantId, user_id: g.userId, client_id: g.clientId, password_proof: g.passwordProof, created_at: g.createdAt, expires_at: g.expiresAt })
        .onConflict((oc) => oc.column('grant_id').doUpdateSet({ user_id: g.userId, client_id: g.clientId, password_proof: g.passwordProof, expires_at: g.expiresAt }))
        .execute(),
    );
  }

  async find(grantId: string): Promise<OidcGrantRecord | undefined> {
    const found = await cachedRead(this.cx, grantKey(grantId), async () => {
      const r = await this.db.selectFrom('oidc_grants').selectAll().where('grant_id', '=', grantId).executeTakeFirst();
      return r ? toGrant(r) : null;
    });
    return found ?? undefined;
  }

  async listForUser(userId: string): Promise<OidcGrantRecord[]> {
    return (await this.db.selectFrom('oidc_grants').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute()).map(toGrant);
  }

  async delete(grantId: string): Promise<void> {
    await cachedWrite(this.cx, this.db, [grantKey(grantId)], (db) => db.deleteFrom('oidc_grants').where('grant_id', '=', grantId).execute());
  }

  async deleteForUser(userId: string): Promise<number> {
    const r = await cachedWrite(this.cx, this.db, ['oidcgrant:*'], (db) => db.deleteFrom('oidc_grants').where('user_id', '=', userId).executeTakeFirst());
    return Number(r.numDeletedRows);
  }

  async pruneExpired(now: number): Promise<void> {
    await cachedWrite(this.cx, this.db, ['oidcgrant:*'], (db) => db.deleteFrom('oidc_grants').where('expires_at', '<=', now).execute());
  }
}

export class OidcSigningKeysRepository implements OidcSigningKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<OidcSigningKeyRecord[]> {
    const rows = await this.db.selectFrom('oidc_signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
    return rows.map((r) => ({ kid: r.kid, privateJwk: r.private_jwk, createdAt: Number(r.created_at) }));
  }

  async insert(k: OidcSigningKeyRecord): Promise<void> {
    await this.db.insertInto('oidc_signing_keys').values({ kid: k.kid, private_jwk: k.privateJwk, created_at: k.createdAt }).execute();
  }

  async insertIfAbsent(k: OidcSigningKeyRecord): Promise<boolean> {
    const r = await this.db
      .insertInto('oidc_signing_keys')
      .values({ kid: k.kid, private_jwk: k.privateJwk, created_at: k.createdAt })
      .onConflict((oc) => oc.column('kid').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async delete(kid: string): Promise<void> {
    await this.db.deleteFrom('oidc_signing_keys').where('kid', '=', kid).execute();
  }
}
