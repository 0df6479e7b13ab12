import type { Kysely } from 'kysely';

/** PRIVATE_DATA (OCS): a per-user key-value store with sub-stores ("apps"). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('private_data')
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('app', 'varchar(255)', (c) => c.notNull())
    .addColumn('key', 'varchar(255)', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('private_data_pk', ['user_id', 'app', 'key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('private_data').ifExists().execute();
}
