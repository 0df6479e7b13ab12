import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { request } from 'undici';
import { basic, type DbKind } from '../helpers/app.js';
import { createPgSchema, TEST_PG_URL } from '../helpers/db.js';
import { type RunningServer, startServer } from './server-process.js';

export const ADMIN = { user: 'admin', password: 'Many-Processes-Pass-1' };

export interface Answer {
  status: number;
  text: string;
  /** Response headers, names in lower case; repeated ones joined by ", ". */
  headers?: Record<string, string>;
}

/**
 * Several server processes started in the same instant on one empty
 * database (a fresh PostgreSQL schema, or one SQLite file) and one data
 * directory, as an operator runs them behind a load balancer.
 */
export class ProcessGroup {
  private constructor(
    readonly servers: RunningServer[],
    private readonly dataDir: string,
    private readonly kind: DbKind,
    private readonly schema: string | undefined,
    private readonly dropSchema: (() => Promise<void>) | undefined,
    /** The configuration every process got: for other processes (the command line) on the same instance. */
    readonly env: Record<string, string>,
  ) {}

  /** Starts `count` processes at once; fails with every process's output if any of them did not come up. */
  static async start(entry: string, kind: DbKind, count: number, env: Record<string, string> = {}): Promise<ProcessGroup> {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-many-'));
    const schema = kind === 'postgres' ? await createPgSchema() : undefined;
    const shared = {
      DATA_DIR: dataDir,
      ADMIN_USER: ADMIN.user,
      ADMIN_PASSWORD: ADMIN.password,
      ...(schema ? { DATABASE_URL: TEST_PG_URL, DATABASE_SCHEMA: schema.schema } : {}),
      ...env,
    };
    const started = await Promise.allSettled(Array.from({ length: count }, () => startServer(entry, shared)));
    const up = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const group = new ProcessGroup(up, dataDir, kind, schema?.schema, schema?.drop, shared);
    const failed = started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason instanceof Error ? s.reason.message : s.reason)] : []));
    if (failed.length) {
      await group.close();
      throw new Error(`${failed.length} of ${count} processes failed to start:\n${failed.join('\n---\n')}`);
    }
    return group;
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
    await this.dropSchema?.();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** One request to the i-th process (any index: it wraps around, so callers can spread load by counting). */
  async http(i: number, method: string, url: string, o: { as?: { user: string; password: string } | null; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
    const server = this.servers[i % this.servers.length]!;
    const as = o.as === undefined ? ADMIN : o.as;
    const headers: Record<string, string> = { ...o.headers, ...(as ? { authorization: basic(as.user, as.password) } : {}) };
    const res = await request(`${server.base}${url}`, { method: method as 'GET', headers, body: o.body });
    const named = Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]);
    return { status: res.statusCode, text: await res.body.text(), headers: Object.fromEntries(named) };
  }

  ocs(i: number, method: string, route: string, o: { as?: { user: string; password: string } | null; form?: Record<string, string> } = {}): Promise<Answer> {
    const body = o.form ? new URLSearchParams(o.form).toString() : undefined;
    const headers: Record<string, string> = { 'ocs-apirequest': 'true', ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) };
    return this.http(i, method, `/ocs/v2.php${route}${route.includes('?') ? '&' : '?'}format=json`, { as: o.as, headers, body });
  }

  /** A read (or with `write`, a change) of the shared database, behind the servers' backs (opened for this one query). */
  async rows<T>(query: string, opts: { write?: boolean } = {}): Promise<T[]> {
    if (this.kind === 'sqlite') {
      const db = new Database(path.join(this.dataDir, 'nimbus.sqlite'), { readonly: !opts.write, fileMustExist: true });
      try {
        const statement = db.prepare(query);
        return (statement.reader ? statement.all() : (statement.run(), [])) as T[];
      } finally {
        db.close();
      }
    }
    const client = new pg.Client({ connectionString: TEST_PG_URL });
    await client.connect();
    try {
      await client.query(`set search_path to ${this.schema}`);
      return (await client.query(query)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** Everything the processes wrote, for failure messages. */
  output(): string {
    return this.servers.map((s, i) => `--- process ${i}\n${s.output()}`).join('\n');
  }
}

/** How many answers had each status, e.g. { 201: 1, 405: 29 }. */
export function tally(answers: Answer[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const a of answers) out[a.status] = (out[a.status] ?? 0) + 1;
  return out;
}
