import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Settings } from '../../src/config.js';
import { s3ClientFor } from '../../src/storage/s3/s3-client.js';
import { basic, type Check, type Credentials, load, type Result, type Scenario, SERVER_ENTRIES, startChild, stopChild } from '../lib.js';

const MIB = 1024 * 1024;
/** BENCH_S3_LARGE=<MiB> (default 1024) sizes the large transfer; 0 skips it. */
const LARGE_MIB = (() => {
  const raw = process.env.BENCH_S3_LARGE ?? '';
  if (raw === '') return 1024;
  const mib = Number(raw);
  if (!Number.isInteger(mib) || mib < 0) throw new Error('BENCH_S3_LARGE must be a whole number of MiB');
  return mib;
})();

/** The gateway from S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY (what `.ci/s3.sh env` prints), under a prefix of this run. */
function settingsFromEnv(): S3Settings | null {
  const e = process.env;
  if (!e.S3_ENDPOINT || !e.S3_BUCKET || !e.S3_ACCESS_KEY || !e.S3_SECRET_KEY) return null;
  return {
    endpoint: e.S3_ENDPOINT,
    region: e.S3_REGION ?? 'us-east-1',
    bucket: e.S3_BUCKET,
    accessKey: e.S3_ACCESS_KEY,
    secretKey: e.S3_SECRET_KEY,
    forcePathStyle: e.S3_FORCE_PATH_STYLE !== 'false',
    prefix: `bench-${randomBytes(4).toString('hex')}/`,
  };
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function emptyPrefix(client: S3Client, s: S3Settings): Promise<void> {
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: s.bucket, Prefix: s.prefix }));
    if (!page.Contents?.length) return;
    await Promise.all(page.Contents.map((o) => client.send(new DeleteObjectCommand({ Bucket: s.bucket, Key: o.Key! }))));
  }
}

/**
 * Nimbus on S3 (`STORAGE=s3`, the gateway `.ci/s3.sh` runs): a large PUT and
 * GET through Nimbus against the same transfer straight to the gateway with
 * the SDK (lib-storage's Upload, a GetObject) in the same run, with the
 * server's peak RSS; and GET 1 KB from a server on S3 against the shared
 * server of the run on the file store.
 *
 * Goals (issue 18): large PUT and GET ≥ 0.8× the direct transfer with peak
 * RSS < 200 MB; 1 KB GET on S3 ≥ 0.5× the same on the file store.
 */
export const s3Scenario: Scenario = {
  name: 's3',
  async run({ nimbus, admin }) {
    const s = settingsFromEnv();
    if (!s) return { results: [], notes: ['s3: skipped, S3_ENDPOINT/S3_BUCKET/S3_ACCESS_KEY/S3_SECRET_KEY are not set (eval "$(.ci/s3.sh env)")'] };
    const client = s3ClientFor(s);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-bench-s3-'));
    const env = {
      DATA_DIR: path.join(dir, 'data'),
      DATABASE_URL: '',
      ADMIN_USER: admin.user,
      ADMIN_PASSWORD: admin.password,
      STORAGE: 's3',
      S3_ENDPOINT: s.endpoint!,
      S3_REGION: s.region,
      S3_BUCKET: s.bucket,
      S3_ACCESS_KEY: s.accessKey,
      S3_SECRET_KEY: s.secretKey,
      S3_FORCE_PATH_STYLE: String(s.forcePathStyle),
      S3_PREFIX: s.prefix,
    };
    let { port, child } = await startChild(SERVER_ENTRIES.nimbus, env);
    const auth = basic(admin);
    const results: Result[] = [];
    const checks: Check[] = [];
    const notes: string[] = [];
    try {
      const small = randomBytes(1024);
      for (const base of [nimbus.base, `http://127.0.0.1:${port}`]) await send('PUT', `${base}/remote.php/dav/files/${admin.user}/s3-small.bin`, auth, small);
      const fsGet = await load({ name: 'GET 1 KB (file store)', url: `${nimbus.base}/remote.php/dav/files/${admin.user}/s3-small.bin`, headers: { authorization: auth } });
      const s3Get = await load({ name: 'GET 1 KB (S3)', url: `http://127.0.0.1:${port}/remote.php/dav/files/${admin.user}/s3-small.bin`, headers: { authorization: auth } });
      results.push(fsGet, s3Get);
      const ratio = s3Get.reqPerSec / fsGet.reqPerSec;
      checks.push({ name: '1 KB GET on S3 ≥ 0.5× the file store', met: ratio >= 0.5, detail: `${s3Get.reqPerSec.toFixed(0)} vs ${fsGet.reqPerSec.toFixed(0)} req/s (${ratio.toFixed(2)}×)` });
      if (LARGE_MIB > 0) {
        // A fresh process for the large transfers: the heap the 1 KB load grew (well over 200 MB) would otherwise be counted as theirs.
        await stopChild(child);
        ({ port, child } = await startChild(SERVER_ENTRIES.nimbus, env));
        const large = await largeTransfer(client, s, port, child.pid!, auth, admin, dir, LARGE_MIB);
        notes.push(large.note);
        checks.push(...large.checks);
      } else notes.push('s3: the large transfer was skipped (BENCH_S3_LARGE=0)');
    } finally {
      await stopChild(child);
      await emptyPrefix(client, s).catch(() => undefined);
      client.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
    return { results, checks: () => checks, notes };
  },
};

function send(method: string, url: string, auth: string, body?: Buffer | Readable, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { authorization: auth, ...headers } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve(res.statusCode) : reject(new Error(`${method} ${url} answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    if (body && !Buffer.isBuffer(body)) pipeline(body, req).catch(reject);
    else req.end(body);
  });
}

async function largeTransfer(client: S3Client, s: S3Settings, port: number, pid: number, auth: string, admin: Credentials, dir: string, mib: number): Promise<{ note: string; checks: Check[] }> {
  const size = mib * MIB;
  const source = path.join(dir, 'source.bin');
  const block = randomBytes(MIB);
  const fh = await open(source, 'w');
  for (let i = 0; i < mib; i++) await fh.write(block);
  await fh.close();

  // Straight to the gateway, as Nimbus sends it (8 MiB parts, 2 in flight).
  const key = `${s.prefix}direct.bin`;
  const directPut = await timed(async () => {
    await new Upload({ client, params: { Bucket: s.bucket, Key: key, Body: createReadStream(source, { highWaterMark: MIB }) }, partSize: 8 * MIB, queueSize: 2 }).done();
  });
  const directGet = await timed(async () => {
    const got = await client.send(new GetObjectCommand({ Bucket: s.bucket, Key: key }));
    let n = 0;
    for await (const c of got.Body as Readable) n += (c as Buffer).length;
    if (n !== size) throw new Error(`direct GET returned ${n} of ${size} bytes`);
  });

  // The RSS before the transfers is what the server holds anyway (modules, caches); the peaks say what each transfer adds.
  const idle = rssOf(pid);
  let peak = 0;
  let phasePeak = 0;
  const sampler = setInterval(() => {
    try {
      const now = rssOf(pid);
      peak = Math.max(peak, now);
      phasePeak = Math.max(phasePeak, now);
    } catch {
      // gone
    }
  }, 50);
  const url = `http://127.0.0.1:${port}/remote.php/dav/files/${admin.user}/large.bin`;
  try {
    const putSeconds = await timed(async () => {
      await send('PUT', url, auth, createReadStream(source, { highWaterMark: MIB }), { 'content-length': String(size) });
    });
    const putPeak = phasePeak;
    phasePeak = 0;
    const getSeconds = await timed(
      () =>
        new Promise<void>((resolve, reject) => {
          let n = 0;
          http.get(url, { headers: { authorization: auth } }, (res) => {
            res.on('data', (c: Buffer) => (n += c.length));
            res.on('end', () => (n === size ? resolve() : reject(new Error(`GET returned ${n} of ${size} bytes`))));
            res.on('error', reject);
          }).on('error', reject);
        }),
    );
    const mbps = (sec: number) => size / 1e6 / sec;
    const [dp, dg, np, ng] = [mbps(directPut), mbps(directGet), mbps(putSeconds), mbps(getSeconds)];
    return {
      note:
        `s3 large file (${mib} MiB): straight to the gateway PUT ${dp.toFixed(0)} MB/s, GET ${dg.toFixed(0)} MB/s; ` +
        `through Nimbus PUT ${np.toFixed(0)} MB/s (${(np / dp).toFixed(2)}×), GET ${ng.toFixed(0)} MB/s (${(ng / dg).toFixed(2)}×); server peak RSS ${(peak / 1e6).toFixed(0)} MB ` +
        `(${(idle / 1e6).toFixed(0)} MB before the transfers, peak ${(putPeak / 1e6).toFixed(0)} MB during the PUT, ${(phasePeak / 1e6).toFixed(0)} MB during the GET)`,
      checks: [
        { name: 'large PUT on S3 ≥ 0.8× straight to the gateway', met: np >= 0.8 * dp, detail: `${np.toFixed(0)} vs ${dp.toFixed(0)} MB/s` },
        { name: 'large GET on S3 ≥ 0.8× straight from the gateway', met: ng >= 0.8 * dg, detail: `${ng.toFixed(0)} vs ${dg.toFixed(0)} MB/s` },
        { name: 'server peak RSS < 200 MB during large S3 transfers', met: peak < 200e6, detail: `${(peak / 1e6).toFixed(0)} MB` },
      ],
    };
  } finally {
    clearInterval(sampler);
  }
}
