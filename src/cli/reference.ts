import { Writable } from 'node:stream';
import { Readable } from 'node:stream';
import { createProgram } from './program.js';

const sink = () => new Writable({ write: (_c, _e, done) => done() });

/** The command reference of the README: every command's own --help text, at a fixed width. */
export function renderReference(): string {
  const program = createProgram({ stdout: sink(), stderr: sink(), stdin: Readable.from([]), env: {} });
  const width = { helpWidth: 100 };
  program.configureHelp(width);
  const parts = ['```', program.helpInformation().trimEnd(), '```'];
  for (const command of program.commands) {
    command.configureHelp(width);
    parts.push('', `#### \`nimbus ${command.name()}\``, '', '```', command.helpInformation().trimEnd(), '```');
  }
  return parts.join('\n');
}

export const REFERENCE_START = '<!-- cli-reference:start (npm run docs:cli regenerates this) -->';
export const REFERENCE_END = '<!-- cli-reference:end -->';

/** The README with its command reference replaced by the current one. */
export function withReference(readme: string): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error('README.md has no command reference markers');
  return `${readme.slice(0, start + REFERENCE_START.length)}\n\n${renderReference()}\n\n${readme.slice(end)}`;
}
