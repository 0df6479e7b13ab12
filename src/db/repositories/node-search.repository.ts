import { type ExpressionBuilder, type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import type { FileSearch, SearchCondition, SearchScope } from '../../domain/file-search.js';
import type { NodeSearchRepository, StoredNode } from '../../ports/files.js';
import type { Database } from '../schema.js';
import { toNode } from './nodes.repository.js';

type Eb = ExpressionBuilder<Database, 'nodes'>;

const COLUMN = { name: 'nodes.name', mime: 'nodes.mime_type', mtime: 'nodes.mtime', size: 'nodes.size', fileId: 'nodes.file_id' } as const;
const OPS = { eq: '=', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/** LIKE with `\` as the escape character on both engines (PostgreSQL's default, SQLite's only when asked). */
const likeInsensitive = (column: string, pattern: string) => sql<SqlBool>`lower(${sql.ref(column)}) like lower(${pattern}) escape '\\'`;

function condition(eb: Eb, c: SearchCondition, favoriteKey: string): Expression<SqlBool> {
  switch (c.op) {
    case 'and':
      return eb.and(c.of.map((x) => condition(eb, x, favoriteKey)));
    case 'or':
      return eb.or(c.of.map((x) => condition(eb, x, favoriteKey)));
    case 'not':
      return eb.not(condition(eb, c.of, favoriteKey));
    case 'like':
      return likeInsensitive(COLUMN[c.field], c.value);
    case 'favorite': {
      const marked = eb.exists(
        eb.selectFrom('dav_properties').select('dav_properties.node_id').whereRef('dav_properties.node_id', '=', 'nodes.id').where('dav_properties.name', '=', favoriteKey).where('dav_properties.value', '=', '1'),
      );
      return c.value ? marked : eb.not(marked);
    }
    case 'folder':
      return eb('nodes.type', '=', c.value ? 'folder' : 'file');
    default:
      return c.field === 'name' || c.field === 'mime' ? eb(sql.ref(COLUMN[c.field]), OPS[c.op], String(c.value)) : eb(sql.ref(COLUMN[c.field]), OPS[c.op], Number(c.value));
  }
}

/** Searches of the file tree: one query per scope, conditions compiled to SQL, the favourite mark read from the caller's dead property. */
export class NodeSearchRepositoryImpl implements NodeSearchRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async search(scope: SearchScope, search: FileSearch, favoriteKey: string, max: number): Promise<StoredNode[]> {
    let q = this.db.selectFrom('nodes').selectAll('nodes').where('nodes.space_id', '=', scope.spaceId);
    if (scope.path !== '') {
      const prefix = `${scope.path.replace(/[\\%_]/g, (m) => `\\${m}`)}/%`;
      const below = sql<SqlBool>`nodes.path like ${prefix} escape '\\'`;
      q = q.where((eb) => (scope.withRoot ? eb.or([eb('nodes.path', '=', scope.path), below]) : below));
    } else if (!scope.withRoot) q = q.where('nodes.path', '!=', '');
    if (search.where) q = q.where((eb) => condition(eb, search.where!, favoriteKey));
    for (const o of search.order) q = q.orderBy(sql.ref(COLUMN[o.field]), o.desc ? 'desc' : 'asc');
    const rows = await q.orderBy('nodes.path').limit(max).execute();
    return rows.map(toNode);
  }
}
