import Database from 'better-sqlite3';
import pg from 'pg';
import { TEST_PG_URL } from '../helpers/db.js';

/** SQL against a stopped or running server's database, from outside it: `?` placeholders on both engines. */
export type Rows = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

/** A fresh connection per statement to the SQLite file, read-only for selects. */
export const sqliteRows = (file: string): Rows => async <T>(sql: string, params: unknown[] = []) => {
  const readonly = /^\s*select/i.test(sql);
  const db = new Database(file, { readonly, fileMustExist: true });
  try {
    const stmt = db.prepare(sql);
    return (readonly ? stmt.all(...params) : (stmt.run(...params), [])) as T[];
  } finally {
    db.close();
  }
};

/** A fresh client per statement in the test's PostgreSQL schema. */
export const pgRows = (schema: string): Rows => async <T>(sql: string, params: unknown[] = []) => {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    await client.query(`set search_path to ${schema}`);
    let n = 0;
    return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
  } finally {
    await client.end();
  }
};
