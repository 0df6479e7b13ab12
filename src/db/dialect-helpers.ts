import { type Expression, type SqlBool, sql } from 'kysely';

/** A case-insensitive "contains" that behaves the same on SQLite and PostgreSQL. */
export function containsCi(column: string, needle: string): Expression<SqlBool> {
  const escaped = needle.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${`%${escaped}%`} escape '\\'`;
}

/** Clamps paging input so a hostile limit cannot ask for the whole table at once. */
export function pageBounds(limit?: number, offset?: number): { limit: number; offset: number } {
  const l = limit === undefined || limit < 0 ? 10_000 : Math.min(limit, 10_000);
  const o = offset === undefined || offset < 0 ? 0 : offset;
  return { limit: l, offset: o };
}
