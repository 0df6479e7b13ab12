import { constants } from 'node:fs';
import { copyFile, link, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { FsBlobInventory } from './blob-inventory.js';

export interface CopyTally {
  blobs: number;
  bytes: number;
  /** How many were hard links (free, the same inode) rather than copies. */
  linked: number;
}

const blobPath = (dataDir: string, id: string): string => path.join(dataDir, 'blobs', id.slice(0, 2), id.slice(2, 4), id);

/**
 * Puts blobs of one data directory into another: a hard link where both are
 * on one file system (blobs are never changed in place, only replaced by new
 * ones, so a link is as good as a copy), else a copy (a reflink where the file
 * system has them). `ids`: only those (missing ones are returned); without it, every blob.
 */
export async function copyBlobs(fromDataDir: string, toDataDir: string, ids?: Iterable<string>): Promise<CopyTally & { missing: string[] }> {
  const tally = { blobs: 0, bytes: 0, linked: 0, missing: [] as string[] };
  const made = new Set<string>();
  const one = async (id: string, from = blobPath(fromDataDir, id)): Promise<boolean> => {
    const to = blobPath(toDataDir, id);
    const dir = path.dirname(to);
    if (!made.has(dir)) {
      await mkdir(dir, { recursive: true });
      made.add(dir);
    }
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
    tally.blobs++;
    tally.bytes += (await stat(to)).size;
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
  } else {
    for await (const blob of new FsBlobInventory(fromDataDir).blobs()) await one(blob.id);
  }
  return tally;
}

/** Whether a blob is in a data directory. */
export const hasBlob = (dataDir: string, id: string): Promise<boolean> => new FsBlobInventory(dataDir).has(id);
