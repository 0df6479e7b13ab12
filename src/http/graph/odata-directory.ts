import type { DirectorySearch, UserFilter } from '../../services/identity/graph-directory.service.js';
import { GraphError } from './errors.js';
import { type FilterNode, parseFilter, rootOperator } from './odata-filter.js';

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

/** A literal a user filter compares with; other literal types are valid OData the reference does not implement. */
function literalOf(node: FilterNode): string {
  if (node.kind === 'literal' && (node.type === 'string' || node.type === 'guid')) return node.value;
  if (node.kind === 'literal' || node.kind === 'list') return unsupported();
  return invalid(`expected a literal in filter, found ${describe(node)}`);
}

function describe(node: FilterNode): string {
  if (node.kind === 'member') return `'${node.path}'`;
  if (node.kind === 'bare') return `'${node.text}'`;
  return `an expression (${rootOperator(node) ?? node.kind})`;
}

/** A property on the left of a comparison; godata's tokenizer rejects what is not a name. */
function propertyOf(node: FilterNode): string {
  if (node.kind === 'member') return node.path;
  if (node.kind === 'bare') return invalid(`Token '${node.text}' is invalid`);
  return invalid(`expected a property in filter, found ${node.kind === 'literal' ? `'${node.value}'` : describe(node)}`);
}

function lambdaFilter(node: Extract<FilterNode, { kind: 'lambda' }>): UserFilter {
  const body = node.body;
  if (node.quantifier !== 'any' || !body || body.kind !== 'compare' || body.op !== 'eq') return unsupported();
  const value = literalOf(body.right);
  const [variableName, property, ...more] = propertyOf(body.left).split('/');
  if (variableName !== node.variable || !property || more.length > 0) return invalid('invalid filter');
  if (node.collection === 'memberOf' && property === 'id') return { op: 'memberOf', groupId: value };
  if (node.collection === 'appRoleAssignments' && property === 'appRoleId') return { op: 'appRole', roleId: value };
  return unsupported();
}

function userFilter(node: FilterNode): UserFilter {
  switch (node.kind) {
    case 'logical':
      return { op: node.op, left: userFilter(node.left), right: userFilter(node.right) };
    case 'lambda':
      return lambdaFilter(node);
    case 'call': {
      const [field, arg, ...more] = node.args;
      if ((node.name !== 'startswith' && node.name !== 'contains') || !field || !arg || more.length > 0) return unsupported();
      const value = literalOf(arg);
      if (field.kind === 'member' && field.path === 'displayName') return { op: node.name, value };
      return unsupported();
    }
    case 'compare': {
      const property = propertyOf(node.left);
      const value = literalOf(node.right);
      if (property === 'userType' && node.op === 'eq') return { op: 'userType', value };
      return unsupported();
    }
    case 'not':
    case 'arithmetic':
      return unsupported();
    default:
      return invalid(`invalid filter: ${describe(node)} is no condition`);
  }
}

/** `$filter` on /users: lambda filters on memberOf and appRoleAssignments, `userType eq`, displayName functions, and/or. */
export function parseUserFilter(raw: string | undefined): UserFilter | undefined {
  const root = parseFilter(raw);
  return root && userFilter(root);
}
