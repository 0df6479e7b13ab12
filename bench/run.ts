import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Check,
  CONNECTIONS,
  type Credentials,
  DURATION,
  load,
  printTable,
  type Result,
  type ScenarioOutcome,
  SERVER_ENTRIES,
  type ServerHandle,
  startServer,
  WARMUP,
} from './lib.js';
import { SCENARIOS } from './scenarios/index.js';

const ADMIN: Credentials = { user: 'admin', password: 'Bench-Admin-Pass-2026' };
const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/run.js; results go to the source tree's bench/results/ (ignored by git).
const RESULTS_DIR = path.resolve(here, '../../bench/results');

/** A Nimbus child on its own temporary data directory, always SQLite, removed again on stop. */
async function startNimbus(env: Record<string, string> = {}): Promise<ServerHandle> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-bench-'));
  try {
    const server = await startServer(SERVER_ENTRIES.nimbus, {
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      ADMIN_USER: ADMIN.user,
      ADMIN_PASSWORD: ADMIN.password,
      ...env,
    });
    return {
      base: server.base,
      stop: async () => {
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

function selectedScenarios() {
  const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown scenario ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
  return only.length ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;
}

async function main(): Promise<void> {
  const scenarios = selectedScenarios();
  const loadAverage = os.loadavg();
  const loadAtStart = loadAverage.map((l) => l.toFixed(2)).join(' ');
  console.log(
    `Nimbus benchmark: ${DURATION} s per target after ${WARMUP} s warm-up, ${CONNECTIONS} connections unless noted, ` +
      `servers in child processes, ${os.cpus().length} CPUs (load average ${loadAtStart}), Node ${process.version}\n`,
  );
  const hello = await startServer(SERVER_ENTRIES.hello, {});
  let nimbus: ServerHandle | undefined;
  try {
    nimbus = await startNimbus();
    // The ceiling: the same load against a bare Fastify answering {"hello":"world"},
    // measured before and after the scenarios so a machine whose load changed shows it.
    const ceilingBefore = await load({ name: 'hello-world ceiling (before)', url: `${hello.base}/` });
    const results: Result[] = [];
    const outcomes: ScenarioOutcome[] = [];
    for (const scenario of scenarios) {
      const outcome = await scenario.run({ nimbus, admin: ADMIN, startNimbus });
      outcomes.push(outcome);
      results.push(...outcome.results);
    }
    const ceilingAfter = await load({ name: 'hello-world ceiling (after)', url: `${hello.base}/` });
    results.push(ceilingBefore, ceilingAfter);
    // Ratios and goals use the higher ceiling: a machine that got busier or quieter
    // during the run must not make Nimbus look closer to the ceiling than it is.
    const ceiling = ceilingAfter.reqPerSec > ceilingBefore.reqPerSec ? ceilingAfter : ceilingBefore;
    for (const r of results) r.ratio = r.reqPerSec / ceiling.reqPerSec;
    const checks: Check[] = outcomes.flatMap((o) => o.checks?.(ceiling) ?? []);
    const notes: string[] = outcomes.flatMap((o) => o.notes ?? []);
    const drift = Math.abs(ceilingAfter.reqPerSec - ceilingBefore.reqPerSec) / Math.min(ceilingBefore.reqPerSec, ceilingAfter.reqPerSec);

    printTable(results);
    console.log('');
    for (const c of checks) console.log(`target: ${c.name}: ${c.met ? 'MET' : 'NOT MET'} (${c.detail})`);
    for (const n of notes) console.log(n);
    if (drift > 0.15) {
      console.log(
        `\nWARNING: the ceiling moved ${(drift * 100).toFixed(0)}% during the run (load average at start ${loadAtStart}); ` +
          'something else is using the CPUs, so the ratios are not trustworthy. Run again on a quiet machine.',
      );
    }

    const invalid = results.filter((r) => r.errors + r.non2xx > 0);
    if (invalid.length) {
      console.error(`\nINVALID: error answers or socket errors in ${invalid.map((r) => r.name).join(', ')}; those figures measure failures.`);
      process.exitCode = 1;
    }

    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, 'latest.json');
    const report = {
      at: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      durationSeconds: DURATION,
      warmupSeconds: WARMUP,
      scenarios: scenarios.map((s) => s.name),
      loadAverageAtStart: loadAverage,
      ceiling: { before: ceilingBefore.reqPerSec, after: ceilingAfter.reqPerSec, used: ceiling.reqPerSec, drift },
      results,
      checks,
      notes,
    };
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nresults written to bench/results/${path.basename(file)}`);
  } finally {
    await nimbus?.stop();
    await hello.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
