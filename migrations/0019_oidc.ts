import type { Kysely } from 'kysely';

/**
 * OpenID Connect provider state.
 * - oidc_models: what the provider library stores (sessions, interactions,
 *   authorization codes, refresh tokens, grants, replay markers…), one row per
 *   model and id with its JSON payload, so any process can serve any step of
 *   a flow. grant_id, uid and user_code are the lookups the library makes;
 *   expires_at lets a sweep drop what is dead.
 * - oidc_grants: which user a grant belongs to and the digest of the password
 *   they had when they granted it. Every Bearer JWT names its grant, so the
 *   check of a token is a cached read of this row and of the user: a revoked
 *   grant, a password change, a disabled or deleted user end the tokens at the
 *   next request on every process.
 * - oidc_signing_keys: the provider's private signing keys (JWK), newest
 *   first; old ones stay published until the tokens they signed have expired.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oidc_models')
    .addColumn('model', 'varchar(64)', (c) => c.notNull())
    .addColumn('id', 'varchar(255)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'varchar(255)')
    .addColumn('uid', 'varchar(255)')
    .addColumn('user_code', 'varchar(255)')
    .addColumn('expires_at', 'bigint')
    .addColumn('consumed_at', 'bigint')
    .addPrimaryKeyConstraint('oidc_models_pk', ['model', 'id'])
    .execute();
  await db.schema.createIndex('oidc_models_grant_idx').on('oidc_models').column('grant_id').execute();
  await db.schema.createIndex('oidc_models_uid_idx').on('oidc_models').columns(['model', 'uid']).execute();
  await db.schema.createIndex('oidc_models_expires_idx').on('oidc_models').column('expires_at').execute();
  await db.schema
    .createTable('oidc_grants')
    .addColumn('grant_id', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('client_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('password_proof', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oidc_grants_user_idx').on('oidc_grants').column('user_id').execute();
  await db.schema
    .createTable('oidc_signing_keys')
    .addColumn('kid', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('private_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('oidc_signing_keys').ifExists().execute();
  await db.schema.dropTable('oidc_grants').ifExists().execute();
  await db.schema.dropTable('oidc_models').ifExists().execute();
}
