import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { QueryStats } from '../query-counter.js';
import type { Database } from '../schema.js';
import type { ReadCache } from './read-cache.js';

/**
 * How the processes sharing one database keep their caches of hot rows true,
 * through a change log in the database (migration 0009):
 * - a write to a cached table, in the transaction that makes it, bumps the
 *   one `cache_epoch` row (its row lock orders such writes by commit) and
 *   records the keys it changed under the new number;
 * - before a request is served from memory, the process reads the entries
 *   past the last number it saw and drops those keys. A request that starts
 *   after a change committed therefore never sees the old value, on any
 *   process: a password change, a revoked app password, a disabled user or
 *   a removed membership count from the next request.
 * On SQLite the check is skipped while PRAGMA data_version says no other
 * connection committed (a read of shared memory); this process's own writes
 * are dropped from its cache as they commit.
 */
export interface CacheFeed {
  /** Records the changed keys inside the writing transaction. */
  announce(trx: Kysely<Database>, keys: Iterable<string>): Promise<void>;
  start(): Promise<void>;
  /** A request began: the cache must catch up with the log before it next serves. */
  beginRequest(): void;
  /** Resolves once the cache holds nothing older than the start of the newest request. */
  catchUp(): Promise<void>;
  stop(): Promise<void>;
}

/** Entries older than this are pruned; a process idle for longer starts over from an empty cache. */
const RETENTION_MS = 60 * 60 * 1000;
const PRUNE_EVERY = 500;

export class ChangeLogFeed implements CacheFeed {
  private lastSeq = 0;
  private requested = 0;
  private checked = 0;
  private inFlight: { forRequest: number; done: Promise<void> } | null = null;
  private lastCheckAt = 0;
  private announced = 0;
  private dataVersion: unknown = null;
  private logStatement: BetterSqlite3.Statement | null = null;
  private versionStatement: BetterSqlite3.Statement | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly cache: ReadCache,
    private readonly stats: QueryStats,
    /** SQLite's own connection, for data_version; undefined on PostgreSQL. */
    private readonly sqlite?: BetterSqlite3.Database,
  ) {}

  async announce(trx: Kysely<Database>, keys: Iterable<string>): Promise<void> {
    const list = [...new Set(keys)];
    if (!list.length) return;
    const now = Date.now();
    const { seq } = await trx.updateTable('cache_epoch').set((eb) => ({ seq: eb('seq', '+', 1) })).where('id', '=', 1).returning('seq').executeTakeFirstOrThrow();
    await trx.insertInto('cache_changes').values({ seq: Number(seq), keys: list.join('\n'), created_at: now }).execute();
    if (++this.announced % PRUNE_EVERY === 0) await trx.deleteFrom('cache_changes').where('created_at', '<', now - RETENTION_MS).execute();
  }

  async start(): Promise<void> {
    const head = await this.db.selectFrom('cache_epoch').select('seq').where('id', '=', 1).executeTakeFirst();
    this.lastSeq = Number(head?.seq ?? 0);
    this.dataVersion = this.sqlite?.pragma('data_version', { simple: true });
    this.lastCheckAt = Date.now();
    this.checked = this.requested;
    this.cache.enable();
  }

  beginRequest(): void {
    this.requested++;
  }

  catchUp(): Promise<void> {
    if (!this.cache.enabled || this.checked >= this.requested) return Promise.resolve();
    const needed = this.requested;
    if (this.inFlight && this.inFlight.forRequest >= needed) return this.inFlight.done;
    const done = this.check(needed).finally(() => {
      if (this.inFlight?.done === done) this.inFlight = null;
    });
    this.inFlight = { forRequest: needed, done };
    return done;
  }

  private async check(forRequest: number): Promise<void> {
    const now = Date.now();
    if (this.sqlite) {
      if (!this.sqlite.open) return;
      this.versionStatement ??= this.sqlite.prepare('PRAGMA data_version').pluck();
      const version = this.versionStatement.get();
      if (version === this.dataVersion && now - this.lastCheckAt < RETENTION_MS / 2) {
        this.mark(forRequest, now);
        return;
      }
      this.dataVersion = version;
    }
    if (now - this.lastCheckAt >= RETENTION_MS / 2) {
      // Entries this process never read may have been pruned meanwhile.
      this.cache.flush();
      await this.start();
      this.mark(forRequest, now);
      return;
    }
    const rows = await this.readLog();
    for (const r of rows) {
      this.cache.invalidate(r.keys.split('\n'));
      this.lastSeq = Math.max(this.lastSeq, Number(r.seq));
    }
    this.mark(forRequest, now);
  }

  private async readLog(): Promise<Array<{ seq: number; keys: string }>> {
    if (this.sqlite) {
      // Synchronously on SQLite's one connection: the check may run while a transaction holds it.
      this.stats.statements++;
      this.logStatement ??= this.sqlite.prepare('select seq, keys from cache_changes where seq > ? order by seq');
      return this.logStatement.all(this.lastSeq) as Array<{ seq: number; keys: string }>;
    }
    return this.db.selectFrom('cache_changes').select(['seq', 'keys']).where('seq', '>', this.lastSeq).orderBy('seq').execute();
  }

  private mark(forRequest: number, now: number): void {
    this.checked = Math.max(this.checked, forRequest);
    this.lastCheckAt = now;
  }

  async stop(): Promise<void> {
    this.cache.disable();
  }
}
