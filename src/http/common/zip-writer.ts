import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';

/**
 * A store-only (no compression) ZIP writer that streams: entries are written
 * as they come, each file's bytes as they are read, so a folder of any size
 * is never held in memory (APPNOTE.TXT 6.3.10). CRCs are not known before
 * the bytes have passed, so every file carries a data descriptor (flag bit
 * 3); names are UTF-8 (bit 11). ZIP64 records are written where a size, an
 * offset or the entry count outgrows the classic fields.
 */

export interface ZipEntry {
  /** Path inside the archive, `/`-separated; folders end in `/`. */
  name: string;
  type: 'file' | 'folder';
  /** Epoch milliseconds. */
  mtime: number;
  /** The bytes the file will have; a file whose stream yields another count fails the archive. */
  size: number;
  /** Opens the file's bytes; called only when the entry is written. */
  open?: () => Promise<AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer | Uint8Array>>;
}

export interface ZipOptions {
  /** Write ZIP64 records for every entry and the end record, even when small (readers must cope; tests use it). */
  forceZip64?: boolean;
}

const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
const SIG_LOCAL = 0x04034b50;
const SIG_DESCRIPTOR = 0x08074b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_END64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const FLAGS = 0x0008 | 0x0800;
const VERSION_20 = 20;
const VERSION_45 = 45;
/** "Made by" Unix (3) so the external attributes carry permission bits. */
const MADE_BY_UNIX = 3 << 8;

interface Written {
  name: Buffer;
  folder: boolean;
  zip64: boolean;
  crc: number;
  size: number;
  offset: number;
  dosTime: number;
  dosDate: number;
  unixTime: number;
}

/** MS-DOS date and time fields (two-second resolution, from 1980), in UTC. */
function dosDateTime(ms: number): { date: number; time: number } {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1980) return { date: (1 << 5) | 1, time: 0 };
  const year = Math.min(d.getUTCFullYear(), 2107);
  return {
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
  };
}

/** The extended-timestamp extra field (0x5455) with the modification time: exact seconds in UTC for readers that know it. */
function timestampExtra(unixTime: number): Buffer {
  const b = Buffer.alloc(9);
  b.writeUInt16LE(0x5455, 0);
  b.writeUInt16LE(5, 2);
  b.writeUInt8(1, 4);
  b.writeInt32LE(unixTime, 5);
  return b;
}

function zip64Extra(values: number[]): Buffer {
  const b = Buffer.alloc(4 + values.length * 8);
  b.writeUInt16LE(0x0001, 0);
  b.writeUInt16LE(values.length * 8, 2);
  values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 4 + i * 8));
  return b;
}

function localHeader(e: Written): Buffer {
  const extra = Buffer.concat([...(e.zip64 ? [zip64Extra([0, 0])] : []), timestampExtra(e.unixTime)]);
  const h = Buffer.alloc(30);
  h.writeUInt32LE(SIG_LOCAL, 0);
  h.writeUInt16LE(e.zip64 ? VERSION_45 : VERSION_20, 4);
  h.writeUInt16LE(FLAGS, 6);
  h.writeUInt16LE(0, 8); // stored
  h.writeUInt16LE(e.dosTime, 10);
  h.writeUInt16LE(e.dosDate, 12);
  // CRC and sizes follow in the data descriptor; ZIP64 entries mark theirs as in the extra field.
  h.writeUInt32LE(0, 14);
  h.writeUInt32LE(e.zip64 ? MAX32 : 0, 18);
  h.writeUInt32LE(e.zip64 ? MAX32 : 0, 22);
  h.writeUInt16LE(e.name.length, 26);
  h.writeUInt16LE(extra.length, 28);
  return Buffer.concat([h, e.name, extra]);
}

function dataDescriptor(e: Written): Buffer {
  if (e.zip64) {
    const d = Buffer.alloc(24);
    d.writeUInt32LE(SIG_DESCRIPTOR, 0);
    d.writeUInt32LE(e.crc, 4);
    d.writeBigUInt64LE(BigInt(e.size), 8);
    d.writeBigUInt64LE(BigInt(e.size), 16);
    return d;
  }
  const d = Buffer.alloc(16);
  d.writeUInt32LE(SIG_DESCRIPTOR, 0);
  d.writeUInt32LE(e.crc, 4);
  d.writeUInt32LE(e.size, 8);
  d.writeUInt32LE(e.size, 12);
  return d;
}

function centralHeader(e: Written, force: boolean): Buffer {
  const bigSize = force || e.zip64 || e.size >= MAX32;
  const bigOffset = force || e.offset >= MAX32;
  const values = [...(bigSize ? [e.size, e.size] : []), ...(bigOffset ? [e.offset] : [])];
  const extra = Buffer.concat([...(values.length ? [zip64Extra(values)] : []), timestampExtra(e.unixTime)]);
  const h = Buffer.alloc(46);
  h.writeUInt32LE(SIG_CENTRAL, 0);
  h.writeUInt16LE(MADE_BY_UNIX | VERSION_45, 4);
  h.writeUInt16LE(values.length || e.zip64 ? VERSION_45 : VERSION_20, 6);
  h.writeUInt16LE(FLAGS, 8);
  h.writeUInt16LE(0, 10);
  h.writeUInt16LE(e.dosTime, 12);
  h.writeUInt16LE(e.dosDate, 14);
  h.writeUInt32LE(e.crc, 16);
  h.writeUInt32LE(bigSize ? MAX32 : e.size, 20);
  h.writeUInt32LE(bigSize ? MAX32 : e.size, 24);
  h.writeUInt16LE(e.name.length, 28);
  h.writeUInt16LE(extra.length, 30);
  h.writeUInt16LE(0, 32); // comment
  h.writeUInt16LE(0, 34); // disk
  h.writeUInt16LE(0, 36); // internal attributes
  // Unix mode in the high half (drwxr-xr-x / -rw-r--r--), and the MS-DOS directory bit for folders.
  h.writeUInt32LE((e.folder ? ((0o40755 << 16) | 0x10) : 0o100644 << 16) >>> 0, 38);
  h.writeUInt32LE(bigOffset ? MAX32 : e.offset, 42);
  return Buffer.concat([h, e.name, extra]);
}

function endRecords(count: number, cdOffset: number, cdSize: number, force: boolean): Buffer {
  const big = force || count >= MAX16 || cdOffset >= MAX32 || cdSize >= MAX32;
  const parts: Buffer[] = [];
  if (big) {
    const z = Buffer.alloc(56);
    z.writeUInt32LE(SIG_END64, 0);
    z.writeBigUInt64LE(44n, 4); // size of the record after this field
    z.writeUInt16LE(MADE_BY_UNIX | VERSION_45, 12);
    z.writeUInt16LE(VERSION_45, 14);
    z.writeUInt32LE(0, 16);
    z.writeUInt32LE(0, 20);
    z.writeBigUInt64LE(BigInt(count), 24);
    z.writeBigUInt64LE(BigInt(count), 32);
    z.writeBigUInt64LE(BigInt(cdSize), 40);
    z.writeBigUInt64LE(BigInt(cdOffset), 48);
    const l = Buffer.alloc(20);
    l.writeUInt32LE(SIG_LOCATOR64, 0);
    l.writeUInt32LE(0, 4);
    l.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
    l.writeUInt32LE(1, 16);
    parts.push(z, l);
  }
  const e = Buffer.alloc(22);
  e.writeUInt32LE(SIG_END, 0);
  e.writeUInt16LE(0, 4);
  e.writeUInt16LE(0, 6);
  e.writeUInt16LE(big ? MAX16 : count, 8);
  e.writeUInt16LE(big ? MAX16 : count, 10);
  e.writeUInt32LE(big ? MAX32 : cdSize, 12);
  e.writeUInt32LE(big ? MAX32 : cdOffset, 16);
  e.writeUInt16LE(0, 20);
  parts.push(e);
  return Buffer.concat(parts);
}

async function* zipChunks(entries: AsyncIterable<ZipEntry>, opts: ZipOptions): AsyncGenerator<Buffer> {
  const force = opts.forceZip64 === true;
  const written: Written[] = [];
  let offset = 0;
  for await (const entry of entries) {
    const folder = entry.type === 'folder';
    const { date, time } = dosDateTime(entry.mtime);
    const e: Written = {
      name: Buffer.from(folder && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name, 'utf8'),
      folder,
      zip64: force || (!folder && entry.size >= MAX32),
      crc: 0,
      size: 0,
      offset,
      dosTime: time,
      dosDate: date,
      unixTime: Math.max(0, Math.min(Math.floor(entry.mtime / 1000), 0x7fffffff)),
    };
    if (e.name.length > MAX16) throw new Error(`ZIP entry name too long: ${entry.name}`);
    const header = localHeader(e);
    yield header;
    offset += header.length;
    if (!folder && entry.open) {
      for await (const chunk of await entry.open()) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        e.crc = crc32(buf, e.crc);
        e.size += buf.length;
        yield buf;
      }
    }
    // The size decided the descriptor's layout up front; a file that changed underneath cannot be described honestly.
    if (!folder && e.size !== entry.size) throw new Error(`ZIP entry ${entry.name} has ${e.size} bytes, ${entry.size} were expected`);
    offset += e.size;
    const descriptor = dataDescriptor(e);
    yield descriptor;
    offset += descriptor.length;
    written.push(e);
  }
  const cdOffset = offset;
  let cdSize = 0;
  for (const e of written) {
    const central = centralHeader(e, force);
    cdSize += central.length;
    yield central;
  }
  yield endRecords(written.length, cdOffset, cdSize, force);
}

/** The archive as a byte stream; pulling from it drives the reads, so a slow client slows the reads. */
export function zipStream(entries: AsyncIterable<ZipEntry>, opts: ZipOptions = {}): Readable {
  return Readable.from(zipChunks(entries, opts), { objectMode: false });
}
