import type { DatabaseConnection, Dialect, Driver, TransactionSettings } from 'kysely';

/** Statements sent to the database since start, BEGIN and COMMIT included: each one is a round trip. */
export interface QueryStats {
  statements: number;
  /** Called with each statement's SQL text, when set (diagnostics and benchmarks). */
  observe?: (sql: string) => void;
  /** Called with each statement's SQL text and how long it took, when set (metrics). */
  timed?: (sql: string, seconds: number) => void;
}

/**
 * Wraps a dialect so that every statement its connections run is counted.
 * The connection is wrapped in a Proxy rather than a new object because
 * drivers call their own private methods on the connections they hand out
 * (PostgreSQL's release), which must reach the real one.
 */
export function countingDialect(inner: Dialect, stats: QueryStats): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createDriver: () => countingDriver(inner.createDriver(), stats),
  };
}

function countingDriver(driver: Driver, stats: QueryStats): Driver {
  const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const unwrap = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const wrap = (conn: DatabaseConnection): DatabaseConnection => {
    let proxy = wrapped.get(conn);
    if (!proxy) {
      proxy = new Proxy(conn, {
        get(target, prop, receiver) {
          if (prop === 'executeQuery') {
            return (query: Parameters<DatabaseConnection['executeQuery']>[0]) => {
              stats.statements++;
              stats.observe?.(query.sql);
              const timed = stats.timed;
              if (!timed) return target.executeQuery(query);
              const start = process.hrtime.bigint();
              const settle = () => timed(query.sql, Number(process.hrtime.bigint() - start) / 1e9);
              const running = target.executeQuery(query);
              running.then(settle, settle);
              return running;
            };
          }
          const value = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      wrapped.set(conn, proxy);
      unwrap.set(proxy, conn);
    }
    return proxy;
  };
  const real = (conn: DatabaseConnection): DatabaseConnection => unwrap.get(conn) ?? conn;
  return {
    init: () => driver.init(),
    acquireConnection: async () => wrap(await driver.acquireConnection()),
    // Transactions statements go through the wrapped connection, so they are counted too.
    beginTransaction: (conn, settings: TransactionSettings) => driver.beginTransaction(conn, settings),
    commitTransaction: (conn) => driver.commitTransaction(conn),
    rollbackTransaction: (conn) => driver.rollbackTransaction(conn),
    savepoint: driver.savepoint && ((conn, name, compile) => driver.savepoint!(conn, name, compile)),
    rollbackToSavepoint: driver.rollbackToSavepoint && ((conn, name, compile) => driver.rollbackToSavepoint!(conn, name, compile)),
    releaseSavepoint: driver.releaseSavepoint && ((conn, name, compile) => driver.releaseSavepoint!(conn, name, compile)),
    releaseConnection: (conn) => driver.releaseConnection(real(conn)),
    destroy: () => driver.destroy(),
  };
}
