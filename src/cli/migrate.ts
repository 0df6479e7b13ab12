import path from 'node:path';
import { loadConfig, readDotEnv } from '../config.js';
import { connect } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';

const config = loadConfig({ ...readDotEnv(path.resolve('.env')), ...process.env });
const handle = connect(config.database);
try {
  const applied = await migrateToLatest(handle.db, config.database.kind === 'postgres' ? config.database.schema : undefined);
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
} catch (err) {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
