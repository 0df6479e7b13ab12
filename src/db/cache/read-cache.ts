/**
 * Rows that every request reads and few requests change (users, app
 * passwords, memberships, space members, received shares, login failures),
 * kept in process memory. Keys are `namespace:id`; `namespace:*` names a
 * whole namespace. The cache never decides alone whether it is fresh: it is
 * emptied whenever a write in this process or a notice from another process
 * (cache-feed.ts) names a key, and it refuses to serve at all while the
 * feed that carries those notices is down.
 */
/** Cached values are shared by every caller: frozen, so a caller that changes one fails loudly instead of corrupting the others' view. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export class ReadCache {
  private readonly entries = new Map<string, unknown>();
  /** Bumped by every invalidation: a load that started before one must not store its (maybe stale) result. */
  private generation = 0;
  private serving = false;

  constructor(private readonly maxEntries = 50_000) {}

  /** Whether reads may be served from memory (the change feed is up). */
  get enabled(): boolean {
    return this.serving;
  }

  /** Starts serving, empty: whatever was cached may have missed notices. */
  enable(): void {
    this.flush();
    this.serving = true;
  }

  disable(): void {
    this.serving = false;
    this.flush();
  }

  peek<T>(key: string): T | undefined {
    return this.serving ? (this.entries.get(key) as T | undefined) : undefined;
  }

  /** The cached value, or the loaded one (stored unless an invalidation ran meanwhile). */
  async through<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.serving) return load();
    if (this.entries.has(key)) return this.entries.get(key) as T;
    const generation = this.generation;
    const value = await load();
    if (this.serving && generation === this.generation) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, deepFreeze(value));
    }
    return value;
  }

  /** For loads of many keys at once: take a mark before the query, store after it only if nothing was invalidated in between. */
  mark(): number {
    return this.generation;
  }

  storeIfUnchanged(mark: number, entries: Iterable<[string, unknown]>): void {
    if (!this.serving || mark !== this.generation) return;
    for (const [key, value] of entries) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, deepFreeze(value));
    }
  }

  invalidate(keys: Iterable<string>): void {
    this.generation++;
    for (const key of keys) {
      if (key === '*') {
        this.entries.clear();
        continue;
      }
      if (!key.endsWith(':*')) {
        this.entries.delete(key);
        continue;
      }
      const prefix = key.slice(0, -1);
      for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
    }
  }

  flush(): void {
    this.generation++;
    this.entries.clear();
  }
}
