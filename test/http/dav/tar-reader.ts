/** One member of a tar archive: its name (pax `path` when given), and its bytes for files. */
export interface TarMember {
  name: string;
  folder: boolean;
  data: Buffer;
}

/** A small ustar/pax reader for the archives the DAV folder download writes; checks each header's checksum. */
export function readTar(buf: Buffer): TarMember[] {
  const out: TarMember[] = [];
  let offset = 0;
  let paxPath: string | undefined;
  while (offset + 512 <= buf.length) {
    const h = buf.subarray(offset, offset + 512);
    if (h.every((b) => b === 0)) break;
    const field = (at: number, len: number) => h.subarray(at, at + len).toString('utf8').replace(/\0.*$/s, '');
    const sum = h.reduce((acc, b, i) => acc + (i >= 148 && i < 156 ? 32 : b), 0);
    if (parseInt(field(148, 8).trim(), 8) !== sum) throw new Error(`bad tar checksum at ${offset}`);
    if (field(257, 6) !== 'ustar') throw new Error('not ustar');
    const size = parseInt(field(124, 12), 8);
    const type = field(156, 1);
    const data = buf.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      for (const m of data.toString('utf8').matchAll(/\d+ path=([^\n]*)\n/g)) paxPath = m[1];
      continue;
    }
    out.push({ name: paxPath ?? field(0, 100), folder: type === '5', data: Buffer.from(data) });
    paxPath = undefined;
  }
  return out;
}
