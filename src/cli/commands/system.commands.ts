import { access, constants, mkdir } from 'node:fs/promises';
import type { Command } from 'commander';
import { sql } from 'kysely';
import type { Config } from '../../config.js';
import { connect } from '../../db/connect.js';
import { migrateToLatest, pendingMigrations } from '../../db/migrate.js';
import { probeBlobStore } from '../../storage/blob-store-factory.js';
import { CliError, type CliIo, write } from '../io.js';
import { type OutputFormat, outputOption, printRecord } from '../output.js';
import { cliConfig } from '../runtime.js';

const MASK = '********';

/** The configuration as it is in force, with every secret replaced by a mask (a database URL keeps all but its password). */
export function maskedConfig(config: Config): Record<string, unknown> {
  const database =
    config.database.kind === 'postgres'
      ? { ...config.database, url: maskUrlPassword(config.database.url) }
      : config.database;
  return {
    ...config,
    database,
    admin: { user: config.admin.user, password: config.admin.password ? MASK : null },
    metrics: { ...config.metrics, token: config.metrics.token ? MASK : null },
    externalOidc: config.externalOidc && { ...config.externalOidc, clientSecret: config.externalOidc.clientSecret ? MASK : null },
    oidc: { ...config.oidc, extraClients: config.oidc.extraClients.map((c) => ({ ...c, clientSecret: c.clientSecret ? MASK : null })) },
    storage: config.storage.kind === 's3' ? { kind: 's3', s3: { ...config.storage.s3, secretKey: MASK } } : config.storage,
  };
}

function maskUrlPassword(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = MASK;
    return url.toString();
  } catch {
    return MASK;
  }
}

export function registerSystemCommands(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .description('bring the database schema up to date (the server also does this when it starts)')
    .action(async () => {
      const config = cliConfig(io);
      const handle = connect(config.database);
      try {
        const applied = await migrateToLatest(handle.db, config.database.kind === 'postgres' ? config.database.schema : undefined);
        write(io.stdout, applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      } catch (err) {
        throw new CliError(`migration failed: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        await handle.close();
      }
    });

  program
    .command('config:check')
    .description('validate the environment (and .env), check the database, the data directory and (STORAGE=s3) that the bucket takes a write, and print the effective configuration with secrets masked')
    .addOption(outputOption())
    .action(async (opts: { output: OutputFormat }) => {
      const config = cliConfig(io);
      printRecord(io, opts.output, maskedConfig(config));
      const problems: string[] = [];
      try {
        await mkdir(config.dataDir, { recursive: true });
        await access(config.dataDir, constants.W_OK);
      } catch (err) {
        problems.push(`data directory ${config.dataDir} is not writable: ${(err as Error).message}`);
      }
      const storageProblem = await probeBlobStore(config);
      if (storageProblem) problems.push(`blob store (STORAGE=s3): ${storageProblem}`);
      const handle = connect(config.database);
      try {
        await sql`select 1`.execute(handle.db);
        const pending = await pendingMigrations(handle.db, config.database.kind === 'postgres' ? config.database.schema : undefined);
        if (pending.length) io.stderr.write(`note: ${pending.length} migration(s) pending; they apply when the server starts or with "nimbus migrate"\n`);
      } catch (err) {
        problems.push(`database does not answer: ${(err as Error).message}`);
      } finally {
        await handle.close().catch(() => undefined);
      }
      if (problems.length) throw new CliError(problems.join('\n'));
      if (opts.output === 'table') io.stderr.write('configuration is valid\n');
    });
}
