import type { Kysely } from 'kysely';

/**
 * Web sign-in: browser sessions and Login Flow grants.
 * - sessions: a browser's sign-in, found by a SHA-256 of the cookie's random
 *   token, so a copy of the database holds no working cookie. `password_proof`
 *   is a digest of the password hash at sign-in: a password change ends every
 *   session at its next request, in every process.
 * - login_flows: a client's Login Flow (v2 polls, v1 redirects), found by
 *   digests of its login and poll tokens. Each flow has a key pair: the grant
 *   encrypts the new app password to its public key, and the private key is
 *   sealed with the poll token, so only the client that polls can read the
 *   password (as Nextcloud's LoginFlowV2 stores it); it is polled once or expires.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('remember', 'smallint', (c) => c.notNull().defaultTo(0))
    .addColumn('password_proof', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();
  await db.schema
    .createTable('login_flows')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('login_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('poll_hash', 'varchar(64)', (c) => c.unique())
    .addColumn('version', 'smallint', (c) => c.notNull())
    .addColumn('client_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('sealed_private_key', 'text')
    .addColumn('login_name', 'varchar(255)')
    .addColumn('sealed_password', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_flows_expires_idx').on('login_flows').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('login_flows').ifExists().execute();
  await db.schema.dropTable('sessions').ifExists().execute();
}
