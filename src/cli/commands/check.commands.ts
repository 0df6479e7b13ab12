import type { Command } from 'commander';
import { ConsistencyService, type ConsistencyReport, problemCount } from '../../services/files/consistency.service.js';
import { createBlobInventory } from '../../storage/blob-store-factory.js';
import { humanSize } from '../../domain/quota.js';
import { CliError, type CliIo, write } from '../io.js';
import { type OutputFormat, outputOption } from '../output.js';
import { withCore } from '../runtime.js';

function describe(r: ConsistencyReport): string[] {
  return [
    ...r.orphanBlobs.map((p) => `orphan blob: ${p.blobId} (${humanSize(p.size)}) is referenced by no file`),
    ...r.missingBlobs.map((p) => `missing blob: ${p.spaceId}:/${p.path} names blob ${p.blobId}, which is not on disk`),
    ...r.blobSizes.map((p) => `blob size: ${p.spaceId}:/${p.path} is stored as ${p.stored} bytes, its blob has ${p.actual} (not repaired)`),
    ...r.strayRows.map((p) => `stray row: ${p.spaceId}:/${p.path} has no parent folder`),
    ...r.folderSizes.map((p) => `folder size: ${p.spaceId}:/${p.path} is stored as ${p.stored} bytes, holds ${p.actual}`),
    ...r.spaceSizes.map((p) => `space size: ${p.spaceId} (quota used) is stored as ${p.stored} bytes, holds ${p.actual}`),
    ...r.emptyEtags.map((p) => `empty etag: node ${p.nodeId} of ${p.spaceId}`),
    ...r.leftoverStaging.map((p) => `leftover staging: ${p.files} file(s) of process ${p.owner}, which is gone`),
    ...r.abandonedUploads.map((p) => `abandoned upload: chunked upload ${p.uploadId} of ${p.userId}, begun more than a day ago`),
    ...r.expiredTusUploads.map((p) => `expired upload: TUS upload ${p.uploadId}, past its expiry and never finished`),
  ];
}

export function registerCheckCommands(program: Command, io: CliIo): void {
  program
    .command('check')
    .description('compare the database with the data directory (like occ files:scan): blobs without rows, rows without blobs, folder and space sizes, etags, leftover staging, abandoned chunked uploads, expired TUS uploads; exit 1 while problems remain')
    .option('--repair', 'repair what was found, then check again')
    .addOption(outputOption())
    .action(async (opts: { repair?: boolean; output: OutputFormat }) => {
      await withCore(io, async (core, config) => {
        const consistency = new ConsistencyService(core.ctx, core.blobs, await createBlobInventory(config), core.services.chunkedUploads, core.services.tusUploads);
        const found = await consistency.check();
        let remaining = found;
        if (opts.repair && problemCount(found) > 0) {
          await consistency.repair(found);
          remaining = await consistency.check();
        }
        if (opts.output === 'json') {
          write(io.stdout, JSON.stringify({ found, ...(opts.repair ? { remaining } : {}) }, null, 2));
        } else {
          const lines = describe(found);
          write(io.stdout, lines.length ? lines.join('\n') : 'no problems found');
          if (opts.repair && lines.length) write(io.stdout, problemCount(remaining) ? `after repair:\n${describe(remaining).join('\n')}` : `repaired ${lines.length} problem(s)`);
        }
        if (problemCount(remaining) > 0) throw new CliError(`${problemCount(remaining)} problem(s)${opts.repair ? ' remain' : ' found (run with --repair to fix them)'}`);
      });
    });
}
