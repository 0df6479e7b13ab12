import { DomainError } from './errors.js';

/** Nextcloud's marker for "no limit" (FileInfo::SPACE_UNLIMITED). */
export const SPACE_UNLIMITED = -3;

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  p: 1024 ** 5,
  pb: 1024 ** 5,
};

/** Parses "5 GB", "5GB", "1.5 tb", "100 KB" or a plain byte count; null when unparseable. */
export function parseHumanSize(input: string): number | null {
  const s = input.trim().toLowerCase();
  if (/^\d+$/.test(s)) return Number(s);
  const m = /^(\d{0,20}(?:\.\d+)?)\s*([kmgtp]?b?)$/.exec(s);
  if (!m || m[1] === '' || m[1] === undefined) return null;
  const unit = UNITS[m[2] ?? ''];
  if (unit === undefined) return null;
  const bytes = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/**
 * Normalises a quota value as the provisioning API accepts it: "none" and
 * "default" literally, otherwise a human size stored as bytes.
 */
export function normaliseQuota(value: string): string {
  const v = value.trim();
  const lower = v.toLowerCase();
  if (lower === 'none' || lower === 'default') return lower;
  if (lower === '-1') return 'none';
  const bytes = parseHumanSize(v);
  if (bytes === null) throw new DomainError('invalidInput', `Invalid quota value ${value}`, 'invalidQuota');
  return String(bytes);
}

/** Resolves a stored quota ("none" | "default" | bytes) to bytes, or null for unlimited. */
export function effectiveQuotaBytes(stored: string, defaultQuota: string): number | null {
  const v = stored === 'default' ? defaultQuota.trim().toLowerCase() : stored;
  if (v === 'none' || v === 'default' || v === '') return null;
  const bytes = parseHumanSize(v);
  return bytes === null ? null : bytes;
}

export interface QuotaBlock {
  free: number;
  used: number;
  total: number;
  relative: number;
  quota: number;
}

/** The provisioning API's quota object: -3 stands for unlimited in free/total/quota. */
export function quotaBlock(limit: number | null, used: number): QuotaBlock {
  if (limit === null) return { free: SPACE_UNLIMITED, used, total: SPACE_UNLIMITED, relative: 0, quota: SPACE_UNLIMITED };
  const free = Math.max(0, limit - used);
  const relative = limit > 0 ? Math.round((used / limit) * 10000) / 100 : 0;
  return { free, used, total: limit, relative, quota: limit };
}

const HUMAN = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
/** Human-readable size as Nextcloud writes it ("5 GB", "1.5 MB"). */
export function humanSize(bytes: number): string {
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < HUMAN.length - 1) {
    v /= 1024;
    i++;
  }
  const rounded = Math.round(v * 10) / 10;
  return `${rounded} ${HUMAN[i]}`;
}
