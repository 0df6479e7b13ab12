import type { DirectorySearch, UserFilter } from '../../services/identity/graph-directory.service.js';
import { GraphError } from './errors.js';

/**
 * OData query options on /me, /users and /groups, parsed the way the
 * reference (godata behind oCIS/OpenCloud) accepts them. Parse errors are
 * 400 invalidRequest; constructs the reference parses but does not implement
 * are 501.
 */

const invalid = (message: string): never => {
  throw new GraphError(400, 'invalidRequest', message);
};
// The reference renders godata's NotImplemented errors with its generalException code and status 501.
const unsupported = (message = 'unsupported filter'): never => {
  throw new GraphError(501, 'generalException', message);
};

/**
 * `$search`: one quoted phrase or plain words. godata's search tokenizer knows
 * quoted phrases, parentheses, AND/OR/NOT and words; anything else fails with
 * "Token '<rest of the input>' is invalid" (e.g. `Alice-From-Wonderland`).
 * Words here are Unicode letters and digits, where godata only takes ASCII.
 */
export function parseSearch(raw: string | undefined): DirectorySearch | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const tokens: Array<{ kind: 'phrase' | 'word' | 'operator'; value: string }> = [];
  let rest = raw;
  while (rest.length > 0) {
    const space = /^\s+/.exec(rest);
    const quoted = /^"([^"]+)"/.exec(rest);
    const op = /^(?:AND|OR|NOT)(?![\p{L}\p{N}_])|^[()]/u.exec(rest);
    const word = /^[\p{L}\p{N}_]+/u.exec(rest);
    const m = space ?? quoted ?? op ?? word;
    if (!m) return invalid(`Token '${rest}' is invalid`);
    if (quoted) tokens.push({ kind: 'phrase', value: quoted[1]! });
    else if (op) tokens.push({ kind: 'operator', value: op[0] });
    else if (word) tokens.push({ kind: 'word', value: word[0] });
    rest = rest.slice(m[0].length);
  }
  const phrases = tokens.filter((t) => t.kind === 'phrase');
  const words = tokens.filter((t) => t.kind === 'word');
  // Several plain words are taken as one phrase; search expressions are not implemented, as in the reference.
  if (tokens.some((t) => t.kind === 'operator') || phrases.length > 1 || (phrases.length === 1 && words.length > 0)) {
    return unsupported('complex search queries are not supported');
  }
  const quoted = phrases.length === 1;
  return { term: quoted ? phrases[0]!.value : words.map((w) => w.value).join(' '), quoted, rawLength: [...raw.trim()].length };
}

/** `$expand=a,b($expand=c)`: the top-level names. */
export function parseExpand(raw: string | undefined): Set<string> {
  const out = new Set<string>();
  if (!raw) return out;
  let depth = 0;
  let current = '';
  for (const ch of `${raw},`) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) invalid(`invalid $expand: ${raw}`);
    if (ch === ',' && depth === 0) {
      const name = current.split('(')[0]!.trim();
      if (name) out.add(name);
      current = '';
    } else current += ch;
  }
  if (depth !== 0) invalid(`invalid $expand: ${raw}`);
  return out;
}

/** `$select=a,b`: property names; undefined when absent. */
export function parseSelect(raw: string | undefined): Set<string> | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const names = raw.split(',').map((s) => s.trim());
  if (names.some((n) => !/^[@\w.]+$/.test(n))) invalid(`invalid $select: ${raw}`);
  return new Set(names);
}

export interface OrderBy<F extends string> {
  field: F;
  desc: boolean;
}

/**
 * `$orderby`: the reference sorts only when exactly one item is given, and
 * refuses fields it cannot sort by.
 */
export function parseOrderBy<F extends string>(raw: string | undefined, fields: readonly F[]): OrderBy<F> | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const items = raw.split(',').map((s) => s.trim());
  const parsed = items.map((item) => {
    const m = /^([@\w./]+)(?:\s+(asc|desc))?$/i.exec(item);
    if (!m) return invalid(`invalid $orderby: ${raw}`);
    return { field: m[1]!, desc: (m[2] ?? '').toLowerCase() === 'desc' };
  });
  if (parsed.length !== 1) return undefined;
  const { field, desc } = parsed[0]!;
  if (!(fields as readonly string[]).includes(field)) invalid(`we do not support <${field}> as a order parameter`);
  return { field: field as F, desc };
}

/** Picks the selected properties of a rendered entity; `id` always stays so clients can address it. */
export function applySelect(obj: Record<string, unknown>, select: Set<string> | undefined): Record<string, unknown> {
  if (!select) return obj;
  return Object.fromEntries(Object.entries(obj).filter(([k]) => k === 'id' || select.has(k)));
}

// ---------------------------------------------------------------------------------------------
// $filter on users

type Tok = { t: 'id' | 'str' | 'guid' | 'num' | 'punct'; v: string };

function tokenizeFilter(raw: string): Tok[] {
  const out: Tok[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const space = /^\s+/.exec(rest);
    if (space) {
      rest = rest.slice(space[0].length);
      continue;
    }
    const str = /^'((?:[^']|'')*)'/.exec(rest);
    const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/.exec(rest);
    const num = /^-?\d+(?:\.\d+)?(?![\w])/.exec(rest);
    const id = /^[A-Za-z_@][\w.@]*(?:\/[A-Za-z_@][\w.@]*)*/.exec(rest);
    const punct = /^[(),:]/.exec(rest);
    let tok: Tok | undefined;
    let len = 0;
    if (str) [tok, len] = [{ t: 'str', v: str[1]!.replace(/''/g, "'") }, str[0].length];
    else if (guid) [tok, len] = [{ t: 'guid', v: guid[0] }, guid[0].length];
    else if (num) [tok, len] = [{ t: 'num', v: num[0] }, num[0].length];
    else if (id) [tok, len] = [{ t: 'id', v: id[0] }, id[0].length];
    else if (punct) [tok, len] = [{ t: 'punct', v: punct[0] }, 1];
    if (!tok) return invalid(`Token '${rest}' is invalid`);
    out.push(tok);
    rest = rest.slice(len);
  }
  return out;
}

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'has', 'in']);

class FilterParser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  parse(): UserFilter {
    if (this.toks.length === 0) invalid('empty filter');
    const f = this.or();
    if (this.i < this.toks.length) invalid(`unexpected token '${this.toks[this.i]!.v}' in filter`);
    return f;
  }

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }
  private next(): Tok {
    const t = this.toks[this.i++];
    if (!t) return invalid('unexpected end of filter');
    return t;
  }
  private expect(v: string): void {
    const t = this.next();
    if (t.v !== v) invalid(`expected '${v}' in filter, found '${t.v}'`);
  }
  private keyword(v: string): boolean {
    const t = this.peek();
    if (t?.t === 'id' && t.v === v) {
      this.i++;
      return true;
    }
    return false;
  }

  private or(): UserFilter {
    let left = this.and();
    while (this.keyword('or')) left = { op: 'or', left, right: this.and() };
    return left;
  }

  private and(): UserFilter {
    let left = this.primary();
    while (this.keyword('and')) left = { op: 'and', left, right: this.primary() };
    return left;
  }

  private literal(): string {
    const t = this.next();
    if (t.t === 'str' || t.t === 'guid') return t.v;
    if (t.t === 'num') return unsupported();
    return invalid(`expected a literal in filter, found '${t.v}'`);
  }

  private primary(): UserFilter {
    const t = this.next();
    if (t.v === '(' && t.t === 'punct') {
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    if (t.t !== 'id') return invalid(`unexpected token '${t.v}' in filter`);
    if (t.v === 'not') return (this.primary(), unsupported());
    const lambda = /^(memberOf|appRoleAssignments|[\w.@]+)\/(any|all)$/.exec(t.v);
    if (lambda) return this.lambda(lambda[1]!, lambda[2]!);
    if (this.peek()?.v === '(') return this.func(t.v);
    const op = this.next();
    if (op.t !== 'id' || !COMPARISONS.has(op.v)) return invalid(`unexpected token '${op.v}' in filter`);
    const value = this.literal();
    if (t.v === 'userType' && op.v === 'eq') return { op: 'userType', value };
    return unsupported();
  }

  private lambda(collection: string, quantifier: string): UserFilter {
    this.expect('(');
    const variable = this.next();
    if (variable.t !== 'id') invalid('invalid lambda variable in filter');
    this.expect(':');
    const path = this.next();
    const op = this.next();
    const value = this.literal();
    this.expect(')');
    if (quantifier !== 'any' || op.v !== 'eq') return unsupported();
    const [variableName, property, ...more] = path.v.split('/');
    if (variableName !== variable.v || !property || more.length > 0) return invalid('invalid filter');
    if (collection === 'memberOf' && property === 'id') return { op: 'memberOf', groupId: value };
    if (collection === 'appRoleAssignments' && property === 'appRoleId') return { op: 'appRole', roleId: value };
    return unsupported();
  }

  private func(name: string): UserFilter {
    this.expect('(');
    const field = this.next();
    this.expect(',');
    const value = this.literal();
    this.expect(')');
    if ((name === 'startswith' || name === 'contains') && field.v === 'displayName') return { op: name, value };
    return unsupported();
  }
}

/** `$filter` on /users: lambda filters on memberOf and appRoleAssignments, `userType eq`, displayName functions, and/or. */
export function parseUserFilter(raw: string | undefined): UserFilter | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  return new FilterParser(tokenizeFilter(raw)).parse();
}
