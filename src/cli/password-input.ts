import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { CliError, type CliIo } from './io.js';

/** The environment variable `--password-from-env` reads (occ's is OC_PASS). */
export const PASSWORD_ENV = 'NIMBUS_PASSWORD';

/**
 * A new password without it ever being on the command line (where `ps` and
 * shell history would show it): from the environment when asked, typed twice
 * at a terminal with echo off, or else the first line of stdin.
 */
export async function readNewPassword(io: CliIo, opts: { fromEnv?: boolean }): Promise<string> {
  if (opts.fromEnv) {
    const value = io.env[PASSWORD_ENV];
    if (!value) throw new CliError(`--password-from-env given but ${PASSWORD_ENV} is not set`);
    return value;
  }
  if (io.stdin.isTTY) {
    const first = await promptHidden(io, 'Password: ');
    const second = await promptHidden(io, 'Confirm password: ');
    if (first !== second) throw new CliError('the passwords do not match');
    if (!first) throw new CliError('no password given');
    return first;
  }
  const text = await readAll(io.stdin);
  const line = text.split(/\r?\n/)[0] ?? '';
  if (!line) throw new CliError(`no password on stdin (pipe it in, type it at a terminal, use --password-from-env with ${PASSWORD_ENV}, or --generate-password)`);
  return line;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

function promptHidden(io: CliIo, question: string): Promise<string> {
  io.stderr.write(question);
  // Echo off: readline writes the typed characters to an output that drops them.
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: io.stdin, output: muted, terminal: true });
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close();
      io.stderr.write('\n');
      resolve(answer);
    });
  });
}
