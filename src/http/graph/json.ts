import { UNLIMITED_REMAINING } from '../../domain/space.js';

/** Unlimited quota `remaining` is int64 max, beyond JS numbers: put this marker in, and it is spliced into the JSON text. */
export const INT64_MAX = '__nimbus_int64_max__';

export function stringifyGraph(body: unknown): string {
  return JSON.stringify(body).split(`"${INT64_MAX}"`).join(UNLIMITED_REMAINING);
}
