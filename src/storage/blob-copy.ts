import { constants } from 'node:fs';
import { copyFile, link, mkdir, opendir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { FsBlobInventory } from './blob-inventory.js';

export interface CopyTally {
  blobs: number;
  bytes: number;
  /** How many were hard links (free, the same inode) rather than copies. */
  linked: number;
}

/** Links in flight at once: the file system, not the CPU, is what waits. */
const PARALLEL = 16;
const BLOB_ID = /^[0-9a-f]{32}$/;

const blobPath = (dataDir: string, id: string): string => path.join(dataDir, 'blobs', id.slice(0, 2), id.slice(2, 4), id);

/**
 * Puts blobs of one data directory into another: a hard link where both are
 * on one file system (blobs are never changed in place, only replaced by new
 * ones, so a link is as good as a copy), else a copy (a reflink where the file
 * system has them). `ids`: only those (missing ones are returned, after a look
 * in staging); without it, every blob not in `done` (which is filled in, so a second pass links only what came since).
 */
export async function copyBlobs(fromDataDir: string, toDataDir: string, ids?: Iterable<string>, done: Set<string> = new Set()): Promise<CopyTally & { missing: string[] }> {
  const tally = { blobs: 0, bytes: 0, linked: 0, missing: [] as string[] };
  const made = new Map<string, Promise<unknown>>();
  const one = async (id: string, from = blobPath(fromDataDir, id)): Promise<boolean> => {
    const to = blobPath(toDataDir, id);
    const dir = path.dirname(to);
    let ready = made.get(dir);
    if (!ready) made.set(dir, (ready = mkdir(dir, { recursive: true })));
    await ready;
    try {
      await link(from, to);
      tally.linked++;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return false;
      if (code === 'EEXIST') return true;
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw err;
      try {
        await copyFile(from, to, constants.COPYFILE_FICLONE);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw e;
      }
    }
    // Read before adding: `tally.bytes += await …` would add to a value read before the wait, losing parallel links' sizes.
    const { size } = await stat(to);
    tally.blobs++;
    tally.bytes += size;
    return true;
  };
  if (ids) {
    for (const id of ids) {
      if (await one(id)) continue;
      // A row commits before its blob is renamed out of staging (fs-blob-store.ts): the bytes may still be there, complete.
      let found = false;
      for (const owner of await readdir(path.join(fromDataDir, 'staging')).catch(() => [] as string[])) {
        if ((found = await one(id, path.join(fromDataDir, 'staging', owner, id)))) break;
      }
      if (!found && !(await one(id))) tally.missing.push(id);
    }
    return tally;
  }
  // Every blob: the fan-out folders walked first, then the links made PARALLEL at a time.
  const all: string[] = [];
  for (const a of await names(path.join(fromDataDir, 'blobs'))) {
    for (const b of await names(path.join(fromDataDir, 'blobs', a))) {
      const dir = await opendir(path.join(fromDataDir, 'blobs', a, b)).catch(() => null);
      if (dir) for await (const entry of dir) if (entry.isFile() && BLOB_ID.test(entry.name) && !done.has(entry.name)) all.push(entry.name);
    }
  }
  let next = 0;
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (next < all.length) {
      const id = all[next++]!;
      if (await one(id)) done.add(id);
    }
  }));
  return tally;
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Whether a blob is in a data directory. */
export const hasBlob = (dataDir: string, id: string): Promise<boolean> => new FsBlobInventory(dataDir).has(id);
