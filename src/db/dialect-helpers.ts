import { type Expression, type Kysely, PostgresAdapter, type SqlBool, sql } from 'kysely';

/** A case-insensitive "contains" that behaves the same on SQLite and PostgreSQL. */
export function containsCi(column: string, needle: string): Expression<SqlBool> {
  const escaped = needle.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${`%${escaped}%`} escape '\\'`;
}

/** A case-insensitive whole-value comparison, the same on SQLite and PostgreSQL. */
export function equalsCi(column: string, value: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) = ${value.toLowerCase()}`;
}

/** Clamps paging input so a hostile limit cannot ask for the whole table at once. */
export function pageBounds(limit?: number, offset?: number): { limit: number; offset: number } {
  const l = limit === undefined || limit < 0 ? 10_000 : Math.min(limit, 10_000);
  const o = offset === undefined || offset < 0 ? 0 : offset;
  return { limit: l, offset: o };
}

export const isPostgres = <DB>(db: Kysely<DB>): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

/**
 * Serialises transactions that name the same key, across every process on
 * the database: a PostgreSQL transaction-scoped advisory lock. SQLite needs
 * none, since every transaction holds the database's write lock from its
 * start to its end (sqlite-dialect.ts).
 */
export async function lockForTransaction<DB>(trx: Kysely<DB>, key: string): Promise<void> {
  if (isPostgres(trx)) await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
}
