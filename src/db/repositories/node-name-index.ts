/**
 * The substring index over node names (migration 0018): on SQLite an FTS5
 * table with the trigram tokenizer whose rowid is the node's file id, kept
 * by triggers on `nodes`; on PostgreSQL a pg_trgm GIN index on lower(name).
 */
export const NAME_FTS_TABLE = 'nodes_name_fts';
export const TRGM_INDEX = 'nodes_name_trgm_idx';

/** The trigram tokenizer finds substrings of three characters or more. */
const MIN_RUN = 3;

/**
 * An FTS5 query for a LIKE pattern (`\` escapes, `%` and `_` wildcards):
 * every literal run of at least three characters as a phrase, all of them
 * required. null when no run is long enough: the search then scans.
 */
export function ftsQueryOf(pattern: string): string | null {
  const runs: string[] = [];
  let run = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      run += pattern[++i];
      continue;
    }
    if (c === '%' || c === '_') {
      runs.push(run);
      run = '';
      continue;
    }
    run += c;
  }
  runs.push(run);
  const phrases = runs.filter((r) => [...r].length >= MIN_RUN).map((r) => `"${r.replace(/"/g, '""')}"`);
  return phrases.length ? phrases.join(' AND ') : null;
}
