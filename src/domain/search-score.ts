import type { SearchCondition } from './file-search.js';

/**
 * The name terms a hit must match: the `like` patterns on names that are not
 * negated (a `not` term excludes, it does not rank).
 */
function nameTerms(where: SearchCondition | null, out: string[] = []): string[] {
  if (!where) return out;
  if (where.op === 'and' || where.op === 'or') for (const c of where.of) nameTerms(c, out);
  else if (where.op === 'like' && where.field === 'name') out.push(where.value);
  return out;
}

/** A LIKE pattern's literal text when it is `%text%`, `text%` or `text` with no other wildcard; null otherwise. */
function literalOf(pattern: string): string | null {
  const core = pattern.replace(/^%+/, '').replace(/%+$/, '');
  if (core === '' || /(^|[^\\])[%_]/.test(core)) return null;
  return core.replace(/\\(.)/g, '$1').toLowerCase();
}

/**
 * oc:score of a hit, as oCIS writes it for ownCloud Web (services/webdav
 * search.go: `oc:score`, the match's relevance). oCIS's bleve engine scores
 * by term frequency over its index, which Nimbus does not keep; this is a
 * plain relevance of the name to the query's name terms instead: the whole
 * name (or the name without its extension) 1, the start of the name 0.75,
 * the start of a word in it 0.5, anywhere else 0.25, the best of the terms.
 * A query with no literal name term (mediatype:, mtime:, `*`) ranks nothing:
 * every hit scores 1.
 */
export function nameScore(where: SearchCondition | null, name: string): number {
  const terms = nameTerms(where).map(literalOf).filter((t): t is string => t !== null);
  if (terms.length === 0) return 1;
  const lower = name.toLowerCase();
  const dot = lower.lastIndexOf('.');
  const stem = dot > 0 ? lower.slice(0, dot) : lower;
  let best = 0;
  for (const t of terms) {
    const at = lower.indexOf(t);
    if (at < 0) continue;
    const score = lower === t || stem === t ? 1 : at === 0 ? 0.75 : /[\s\-_.()[\]]/.test(lower[at - 1]!) ? 0.5 : 0.25;
    if (score > best) best = score;
  }
  // Matched by another branch of an `or` (a media type, a date): a hit all the same.
  return best === 0 ? 0.25 : best;
}
