import type { Command } from 'commander';
import { humanSize } from '../../domain/quota.js';
import { backup, restore } from '../backup.js';
import type { Config } from '../../config.js';
import { CliError, type CliIo, write } from '../io.js';
import { cliConfig } from '../runtime.js';

/** The backup copies the data directory's blobs; a bucket's objects are the bucket's to keep (versioning, replication). */
function fileStoreOnly(config: Config, command: string): Config {
  if (config.storage.kind === 's3') throw new CliError(`nimbus ${command} copies blobs of the data directory, and STORAGE=s3 keeps them in bucket ${config.storage.s3.bucket}: back the bucket up with its own versioning or replication, and the database with pg_dump`);
  return config;
}

export function registerBackupCommands(program: Command, io: CliIo): void {
  program
    .command('backup')
    .description('write a consistent backup of the database and the blobs into an empty directory, while the server runs (SQLite: online backup API; PostgreSQL: pg_dump, which must be installed); blobs are hard-linked where the file system allows')
    .argument('<dir>', 'backup directory (created; must be empty)')
    .action(async (dir: string) => {
      const started = Date.now();
      const manifest = await backup(fileStoreOnly(cliConfig(io), 'backup'), dir);
      write(io.stdout, `backup of the ${manifest.database} database and ${manifest.blobs.count} blob(s) (${humanSize(manifest.blobs.bytes)}, ${manifest.blobs.linked} hard-linked) written to ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

  program
    .command('restore')
    .description('restore a backup onto an empty data directory (and for PostgreSQL an empty database or schema of the same name); start the server afterwards')
    .argument('<dir>', 'a directory written by nimbus backup')
    .action(async (dir: string) => {
      const manifest = await restore(fileStoreOnly(cliConfig(io), 'restore'), dir);
      write(io.stdout, `restored the ${manifest.database} backup of ${manifest.createdAt} (${manifest.blobs.count} blob(s))`);
    });
}
