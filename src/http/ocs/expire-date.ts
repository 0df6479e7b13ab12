import { fail } from '../../domain/errors.js';

const DAY = 86_400_000;

/**
 * Parses an OCS `expireDate`: `YYYY-MM-DD` (surrounding quotes trimmed, as
 * Nextcloud does) or a full ISO date-time. The share stays usable through
 * the whole chosen day (UTC), as Nextcloud 31+ and oCIS store it.
 */
export function parseExpireDate(raw: string): number {
  const value = raw.trim().replace(/^["']|["']$/g, '');
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(value);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(m[3])) fail('notFound', 'Invalid date. Format must be YYYY-MM-DD');
  return ms + DAY - 1000;
}
