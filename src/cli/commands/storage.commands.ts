import { Option, type Command } from 'commander';
import { humanSize } from '../../domain/quota.js';
import { CliError, type CliIo, write } from '../io.js';
import { type OutputFormat, outputOption, printRecord } from '../output.js';
import { cliConfig } from '../runtime.js';
import { migrateStorage, type StoreKind } from '../storage-migrate.js';

const PROGRESS_EVERY_MS = 5000;

export function registerStorageCommands(program: Command, io: CliIo): void {
  program
    .command('storage:migrate')
    .description(
      'copy every blob from the store STORAGE names to the other one (--to s3: the S3_* settings; --to fs: DATA_DIR), each verified by checksum; ' +
        'resumable (a later run skips what an earlier one copied and verified). Run it while the server serves, then once more with --final while ' +
        'no server writes, then start the server with the new STORAGE (see README, "Moving to another store")',
    )
    .addOption(new Option('--to <store>', 'the store to move to').choices(['s3', 'fs']).makeOptionMandatory())
    .option('--final', 'the last pass, while no server writes: copy what the rows hold, fail unless all of it is in the target, remove the target\'s copies of blobs deleted meanwhile')
    .option('--verify', 're-read every copy an earlier run made and compare its SHA-256 (a corrupted one is copied again), instead of trusting its size')
    .addOption(outputOption())
    .action(async (opts: { to: StoreKind; final?: boolean; verify?: boolean; output: OutputFormat }) => {
      const config = cliConfig(io);
      const target = { kind: opts.to, config: cliConfig(io, { STORAGE: opts.to }) };
      let last = Date.now();
      const report = await migrateStorage(config, target, {
        final: opts.final === true,
        verify: opts.verify === true,
        progress: (t, total) => {
          if (Date.now() - last < PROGRESS_EVERY_MS) return;
          last = Date.now();
          io.stderr.write(`${t.blobs}/${total} blob(s): ${t.copied} copied (${humanSize(t.bytes)}), ${t.skipped} already there\n`);
        },
      });
      printRecord(io, opts.output, opts.output === 'json' ? { ...report } : {
        from: report.from,
        to: report.to,
        pass: report.final ? 'final' : 'while serving',
        blobs: report.blobs,
        copied: `${report.copied} (${humanSize(report.bytes)})`,
        skipped: report.skipped,
        repaired: report.repaired,
        ...(report.final ? { removed: report.removed } : { vanished: report.vanished.length }),
        seconds: report.seconds,
      });
      const problems = [
        ...report.corrupted.map((id) => `blob ${id} does not match the checksum its row declares; it was not copied (the source is damaged: restore it from a backup)`),
        ...report.failed.map((f) => `blob ${f.id} could not be copied: ${f.reason}`),
        ...(report.final ? report.vanished.map((id) => `blob ${id} is held by a row but missing from the source (nimbus check lists such rows)`) : []),
      ];
      if (problems.length) {
        for (const p of problems) io.stderr.write(`${p}\n`);
        throw new CliError(`${problems.length} blob(s) not in the target; run again once they are dealt with`);
      }
      if (opts.output !== 'json') {
        write(io.stdout, report.final
          ? `every blob is in the target: start the server with STORAGE=${opts.to}${opts.to === 's3' ? ' and the same S3_* settings' : ''}`
          : 'copied while serving: run it again with --final while no server writes (stopped, or STORAGE_READ_ONLY=true), then switch STORAGE');
      }
    });
}
