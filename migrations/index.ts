import type { Migration } from 'kysely';
import * as m0001 from './0001_identity.js';

/** Every migration in order; a static list so built and test runs resolve the same files. */
export const migrations: Record<string, Migration> = {
  '0001_identity': m0001,
};
