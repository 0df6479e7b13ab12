import { Readable } from 'node:stream';
import type { ZipEntry } from './zip-writer.js';

/**
 * A streaming tar writer (POSIX ustar, with pax extended headers for what
 * ustar cannot hold: long or non-ASCII names, sizes from 8 GiB), for the
 * same entries the ZIP writer takes. Each file's bytes pass through as they
 * are read, padded to 512-byte blocks; two zero blocks end the archive.
 */

const BLOCK = 512;
const MAX_OCTAL_SIZE = 0o77777777777;

function octal(value: number, width: number): string {
  return `${Math.max(0, Math.floor(value)).toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, type: '0' | '5' | 'x', size: number, mtimeSec: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(type === '5' ? 0o755 : 0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(Math.min(size, MAX_OCTAL_SIZE), 12), 124, 'ascii');
  h.write(octal(mtimeSec, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum counts as spaces while it is summed
  h.write(type, 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** pax records: "<length> <key>=<value>\n", the length counting itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

function headersFor(name: string, type: '0' | '5', size: number, mtimeSec: number): Buffer[] {
  const records: string[] = [];
  // eslint-disable-next-line no-control-regex
  if (Buffer.byteLength(name) > 99 || /[^\x20-\x7e]/.test(name)) records.push(paxRecord('path', name));
  if (size > MAX_OCTAL_SIZE) records.push(paxRecord('size', String(size)));
  if (records.length === 0) return [header(name, type, size, mtimeSec)];
  const pax = Buffer.from(records.join(''), 'utf8');
  const short = Buffer.from(name, 'utf8').subarray(0, 90).toString('utf8').replace(/\uFFFD+$/, '');
  return [header(`PaxHeader/${short}`.slice(0, 99), 'x', pax.length, mtimeSec), pax, padding(pax.length), header(short, type, size, mtimeSec)];
}

async function* tarChunks(entries: AsyncIterable<ZipEntry>): AsyncGenerator<Buffer> {
  for await (const entry of entries) {
    const folder = entry.type === 'folder';
    const name = folder && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
    const mtimeSec = Math.floor(entry.mtime / 1000);
    yield* headersFor(name, folder ? '5' : '0', folder ? 0 : entry.size, mtimeSec);
    if (folder) continue;
    let size = 0;
    if (entry.open) {
      for await (const chunk of await entry.open()) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        size += buf.length;
        if (size > entry.size) throw new Error(`tar entry ${entry.name} outgrew its ${entry.size} bytes`);
        yield buf;
      }
    }
    // The header announced the size; a file that changed underneath cannot be described honestly.
    if (size !== entry.size) throw new Error(`tar entry ${entry.name} has ${size} bytes, ${entry.size} were expected`);
    yield padding(size);
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** The archive as a byte stream; pulling from it drives the reads. */
export function tarStream(entries: AsyncIterable<ZipEntry>): Readable {
  return Readable.from(tarChunks(entries), { objectMode: false });
}
