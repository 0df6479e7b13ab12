#!/usr/bin/env node
import { runCli } from './program.js';

// The exit code is set rather than forced, so that buffered output reaches a pipe first.
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
