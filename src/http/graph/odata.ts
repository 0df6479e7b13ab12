import { GraphError } from './errors.js';

export interface DriveQuery {
  filter?: { field: 'driveType' | 'id'; value: string };
  orderBy?: { field: 'name' | 'lastModifiedDateTime'; desc: boolean };
}

type Token = { kind: 'string' | 'word' | 'open' | 'close' | 'comma'; text: string };

/** OData's lexical pieces: '…' literals ('' escapes a quote), parentheses, commas and bare words. */
function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= text.length) throw new GraphError(400, 'invalidRequest', `invalid filter: unterminated string literal in ${text}`);
        if (text[j] === "'" && text[j + 1] === "'") {
          value += "'";
          j += 2;
        } else if (text[j] === "'") {
          break;
        } else {
          value += text[j++];
        }
      }
      out.push({ kind: 'string', text: value });
      i = j + 1;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ kind: c === '(' ? 'open' : c === ')' ? 'close' : 'comma', text: c });
      i++;
    } else {
      let j = i;
      while (j < text.length && !/[\s'(),]/.test(text[j]!)) j++;
      out.push({ kind: 'word', text: text.slice(i, j) });
      i = j;
    }
  }
  return out;
}

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'has', 'in']);
const LOGICAL = new Set(['and', 'or']);

/**
 * The reference's `$filter` on drive lists (libregraph.md §5): one
 * top-level `eq` whose left side is driveType or id; `eq` on any other
 * property is accepted and ignored; any other top-level operator (and, or,
 * ne, not, functions…) is 501 "unsupported filter operand: <op>"; text that
 * is not OData is 400. Values may be quoted or, as the Spaces API
 * documentation writes them, bare.
 */
function parseFilter(text: string): DriveQuery['filter'] | undefined {
  const tokens = tokenize(text);
  if (tokens.length === 0) return undefined;
  const unsupported = (op: string) => new GraphError(501, 'notSupported', `unsupported filter operand: ${op}`);
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'open') depth++;
    if (t.kind === 'close' && --depth < 0) throw new GraphError(400, 'invalidRequest', `invalid filter: unbalanced parentheses in ${text}`);
  }
  if (depth !== 0) throw new GraphError(400, 'invalidRequest', `invalid filter: unbalanced parentheses in ${text}`);
  // The operator at the root of the expression tree: a top-level and/or binds loosest.
  depth = 0;
  for (const t of tokens) {
    if (t.kind === 'open') depth++;
    else if (t.kind === 'close') depth--;
    else if (depth === 0 && t.kind === 'word' && LOGICAL.has(t.text.toLowerCase())) throw unsupported(t.text.toLowerCase());
  }
  const [first, second, third] = tokens;
  if (first!.kind === 'word' && first!.text.toLowerCase() === 'not') throw unsupported('not');
  if (first!.kind === 'word' && second?.kind === 'open') throw unsupported(first!.text);
  if (tokens.length !== 3 || first!.kind !== 'word' || second!.kind !== 'word' || (third!.kind !== 'word' && third!.kind !== 'string')) {
    throw new GraphError(400, 'invalidRequest', `invalid filter: ${text}`);
  }
  const op = second!.text.toLowerCase();
  if (!COMPARISONS.has(op)) throw new GraphError(400, 'invalidRequest', `invalid filter: unknown operator ${second!.text}`);
  if (op !== 'eq') throw unsupported(op);
  const field = first!.text;
  if (field === 'driveType' || field === 'id') return { field, value: third!.text };
  return undefined;
}

/**
 * `$orderby`: exactly one item on name or lastModifiedDateTime, optionally
 * asc/desc; any other field is 400; two or more items are ignored.
 */
function parseOrderBy(text: string): DriveQuery['orderBy'] | undefined {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new GraphError(400, 'invalidRequest', `invalid orderby: ${text}`);
  for (const item of items) {
    const parts = item.split(/\s+/);
    if (parts.length > 2 || (parts[1] !== undefined && !/^(asc|desc)$/i.test(parts[1]))) {
      throw new GraphError(400, 'invalidRequest', `invalid orderby: ${item}`);
    }
  }
  if (items.length !== 1) return undefined;
  const [field, dir] = items[0]!.split(/\s+/) as [string, string | undefined];
  const desc = dir?.toLowerCase() === 'desc';
  if (field === 'name' || field === 'lastModifiedDateTime') return { field, desc };
  throw new GraphError(400, 'invalidRequest', `we do not support <${field}> as a order parameter`);
}

export function parseDriveQuery(filter: string | undefined, orderby: string | undefined): DriveQuery {
  const q: DriveQuery = {};
  if (filter !== undefined && filter.trim() !== '') q.filter = parseFilter(filter.trim());
  if (orderby !== undefined && orderby.trim() !== '') q.orderBy = parseOrderBy(orderby.trim());
  return q;
}

/**
 * `/me/drives/$filter=…` and `/me/drives/$orderby=…` as the Spaces API
 * documentation writes them: the query options in the last path segment,
 * `&`-separated. Returns undefined when the segment is not query options.
 */
export function optionsFromPath(segment: string): { filter?: string; orderby?: string } | undefined {
  if (!segment.startsWith('$')) return undefined;
  const out: { filter?: string; orderby?: string } = {};
  for (const part of segment.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key !== '$filter' && key !== '$orderby') continue;
    const name = key === '$filter' ? 'filter' : 'orderby';
    if (out[name] !== undefined) throw new GraphError(400, 'invalidRequest', `the query option ${key} is given more than once`);
    out[name] = value;
  }
  return out;
}
