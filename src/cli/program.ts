import { Command, CommanderError } from 'commander';
import { DomainError } from '../domain/errors.js';
import { registerBackupCommands } from './commands/backup.commands.js';
import { registerCheckCommands } from './commands/check.commands.js';
import { registerGroupCommands } from './commands/groups.commands.js';
import { registerSpaceCommands } from './commands/spaces.commands.js';
import { registerStorageCommands } from './commands/storage.commands.js';
import { registerSystemCommands } from './commands/system.commands.js';
import { registerUserCommands } from './commands/users.commands.js';
import { registerOidcCommands } from './commands/oidc.commands.js';
import { CliError, type CliIo } from './io.js';

/** Every command of `nimbus`, writing to the given streams; usage errors throw instead of exiting. */
export function createProgram(io: CliIo): Command {
  const program = new Command('nimbus')
    .description('Administer a Nimbus server: users, groups, spaces, the database and the data directory.\nReads the same configuration as the server (environment, then .env of the working directory) and may run while the server runs.')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();
  registerUserCommands(program, io);
  registerGroupCommands(program, io);
  registerSpaceCommands(program, io);
  registerSystemCommands(program, io);
  registerCheckCommands(program, io);
  registerBackupCommands(program, io);
  registerStorageCommands(program, io);
  registerOidcCommands(program, io);
  // Subcommands inherit the overrides only when set on each of them.
  for (const command of program.commands) {
    command.exitOverride().showHelpAfterError('(run with --help for usage)').configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  }
  return program;
}

/** Runs one command line; resolves to the exit code: 0 success, 1 failure (message on stderr), 2 usage. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = createProgram(io);
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version were asked for; anything else commander refused is a usage error (already printed).
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2;
    }
    if (err instanceof CliError) {
      io.stderr.write(`error: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof DomainError) {
      io.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    io.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
