import { type Kysely, Migrator } from 'kysely';
import { migrations } from '../../migrations/index.js';

/**
 * `schema`: the PostgreSQL schema the tables live in, when one is configured.
 * Kysely otherwise decides whether its bookkeeping tables exist by looking at
 * every schema of the database, and so skips creating its own when another
 * schema (another instance, or a parallel test) already has them.
 */
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
