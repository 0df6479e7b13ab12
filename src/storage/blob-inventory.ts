import { opendir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { BlobInventory, StoredBlob } from '../ports/consistency.js';

const BLOB_ID = /^[0-9a-f]{32}$/;
const FAN = /^[0-9a-f]{2}$/;

/** Walks the blob store's layout (`<data>/blobs/ab/cd/<id>` and `<data>/staging/<owner>/`, see fs-blob-store.ts) without changing it. */
export class FsBlobInventory implements BlobInventory {
  private readonly blobDir: string;
  private readonly stagingDir: string;

  constructor(dataDir: string) {
    this.blobDir = path.join(dataDir, 'blobs');
    this.stagingDir = path.join(dataDir, 'staging');
  }

  async *blobs(): AsyncIterable<StoredBlob> {
    for (const a of await names(this.blobDir)) {
      if (!FAN.test(a)) continue;
      for (const b of await names(path.join(this.blobDir, a))) {
        if (!FAN.test(b)) continue;
        const dir = path.join(this.blobDir, a, b);
        let handle;
        try {
          handle = await opendir(dir);
        } catch {
          continue;
        }
        for await (const entry of handle) {
          if (!entry.isFile() || !BLOB_ID.test(entry.name) || !entry.name.startsWith(a + b)) continue;
          const s = await stat(path.join(dir, entry.name)).catch(() => null);
          if (s) yield { id: entry.name, size: s.size, mtimeMs: s.mtimeMs };
        }
      }
    }
  }

  async has(blobId: string): Promise<boolean> {
    if (!BLOB_ID.test(blobId)) return false;
    return stat(path.join(this.blobDir, blobId.slice(0, 2), blobId.slice(2, 4), blobId)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  async stagingFolders(): Promise<Array<{ owner: string; files: number; lastActivity: number }>> {
    const out = [];
    for (const owner of await names(this.stagingDir)) {
      const dir = path.join(this.stagingDir, owner);
      try {
        let at = (await stat(dir)).mtimeMs;
        const files = await readdir(dir);
        for (const f of files) {
          const s = await stat(path.join(dir, f)).catch(() => null);
          if (s && s.mtimeMs > at) at = s.mtimeMs;
        }
        out.push({ owner, files: files.length, lastActivity: at });
      } catch {
        // gone meanwhile, or not a folder
      }
    }
    return out;
  }
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}
