import path from 'node:path';
import { buildApp, loggerOptions } from './app.js';
import { ConfigError, loadConfig, readDotEnv } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig({ ...readDotEnv(path.resolve('.env')), ...process.env });
  const app = await buildApp(config, { logger: loggerOptions(config.logLevel, process.stdout.isTTY === true) });
  const { bootstrap } = app;
  if (bootstrap.created) {
    app.log.info({ user: bootstrap.adminUser }, 'created the first admin account');
    if (bootstrap.generatedPassword) {
      // Shown once on the terminal, never through the logger, so it cannot end up in log files.
      process.stdout.write(
        `\n  First admin: ${bootstrap.adminUser}\n  Password:    ${bootstrap.generatedPassword}\n  (generated because ADMIN_PASSWORD is not set; it is not shown again)\n\n`,
      );
    }
  }
  const db = config.database.kind === 'sqlite' ? config.database.file : 'PostgreSQL';
  app.log.info({ dataDir: config.dataDir, database: db }, 'data location');
  await app.listen({ host: config.host, port: config.port });
  app.log.info({ publicUrl: config.publicUrl }, 'Nimbus is ready');

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Nimbus failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
