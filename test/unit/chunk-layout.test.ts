import { describe, expect, it } from 'vitest';
import { assemblyOf, overlapping, placementFor, readEntries } from '../../src/storage/chunk-layout.js';
import { chunkOrder } from '../../src/services/files/chunked-uploads.service.js';

describe('chunk layout of an upload folder', () => {
  it('places a chunk after predecessors of known length, whether complete, in flight or in files of their own', () => {
    const e = readEntries(['upload.json', 'data', 'in-1-0-100', 'at-2-100-50', 'len-3-25', 'chunk-3']);
    expect(placementFor(e, 4, 10)).toEqual({ n: 4, offset: 175, length: 10 });
  });

  it('counts a predecessor that has not arrived with the length of the lowest-numbered chunk known', () => {
    expect(placementFor(readEntries([]), 3, 100)).toEqual({ n: 3, offset: 200, length: 100 });
    const e = readEntries(['in-1-0-100', 'at-3-200-100']);
    expect(placementFor(e, 2, 100)).toEqual({ n: 2, offset: 100, length: 100 });
    // The last, shorter chunk, sent before chunks 2 and 4: counted as full ones.
    expect(placementFor(e, 5, 40)).toEqual({ n: 5, offset: 400, length: 40 });
    // Guessed wrong (chunk 2 was sent shorter than chunk 1): chunk 4's range would be chunk 3's, so it gets a file.
    expect(placementFor(readEntries(['in-1-0-100', 'len-2-50', 'in-3-200-100']), 4, 100)).toBeNull();
  });

  it('never places a chunk over bytes another chunk holds or is writing', () => {
    // Chunk 1 now declared longer: its range would run into chunk 2's.
    const e = readEntries(['len-1-120', 'in-2-100-100']);
    expect(placementFor(e, 3, 10)).toEqual({ n: 3, offset: 220, length: 10 });
    const crowded = readEntries(['len-1-80', 'in-2-100-100']);
    expect(placementFor(crowded, 3, 30)).toBeNull();
  });

  it('says whether the placed chunks already lie where the assembly puts them', () => {
    const aligned = assemblyOf(readEntries(['in-1-0-10', 'chunk-2', 'in-3-15-5']), new Map([['2', 5]]), chunkOrder);
    expect(aligned).toMatchObject({ aligned: true, total: 20 });
    expect(aligned.chunks.map((c) => [c.name, c.kind])).toEqual([
      ['1', 'data'],
      ['2', 'file'],
      ['3', 'data'],
    ]);
    const shifted = assemblyOf(readEntries(['in-1-0-10', 'chunk-2', 'in-3-15-5']), new Map([['2', 7]]), chunkOrder);
    expect(shifted).toMatchObject({ aligned: false, total: 22 });
    expect(overlapping(shifted.chunks)).toBe(false);
  });

  it('finds two placed chunks claiming the same bytes', () => {
    const { chunks } = assemblyOf(readEntries(['in-1-0-10', 'in-2-5-10']), new Map(), chunkOrder);
    expect(overlapping(chunks)).toBe(true);
  });
});
