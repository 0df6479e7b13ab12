import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresReachable, TEST_PG_URL } from '../helpers/db.js';
import { openSqliteReadonly, tableRowCounts } from '../../src/db/backup.js';
import { connect } from '../../src/db/connect.js';
import { cliEntry, runNimbus } from './cli-process.js';
import { compiledServerForFile, startServer } from './server-process.js';
import { ADMIN, ProcessGroup } from './shared-database.js';

/**
 * `nimbus backup` of a server under write load, restored elsewhere: every
 * row count is the snapshot's, every file's bytes are what was uploaded, and
 * a server started on the restored copy serves them.
 */

const PG_UP = await postgresReachable();
const build = compiledServerForFile();
let entry: string;
beforeAll(() => {
  entry = cliEntry(build.entry);
});

/** What a file of this name holds: known from the name alone, so the restored copy can be checked without the source. */
const contentOf = (name: string): string => `${name}\n`.repeat(40 + (name.length % 7) * 13);
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

async function withNewDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `nimbus_restore_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  }
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !PG_UP)(`nimbus backup and restore on ${kind}`, () => {
    let g: ProcessGroup;
    const dirs: string[] = [];
    const tmp = (prefix: string) => {
      const d = mkdtempSync(path.join(os.tmpdir(), prefix));
      dirs.push(d);
      return d;
    };
    const put = (name: string) => g.http(0, 'PUT', `/remote.php/dav/files/${ADMIN.user}/${name}`, { body: contentOf(name) });

    beforeAll(async () => {
      g = await ProcessGroup.start(build.entry, kind, 1);
    });
    afterAll(async () => {
      await g?.close();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    it('backs up a server under write load; the restore holds the snapshot exactly', async () => {
      for (let i = 0; i < 30; i++) expect((await put(`seed-${i}.txt`)).status).toBe(201);
      let stop = false;
      let writes = 0;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const name = `load-${w}-${i}.txt`;
          expect([201, 204]).toContain((await put(name)).status);
          // Files live a few writes long: deleted ten writes later.
          if (i >= 10 && i % 2 === 0) await g.http(0, 'DELETE', `/remote.php/dav/files/${ADMIN.user}/load-${w}-${i - 10}.txt`);
          writes++;
        }
      };
      const load = [writer(0), writer(1)];
      await new Promise((r) => setTimeout(r, 300));
      const backupDir = path.join(tmp('nimbus-backup-'), 'snapshot');
      const during = writes;
      const made = await runNimbus(entry, ['backup', backupDir], g.env);
      stop = true;
      await Promise.all(load);
      expect(made.code, made.stderr).toBe(0);
      expect(made.stdout).toMatch(/hard-linked/);
      expect(writes).toBeGreaterThan(during); // the server kept writing while the backup ran
      const manifest = JSON.parse(readFileSync(path.join(backupDir, 'manifest.json'), 'utf8'));
      expect(manifest.database).toBe(kind);
      expect(manifest.tables.nodes).toBeGreaterThanOrEqual(30);
      expect(manifest.blobs.linked).toBeGreaterThan(0);

      // Restore elsewhere: a new data directory (and for PostgreSQL a new database, same schema name).
      const restoreInto = async (env: Record<string, string>) => {
        const notEmpty = await runNimbus(entry, ['restore', backupDir], { ...env, DATA_DIR: g.env.DATA_DIR! });
        expect(notEmpty.code).toBe(1);
        expect(notEmpty.stderr).toContain('is not empty');
        const restored = await runNimbus(entry, ['restore', backupDir], env);
        expect(restored.code, restored.stderr).toBe(0);
        const again = await runNimbus(entry, ['restore', backupDir], env);
        expect(again.code).toBe(1);

        // Every row count is the snapshot's.
        const config = env.DATABASE_URL ? { kind: 'postgres' as const, url: env.DATABASE_URL, schema: env.DATABASE_SCHEMA } : { kind: 'sqlite' as const, file: path.join(env.DATA_DIR!, 'nimbus.sqlite') };
        const db = config.kind === 'sqlite' ? openSqliteReadonly(config.file) : connect(config).db;
        try {
          expect(await tableRowCounts(db)).toEqual(manifest.tables);
          // Every file's bytes are what was uploaded under its name.
          const files = await db.selectFrom('nodes').select(['name', 'blob_id', 'size']).where('type', '=', 'file').execute();
          expect(files.length).toBeGreaterThanOrEqual(30);
          for (const f of files) {
            const bytes = readFileSync(path.join(env.DATA_DIR!, 'blobs', f.blob_id!.slice(0, 2), f.blob_id!.slice(2, 4), f.blob_id!));
            expect(sha(bytes), f.name).toBe(sha(contentOf(f.name)));
            expect(bytes.length).toBe(Number(f.size));
          }
        } finally {
          await db.destroy();
        }
        // Consistent, and served by a server started on it.
        const check = await runNimbus(entry, ['check'], env);
        expect(check.code, check.stdout + check.stderr).toBe(0);
        const server = await startServer(build.entry, env);
        try {
          const res = await fetch(`${server.base}/remote.php/dav/files/${ADMIN.user}/seed-7.txt`, { headers: { authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}` } });
          expect(res.status).toBe(200);
          expect(await res.text()).toBe(contentOf('seed-7.txt'));
        } finally {
          await server.stop();
        }
      };
      const target = { ...g.env, DATA_DIR: path.join(tmp('nimbus-restored-'), 'data') };
      if (kind === 'sqlite') await restoreInto(target);
      else await withNewDatabase((url) => restoreInto({ ...target, DATABASE_URL: url }));
    }, 90_000);

    it('refuses a non-empty backup directory, a directory without a backup, and a missing argument', async () => {
      const full = tmp('nimbus-full-');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(path.join(full, 'x'), 'x');
      const r1 = await runNimbus(entry, ['backup', full], g.env);
      expect(r1.code).toBe(1);
      expect(r1.stderr).toContain('is not empty');
      const r2 = await runNimbus(entry, ['restore', tmp('nimbus-nothing-')], { ...g.env, DATA_DIR: path.join(tmp('nimbus-x-'), 'd') });
      expect(r2.code).toBe(1);
      expect(r2.stderr).toContain('holds no Nimbus backup');
      expect((await runNimbus(entry, ['backup'], g.env)).code).toBe(2);
    });
  });
}
