import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('instance_settings')
    .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  // Global roles other than the default "User". Admin is membership of the
  // "admin" group, so OCS and Graph agree on who is an admin.
  await db.schema
    .createTable('user_roles')
    .addColumn('user_id', 'varchar(64)', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('role', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('spaces')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('alias', 'varchar(255)', (c) => c.notNull())
    // Project spaces only; a personal space's quota is its owner's provisioning quota.
    .addColumn('quota_total', 'bigint')
    .addColumn('owner_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('mtime', 'bigint', (c) => c.notNull())
    .addColumn('etag', 'varchar(64)', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled_at', 'bigint')
    .addColumn('special_readme', 'varchar(255)')
    .addColumn('special_image', 'varchar(255)')
    .execute();
  await db.schema.createIndex('spaces_type_idx').on('spaces').column('type').execute();
  await db.schema.createIndex('spaces_owner_idx').on('spaces').column('owner_id').execute();

  await db.schema
    .createTable('space_members')
    .addColumn('space_id', 'varchar(64)', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('principal_type', 'varchar(8)', (c) => c.notNull())
    .addColumn('principal_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('role_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('invited_by', 'varchar(64)')
    .addPrimaryKeyConstraint('space_members_pk', ['space_id', 'principal_type', 'principal_id'])
    .execute();
  await db.schema
    .createIndex('space_members_principal_idx')
    .on('space_members')
    .columns(['principal_type', 'principal_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['space_members', 'spaces', 'user_roles', 'instance_settings']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
