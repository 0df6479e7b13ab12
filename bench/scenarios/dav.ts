import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { basic, type Check, type Credentials, load, type Result, type Scenario, SERVER_ENTRIES, startChild, stopChild } from '../lib.js';

const FILES_IN_FOLDER = 1000;
const SMALL = 1024;
/** The large-file part moves 1 GiB by default; BENCH_DAV_LARGE=<MiB> changes the size, 0 skips it (quick runs). */
const LARGE_MIB = (() => {
  const raw = process.env.BENCH_DAV_LARGE ?? '';
  if (raw === '') return 1024;
  const mib = Number(raw);
  if (!Number.isInteger(mib) || mib < 0) throw new Error('BENCH_DAV_LARGE must be a whole number of MiB');
  return mib;
})();
const MIB = 1024 * 1024;

/** The props the Nextcloud desktop client asks for on every Depth 1 discovery (nextcloud-ocs.md §8.2). */
const DESKTOP_PROPFIND =
  '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns"><d:prop>' +
  '<d:resourcetype/><d:getlastmodified/><d:getcontentlength/><d:getetag/><d:quota-available-bytes/><d:quota-used-bytes/>' +
  '<oc:size/><oc:id/><oc:fileid/><oc:downloadURL/><oc:dDC/><oc:permissions/><oc:checksums/><nc:is-encrypted/><oc:share-types/>' +
  '</d:prop></d:propfind>';

function request(method: string, url: string, auth: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { authorization: auth, ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

/**
 * WebDAV hot paths on the shared server: a Depth 1 PROPFIND of a folder of
 * 1,000 files with the desktop client's property list (one connection: the
 * cost of one listing), GET and PUT of 1 KB, and a
 * 1 GiB PUT and GET on a server of its own, against `cp` of the same file on
 * the same disk in the same run, with the server's peak RSS.
 *
 * Goals: PROPFIND of 1,000 entries p99 < 100 ms; large PUT and GET at least
 * 70% of cp's throughput with the server's peak RSS under 200 MB.
 */
export const davScenario: Scenario = {
  name: 'dav',
  async run({ nimbus, admin }) {
    const auth = basic(admin);
    const files = `${nimbus.base}/remote.php/dav/files/${admin.user}`;
    await request('MKCOL', `${files}/bench-folder`, auth);
    const names = Array.from({ length: FILES_IN_FOLDER }, (_, i) => `file-${String(i).padStart(4, '0')}.txt`);
    await inParallel(names, 8, async (n) => {
      const status = await request('PUT', `${files}/bench-folder/${n}`, auth, `content of ${n}`);
      if (status !== 201 && status !== 204) throw new Error(`seeding ${n}: ${status}`);
    });
    const small = randomBytes(SMALL);
    await request('PUT', `${files}/small.bin`, auth, small);

    const results: Result[] = [];
    results.push(
      await load({
        name: `PROPFIND Depth 1 (${FILES_IN_FOLDER} files)`,
        url: `${files}/bench-folder/`,
        method: 'PROPFIND',
        headers: { authorization: auth, depth: '1', 'content-type': 'application/xml' },
        body: DESKTOP_PROPFIND,
        connections: 1,
      }),
    );
    results.push(await load({ name: 'GET 1 KB', url: `${files}/small.bin`, headers: { authorization: auth } }));
    results.push(
      await load({ name: 'PUT 1 KB (overwrite)', url: `${files}/small-put.bin`, method: 'PUT', headers: { authorization: auth }, body: small.toString('latin1') }),
    );
    const propfind = results[0]!;
    const checks: Check[] = [{ name: `PROPFIND Depth 1 of ${FILES_IN_FOLDER} entries p99 < 100 ms`, met: propfind.p99 < 100, detail: `p99 ${propfind.p99.toFixed(1)} ms` }];
    const notes: string[] = [];
    if (LARGE_MIB > 0) {
      const large = await largeFile(admin, LARGE_MIB);
      notes.push(...large.notes);
      checks.push(...large.checks);
    } else {
      notes.push('dav: the large-file PUT/GET comparison with cp was skipped (BENCH_DAV_LARGE=0)');
    }
    return { results, checks: () => checks, notes };
  },
};

/** Peak and current resident set size of a process, from /proc (Linux). */
function rssOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function largeFile(admin: Credentials, mib: number): Promise<{ notes: string[]; checks: Check[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-bench-dav-'));
  const dataDir = path.join(dir, 'data');
  const size = mib * MIB;
  const { port, child } = await startChild(SERVER_ENTRIES.nimbus, { DATA_DIR: dataDir, DATABASE_URL: '', ADMIN_USER: admin.user, ADMIN_PASSWORD: admin.password });
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(child.pid!).rss);
    } catch {
      // the child is gone; stopChild below reports nothing more
    }
  }, 50);
  try {
    // Random bytes (1 MiB repeated): incompressible enough, and no time spent generating 1 GiB of them.
    const source = path.join(dir, 'source.bin');
    const block = randomBytes(MIB);
    const fh = await open(source, 'w');
    for (let i = 0; i < mib; i++) await fh.write(block);
    await fh.close();

    const cpSeconds = await timed(
      () =>
        new Promise<void>((resolve, reject) => {
          const cp = spawn('cp', [source, path.join(dir, 'cp-copy.bin')], { stdio: 'ignore' });
          cp.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`cp exited ${code}`))));
        }),
    );
    rmSync(path.join(dir, 'cp-copy.bin'));

    const auth = basic(admin);
    const url = `http://127.0.0.1:${port}/remote.php/dav/files/${admin.user}/large.bin`;
    const rssBefore = rssOf(child.pid!).rss;
    peak = 0;
    let putStatus = 0;
    const putSeconds = await timed(async () => {
      await new Promise<void>((resolve, reject) => {
        const req = http.request(url, { method: 'PUT', headers: { authorization: auth, 'content-length': String(size) } }, (res) => {
          putStatus = res.statusCode ?? 0;
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        pipeline(createReadStream(source, { highWaterMark: MIB }), req).catch(reject);
      });
    });
    const putPeak = peak;
    if (putStatus !== 201) throw new Error(`large PUT answered ${putStatus}`);

    peak = 0;
    let got = 0;
    const getSeconds = await timed(async () => {
      await new Promise<void>((resolve, reject) => {
        http.get(url, { headers: { authorization: auth } }, (res) => {
          if (res.statusCode !== 200) return reject(new Error(`large GET answered ${res.statusCode}`));
          // Counted, not written: the client's own disk writes would compete with the server on the same disk.
          res.on('data', (c: Buffer) => (got += c.length));
          res.on('end', resolve);
          res.on('error', reject);
        }).on('error', reject);
      });
    });
    const getPeak = peak;
    if (got !== size) throw new Error(`large GET returned ${got} of ${size} bytes`);
    const hwm = rssOf(child.pid!).hwm;

    const mbps = (s: number) => size / 1e6 / s;
    const cp = mbps(cpSeconds);
    const put = mbps(putSeconds);
    const get = mbps(getSeconds);
    const mb = (b: number) => (b / 1e6).toFixed(0);
    const serverPeak = Math.max(putPeak, getPeak, hwm);
    return {
      notes: [
        `dav large file (${mib} MiB): cp ${cp.toFixed(0)} MB/s; PUT ${put.toFixed(0)} MB/s (${((put / cp) * 100).toFixed(0)}% of cp), ` +
          `GET ${get.toFixed(0)} MB/s (${((get / cp) * 100).toFixed(0)}% of cp); server RSS ${mb(rssBefore)} MB before, ` +
          `peak ${mb(putPeak)} MB during PUT, ${mb(getPeak)} MB during GET, lifetime peak ${mb(hwm)} MB`,
      ],
      checks: [
        { name: `large PUT ≥ 70% of cp throughput`, met: put >= 0.7 * cp, detail: `${put.toFixed(0)} vs ${cp.toFixed(0)} MB/s` },
        { name: `large GET ≥ 70% of cp throughput`, met: get >= 0.7 * cp, detail: `${get.toFixed(0)} vs ${cp.toFixed(0)} MB/s` },
        { name: 'server peak RSS < 200 MB during large transfers', met: serverPeak < 200e6, detail: `${mb(serverPeak)} MB` },
      ],
    };
  } finally {
    clearInterval(sampler);
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}
