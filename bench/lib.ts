import { fork, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';

export interface Target {
  name: string;
  url: string;
  headers?: Record<string, string>;
  /** Defaults to CONNECTIONS; large listings are measured one request at a time to see their cost, not queueing. */
  connections?: number;
  duration?: number;
}

export interface Result {
  name: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  connections: number;
}

export const DURATION = Number(process.env.BENCH_DURATION ?? 10);
export const CONNECTIONS = 10;

/** Loads one target with autocannon: fixed connections and duration, latencies in ms. */
export async function load(target: Target): Promise<Result> {
  const r = await autocannon({
    url: target.url,
    headers: target.headers,
    connections: target.connections ?? CONNECTIONS,
    duration: target.duration ?? DURATION,
  });
  return {
    name: target.name,
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    connections: target.connections ?? CONNECTIONS,
  };
}

/**
 * Runs a server in a child process so the load generator's CPU is not
 * charged to the server; every target, the ceiling included, is treated the
 * same. The child prints its port as the first IPC message.
 */
export function startChild(entry: string, env: Record<string, string>): Promise<{ port: number; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = fork(entry, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m: unknown) => resolve({ port: (m as { port: number }).port, child }));
    child.once('exit', (code) => reject(new Error(`server child exited early (${code})`)));
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export function printTable(results: Result[], ceiling: Result): void {
  const rows = results.map((r) => [
    r.name,
    String(r.connections),
    r.reqPerSec.toFixed(0),
    r.p50.toFixed(1),
    r.p99.toFixed(1),
    `${((r.reqPerSec / ceiling.reqPerSec) * 100).toFixed(1)}%`,
    String(r.errors + r.non2xx),
  ]);
  const header = ['target', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'vs ceiling', 'errors'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}
