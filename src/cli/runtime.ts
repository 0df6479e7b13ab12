import path from 'node:path';
import type { Core } from '../core.js';
import { type Config, ConfigError, loadConfig, readDotEnv } from '../config.js';
import { CliError, type CliIo } from './io.js';

/** The server's configuration, read the way the server reads it: `.env` of the working directory, overridden by the environment (and by `over`). */
export function cliConfig(io: CliIo, over: Record<string, string> = {}): Config {
  try {
    return loadConfig({ ...readDotEnv(path.resolve('.env')), ...io.env, ...over });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
}

/**
 * Runs one command on the services, built as the server builds them (the
 * same database, migrations and rules), without listening; closed afterwards.
 * A server may be running on the same database: writes go through the
 * repositories, which record them in the cross-process cache change log.
 */
export async function withCore<T>(io: CliIo, run: (core: Core, config: Config) => Promise<T>): Promise<T> {
  const config = cliConfig(io);
  // Loaded only when a command needs it, so that --help and usage errors answer at once.
  const { buildCore, StorageUnavailableError } = await import('../core.js');
  let core: Core;
  try {
    core = await buildCore(config);
  } catch (err) {
    if (err instanceof StorageUnavailableError) throw new CliError(err.message);
    throw err;
  }
  try {
    core.handle.feed.beginRequest();
    return await run(core, config);
  } finally {
    await core.closeStorage();
    await core.handle.close();
  }
}
