import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { connect } from '../../src/db/connect.js';
import { seedSpaces } from '../seed-spaces.js';

// A real Nimbus on loopback with the throwaway data directory and admin given by the parent.
const config = loadConfig({ ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' });
const handle = connect(config.database);
const app = await buildApp(config, { db: handle });
// The benchmark's own probe, not part of Nimbus: how many statements the database was sent so far.
app.get('/__bench/statements', async () => ({ statements: handle.stats.statements }));
const spaces = Number(process.env.BENCH_SPACES ?? 0);
if (spaces > 0) {
  const member = process.env.BENCH_MEMBER ?? 'member';
  await app.services.users.create(config.admin.user, { userId: member, password: process.env.BENCH_MEMBER_PASSWORD ?? 'Bench-Member-Pass-2026' });
  await seedSpaces(config.database, spaces, member);
}
// BENCH_PORT: a server whose PUBLIC_URL must name its port before it starts (an OpenID Connect issuer).
await app.listen({ host: '127.0.0.1', port: Number(process.env.BENCH_PORT ?? 0) });
const address = app.server.address();
process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
process.on('SIGTERM', () => void app.close().then(() => handle.close()).then(() => process.exit(0)));
