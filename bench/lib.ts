import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Pool } from 'undici';

export interface Target {
  name: string;
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PROPFIND' | 'SEARCH' | 'REPORT';
  headers?: Record<string, string>;
  body?: string;
  /** Defaults to CONNECTIONS; large listings are measured one request at a time to see their cost, not queueing. */
  connections?: number;
  duration?: number;
  /** The target answers with a redirect by design (a sign-in form's 303): 3xx count as success. */
  redirects?: boolean;
}

export interface Result {
  name: string;
  reqPerSec: number;
  /** Latency percentiles in ms (the load generator's resolution is 1 ms). */
  p50: number;
  p99: number;
  /** Socket errors and timeouts. */
  errors: number;
  /** Answers outside 2xx: a benchmark of error answers measures nothing, so these invalidate the run. */
  non2xx: number;
  connections: number;
  /** req/s relative to the hello-world ceiling of the same run; filled in by run.ts. */
  ratio?: number;
}

/** A goal a scenario states about its own numbers, printed as MET / NOT MET. */
export interface Check {
  name: string;
  met: boolean;
  detail: string;
}

export interface Credentials {
  user: string;
  password: string;
}

/** A server under test: its base URL and how to stop it. */
export interface ServerHandle {
  base: string;
  stop(): Promise<void>;
}

export interface ScenarioContext {
  /** The shared Nimbus server of this run (fresh SQLite data directory, first admin only). */
  nimbus: ServerHandle;
  admin: Credentials;
  /** Starts another Nimbus with its own throwaway data directory; extra env is passed to bench/servers/nimbus.ts. */
  startNimbus(env?: Record<string, string>): Promise<ServerHandle>;
}

export interface ScenarioOutcome {
  results: Result[];
  /** Goals, judged once the whole run is done against the ceiling (the higher of the two ceiling measurements). */
  checks?(ceiling: Result): Check[];
  /** Free-form lines printed under the table. */
  notes?: string[];
}

/** One group of targets (one module under bench/scenarios/), selectable with BENCH_ONLY=name,name. */
export interface Scenario {
  name: string;
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
}

function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number of seconds, got ${JSON.stringify(raw)}`);
  return n;
}

export const DURATION = seconds('BENCH_DURATION', 10);
/** Unmeasured load before each target so the JIT and caches are warm, as they are on a running server. */
export const WARMUP = seconds('BENCH_WARMUP', 1);
export const CONNECTIONS = 10;

export const basic = (c: Credentials): string => `Basic ${Buffer.from(`${c.user}:${c.password}`).toString('base64')}`;

/** Methods autocannon can send; WebDAV's own (PROPFIND) go through loadWithUndici. */
const AUTOCANNON_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE']);

/** Loads one target with autocannon: fixed connections and duration, latencies in ms. */
export async function load(target: Target): Promise<Result> {
  if (!AUTOCANNON_METHODS.has(target.method ?? 'GET')) return loadWithUndici(target);
  const connections = target.connections ?? CONNECTIONS;
  const opts = { url: target.url, method: target.method ?? 'GET', headers: target.headers, body: target.body, connections };
  if (WARMUP > 0) await autocannon({ ...opts, duration: WARMUP });
  const r = await autocannon({ ...opts, duration: target.duration ?? DURATION });
  return {
    name: target.name,
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: target.redirects ? r.non2xx - ((r as unknown as Record<string, number>)['3xx'] ?? 0) : r.non2xx,
    connections,
  };
}

/**
 * The same measurement for methods autocannon refuses: one undici pool with
 * `connections` sockets, each kept busy for the duration; every latency is
 * recorded (sub-millisecond resolution) and its percentiles taken.
 */
async function loadWithUndici(target: Target): Promise<Result> {
  const connections = target.connections ?? CONNECTIONS;
  const url = new URL(target.url);
  const pool = new Pool(url.origin, { connections, pipelining: 1 });
  const once = async (): Promise<number> => {
    const res = await pool.request({ path: url.pathname + url.search, method: target.method ?? 'GET', headers: target.headers, body: target.body });
    await res.body.dump();
    return res.statusCode;
  };
  const drive = async (seconds: number, latencies: number[] | null): Promise<{ count: number; non2xx: number; errors: number }> => {
    const end = performance.now() + seconds * 1000;
    let count = 0;
    let non2xx = 0;
    let errors = 0;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < end) {
          const start = performance.now();
          try {
            const status = await once();
            if (status < 200 || status >= 300) non2xx++;
          } catch {
            errors++;
          }
          latencies?.push(performance.now() - start);
          count++;
        }
      }),
    );
    return { count, non2xx, errors };
  };
  try {
    if (WARMUP > 0) await drive(WARMUP, null);
    const latencies: number[] = [];
    const seconds = target.duration ?? DURATION;
    const { count, non2xx, errors } = await drive(seconds, latencies);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
    return { name: target.name, reqPerSec: count / seconds, p50: pct(50), p99: pct(99), errors, non2xx, connections };
  } finally {
    await pool.close();
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const SERVER_ENTRIES = {
  hello: path.join(here, 'servers/hello.js'),
  nimbus: path.join(here, 'servers/nimbus.js'),
};

/**
 * Runs a server in a child process so the load generator's CPU is not
 * charged to the server; every target, the ceiling included, is treated the
 * same. The child sends its port as the first IPC message.
 */
export function startChild(entry: string, env: Record<string, string>): Promise<{ port: number; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = fork(entry, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m: unknown) => resolve({ port: (m as { port: number }).port, child }));
    child.once('exit', (code) => reject(new Error(`server child ${path.basename(entry)} exited early (${code})`)));
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export async function startServer(entry: string, env: Record<string, string>): Promise<ServerHandle> {
  const { port, child } = await startChild(entry, env);
  return { base: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

export function printTable(results: Result[]): void {
  const rows = results.map((r) => [
    r.name,
    String(r.connections),
    r.reqPerSec.toFixed(0),
    r.p50.toFixed(1),
    r.p99.toFixed(1),
    r.ratio === undefined ? '' : `${(r.ratio * 100).toFixed(1)}%`,
    String(r.errors + r.non2xx),
  ]);
  const header = ['target', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'vs ceiling', 'errors'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}
