import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** PostgreSQL for tests: TEST_DATABASE_URL, or the local trust-auth server on 127.0.0.1:5432, database test. */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let reachable: Promise<boolean> | undefined;

export function postgresReachable(): Promise<boolean> {
  if (process.env.NIMBUS_TEST_PG === '0') return Promise.resolve(false);
  // Two tries with a generous timeout: a busy machine must not silently skip the PostgreSQL runs.
  reachable ??= (async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 5000 });
      try {
        await client.connect();
        await client.query('select 1');
        return true;
      } catch {
        // retry once, then report unreachable
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    return false;
  })();
  return reachable;
}

/** A fresh schema per test app, dropped again when the app closes. */
export async function createPgSchema(): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = `nimbus_t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  return {
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}
