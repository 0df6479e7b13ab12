import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * A substring index over node names, so a name search (`%term%`, KQL's
 * `name:"*term*"`) does not read every row of a space.
 *
 * SQLite: an FTS5 table with the trigram tokenizer, contentless (names are
 * not stored twice), its rowid the node's file id, kept in step with
 * `nodes` by triggers, so every writer of node rows keeps it without
 * knowing of it. PostgreSQL: a pg_trgm GIN index on lower(name), which the
 * planner uses for the same LIKE. The extension is created in `public` (or
 * used wherever it already is), never in the schema of one installation:
 * dropping that schema would take the extension, and every other schema's
 * index with it. Where it cannot be created (no privilege, not installed)
 * the migration goes on without the index; searches then scan, and the
 * server says so in its log at start.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return upPostgres(db);
  await sql`create virtual table nodes_name_fts using fts5(name, tokenize = 'trigram', content = '', contentless_delete = 1)`.execute(db);
  await sql`insert into nodes_name_fts(rowid, name) select file_id, name from nodes`.execute(db);
  await sql`create trigger nodes_name_fts_insert after insert on nodes begin insert into nodes_name_fts(rowid, name) values (new.file_id, new.name); end`.execute(db);
  await sql`create trigger nodes_name_fts_delete after delete on nodes begin delete from nodes_name_fts where rowid = old.file_id; end`.execute(db);
  await sql`create trigger nodes_name_fts_update after update of name, file_id on nodes begin delete from nodes_name_fts where rowid = old.file_id; insert into nodes_name_fts(rowid, name) values (new.file_id, new.name); end`.execute(db);
}

async function trgmSchema(db: Kysely<any>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string }>`select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`.execute(db);
  return rows[0]?.schema;
}

async function upPostgres(db: Kysely<any>): Promise<void> {
  // Installations on other schemas of the database migrate at the same time: one creates the extension.
  await sql`select pg_advisory_xact_lock(hashtext('nimbus:pg_trgm'))`.execute(db);
  let schema = await trgmSchema(db);
  if (!schema) {
    await sql`savepoint nimbus_pg_trgm`.execute(db);
    try {
      await sql`create extension if not exists pg_trgm schema public`.execute(db);
      await sql`release savepoint nimbus_pg_trgm`.execute(db);
    } catch {
      await sql`rollback to savepoint nimbus_pg_trgm`.execute(db);
    }
    schema = await trgmSchema(db);
  }
  if (!schema) return;
  await sql`create index nodes_name_trgm_idx on nodes using gin (lower(name) ${sql.id(schema)}.gin_trgm_ops)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`drop index if exists nodes_name_trgm_idx`.execute(db);
    return;
  }
  for (const t of ['insert', 'delete', 'update']) await sql`drop trigger if exists ${sql.id(`nodes_name_fts_${t}`)}`.execute(db);
  await sql`drop table if exists nodes_name_fts`.execute(db);
}
