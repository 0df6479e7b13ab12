import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { describe } from 'vitest';
import { type BuildOptions, buildApp } from '../../src/app.js';
import type { Kysely } from 'kysely';
import { type Env, loadConfig } from '../../src/config.js';
import { connect } from '../../src/db/connect.js';
import { createBlobInventory } from '../../src/storage/blob-store-factory.js';
import type { Database } from '../../src/db/schema.js';
import { createPgSchema, postgresReachable, TEST_PG_URL } from './db.js';

export type DbKind = 'sqlite' | 'postgres';

export const ADMIN = { user: 'admin', password: 'Admin-Test-Pass-1' };

export interface TestApp {
  app: FastifyInstance;
  dataDir: string;
  /** The bucket prefix of this app's objects when STORAGE=s3, else null. */
  s3Prefix: string | null;
  /** The app's own database, for tests that check what is stored behind the APIs. */
  db: Kysely<Database>;
  /** Statements the app's connection has sent so far (each a round trip). */
  stats: { statements: number };
  /**
   * Changes rows directly, as an operator with SQL would (expired shares,
   * removed grants), then tells the app's cache: such changes bypass the
   * repositories that announce them.
   */
  behindTheApp(change: (db: Kysely<Database>) => Promise<unknown>): Promise<void>;
  /** What the blob store holds, wherever STORAGE puts it (the data directory, or the bucket): blob ids, and staged writes left. */
  stored: { blobIds(): Promise<string[]>; staged(): Promise<number>; has(blobId: string): Promise<boolean>; derived(): Promise<string[]> };
  /** A second process's view: another app with its own connection (and cache) on the same database and data directory. */
  peer(): Promise<{ app: FastifyInstance; close(): Promise<void> }>;
  close(): Promise<void>;
}

/** Builds the real app on a fresh SQLite file or a fresh PostgreSQL schema; silent unless given a logger. */
export async function buildTestApp(kind: DbKind = 'sqlite', env: Partial<Env> = {}, logger: BuildOptions['logger'] = false): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-test-'));
  const pgSchema = kind === 'postgres' ? await createPgSchema() : undefined;
  const storageEnv = S3_RUN ? S3_RUN.s3Env() : {};
  const config = loadConfig({
    ...storageEnv,
    DATA_DIR: dataDir,
    ADMIN_USER: ADMIN.user,
    ADMIN_PASSWORD: ADMIN.password,
    PASSWORD_HASH_COST: '1024',
    PUBLIC_URL: 'http://nimbus.test',
    ...(pgSchema ? { DATABASE_URL: TEST_PG_URL, DATABASE_SCHEMA: pgSchema.schema } : {}),
    ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === undefined ? undefined : String(v)])),
  });
  const handle = connect(config.database);
  const app = await buildApp(config, { db: handle, logger });
  const inventory = await createBlobInventory(config);
  return {
    app,
    dataDir,
    s3Prefix: storageEnv.S3_PREFIX ?? null,
    stored: {
      async blobIds() {
        const ids: string[] = [];
        for await (const b of inventory.blobs()) ids.push(b.id);
        return ids.sort();
      },
      async staged() {
        return (await inventory.stagingFolders()).reduce((n, f) => n + f.files, 0);
      },
      has: (blobId) => inventory.has(blobId),
      /** The derived bytes (previews) kept beside blobs, as paths below their store's derived folder. */
      async derived() {
        if (storageEnv.S3_PREFIX) return (await S3_RUN!.listKeys(`${storageEnv.S3_PREFIX}derived/`)).map((k) => k.slice(`${storageEnv.S3_PREFIX}derived/`.length));
        const root = path.join(dataDir, 'derived');
        return existsSync(root) ? readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name))) : [];
      },
    },
    db: handle.db,
    stats: handle.stats,
    async behindTheApp(change) {
      await change(handle.db);
      handle.cache.flush();
    },
    async peer() {
      const peerHandle = connect(config.database);
      const peerApp = await buildApp(config, { db: peerHandle });
      return {
        app: peerApp,
        async close() {
          await peerApp.close();
          await peerHandle.close();
        },
      };
    },
    async close() {
      await app.close();
      await handle.close();
      await pgSchema?.drop();
      if (storageEnv.S3_PREFIX) await S3_RUN!.emptyPrefix(storageEnv.S3_PREFIX);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// Resolved once when the helper loads, so suites can be declared synchronously.
const PG_UP = await postgresReachable();

/**
 * NIMBUS_TEST_STORAGE=s3: every app of the run keeps its blobs in the S3
 * gateway (a prefix of its own, see helpers/s3.ts) instead of its data
 * directory; the suites then skip themselves, with the reason, when it does
 * not answer. NIMBUS_TEST_DB=postgres (or sqlite) runs one database only.
 */
const S3_RUN = process.env.NIMBUS_TEST_STORAGE === 's3' ? await import('./s3.js') : null;
const ONLY_DB = process.env.NIMBUS_TEST_DB;
/** Where this run's apps keep blobs, for the few assertions that look at the file store's own layout. */
export const TEST_STORAGE: 'fs' | 's3' = S3_RUN ? 's3' : 'fs';

/**
 * Runs a suite on SQLite, and again on PostgreSQL when it is reachable;
 * without PostgreSQL that run is reported as skipped.
 */
export function describeEachDb(name: string, fn: (kind: DbKind) => void): void {
  const s3Reason = S3_RUN?.S3_SKIP_REASON ?? null;
  const tag = (kind: DbKind) => (S3_RUN ? `${kind}, s3${s3Reason ? `: skipped, ${s3Reason}` : ''}` : kind);
  if (ONLY_DB !== 'postgres') describe.skipIf(s3Reason !== null)(`${name} [${tag('sqlite')}]`, () => fn('sqlite'));
  if (ONLY_DB !== 'sqlite') describe.skipIf(!PG_UP || s3Reason !== null)(`${name} [${tag('postgres')}]`, () => fn('postgres'));
}

export const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

export interface OcsCallOptions {
  as?: { user: string; password: string } | null;
  version?: 1 | 2;
  format?: 'json' | 'xml';
  body?: Record<string, unknown>;
  /** Send the body as JSON instead of a form. */
  json?: boolean;
  headers?: Record<string, string>;
}

/** One OCS call over inject with the OCS-APIRequest header, as real clients send it. */
export async function ocs(app: FastifyInstance, method: InjectOptions['method'], route: string, o: OcsCallOptions = {}): Promise<LightMyRequestResponse & { ocs: any }> {
  const version = o.version ?? 2;
  const format = o.format ?? 'json';
  const sep = route.includes('?') ? '&' : '?';
  const url = `/ocs/v${version}.php${route}${format === 'json' ? `${sep}format=json` : ''}`;
  const headers: Record<string, string> = { 'OCS-APIRequest': 'true', ...(o.headers ?? {}) };
  const as = o.as === undefined ? ADMIN : o.as;
  if (as) headers.authorization = basic(as.user, as.password);
  let payload: string | undefined;
  if (o.body) {
    if (o.json) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(o.body);
    } else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = formEncode(o.body);
    }
  }
  const res = await app.inject({ method, url, headers, payload });
  const parsed = format === 'json' && res.headers['content-type']?.toString().includes('json') ? safeJson(res.body) : undefined;
  return Object.assign(res, { ocs: parsed?.ocs });
}

function safeJson(s: string): any {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

export function formEncode(body: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(body)) {
    if (Array.isArray(v)) for (const item of v) parts.push(`${encodeURIComponent(`${k}[]`)}=${encodeURIComponent(String(item))}`);
    else parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.join('&');
}

/** Creates a user as admin and returns their credentials. */
export async function newUser(app: FastifyInstance, userid: string, extra: Record<string, unknown> = {}): Promise<{ user: string; password: string }> {
  const password = `Pw-${userid}-Secret-123`;
  const res = await ocs(app, 'POST', '/cloud/users', { body: { userid, password, ...extra } });
  if (res.statusCode !== 200) throw new Error(`newUser ${userid}: ${res.statusCode} ${res.body}`);
  return { user: userid, password };
}

export async function newGroup(app: FastifyInstance, groupid: string): Promise<void> {
  const res = await ocs(app, 'POST', '/cloud/groups', { body: { groupid } });
  if (res.statusCode !== 200) throw new Error(`newGroup ${groupid}: ${res.statusCode} ${res.body}`);
}
