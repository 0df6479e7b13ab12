import type { Readable, Writable } from 'node:stream';

/** Where a command reads and writes: the process's own streams, or a test's. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
}

/** A failure the user must read: its message goes to stderr, and the process exits with `exitCode` (1 failure, 2 usage). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
  }
}

export const write = (stream: Writable, text: string): void => {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
};
