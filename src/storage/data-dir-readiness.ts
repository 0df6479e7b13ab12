import { access, constants } from 'node:fs/promises';
import type { ReadinessCheck } from '../ports/readiness.js';

/** The data directory exists and this process may write in it (a read-only or vanished mount fails; one access() call). */
export async function dataDirReadiness(dataDir: string): Promise<ReadinessCheck> {
  try {
    await access(dataDir, constants.W_OK);
    return { name: 'dataDir', ok: true };
  } catch (err) {
    return { name: 'dataDir', ok: false, reason: `${dataDir} is not writable (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}
