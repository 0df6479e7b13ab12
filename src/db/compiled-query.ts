import { CompiledQuery, type Compilable, type Kysely } from 'kysely';

/**
 * Kysely rebuilds and recompiles a query on every call (tens of µs). For hot
 * repository reads the SQL text never changes, only the values: compile once
 * with sentinel arguments, remember which bound parameter is which argument,
 * and afterwards only swap values in. Safe for queries whose shape does not
 * depend on the arguments (plain comparisons, no IN-lists of variable length).
 */
export function compiledQuery<DB, A extends readonly (string | number)[], R>(
  build: (db: Kysely<DB>, ...args: A) => Compilable<R>,
): (db: Kysely<DB>, ...args: A) => Promise<R[]> {
  const templates = new WeakMap<object, { sql: string; slots: Array<{ arg: number } | { value: unknown }> }>();
  return async (db, ...args) => {
    // One template per adapter (SQLite and PostgreSQL render different SQL); transactions share their parent's adapter.
    const adapter = db.getExecutor().adapter as object;
    let t = templates.get(adapter);
    if (!t) {
      const sentinels = args.map((_, i) => `\u0000nimbus-arg-${i}\u0000`) as unknown as A;
      const compiled = build(db, ...sentinels).compile();
      t = {
        sql: compiled.sql,
        slots: compiled.parameters.map((p) => {
          const i = typeof p === 'string' ? sentinels.indexOf(p as never) : -1;
          return i >= 0 ? { arg: i } : { value: p };
        }),
      };
      templates.set(adapter, t);
    }
    const parameters = t.slots.map((s) => ('arg' in s ? args[s.arg] : s.value));
    const result = await db.executeQuery<R>(CompiledQuery.raw(t.sql, parameters as unknown[]));
    return result.rows;
  };
}
