import path from 'node:path';
import type { Config } from '../config.js';
import { blobReferences } from '../db/blob-references.js';
import { connect } from '../db/connect.js';
import type { BlobEndpoint } from '../storage/blob-endpoint.js';
import { listIds, migrateBlobs, type MigrationTally } from '../storage/blob-migration.js';
import { FsBlobEndpoint } from '../storage/fs-blob-endpoint.js';
import { MigrationLedger } from '../storage/migration-ledger.js';
import { CliError } from './io.js';

export type StoreKind = 'fs' | 's3';

export interface MigrationReport extends MigrationTally {
  from: string;
  to: string;
  final: boolean;
  /** Final pass: blobs of the target that no row holds (deleted meanwhile), removed. */
  removed: number;
  seconds: number;
}

async function endpointFor(kind: StoreKind, config: Config): Promise<BlobEndpoint> {
  if (kind === 'fs') return new FsBlobEndpoint(config.dataDir);
  if (config.storage.kind !== 's3') throw new Error('S3 settings missing');
  // Loaded only for S3, as the server loads its S3 store.
  const { S3BlobEndpoint } = await import('../storage/s3/s3-blob-endpoint.js');
  return new S3BlobEndpoint(config.storage.s3);
}

/**
 * Moves the blobs of the store STORAGE names to the other one. A first run
 * (or several) copies while the server serves as usual; the final run,
 * while no server writes (stopped, or with STORAGE_READ_ONLY=true), copies
 * what came since, checks that every blob a row holds is in the target and
 * removes the target's copies of blobs deleted meanwhile. The server is then
 * started with the new STORAGE. Previews are not moved: they are made again
 * on demand from the blobs.
 */
export async function migrateStorage(
  config: Config,
  target: { kind: StoreKind; config: Config },
  opts: { final: boolean; verify: boolean; progress?: (tally: MigrationTally, total: number) => void },
): Promise<MigrationReport> {
  const started = Date.now();
  if (config.storage.kind === target.kind) throw new CliError(`STORAGE is already ${target.kind}: the blobs are there; storage:migrate --to names the other store`, 2);
  const from = await endpointFor(config.storage.kind, config);
  const to = await endpointFor(target.kind, target.config);
  const handle = connect(config.database);
  let ledger: MigrationLedger | undefined;
  try {
    await to.clearLeftovers();
    // In the data directory either way: it is there for both stores (S3 uploads stage chunks in it too).
    ledger = await MigrationLedger.open(path.join(config.dataDir, 'storage-migration', `to-${target.kind}.ledger`), to.description);
    const declared = await blobReferences(handle.db);
    // The final pass copies what the rows hold; a live pass all the source has (rows made meanwhile are the final pass's).
    const ids = opts.final ? [...declared.keys()].sort() : await listIds(from);
    const tally = await migrateBlobs({ from, to, ledger, ids, declared, verify: opts.verify, progress: opts.progress });
    let removed = 0;
    if (opts.final && tally.failed.length === 0 && tally.corrupted.length === 0) {
      // What the target holds that no row does was deleted after it was copied.
      for (const id of await listIds(to)) {
        if (declared.has(id)) continue;
        await to.remove(id);
        ledger.forget(id);
        removed++;
      }
    }
    return { from: from.description, to: to.description, final: opts.final, ...tally, removed, seconds: Math.round((Date.now() - started) / 100) / 10 };
  } finally {
    await ledger?.close();
    await handle.close();
    await from.close();
    await to.close();
  }
}
