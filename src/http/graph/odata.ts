import { GraphError } from './errors.js';

export interface DriveQuery {
  filter?: { field: 'driveType' | 'id'; value: string };
  orderBy?: { field: 'name' | 'lastModifiedDateTime'; desc: boolean };
}

/**
 * The reference's drive-list options: `$filter` with a single top-level `eq`
 * on driveType or id (other `eq` properties silently ignored, other operators
 * 501), `$orderby` on name or lastModifiedDateTime (other fields 400, two or
 * more items ignored). Values may be quoted or, as the seed's examples write
 * them, bare.
 */
export function parseDriveQuery(filter: string | undefined, orderby: string | undefined): DriveQuery {
  const q: DriveQuery = {};
  if (filter !== undefined && filter.trim() !== '') {
    const text = filter.trim();
    const logical = /\s(and|or)\s/i.exec(text);
    if (logical) throw new GraphError(501, 'notSupported', `unsupported filter operand: ${logical[1]!.toLowerCase()}`);
    const fn = /^(\w+)\s*\(/.exec(text);
    if (fn) throw new GraphError(501, 'notSupported', `unsupported filter operand: ${fn[1]}`);
    const m = /^([\w@./]+)\s+(\w+)\s+('(?:[^']|'')*'|\S+)$/.exec(text);
    if (!m) throw new GraphError(400, 'invalidRequest', `invalid filter: ${text}`);
    const [, field, op, raw] = m as unknown as [string, string, string, string];
    if (op.toLowerCase() !== 'eq') throw new GraphError(501, 'notSupported', `unsupported filter operand: ${op.toLowerCase()}`);
    const value = raw.startsWith("'") ? raw.slice(1, -1).replace(/''/g, "'") : raw;
    if (field === 'driveType' || field === 'id') q.filter = { field, value };
  }
  if (orderby !== undefined && orderby.trim() !== '') {
    const items = orderby.split(',').map((s) => s.trim()).filter(Boolean);
    if (items.length === 1) {
      const [field, dir] = items[0]!.split(/\s+/) as [string, string | undefined];
      if (field.toLowerCase() === 'name') q.orderBy = { field: 'name', desc: dir?.toLowerCase() === 'desc' };
      else if (field === 'lastModifiedDateTime') q.orderBy = { field: 'lastModifiedDateTime', desc: dir?.toLowerCase() === 'desc' };
      else throw new GraphError(400, 'invalidRequest', `we do not support <${field}> as a order parameter`);
      if (dir !== undefined && !/^(asc|desc)$/i.test(dir)) throw new GraphError(400, 'invalidRequest', `invalid order direction: ${dir}`);
    }
  }
  return q;
}

/** `/me/drives/$filter=…` and `/me/drives/$orderby=…` as the seed documents them: options in the path. */
export function optionsFromPath(segment: string): { filter?: string; orderby?: string } {
  const out: { filter?: string; orderby?: string } = {};
  for (const part of segment.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === '$filter') out.filter = value;
    else if (key === '$orderby') out.orderby = value;
  }
  return out;
}
