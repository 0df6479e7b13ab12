import { MAX_SEARCH_DEPTH, type SearchCondition } from './file-search.js';

/**
 * The part of oCIS's Keyword Query Language (KQL) that ownCloud Web sends in
 * `oc:search-files` and that Nimbus can answer from its file rows: name
 * terms (free text, `name:`), `mediatype:`, `mtime:` and `scope:`, grouped
 * with parentheses and joined by AND, OR, NOT (`+`, `-`). The grammar and
 * its implicit joins follow owncloud/ocis services/search/pkg/query/kql
 * (dictionary.peg, connect.go); what the terms mean follows its bleve
 * compiler (services/search/pkg/query/bleve/compiler.go). Anything else is
 * a KqlError, which the front door answers with 400.
 */
export class KqlError extends Error {}

export interface KqlQuery {
  where: SearchCondition;
  /** Resource ids named by `scope:` terms (the web app's "current folder" filter): hits must lie below each. */
  scopes: string[];
}

/** Longer queries are refused: a pattern cannot make the SQL grow without bound. */
export const MAX_KQL_LENGTH = 1000;

type Op = ':' | '=' | '>=' | '<=' | '>' | '<';
type Token =
  | { t: 'lp' | 'rp' | 'and' | 'or' | 'not' }
  | { t: 'term'; key: string; op: Op; value: string; quoted: boolean }
  | { t: 'group'; key: string };

/** Natural-language dates oCIS's grammar knows (NaturalLanguageDateTime) and ownCloud Web offers in its filter. */
export const MTIME_KEYWORDS = ['today', 'yesterday', 'this week', 'last week', 'last 7 days', 'this month', 'last month', 'last 30 days', 'this year', 'last year'];

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const quoted = (): string => {
    const end = q.indexOf('"', i + 1);
    if (end < 0) throw new KqlError('A quoted value is not closed');
    const v = q.slice(i + 1, end);
    i = end + 1;
    return v;
  };
  const bare = (): string => {
    const m = /^[^\s()]+/.exec(q.slice(i));
    if (!m) throw new KqlError(`A value is missing at position ${i + 1}`);
    i += m[0].length;
    return m[0];
  };
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ t: c === '(' ? 'lp' : 'rp' });
      i++;
      continue;
    }
    if (c === '+' || c === '-') {
      out.push({ t: c === '+' ? 'and' : 'not' });
      i++;
      continue;
    }
    if (c === '"') {
      out.push({ t: 'term', key: '', op: ':', value: quoted(), quoted: true });
      continue;
    }
    const restriction = /^([A-Za-z]+)(>=|<=|:|=|>|<)/.exec(q.slice(i));
    if (restriction) {
      const key = restriction[1]!.toLowerCase();
      const op = restriction[2] as Op;
      i += restriction[0].length;
      if (q[i] === '(') {
        if (op !== ':' && op !== '=') throw new KqlError(`${op} cannot compare with a group`);
        out.push({ t: 'group', key });
        continue;
      }
      if (q[i] === '"') {
        out.push({ t: 'term', key, op, value: quoted(), quoted: true });
        continue;
      }
      const rest = q.slice(i).toLowerCase();
      const natural = MTIME_KEYWORDS.find((n) => rest.startsWith(n) && !/[^\s()]/.test(rest.charAt(n.length)));
      if (natural) {
        i += natural.length;
        out.push({ t: 'term', key, op, value: natural, quoted: false });
        continue;
      }
      out.push({ t: 'term', key, op, value: bare(), quoted: false });
      continue;
    }
    const word = bare();
    if (word === 'AND' || word === 'OR' || word === 'NOT') out.push({ t: word.toLowerCase() as 'and' | 'or' | 'not' });
    else if (word.includes(':') || /[<>=]/.test(word)) throw new KqlError(`Cannot read "${word}"`);
    else out.push({ t: 'term', key: '', op: ':', value: word, quoted: false });
  }
  return out;
}

/** A parsed node before it becomes a condition: scope terms stay apart, they restrict where the search looks. */
type Node =
  | { k: 'and' | 'or'; of: Node[] }
  | { k: 'not'; of: Node }
  | { k: 'term'; key: string; op: Op; value: string; quoted: boolean }
  | { k: 'group'; key: string; of: Node };

type Item = { kind: 'operand'; node: Node; key: string } | { kind: 'op'; op: 'and' | 'or' | 'not' };

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly now: number,
  ) {}

  parse(): Node {
    const node = this.sequence(0, '');
    if (this.pos < this.tokens.length) throw new KqlError('Unbalanced parentheses');
    return node;
  }

  /** A run of nodes up to `)` or the end, with the implicit joins of connect.go inserted, then read with NOT > AND > OR. */
  private sequence(depth: number, groupKey: string): Node {
    if (depth > MAX_SEARCH_DEPTH) throw new KqlError('The query is nested too deeply');
    const items: Item[] = [];
    while (this.pos < this.tokens.length) {
      const tok = this.tokens[this.pos]!;
      if (tok.t === 'rp') break;
      this.pos++;
      if (tok.t === 'and' || tok.t === 'or' || tok.t === 'not') {
        items.push({ kind: 'op', op: tok.t });
        continue;
      }
      let node: Node;
      let key: string;
      if (tok.t === 'term') {
        key = tok.key || groupKey;
        node = { k: 'term', key, op: tok.op, value: tok.value, quoted: tok.quoted };
      } else {
        const open = tok.t === 'lp';
        key = tok.t === 'group' ? tok.key : '';
        if (!open && this.tokens[this.pos]?.t !== 'lp') throw new KqlError('A group must open with (');
        if (!open) this.pos++;
        const inner = this.sequence(depth + 1, key || groupKey);
        if (this.tokens[this.pos]?.t !== 'rp') throw new KqlError('Unbalanced parentheses');
        this.pos++;
        node = { k: 'group', key, of: inner };
      }
      items.push({ kind: 'operand', node, key });
    }
    return this.precedence(this.connect(items));
  }

  /** connect.go: between two operands with no AND/OR, the same key (or none) joins with OR, different keys and a following NOT with AND. */
  private connect(items: Item[]): Item[] {
    const out: Item[] = [];
    for (let i = 0; i < items.length; i++) {
      const cur = items[i]!;
      out.push(cur);
      if (cur.kind !== 'operand') continue;
      const next = items[i + 1];
      if (!next) continue;
      if (next.kind === 'op') {
        if (next.op === 'not') out.push({ kind: 'op', op: 'and' });
        continue;
      }
      let op: 'and' | 'or' = cur.key === next.key ? 'or' : 'and';
      if (next.node.k === 'group' && cur.key === '' && next.key === '') op = 'and';
      out.push({ kind: 'op', op });
    }
    return out;
  }

  private precedence(items: Item[]): Node {
    let i = 0;
    const unary = (): Node => {
      const item = items[i++];
      if (!item) throw new KqlError('An operator is missing its operand');
      if (item.kind === 'operand') return item.node;
      if (item.op === 'not') return { k: 'not', of: unary() };
      throw new KqlError(`${item.op.toUpperCase()} is missing its left operand`);
    };
    const conj = (): Node => {
      const of = [unary()];
      while (items[i]?.kind === 'op' && (items[i] as { op: string }).op === 'and') {
        i++;
        of.push(unary());
      }
      return of.length === 1 ? of[0]! : { k: 'and', of };
    };
    if (items.length === 0) throw new KqlError('Empty query or group');
    const of = [conj()];
    while (i < items.length) {
      const item = items[i]!;
      if (item.kind !== 'op' || item.op !== 'or') throw new KqlError('Unexpected term');
      i++;
      of.push(conj());
    }
    return of.length === 1 ? of[0]! : { k: 'or', of };
  }

  condition(node: Node): SearchCondition {
    switch (node.k) {
      case 'and':
      case 'or':
        return { op: node.k, of: node.of.map((n) => this.condition(n)) };
      case 'not':
        return { op: 'not', of: this.condition(node.of) };
      case 'group':
        return this.condition(node.of);
      case 'term':
        return this.term(node);
    }
  }

  private term(t: Extract<Node, { k: 'term' }>): SearchCondition {
    switch (t.key) {
      case '':
      case 'name':
        if (t.op !== ':' && t.op !== '=') throw new KqlError(`name cannot be compared with ${t.op}`);
        return { op: 'like', field: 'name', value: likeOfWildcards(t.value) };
      case 'mediatype':
        if (t.op !== ':' && t.op !== '=') throw new KqlError(`mediatype cannot be compared with ${t.op}`);
        return mediaType(t.value.toLowerCase());
      case 'mtime':
        return mtime(t.op, t.value, this.now);
      case 'scope':
        throw new KqlError('scope: may only be joined to the rest of the query with AND');
      default:
        throw new KqlError(`Searching by ${t.key} is not supported`);
    }
  }
}

/** KQL's `*` and `?` as LIKE's `%` and `_`; LIKE's own wildcards and the escape character taken literally. */
export function likeOfWildcards(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%').replace(/\?/g, '_');
}

/** The media type groups of oCIS's bleve compiler (mimeType), in its MIME types. */
const MEDIA_GROUPS: Record<string, string[]> = {
  document: [
    'application/msword',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.form',
    'application/vnd.oasis.opendocument.text',
    'text/plain',
    'text/markdown',
    'application/rtf',
    'application/vnd.apple.pages',
  ],
  spreadsheet: [
    'application/vnd.ms-excel',
    'application/vnd.oasis.opendocument.spreadsheet',
    'text/csv',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.apple.numbers',
  ],
  presentation: [
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    'application/vnd.oasis.opendocument.presentation',
    'application/vnd.ms-powerpoint',
    'application/vnd.apple.keynote',
  ],
  pdf: ['application/pdf'],
  archive: [
    'application/zip',
    'application/gzip',
    'application/x-gzip',
    'application/x-7z-compressed',
    'application/x-rar-compressed',
    'application/x-tar',
    'application/x-bzip2',
    'application/x-bzip',
    'application/x-tgz',
  ],
};

/** The keywords the capabilities announce for the web app's type filter. */
export const MEDIA_TYPE_KEYWORDS = ['file', 'folder', 'document', 'spreadsheet', 'presentation', 'pdf', 'image', 'video', 'audio', 'archive'];

function mediaType(v: string): SearchCondition {
  if (v === 'file') return { op: 'folder', value: false };
  if (v === 'folder') return { op: 'folder', value: true };
  if (v === 'image' || v === 'video' || v === 'audio') return { op: 'like', field: 'mime', value: `${v}/%` };
  const group = MEDIA_GROUPS[v];
  if (group) return group.length === 1 ? { op: 'eq', field: 'mime', value: group[0]! } : { op: 'or', of: group.map((m) => ({ op: 'eq', field: 'mime', value: m })) };
  // Anything else is compared with the MIME type itself, as the compiler's default case does (`mediatype:image/*`).
  if (/^[a-z0-9.+-]+\/[a-z0-9.+*?-]+$/.test(v)) return { op: 'like', field: 'mime', value: likeOfWildcards(v) };
  throw new KqlError(`Unknown media type ${v}`);
}

const DAY = 86_400_000;

/** Start and end (exclusive) of a natural-language range, in UTC; weeks start on Monday. */
export function naturalRange(phrase: string, now: number): [number, number] {
  const d = new Date(now);
  const today = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const week = today - ((d.getUTCDay() + 6) % 7) * DAY;
  const month = (offset: number) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1);
  const year = (offset: number) => Date.UTC(d.getUTCFullYear() + offset, 0, 1);
  switch (phrase) {
    case 'today':
      return [today, today + DAY];
    case 'yesterday':
      return [today - DAY, today];
    case 'this week':
      return [week, week + 7 * DAY];
    case 'last week':
      return [week - 7 * DAY, week];
    case 'last 7 days':
      return [today - 6 * DAY, today + DAY];
    case 'this month':
      return [month(0), month(1)];
    case 'last month':
      return [month(-1), month(0)];
    case 'last 30 days':
      return [today - 29 * DAY, today + DAY];
    case 'this year':
      return [year(0), year(1)];
    default:
      return [year(-1), year(0)];
  }
}

const range = ([from, to]: [number, number]): SearchCondition => ({
  op: 'and',
  of: [
    { op: 'gte', field: 'mtime', value: from },
    { op: 'lt', field: 'mtime', value: to },
  ],
});

function mtime(op: Op, raw: string, now: number): SearchCondition {
  const value = raw.trim().toLowerCase();
  if (MTIME_KEYWORDS.includes(value)) {
    if (op !== ':' && op !== '=') throw new KqlError(`"${value}" is a range: use mtime:"${value}"`);
    return range(naturalRange(value, now));
  }
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const dateTime = /^\d{4}-\d{2}-\d{2}t\d{2}:\d{2}:\d{2}(\.\d+)?(z|[+-]\d{2}:\d{2})$/.test(value);
  const at = day || dateTime ? Date.parse(day ? `${value}T00:00:00Z` : value.toUpperCase()) : NaN;
  if (Number.isNaN(at)) throw new KqlError(`mtime takes a date (2024-01-31), a date and time (2024-01-31T12:00:00Z) or one of ${MTIME_KEYWORDS.join(', ')}`);
  switch (op) {
    case '>':
      return { op: 'gte', field: 'mtime', value: day ? at + DAY : at + 1 };
    case '>=':
      return { op: 'gte', field: 'mtime', value: at };
    case '<':
      return { op: 'lt', field: 'mtime', value: at };
    case '<=':
      return { op: 'lt', field: 'mtime', value: day ? at + DAY : at + 1 };
    default:
      return day ? range([at, at + DAY]) : { op: 'eq', field: 'mtime', value: at };
  }
}

/** Top-level AND operands that are `scope:` terms are taken out; a scope anywhere else is refused. */
function takeScopes(node: Node): { rest: Node | null; scopes: string[] } {
  const isScope = (n: Node): n is Extract<Node, { k: 'term' }> => n.k === 'term' && n.key === 'scope';
  if (isScope(node)) return { rest: null, scopes: [node.value] };
  if (node.k !== 'and') return { rest: node, scopes: [] };
  const scopes = node.of.filter(isScope).map((n) => n.value);
  const rest = node.of.filter((n) => !isScope(n));
  return { rest: rest.length === 0 ? null : rest.length === 1 ? rest[0]! : { k: 'and', of: rest }, scopes };
}

/** Parses a KQL pattern; `now` (epoch ms) anchors the natural-language dates. */
export function parseKql(pattern: string, now: number): KqlQuery {
  const q = pattern.trim();
  if (q === '') throw new KqlError('The search pattern is empty');
  if (q.length > MAX_KQL_LENGTH) throw new KqlError('The search pattern is too long');
  const parser = new Parser(tokenize(q), now);
  const { rest, scopes } = takeScopes(parser.parse());
  if (scopes.some((s) => s.trim() === '')) throw new KqlError('scope: needs a resource id');
  // A query of scopes alone lists everything below them, as a match-all would.
  return { where: rest ? parser.condition(rest) : { op: 'like', field: 'name', value: '%' }, scopes };
}
