import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, type DbKind } from '../helpers/app.js';
import { createPgSchema, postgresReachable, TEST_PG_URL } from '../helpers/db.js';
import { describeS3, emptyPrefix, listKeys, s3Env, s3Settings } from '../helpers/s3.js';
import { s3ClientFor } from '../../src/storage/s3/s3-client.js';
import { S3Keys } from '../../src/storage/s3/s3-keys.js';
import { cliEntry, runNimbus } from './cli-process.js';
import { pgRows, type Rows, sqliteRows } from './db-rows.js';
import { compiledServerForFile, type RunningServer, startServer, until } from './server-process.js';

/**
 * `nimbus storage:migrate` on an installation with files, versions and a
 * trash: to S3 while the server serves (killed once and resumed), the final
 * pass while it serves read-only, then a server on S3 serves every byte as
 * before; and back to the data directory. A copy damaged in the target is
 * found by --verify and copied again; a source that no longer matches its
 * row's checksum is refused.
 */

const ADMIN = { user: 'admin', password: 'Storage-Migrate-Pass-1' };
const AUTH = basic(ADMIN.user, ADMIN.password);
const PG_UP = await postgresReachable();
const build = compiledServerForFile();
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const dav = (name: string) => `/remote.php/dav/files/${ADMIN.user}/${name}`;

function suite(kind: DbKind): void {
  let dataDir: string;
  let base: Record<string, string>;
  let s3: Record<string, string>;
  let rows: Rows;
  let dropSchema: (() => Promise<void>) | undefined;
  let server: RunningServer | undefined;
  /** What each URL must answer with, whichever store serves it. */
  const expected = new Map<string, Buffer>();

  const call = async (method: string, url: string, body?: Buffer, headers: Record<string, string> = {}) => {
    const res = await request(`${server!.base}${url}`, { method: method as 'GET', headers: { authorization: AUTH, ...headers }, body });
    return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
  };
  const put = async (name: string, bytes: Buffer, headers: Record<string, string> = {}) => {
    const r = await call('PUT', dav(name), bytes, headers);
    expect([201, 204], `PUT ${name}: ${r.body.toString()}`).toContain(r.status);
    expected.set(dav(name), bytes);
  };
  const start = async (env: Record<string, string>) => {
    server = await startServer(build.entry, { ...base, ...env });
  };
  const stop = async () => {
    await server?.stop();
    server = undefined;
  };
  const migrate = (env: Record<string, string>, ...args: string[]) => runNimbus(cliEntry(build.entry), ['storage:migrate', ...args], { ...base, ...env });
  const ledgerLines = (to: string): number => {
    const file = path.join(dataDir, 'storage-migration', `to-${to}.ledger`);
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => /^[0-9a-f]{32} /.test(l)).length : 0;
  };
  /** Every URL answers exactly the bytes it had. */
  const servesEverything = async () => {
    for (const [url, bytes] of expected) {
      const r = await call('GET', url);
      expect(r.status, `GET ${url}`).toBe(200);
      expect(sha(r.body), `GET ${url}`).toBe(sha(bytes));
    }
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-storage-migrate-'));
    base = { DATA_DIR: dataDir, ADMIN_USER: ADMIN.user, ADMIN_PASSWORD: ADMIN.password, VERSIONS_ENABLED: 'true' };
    if (kind === 'postgres') {
      const s = await createPgSchema();
      dropSchema = s.drop;
      base = { ...base, DATABASE_URL: TEST_PG_URL, DATABASE_SCHEMA: s.schema };
      rows = pgRows(s.schema);
    } else rows = sqliteRows(path.join(dataDir, 'nimbus.sqlite'));
    s3 = s3Env();
  });
  afterAll(async () => {
    await stop();
    await emptyPrefix(s3.S3_PREFIX!);
    await dropSchema?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('moves files, versions and trash to S3 (killed once, resumed; final pass read-only) and a server on S3 serves them byte-identical', async () => {
    await start({});
    // Enough blobs that the kill lands mid-run; one larger than a multipart part.
    for (let i = 0; i < 40; i++) await put(`small-${i}.bin`, randomBytes(2000 + i * 517));
    await put('big.bin', randomBytes(20 * 1024 * 1024 + 333));
    const declared = randomBytes(70_000);
    await put('declared.bin', declared, { 'oc-checksum': `SHA1:${createHash('sha1').update(declared).digest('hex')}` });
    await put('empty.txt', Buffer.alloc(0));
    await put('doc.txt', Buffer.from('first'));
    await put('doc.txt', Buffer.from('second, longer'));
    await put('doc.txt', Buffer.from('third and current'));
    const fileId = (await rows<{ file_id: number }>('select file_id from nodes where name = ?', ['doc.txt']))[0]!.file_id;
    const versions = await rows<{ revision: number | string }>('select v.revision from file_versions v join nodes n on n.id = v.node_id where n.file_id = ? order by v.revision', [fileId]);
    expect(versions.length).toBe(2);
    for (const [i, v] of versions.entries()) expected.set(`/remote.php/dav/versions/${ADMIN.user}/versions/${fileId}/${v.revision}`, Buffer.from(i === 0 ? 'first' : 'second, longer'));
    await put('trashed.bin', randomBytes(5000));
    expect((await call('DELETE', dav('trashed.bin'))).status).toBe(204);
    const trashBytes = expected.get(dav('trashed.bin'))!;
    expected.delete(dav('trashed.bin'));
    const item = (await rows<{ trash_name: string }>('select trash_name from trash_items'))[0]!;
    expected.set(`/remote.php/dav/trashbin/${ADMIN.user}/trash/${item.trash_name}`, trashBytes);
    await put('deleted-later.bin', randomBytes(3000));

    // The first pass, while the server serves: killed once a few blobs are in the ledger.
    const child = spawn(process.execPath, [cliEntry(build.entry), 'storage:migrate', '--to', 's3'], { cwd: os.tmpdir(), env: { PATH: process.env.PATH ?? '', ...base, ...s3, STORAGE: 'fs' }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await until('a few copied blobs', async () => (ledgerLines('s3') >= 3 || child.exitCode !== null ? true : undefined), 60_000, 5);
    child.kill('SIGKILL');
    await exited;
    const before = ledgerLines('s3');
    expect(before).toBeGreaterThanOrEqual(3);
    const resumed = await migrate({ ...s3, STORAGE: 'fs' }, '--to', 's3', '--output=json');
    expect(resumed.code, resumed.stderr).toBe(0);
    const first = JSON.parse(resumed.stdout);
    expect(first.skipped).toBeGreaterThanOrEqual(before);
    // The kill came before the end: the second run had copies of its own to make.
    expect(first.copied).toBeGreaterThan(0);
    expect(first.copied + first.skipped).toBe(first.blobs);
    expect(first.failed).toEqual([]);

    // Written and removed after the first pass: the final one catches both.
    await put('after.bin', randomBytes(9000));
    expect((await call('DELETE', dav('deleted-later.bin'))).status).toBe(204);
    expected.delete(dav('deleted-later.bin'));
    expect((await call('DELETE', `/remote.php/dav/trashbin/${ADMIN.user}/trash/${(await rows<{ trash_name: string }>("select trash_name from trash_items where trash_name like 'deleted-later%'"))[0]!.trash_name}`)).status).toBe(204);

    // Read-only while the final pass runs: reads go on, new bytes are refused.
    await stop();
    await start({ STORAGE_READ_ONLY: 'true' });
    expect((await call('PUT', dav('refused.bin'), Buffer.from('no'))).status).toBe(503);
    expect((await call('GET', dav('after.bin'))).status).toBe(200);
    const final = await migrate({ ...s3, STORAGE: 'fs' }, '--to', 's3', '--final');
    expect(final.code, final.stderr).toBe(0);
    expect(final.stdout).toMatch(/removed:\s+1\b/);
    expect(final.stdout).toContain('start the server with STORAGE=s3');
    await stop();

    // The data directory's blobs go: what the server on S3 serves can only come from the bucket.
    rmSync(path.join(dataDir, 'blobs'), { recursive: true, force: true });
    rmSync(path.join(dataDir, 'derived'), { recursive: true, force: true });
    await start(s3);
    await servesEverything();
    await put('on-s3.bin', randomBytes(4000));
    const check = await runNimbus(cliEntry(build.entry), ['check'], { ...base, ...s3 });
    expect(check.code, check.stdout + check.stderr).toBe(0);
  }, 300_000);

  it('moves them back to the data directory, and a server on fs serves them byte-identical', async () => {
    const live = await migrate(s3, '--to', 'fs');
    expect(live.code, live.stderr).toBe(0);
    await stop();
    const final = await migrate(s3, '--to', 'fs', '--final', '--output=json');
    expect(final.code, final.stderr).toBe(0);
    const report = JSON.parse(final.stdout);
    expect(report.failed).toEqual([]);
    expect(report.vanished).toEqual([]);
    await start({});
    await servesEverything();
  }, 300_000);

  it('finds a copy damaged in the target with --verify and copies it again; refuses a source that no longer matches its checksum', async () => {
    await stop();
    const blob = (await rows<{ blob_id: string }>('select blob_id from nodes where name = ?', ['small-7.bin']))[0]!.blob_id;
    const settings = s3Settings(s3.S3_PREFIX);
    const client = s3ClientFor(settings);
    const key = new S3Keys(settings.prefix).blob(blob);
    const good = expected.get(dav('small-7.bin'))!;
    // The same size, other bytes: only a checksum tells.
    await client.send(new PutObjectCommand({ Bucket: settings.bucket, Key: key, Body: randomBytes(good.length) }));
    const plain = await migrate({ ...s3, STORAGE: 'fs' }, '--to', 's3', '--output=json');
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout).repaired).toBe(0);
    const verify = await migrate({ ...s3, STORAGE: 'fs' }, '--to', 's3', '--verify', '--output=json');
    expect(verify.code, verify.stderr).toBe(0);
    const report = JSON.parse(verify.stdout);
    expect(report.repaired).toBe(1);
    expect(report.copied).toBe(1);
    const got = await client.send(new GetObjectCommand({ Bucket: settings.bucket, Key: key }));
    expect(sha(Buffer.from(await got.Body!.transformToByteArray()))).toBe(sha(good));
    client.destroy();

    // A file whose blob on disk no longer matches the SHA1 its upload declared (and was checked against).
    await start({});
    const bytes = randomBytes(12_000);
    await put('checked.bin', bytes, { 'oc-checksum': `SHA1:${createHash('sha1').update(bytes).digest('hex')}` });
    await stop();
    const damaged = (await rows<{ blob_id: string }>('select blob_id from nodes where name = ?', ['checked.bin']))[0]!.blob_id;
    writeFileSync(path.join(dataDir, 'blobs', damaged.slice(0, 2), damaged.slice(2, 4), damaged), randomBytes(bytes.length));
    const refused = await migrate({ ...s3, STORAGE: 'fs' }, '--to', 's3');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`blob ${damaged} does not match the checksum its row declares`);
    const keys = await listKeys(settings.prefix);
    expect(keys).not.toContain(new S3Keys(settings.prefix).blob(damaged));
  }, 300_000);
}

for (const kind of ['sqlite', 'postgres'] as const) {
  if (kind === 'postgres' && !PG_UP) describe.skip(`nimbus storage:migrate on postgres [no PostgreSQL]`, () => suite(kind));
  else describeS3(`nimbus storage:migrate on ${kind}`, () => suite(kind));
}
