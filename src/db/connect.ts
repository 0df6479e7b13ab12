import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import type { Database } from './schema.js';
import { type CacheFeed, ChangeLogFeed } from './cache/cache-feed.js';
import { ReadCache } from './cache/read-cache.js';
import { countingDialect, type QueryStats } from './query-counter.js';
import { SharedFileSqliteDialect } from './sqlite-dialect.js';
import { withStatementCache } from './sqlite-statement-cache.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DbHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Every statement sent, for benchmarks and metrics. */
  stats: QueryStats;
  /** Hot rows kept in memory, and the feed that keeps them true across processes; start the feed before serving. */
  cache: ReadCache;
  feed: CacheFeed;
  close(): Promise<void>;
}

// int8 (COUNT(*), bigint timestamps) arrives as a string by default; our
// values are epoch milliseconds and counts, well inside 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export function connect(database: Config['database']): DbHandle {
  const stats: QueryStats = { statements: 0 };
  const cache = new ReadCache();
  if (database.kind === 'sqlite') {
    mkdirSync(path.dirname(database.file), { recursive: true });
    const raw = new BetterSqlite3(database.file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('foreign_keys = ON');
    raw.pragma('busy_timeout = 5000');
    raw.pragma('synchronous = NORMAL');
    const db = new Kysely<Database>({ dialect: countingDialect(new SharedFileSqliteDialect({ database: withStatementCache(raw) }), stats) });
    const feed = new ChangeLogFeed(db, cache, stats, raw);
    return { db, dialect: 'sqlite', stats, cache, feed, close: async () => { await feed.stop(); await db.destroy(); } };
  }
  const pool = new pg.Pool({
    connectionString: database.url,
    max: 10,
    ...(database.schema ? { options: `-c search_path=${database.schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: countingDialect(new PostgresDialect({ pool }), stats) });
  const feed = new ChangeLogFeed(db, cache, stats);
  return { db, dialect: 'postgres', stats, cache, feed, close: async () => { await feed.stop(); await db.destroy(); } };
}
