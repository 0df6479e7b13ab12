/**
 * Merges query and body parameters the way PHP's request object does for
 * Nextcloud: `name[]=a&name[]=b` and `name[0]=a` become arrays under `name`
 * within one source, and a body key replaces the query key of the same name
 * as a whole (array_merge of GET and POST, not a deep merge). Values are
 * strings or string arrays; nested JSON is kept as is for routes that expect
 * structure.
 */
export type Params = Record<string, unknown>;

export function mergeParams(query: unknown, body: unknown): Params {
  return Object.assign(sourceParams(query), sourceParams(body));
}

function sourceParams(source: unknown): Params {
  const out: Params = {};
  if (!source || typeof source !== 'object' || Array.isArray(source)) return out;
  for (const [rawKey, value] of Object.entries(source as Record<string, unknown>)) {
    const m = /^([^[\]]+)\[(\d*)\]$/.exec(rawKey);
    if (m) {
      const key = m[1]!;
      const list = Array.isArray(out[key]) ? (out[key] as unknown[]) : [];
      out[key] = list.concat(Array.isArray(value) ? value : [value]);
    } else {
      out[rawKey] = value;
    }
  }
  return out;
}

/** A scalar parameter as a string; numbers and booleans from JSON bodies are stringified like PHP does. */
export function str(p: Params, key: string): string | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function strList(p: Params, key: string): string[] | undefined {
  const v = p[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (Array.isArray(v)) return v.filter((x): x is string | number => typeof x === 'string' || typeof x === 'number').map(String);
  if (typeof v === 'string' || typeof v === 'number') return [String(v)];
  return undefined;
}

/** Optional non-negative integer (limit/offset); anything unparseable is treated as absent. */
export function int(p: Params, key: string): number | undefined {
  const s = str(p, key);
  if (s === undefined || !/^-?\d+$/.test(s.trim())) return undefined;
  return Number(s.trim());
}

/**
 * PHP's urldecode: `+` is a space and `%XX` a byte; anything else stays as it
 * is. Nextcloud's group routes run it on an id the router already decoded, so
 * clients double-encode group ids that hold slashes (and `+`, `%`).
 */
export function phpUrldecode(s: string): string {
  if (!/[%+]/.test(s)) return s;
  const bytes = s
    .replace(/\+/g, ' ')
    .split(/(%[0-9a-fA-F]{2})/)
    .map((part) => (/^%[0-9a-fA-F]{2}$/.test(part) ? Buffer.from([parseInt(part.slice(1), 16)]) : Buffer.from(part, 'utf8')));
  return Buffer.concat(bytes).toString('utf8');
}
