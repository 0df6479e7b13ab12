import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** PostgreSQL for the benchmark: BENCH_DATABASE_URL, or the local server the tests use. */
export const BENCH_PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema for one PostgreSQL-backed Nimbus, or null when PostgreSQL does not answer (those targets are skipped). */
export async function benchSchema(): Promise<{ env: Record<string, string>; drop(): Promise<void> } | null> {
  const client = new pg.Client({ connectionString: BENCH_PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch {
    return null;
  }
  const schema = `nimbus_bench_${randomBytes(5).toString('hex')}`;
  try {
    await client.query(`create schema ${schema}`);
  } finally {
    await client.end();
  }
  return {
    env: { DATABASE_URL: BENCH_PG_URL, DATABASE_SCHEMA: schema },
    async drop() {
      const c = new pg.Client({ connectionString: BENCH_PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}
