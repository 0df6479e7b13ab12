import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The entry of the command line in a tree compiled by compileServer(). */
export const cliEntry = (serverEntry: string): string => path.join(path.dirname(serverEntry), 'cli', 'nimbus.js');

/**
 * Runs `nimbus <args>` as its own process in a clean environment (nothing of
 * the developer's shell leaks in), optionally with `input` on stdin; stdin is
 * a pipe, never a terminal, so commands that want a password read it from there.
 */
export function runNimbus(entry: string, args: string[], env: Record<string, string>, input?: string, cwd = os.tmpdir()): Promise<CliResult> {
  const child = spawn(process.execPath, [entry, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', PASSWORD_HASH_COST: '1024', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  child.stdin.end(input ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
