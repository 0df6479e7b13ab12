/**
 * Where the chunks of an upload lie, read off the names of the entries in
 * its folder (shared by every process, so no state is kept in memory):
 *
 * - `chunk-<name>`: a chunk in a file of its own;
 * - `at-<n>-<offset>-<length>`: chunk n being written into the folder's one
 *   `data` file at that offset (a reservation of the range);
 * - `in-<n>-<offset>-<length>`: chunk n complete in `data` at that offset;
 * - `len-<n>-<length>`: chunk n's declared length, its bytes in `chunk-<n>`.
 *
 * A numbered chunk is written straight into `data` at the offset the chunks
 * before it add up to, so that assembling an upload of equal chunks, in any
 * order, or of chunks sent one after another, is a hard link rather than a
 * copy of every byte.
 */

export const CHUNK_PREFIX = 'chunk-';
export const DATA_FILE = 'data';

/** Chunk numbers written in place: the plain decimals Nextcloud chunking v2 uses (1..10000); others keep a file of their own. */
const IN_PLACE_NAME = /^[1-9]\d{0,4}$/;

export interface PlacedChunk {
  n: number;
  offset: number;
  length: number;
}

export interface UploadEntries {
  /** Chunks complete in `data`. */
  inPlace: Map<number, PlacedChunk & { entry: string }>;
  /** Chunks being written into `data`. */
  reserved: Map<number, PlacedChunk & { entry: string }>;
  /** Declared lengths of chunks in files of their own, by number. */
  declared: Map<number, { length: number; entry: string }>;
  /** Chunks in files of their own, by name. */
  files: Set<string>;
}

const PLACED = /^(at|in)-(\d+)-(\d+)-(\d+)$/;
const DECLARED = /^len-(\d+)-(\d+)$/;

export const inPlaceNumber = (name: string): number | null => (IN_PLACE_NAME.test(name) ? Number(name) : null);
export const reservationEntry = (c: PlacedChunk): string => `at-${c.n}-${c.offset}-${c.length}`;
export const completedEntry = (c: PlacedChunk): string => `in-${c.n}-${c.offset}-${c.length}`;
export const declaredEntry = (n: number, length: number): string => `len-${n}-${length}`;

export function readEntries(names: string[]): UploadEntries {
  const out: UploadEntries = { inPlace: new Map(), reserved: new Map(), declared: new Map(), files: new Set() };
  for (const entry of names) {
    if (entry.startsWith(CHUNK_PREFIX)) {
      out.files.add(entry.slice(CHUNK_PREFIX.length));
      continue;
    }
    const placed = PLACED.exec(entry);
    if (placed) {
      const c = { n: Number(placed[2]), offset: Number(placed[3]), length: Number(placed[4]), entry };
      (placed[1] === 'in' ? out.inPlace : out.reserved).set(c.n, c);
      continue;
    }
    const declared = DECLARED.exec(entry);
    if (declared) out.declared.set(Number(declared[1]), { length: Number(declared[2]), entry });
  }
  return out;
}

/** Every entry that holds or describes chunk `name` (all replaced when it is sent again). */
export function entriesOf(e: UploadEntries, name: string): string[] {
  const out: string[] = [];
  if (e.files.has(name)) out.push(CHUNK_PREFIX + name);
  const n = inPlaceNumber(name);
  if (n !== null) {
    for (const m of [e.inPlace, e.reserved]) {
      const c = m.get(n);
      if (c) out.push(c.entry);
    }
    const d = e.declared.get(n);
    if (d) out.push(d.entry);
  }
  return out;
}

/** The length chunk n was sent (or is being sent) with, when known. */
function lengthOf(e: UploadEntries, n: number): number | undefined {
  return e.inPlace.get(n)?.length ?? e.reserved.get(n)?.length ?? e.declared.get(n)?.length;
}

/**
 * Where chunk n of this length goes in `data`: after chunks 1..n-1, each
 * counted with the length it was sent with or, when it has not arrived yet,
 * with the length of the lowest-numbered chunk known (clients slice a file
 * into equal chunks, only the last shorter, and send a few at once, so a
 * later one often arrives first), else this chunk's own. Null when that
 * range is another chunk's: the chunk then takes a file of its own. A wrong
 * guess costs only speed, since the assembly finds the chunk out of place
 * and copies. The entries of chunk n itself must already be left out.
 */
export function placementFor(e: UploadEntries, n: number, length: number): PlacedChunk | null {
  const guess = typicalLength(e) ?? length;
  let offset = 0;
  for (let k = 1; k < n; k++) offset += lengthOf(e, k) ?? guess;
  const end = offset + length;
  for (const m of [e.inPlace, e.reserved]) {
    for (const c of m.values()) if (c.n !== n && c.offset < end && offset < c.offset + c.length) return null;
  }
  return { n, offset, length };
}

function typicalLength(e: UploadEntries): number | undefined {
  let lowest: number | undefined;
  for (const m of [e.inPlace, e.reserved, e.declared]) for (const k of m.keys()) if (lowest === undefined || k < lowest) lowest = k;
  return lowest === undefined ? undefined : lengthOf(e, lowest);
}

export type ChunkSource = { name: string; length: number } & ({ kind: 'file' } | { kind: 'data'; offset: number });

/**
 * The complete chunks in assembly order with where their bytes are, and
 * whether `data` already holds every in-place chunk at the offset it takes
 * in the assembled file (then only the chunks of their own files need
 * copying in, and `data` becomes the file).
 */
export function assemblyOf(e: UploadEntries, fileSizes: Map<string, number>, order: (a: string, b: string) => number): { chunks: ChunkSource[]; aligned: boolean; total: number } {
  const chunks: ChunkSource[] = [];
  for (const [name, length] of fileSizes) chunks.push({ name, length, kind: 'file' });
  for (const c of e.inPlace.values()) if (!e.files.has(String(c.n))) chunks.push({ name: String(c.n), length: c.length, kind: 'data', offset: c.offset });
  chunks.sort((a, b) => order(a.name, b.name));
  let total = 0;
  let aligned = true;
  for (const c of chunks) {
    if (c.kind === 'data' && c.offset !== total) aligned = false;
    total += c.length;
  }
  return { chunks, aligned, total };
}

/** Whether two in-place chunks claim the same bytes (only when a chunk was sent again with another length while later ones were being placed). */
export function overlapping(chunks: ChunkSource[]): boolean {
  const placed = chunks.filter((c): c is ChunkSource & { kind: 'data' } => c.kind === 'data').sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < placed.length; i++) if (placed[i]!.offset < placed[i - 1]!.offset + placed[i - 1]!.length) return true;
  return false;
}
