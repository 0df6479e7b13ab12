import { type ExpressionBuilder, type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import type { FileSearch, SearchCondition, SearchScope } from '../../domain/file-search.js';
import type { NameIndex, NodeSearchRepository, StoredNode } from '../../ports/files.js';
import { isPostgres } from '../dialect-helpers.js';
import type { Database } from '../schema.js';
import { toNode } from './nodes.repository.js';
import { ftsQueryOf, NAME_FTS_TABLE, TRGM_INDEX } from './node-name-index.js';

type Eb = ExpressionBuilder<Database, 'nodes'>;

const COLUMN = { name: 'nodes.name', mime: 'nodes.mime_type', mtime: 'nodes.mtime', size: 'nodes.size', fileId: 'nodes.file_id' } as const;
const OPS = { eq: '=', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/** LIKE with `\` as the escape character on both engines (PostgreSQL's default, SQLite's only when asked). */
const likeInsensitive = (column: string, pattern: string) => sql<SqlBool>`lower(${sql.ref(column)}) like lower(${pattern}) escape '\\'`;

/**
 * A name LIKE, served by the trigram index where there is one. PostgreSQL's
 * planner uses the pg_trgm index on lower(name) by itself; SQLite's FTS5
 * table is asked explicitly for the rows holding the pattern's literal runs
 * of three or more characters, and the LIKE then decides. Shorter patterns
 * have no trigram to look up and scan.
 */
function nameLike(eb: Eb, pattern: string, sqlite: boolean): Expression<SqlBool> {
  const like = likeInsensitive(COLUMN.name, pattern);
  const fts = sqlite ? ftsQueryOf(pattern) : null;
  if (!fts) return like;
  return eb.and([sql<SqlBool>`nodes.file_id in (select rowid from ${sql.table(NAME_FTS_TABLE)} where ${sql.table(NAME_FTS_TABLE)} match ${fts})`, like]);
}

function condition(eb: Eb, c: SearchCondition, favoriteKey: string, sqlite: boolean): Expression<SqlBool> {
  switch (c.op) {
    case 'and':
      return eb.and(c.of.map((x) => condition(eb, x, favoriteKey, sqlite)));
    case 'or':
      return eb.or(c.of.map((x) => condition(eb, x, favoriteKey, sqlite)));
    case 'not':
      return eb.not(condition(eb, c.of, favoriteKey, sqlite));
    case 'like':
      return c.field === 'name' ? nameLike(eb, c.value, sqlite) : likeInsensitive(COLUMN[c.field], c.value);
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

/** Whether every match must pass a name LIKE the FTS5 table can serve (the condition, or a conjunct of it, is one). */
function ftsRequired(c: SearchCondition): boolean {
  if (c.op === 'like') return c.field === 'name' && ftsQueryOf(c.value) !== null;
  return c.op === 'and' && c.of.some(ftsRequired);
}

/** Searches of the file tree: one query per scope, conditions compiled to SQL, the favourite mark read from the caller's dead property. */
export class NodeSearchRepositoryImpl implements NodeSearchRepository {
  private readonly sqlite: boolean;

  constructor(private readonly db: Kysely<Database>) {
    this.sqlite = !isPostgres(db);
  }

  private matching(scope: SearchScope, search: FileSearch, favoriteKey: string) {
    // SQLite's planner otherwise walks the space's (space_id, path) index and tests each row against the
    // FTS5 hits (25 ms over 100,000 rows); `+` takes the index out, so the few hits are fetched by file id.
    const space = this.sqlite && search.where && ftsRequired(search.where) ? sql<string>`+nodes.space_id` : sql.ref<string>('nodes.space_id');
    let q = this.db.selectFrom('nodes').where(space, '=', scope.spaceId);
    if (scope.path !== '') {
      const prefix = `${scope.path.replace(/[\\%_]/g, (m) => `\\${m}`)}/%`;
      const below = sql<SqlBool>`nodes.path like ${prefix} escape '\\'`;
      q = q.where((eb) => (scope.withRoot ? eb.or([eb('nodes.path', '=', scope.path), below]) : below));
    } else if (!scope.withRoot) q = q.where('nodes.path', '!=', '');
    if (search.where) q = q.where((eb) => condition(eb, search.where!, favoriteKey, this.sqlite));
    return q;
  }

  async search(scope: SearchScope, search: FileSearch, favoriteKey: string, max: number): Promise<StoredNode[]> {
    let q = this.matching(scope, search, favoriteKey).selectAll('nodes');
    for (const o of search.order) q = q.orderBy(sql.ref(COLUMN[o.field]), o.desc ? 'desc' : 'asc');
    const rows = await q.orderBy('nodes.path').limit(max).execute();
    return rows.map(toNode);
  }

  async count(scope: SearchScope, search: FileSearch, favoriteKey: string): Promise<number> {
    const row = await this.matching(scope, search, favoriteKey)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async nameIndex(): Promise<NameIndex> {
    if (this.sqlite) {
      const { rows } = await sql<{ n: number }>`select count(*) as n from sqlite_master where name = ${NAME_FTS_TABLE}`.execute(this.db);
      return Number(rows[0]?.n) > 0 ? 'fts5-trigram' : null;
    }
    const { rows } = await sql<{ n: string }>`select count(*) as n from pg_indexes where schemaname = current_schema() and indexname = ${TRGM_INDEX}`.execute(this.db);
    return Number(rows[0]?.n) > 0 ? 'pg_trgm' : null;
  }
}
