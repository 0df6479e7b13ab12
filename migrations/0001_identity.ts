import type { Kysely } from 'kysely';

// Portable subset only: text ids, bigint epoch-ms times, integer 0/1 booleans.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('id_lower', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('display_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('email', 'varchar(255)')
    .addColumn('password_hash', 'varchar(255)', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('quota', 'varchar(32)', (c) => c.notNull().defaultTo('default'))
    .addColumn('language', 'varchar(16)', (c) => c.notNull().defaultTo(''))
    .addColumn('locale', 'varchar(16)', (c) => c.notNull().defaultTo(''))
    .addColumn('timezone', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('manager', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('profile', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('first_login_at', 'bigint')
    .addColumn('last_login_at', 'bigint')
    .execute();

  await db.schema
    .createTable('groups')
    .addColumn('id', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('id_lower', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('display_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  for (const table of ['group_members', 'group_subadmins']) {
    await db.schema
      .createTable(table)
      .addColumn('group_id', 'varchar(255)', (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addPrimaryKeyConstraint(`${table}_pk`, ['group_id', 'user_id'])
      .execute();
    await db.schema.createIndex(`${table}_user_idx`).on(table).column('user_id').execute();
  }

  await db.schema
    .createTable('app_passwords')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('app_passwords_user_idx').on('app_passwords').column('user_id').execute();

  await db.schema
    .createTable('app_states')
    .addColumn('app_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('login_failures')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('address', 'varchar(64)', (c) => c.notNull())
    .addColumn('login', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('login_failures_lookup_idx')
    .on('login_failures')
    .columns(['address', 'login', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['login_failures', 'app_states', 'app_passwords', 'group_subadmins', 'group_members', 'groups', 'users']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
