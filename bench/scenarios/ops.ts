import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { basic, type Check, type Credentials, load, type Result, type Scenario } from '../lib.js';

const USERS = 1000;
const FILES = Number(process.env.BENCH_OPS_FILES ?? 10_000);
const FILE_BYTES = 100 * 1024;
const METRICS_TOKEN = randomBytes(24).toString('hex');
const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/nimbus.js');

async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function must(res: Promise<Response>, what: string): Promise<void> {
  const r = await res;
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${text.slice(0, 200)}`);
}

function nimbusCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (out += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out, ms: performance.now() - started }));
  });
}

/**
 * Operations: /healthz against the hello-world ceiling (goal ≥ 0.8×); a
 * /metrics scrape of a server with 1,000 accounts that has served traffic
 * (goal p99 < 20 ms, one scrape at a time); `nimbus backup` of 10,000 files
 * of 100 KB (BENCH_OPS_FILES) with hard links (goal < 10 s).
 */
export const opsScenario: Scenario = {
  name: 'ops',
  async run({ nimbus, admin, startNimbus }) {
    const results: Result[] = [await load({ name: 'GET /healthz', url: `${nimbus.base}/healthz` })];

    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-bench-ops-'));
    const backupRoot = mkdtempSync(path.join(os.tmpdir(), 'nimbus-bench-backup-'));
    const env = { DATA_DIR: dataDir, DATABASE_URL: '', ADMIN_USER: admin.user, ADMIN_PASSWORD: admin.password, METRICS_TOKEN, PASSWORD_HASH_COST: '1024' };
    const server = await startNimbus(env);
    const notes: string[] = [];
    let backupMs = Number.NaN;
    try {
      const auth = basic(admin);
      const ocs = { authorization: auth, 'OCS-APIRequest': 'true', 'content-type': 'application/x-www-form-urlencoded' };
      const seedUsers = performance.now();
      const names = Array.from({ length: USERS - 1 }, (_, i) => `user${String(i).padStart(4, '0')}`);
      await inParallel(names, 8, (u) => must(fetch(`${server.base}/ocs/v2.php/cloud/users`, { method: 'POST', headers: ocs, body: new URLSearchParams({ userid: u, password: `Bench-${u}-Pass-2026` }) }), `user ${u}`));
      notes.push(`ops: ${USERS} accounts made over OCS in ${((performance.now() - seedUsers) / 1000).toFixed(1)} s.`);
      // Traffic of every family, so that the scrape carries their series.
      const me: Credentials = { user: 'user0000', password: 'Bench-user0000-Pass-2026' };
      for (const url of ['/ocs/v2.php/cloud/user', '/graph/v1.0/me', `/remote.php/dav/files/${me.user}/`, '/status.php', '/readyz']) {
        for (let i = 0; i < 20; i++) await (await fetch(`${server.base}${url}`, { headers: { authorization: basic(me), 'OCS-APIRequest': 'true' } })).text();
      }
      results.push(await load({ name: `GET /metrics, ${USERS} accounts`, url: `${server.base}/metrics`, headers: { authorization: `Bearer ${METRICS_TOKEN}` }, connections: 1 }));
      results.push(await load({ name: 'GET /healthz, metrics on', url: `${server.base}/healthz` }));

      if (FILES > 0) {
        const body = randomBytes(FILE_BYTES);
        const files = `/remote.php/dav/files/${admin.user}`;
        await must(fetch(`${server.base}${files}/bulk`, { method: 'MKCOL', headers: { authorization: auth } }), 'mkcol');
        const seed = performance.now();
        const paths = Array.from({ length: FILES }, (_, i) => `${files}/bulk/f-${String(i).padStart(5, '0')}.bin`);
        await inParallel(paths, 8, (p) => must(fetch(`${server.base}${p}`, { method: 'PUT', headers: { authorization: auth }, body }), `put ${p}`));
        notes.push(`ops: ${FILES} files of ${FILE_BYTES / 1024} KB uploaded in ${((performance.now() - seed) / 1000).toFixed(1)} s (8 at a time).`);
        const made = await nimbusCli(['backup', path.join(backupRoot, 'b')], env);
        if (made.code !== 0) throw new Error(`nimbus backup failed: ${made.out}`);
        backupMs = made.ms;
        notes.push(`ops: nimbus backup of ${FILES} files (${((FILES * FILE_BYTES) / 1024 ** 3).toFixed(2)} GiB) took ${(made.ms / 1000).toFixed(2)} s, process start included: ${made.out.trim()}`);
      }
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(backupRoot, { recursive: true, force: true });
    }
    const [healthz, metrics] = results as [Result, Result];
    return {
      results,
      notes,
      checks: (ceiling) => {
        const checks: Check[] = [
          { name: '/healthz ≥ 0.8× the hello-world ceiling', met: healthz.reqPerSec >= 0.8 * ceiling.reqPerSec, detail: `${Math.round(healthz.reqPerSec)} vs ${Math.round(ceiling.reqPerSec)} req/s (${(healthz.reqPerSec / ceiling.reqPerSec).toFixed(2)}×)` },
          { name: `/metrics scrape with ${USERS} accounts p99 < 20 ms`, met: metrics.p99 < 20, detail: `p50 ${metrics.p50.toFixed(1)} ms, p99 ${metrics.p99.toFixed(1)} ms` },
        ];
        if (FILES > 0) checks.push({ name: `backup of ${FILES} files of 100 KB < 10 s`, met: backupMs < 10_000, detail: `${(backupMs / 1000).toFixed(2)} s` });
        return checks;
      },
    };
  },
};
