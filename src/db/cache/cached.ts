import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { CacheFeed } from './cache-feed.js';
import type { ReadCache } from './read-cache.js';

/** The keys a transaction wrote: announced before it commits, dropped locally once it has. */
export class TxScope {
  readonly keys = new Set<string>();

  add(keys: Iterable<string>): void {
    for (const k of keys) this.keys.add(k);
  }

  /** Whether this transaction changed what the key names (its own reads must then see its writes, not the cache). */
  touches(key: string): boolean {
    if (this.keys.has(key) || this.keys.has('*')) return true;
    const ns = key.slice(0, key.indexOf(':') + 1);
    return this.keys.has(`${ns}*`);
  }
}

/** What a caching repository needs: the shared cache, the feed, and the transaction it is bound to (null outside one). */
export interface CacheContext {
  cache: ReadCache;
  feed: CacheFeed;
  scope: TxScope | null;
}

/**
 * Reads through the cache. A key the current transaction wrote is always
 * read from the database (the transaction sees its own writes, and may
 * still roll back); any other key reads committed rows, which may be kept.
 */
export async function cachedRead<T>(cx: CacheContext, key: string, load: () => Promise<T>): Promise<T> {
  if (!cx.cache.enabled) return load();
  await cx.feed.catchUp();
  if (cx.scope?.touches(key)) return load();
  return cx.cache.through(key, load);
}

/**
 * A write to a cached table. Inside a transaction its keys go with the
 * transaction; outside one, the write and its change-log entry run in a
 * transaction of their own, so no process can miss a committed change.
 */
export async function cachedWrite<T>(cx: CacheContext, db: Kysely<Database>, keys: string[], run: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  if (cx.scope) {
    cx.scope.add(keys);
    return run(db);
  }
  const inside = async (trx: Kysely<Database>): Promise<T> => {
    const r = await run(trx);
    await cx.feed.announce(trx, keys);
    return r;
  };
  const result = db.isTransaction ? await inside(db) : await db.transaction().execute(inside);
  cx.cache.invalidate(keys);
  return result;
}
