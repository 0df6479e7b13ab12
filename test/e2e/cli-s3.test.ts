import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic } from '../helpers/app.js';
import { describeS3, emptyPrefix, s3Env } from '../helpers/s3.js';
import { cliEntry, runNimbus } from './cli-process.js';
import { compiledServerForFile, startServer } from './server-process.js';

/** STORAGE=s3 as an operator meets it: `nimbus config:check`, the server's start, and `nimbus check` against the gateway. */

const build = compiledServerForFile();
let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-cli-s3-'));
});
afterAll(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('STORAGE=s3 configuration', () => {
  it('config:check names the S3 settings that are missing or malformed, with exit 1', async () => {
    const entry = cliEntry(build.entry);
    const [missing, badPrefix, badStorage] = await Promise.all([
      runNimbus(entry, ['config:check'], { DATA_DIR: dataDir, STORAGE: 's3', S3_BUCKET: 'nimbus' }),
      runNimbus(entry, ['config:check'], { DATA_DIR: dataDir, STORAGE: 's3', S3_BUCKET: 'nimbus', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 'b', S3_PREFIX: '/abs//x' }),
      runNimbus(entry, ['config:check'], { DATA_DIR: dataDir, STORAGE: 'tape' }),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('STORAGE=s3 needs S3_ACCESS_KEY, S3_SECRET_KEY');
    expect(badPrefix.code).toBe(1);
    expect(badPrefix.stderr).toContain('S3_PREFIX must be a relative key prefix');
    expect(badStorage.code).toBe(1);
    expect(badStorage.stderr).toContain('STORAGE');
  });

  it('backup and restore refuse STORAGE=s3 rather than copy a data directory without the blobs', async () => {
    const env = { DATA_DIR: dataDir, STORAGE: 's3', S3_ENDPOINT: 'http://127.0.0.1:9', S3_BUCKET: 'nimbus', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 'b' };
    const target = path.join(dataDir, 'never-written');
    const [b, r] = await Promise.all([runNimbus(cliEntry(build.entry), ['backup', target], env), runNimbus(cliEntry(build.entry), ['restore', target], env)]);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('nimbus backup copies blobs of the data directory, and STORAGE=s3 keeps them in bucket nimbus');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nimbus restore copies blobs');
  });

  it('config:check and the server refuse a gateway that does not answer, saying so', async () => {
    const env = { DATA_DIR: dataDir, STORAGE: 's3', S3_ENDPOINT: 'http://127.0.0.1:9', S3_BUCKET: 'nimbus', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 'b' };
    const check = await runNimbus(cliEntry(build.entry), ['config:check'], env);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('bucket nimbus at http://127.0.0.1:9 is not reachable');
    await expect(startServer(build.entry, env)).rejects.toThrow(/bucket nimbus at http:\/\/127\.0\.0\.1:9 is not reachable/);
  }, 60_000);
});

describeS3('STORAGE=s3 against the gateway', () => {
  const prefixes: string[] = [];
  const env = (over: Record<string, string> = {}) => {
    const e: Record<string, string> = { ...s3Env(), DATA_DIR: dataDir, ADMIN_USER: 'admin', ADMIN_PASSWORD: 'Cli-S3-Pass-12345', ...over };
    prefixes.push(e.S3_PREFIX!);
    return e;
  };
  afterAll(async () => {
    for (const p of prefixes) await emptyPrefix(p);
  });

  it('config:check takes a writable bucket and masks the secret key; refuses wrong keys and a missing bucket', async () => {
    const entry = cliEntry(build.entry);
    const good = env();
    const [valid, wrongKey, noBucket] = await Promise.all([
      runNimbus(entry, ['config:check', '--output=json'], good),
      runNimbus(entry, ['config:check'], env({ S3_SECRET_KEY: randomBytes(20).toString('hex') })),
      runNimbus(entry, ['config:check'], env({ S3_BUCKET: `missing-${randomBytes(4).toString('hex')}` })),
    ]);
    expect(valid.code, valid.stderr).toBe(0);
    const shown = JSON.parse(valid.stdout);
    expect(shown.storage.kind).toBe('s3');
    expect(shown.storage.s3.secretKey).toBe('********');
    expect(valid.stdout).not.toContain(good.S3_SECRET_KEY);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('refuses these credentials');
    expect(noBucket.code).toBe(1);
    expect(noBucket.stderr).toContain('does not exist');
  }, 60_000);

  it('nimbus check finds no problem in a bucket a server wrote to', async () => {
    const e = env();
    const server = await startServer(build.entry, e);
    try {
      const auth = basic('admin', 'Cli-S3-Pass-12345');
      for (const name of ['a.txt', 'b.txt']) {
        const res = await request(`${server.base}/remote.php/dav/files/admin/${name}`, { method: 'PUT', headers: { authorization: auth }, body: randomBytes(3000) });
        expect(res.statusCode).toBe(201);
        await res.body.dump();
      }
    } finally {
      await server.stop();
    }
    const clean = await runNimbus(cliEntry(build.entry), ['check'], e);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain('no problems found');
  }, 120_000);
});
