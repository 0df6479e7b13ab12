import { Option } from 'commander';
import type { CliIo } from './io.js';
import { write } from './io.js';

export type OutputFormat = 'table' | 'json';

/** `--output=table|json`, on every command that prints records. */
export const outputOption = (): Option => new Option('-o, --output <format>', 'how to print the result').choices(['table', 'json']).default('table');

/** Plain columns, padded to the widest cell; nothing is truncated. */
export function renderTable(headers: string[], rows: Array<Array<string | number | boolean | null>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null ? '' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

/** Records as a table or as JSON; JSON keeps the fields' own types. */
export function printRecords<T extends Record<string, unknown>>(io: CliIo, format: OutputFormat, records: T[], columns: Array<[header: string, pick: (r: T) => string | number | boolean | null]>): void {
  if (format === 'json') return write(io.stdout, JSON.stringify(records, null, 2));
  if (records.length === 0) return write(io.stdout, '(none)');
  write(io.stdout, renderTable(columns.map(([h]) => h), records.map((r) => columns.map(([, pick]) => pick(r)))));
}

/** One record as `key: value` lines, or JSON. */
export function printRecord(io: CliIo, format: OutputFormat, record: Record<string, unknown>): void {
  if (format === 'json') return write(io.stdout, JSON.stringify(record, null, 2));
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  const show = (v: unknown): string => (v === null || v === undefined ? '' : Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v));
  write(io.stdout, Object.entries(record).map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${show(v)}`).join('\n'));
}
