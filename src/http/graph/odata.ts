import { GraphError } from './errors.js';
import { type FilterNode, parseFilter, rootOperator } from './odata-filter.js';

export interface DriveQuery {
  filter?: { field: 'driveType' | 'id'; value: string };
  orderBy?: { field: 'name' | 'lastModifiedDateTime'; desc: boolean };
}

/** The text a drive filter compares with: quoted, or bare as the Spaces API documentation writes it. */
function valueOf(node: FilterNode): string | undefined {
  if (node.kind === 'literal') return node.value;
  if (node.kind === 'member') return node.path;
  if (node.kind === 'bare') return node.text;
  return undefined;
}

/**
 * The reference's `$filter` on drive lists (libregraph.md §5): one
 * top-level `eq` whose left side is driveType or id; `eq` on any other
 * property is accepted and ignored; any other top-level operator (and, or,
 * ne, not, functions…) is 501 "unsupported filter operand: <op>"; text that
 * is not OData, or is no comparison, is 400.
 */
function driveFilter(raw: string): DriveQuery['filter'] | undefined {
  const root = parseFilter(raw);
  if (!root) return undefined;
  const op = rootOperator(root);
  if (op === undefined) throw new GraphError(400, 'invalidRequest', `invalid filter: ${raw} is no comparison`);
  if (root.kind !== 'compare' || op !== 'eq') throw new GraphError(501, 'notSupported', `unsupported filter operand: ${op}`);
  const field = root.left.kind === 'member' ? root.left.path : root.left.kind === 'bare' ? root.left.text : undefined;
  const value = valueOf(root.right);
  if (field === undefined || value === undefined) throw new GraphError(400, 'invalidRequest', `invalid filter: ${raw}`);
  if (field === 'driveType' || field === 'id') return { field, value };
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
  if (filter !== undefined && filter.trim() !== '') q.filter = driveFilter(filter);
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
