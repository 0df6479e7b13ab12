import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DURATION, load, printTable, type Result, startChild, stopChild } from './lib.js';
import { drivesScenario } from './scenarios/drives.js';
import { ocsTargets } from './scenarios/ocs.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ADMIN = { user: 'admin', password: 'Bench-Admin-Pass-2026' };

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-bench-'));
  console.log(`Nimbus benchmark: ${DURATION}s per target, 10 connections, servers in child processes\n`);
  const hello = await startChild(path.join(here, 'servers/hello.js'), {});
  const nimbus = await startChild(path.join(here, 'servers/nimbus.js'), {
    DATA_DIR: dataDir,
    ADMIN_USER: ADMIN.user,
    ADMIN_PASSWORD: ADMIN.password,
  });
  try {
    const ceiling = await load({ name: 'hello-world ceiling', url: `http://127.0.0.1:${hello.port}/` });
    const { targets, userTarget } = await ocsTargets({ base: `http://127.0.0.1:${nimbus.port}`, admin: ADMIN });
    const results: Result[] = [];
    for (const t of targets) results.push(await load(t));
    const drives = await drivesScenario(path.join(here, 'servers/nimbus.js'), ADMIN);
    results.push(...drives, ceiling);
    printTable(results, ceiling);

    const user = results.find((r) => r.name === userTarget)!;
    const ratio = user.reqPerSec / ceiling.reqPerSec;
    const met = ratio >= 0.4 && user.p99 < 15;
    console.log(
      `\ntarget: ${userTarget} >= 40% of ceiling req/s and p99 < 15 ms: ${met ? 'MET' : 'NOT MET'} ` +
        `(${(ratio * 100).toFixed(1)}%, p99 ${user.p99.toFixed(1)} ms)`,
    );
    const member1000 = drives.find((r) => r.name === 'GET /me/drives (member of 1000)')!;
    console.log(`target: /me/drives with 1,000 spaces p99 < 50 ms: ${member1000.p99 < 50 ? 'MET' : 'NOT MET'} (p99 ${member1000.p99.toFixed(1)} ms)`);
    const perSpace = drives
      .filter((r) => r.name.startsWith('GET /me/drives'))
      .map((r) => { const n = Number(/of (\d+)/.exec(r.name)![1]); return `${n} spaces: ${(1e6 / r.reqPerSec / n).toFixed(1)} µs/space`; });
    console.log(`/me/drives cost per space returned (flat or falling = linear or better): ${perSpace.join('; ')}`);
    const out = path.join(here, '../../bench/results');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'latest.json'), JSON.stringify({ at: new Date().toISOString(), durationSeconds: DURATION, results }, null, 2));
  } finally {
    await stopChild(hello.child);
    await stopChild(nimbus.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
