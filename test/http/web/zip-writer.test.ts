import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { type ZipEntry, zipStream } from '../../../src/http/common/zip-writer.js';
import { readZip } from './zip-reader.js';

async function* from(entries: ZipEntry[]): AsyncGenerator<ZipEntry> {
  yield* entries;
}

const file = (name: string, content: string | Buffer, mtime = Date.UTC(2024, 4, 6, 7, 8, 10)): ZipEntry => {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { name, type: 'file', mtime, size: bytes.length, open: async () => [bytes.subarray(0, 3), bytes.subarray(3)] };
};

const SAMPLE: ZipEntry[] = [
  { name: 'top/', type: 'folder', mtime: Date.UTC(2024, 0, 1), size: 0 },
  file('top/a.txt', 'alpha bravo'),
  file('top/ünï cödé.txt', 'utf-8 names'),
  file('top/empty.bin', ''),
  { name: 'top/sub', type: 'folder', mtime: 0, size: 0 },
];

/** An independent reader, when the machine has one: Info-ZIP's unzip tests every entry's CRC. */
function unzipTest(zip: Buffer): string | null {
  if (!existsSync('/usr/bin/unzip')) return null;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-zip-'));
  try {
    writeFileSync(path.join(dir, 'a.zip'), zip);
    return execFileSync('/usr/bin/unzip', ['-t', path.join(dir, 'a.zip')], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('streaming ZIP writer', () => {
  it('writes stored entries with UTF-8 names, folders and CRCs a reader accepts', async () => {
    const zip = await buffer(zipStream(from(SAMPLE)));
    const entries = readZip(zip);
    expect(entries.map((e) => [e.name, e.data.toString()])).toEqual([
      ['top/', ''],
      ['top/a.txt', 'alpha bravo'],
      ['top/ünï cödé.txt', 'utf-8 names'],
      ['top/empty.bin', ''],
      ['top/sub/', ''],
    ]);
    expect(entries.some((e) => e.zip64)).toBe(false);
    const out = unzipTest(zip);
    if (out !== null) expect(out).toContain('No errors detected');
  });

  it('writes ZIP64 records when asked, and readers still find every entry', async () => {
    const zip = await buffer(zipStream(from(SAMPLE), { forceZip64: true }));
    const entries = readZip(zip);
    expect(entries.every((e) => e.zip64)).toBe(true);
    expect(entries.find((e) => e.name === 'top/a.txt')?.data.toString()).toBe('alpha bravo');
    const out = unzipTest(zip);
    if (out !== null) expect(out).toContain('No errors detected');
  });

  it('switches to the ZIP64 end record past 65,534 entries', async () => {
    const many: ZipEntry[] = Array.from({ length: 70_000 }, (_, i) => ({ name: `d${i}/`, type: 'folder', mtime: 0, size: 0 }));
    const zip = await buffer(zipStream(from(many)));
    const eocd = zip.length - 22;
    expect(zip.readUInt16LE(eocd + 8)).toBe(0xffff);
    const entries = readZip(zip);
    expect(entries).toHaveLength(70_000);
    expect(entries[69_999]!.name).toBe('d69999/');
  });

  it('an empty archive is just the end record', async () => {
    const zip = await buffer(zipStream(from([])));
    expect(zip).toHaveLength(22);
    expect(readZip(zip)).toEqual([]);
  });

  it('fails the stream when a file yields another byte count than announced', async () => {
    const liar: ZipEntry = { name: 'x.txt', type: 'file', mtime: 0, size: 10, open: async () => [Buffer.from('short')] };
    await expect(buffer(zipStream(from([liar])))).rejects.toThrow(/5 bytes, 10 were expected/);
  });
});
