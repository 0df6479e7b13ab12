import { crc32 } from 'node:zlib';

/** One entry as the central directory describes it, with its stored bytes checked against the local header and CRC. */
export interface ReadEntry {
  name: string;
  folder: boolean;
  size: number;
  crc: number;
  data: Buffer;
  zip64: boolean;
}

const MAX32 = 0xffffffff;

/**
 * A small reader for the archives the share page writes (stored entries,
 * data descriptors, ZIP64): it starts at the end record, as unzip does, so
 * the central directory is what is tested, then follows each entry to its
 * local header and verifies the bytes there.
 */
export function readZip(buf: Buffer): ReadEntry[] {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > buf.length) throw new Error('no end of central directory record');
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === MAX32 || cdOffset === MAX32) {
    const locator = eocd - 20;
    if (buf.readUInt32LE(locator) !== 0x07064b50) throw new Error('ZIP64 locator missing');
    const z = Number(buf.readBigUInt64LE(locator + 8));
    if (buf.readUInt32LE(z) !== 0x06064b50) throw new Error('ZIP64 end record missing');
    count = Number(buf.readBigUInt64LE(z + 32));
    cdSize = Number(buf.readBigUInt64LE(z + 40));
    cdOffset = Number(buf.readBigUInt64LE(z + 48));
  }
  const entries: ReadEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`central header ${i} missing`);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    let compressed = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let offset = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const extra = buf.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    let zip64 = false;
    for (let e = 0; e < extra.length; ) {
      const id = extra.readUInt16LE(e);
      const len = extra.readUInt16LE(e + 2);
      if (id === 0x0001) {
        zip64 = true;
        let f = e + 4;
        if (size === MAX32) (size = Number(extra.readBigUInt64LE(f)), (f += 8));
        if (compressed === MAX32) (compressed = Number(extra.readBigUInt64LE(f)), (f += 8));
        if (offset === MAX32) offset = Number(extra.readBigUInt64LE(f));
      }
      e += 4 + len;
    }
    if (method !== 0) throw new Error(`${name}: method ${method}, stored expected`);
    if ((flags & 0x0800) === 0) throw new Error(`${name}: UTF-8 flag missing`);
    if (compressed !== size) throw new Error(`${name}: stored entry with different sizes`);
    if (buf.readUInt32LE(offset) !== 0x04034b50) throw new Error(`${name}: local header missing`);
    const localName = buf.subarray(offset + 30, offset + 30 + buf.readUInt16LE(offset + 26)).toString('utf8');
    if (localName !== name) throw new Error(`${name}: local header names ${localName}`);
    const dataStart = offset + 30 + buf.readUInt16LE(offset + 26) + buf.readUInt16LE(offset + 28);
    const data = buf.subarray(dataStart, dataStart + size);
    if (crc32(data) >>> 0 !== crc) throw new Error(`${name}: CRC mismatch`);
    entries.push({ name, folder: name.endsWith('/'), size, crc, data: Buffer.from(data), zip64 });
    p += 46 + nameLen + extraLen + commentLen;
  }
  if (p !== cdOffset + cdSize) throw new Error('central directory size does not match its entries');
  return entries;
}
