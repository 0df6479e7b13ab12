import type { Kysely } from 'kysely';

/**
 * Users of an external OpenID Connect provider (OIDC_ISSUER): the provider's
 * issuer and subject (`sub`, which the provider never reassigns) name the
 * Nimbus user they were first matched to. A later token is found by its
 * subject, so a user renamed at the provider, or a new user given someone's
 * old name there, never lands in another person's account.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oidc_identities')
    .addColumn('issuer', 'varchar(1024)', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('oidc_identities_pk', ['issuer', 'subject'])
    .addUniqueConstraint('oidc_identities_user_uq', ['issuer', 'user_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('oidc_identities').ifExists().execute();
}
