import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The server as its own process, for tests that must kill it. The sources
 * are transpiled (types stripped, no checking: `tsc --noEmit` does that) into
 * a throwaway folder rather than `dist/`, so a test never races a build in
 * the same tree and never runs stale output. About a second for the tree.
 */
/**
 * The server compiled once for a test file: built in its beforeAll (a busy
 * machine takes longer than the default hook timeout) and removed in its
 * afterAll; `entry` is read inside tests and hooks.
 */
export function compiledServerForFile(): { readonly entry: string } {
  let build: Awaited<ReturnType<typeof compileServer>> | undefined;
  beforeAll(async () => {
    build = await compileServer();
  }, 120_000);
  afterAll(async () => {
    await build?.remove();
  });
  return {
    get entry(): string {
      if (!build) throw new Error('the server is compiled in beforeAll; read entry inside a test or hook');
      return build.entry;
    },
  };
}

export async function compileServer(): Promise<{ entry: string; remove(): Promise<void> }> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'nimbus-e2e-build-'));
  const compilerOptions: ts.CompilerOptions = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false };
  async function walk(rel: string): Promise<void> {
    for (const entry of await readdir(path.join(REPO, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) await walk(child);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const { outputText } = ts.transpileModule(await readFile(path.join(REPO, child), 'utf8'), { compilerOptions, fileName: child });
        await mkdir(path.join(out, rel), { recursive: true });
        await writeFile(path.join(out, child.replace(/\.ts$/, '.js')), outputText);
      }
    }
  }
  await walk('src');
  await walk('migrations');
  await writeFile(path.join(out, 'package.json'), '{"type":"module"}\n');
  // Packages resolve by walking up from the importing file: a link to the repository's own.
  await symlink(path.join(REPO, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  return { entry: path.join(out, 'src', 'main.js'), remove: () => rm(out, { recursive: true, force: true }) };
}

export interface RunningServer {
  base: string;
  child: ChildProcess;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful close), resolved once the process is gone. */
  stop(): Promise<void>;
}

/** Starts the server on a free loopback port; resolves once it listens (the port is read from its log). */
export function startServer(entry: string, env: Record<string, string>, timeoutMs = 60_000): Promise<RunningServer> {
  // A clean environment: nothing from the developer's shell (DATABASE_URL…) leaks in; cwd has no .env.
  const child = spawn(process.execPath, [entry], {
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', PASSWORD_HASH_COST: '1024', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = (signal: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${timeoutMs} ms:\n${log}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      log += chunk.toString('utf8');
      const m = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ base: m[1]!, child, output: () => log, kill: gone('SIGKILL'), stop: gone('SIGTERM') });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before listening:\n${log}`));
    });
  });
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000, everyMs = 2): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
