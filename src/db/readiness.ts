import type { Kysely } from 'kysely';
import type { ReadinessCheck } from '../ports/readiness.js';
import { pendingMigrations } from './migrate.js';

const TIMEOUT_MS = 2000;

/**
 * Whether the database answers and has every migration of this build, in one
 * query (the migration bookkeeping table), bounded so that a hung database
 * makes the probe fail rather than hang.
 */
export async function databaseReadiness(db: Kysely<any>, schema?: string): Promise<ReadinessCheck[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  try {
    const pending = await Promise.race([pendingMigrations(db, schema, { strict: true }), timeout]);
    return [
      { name: 'database', ok: true },
      pending.length ? { name: 'migrations', ok: false, reason: `${pending.length} pending: ${pending.join(', ')}` } : { name: 'migrations', ok: true },
    ];
  } catch (err) {
    return [
      { name: 'database', ok: false, reason: err instanceof Error ? err.message : String(err) },
      { name: 'migrations', ok: false, reason: 'database unavailable' },
    ];
  } finally {
    clearTimeout(timer);
  }
}
