import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DURATION, load, type Result, startChild, stopChild } from '../lib.js';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

/** /me/drives for a member of N spaces and /drives as admin over N spaces, for N = 100, 1,000 and 10,000. */
export async function drivesScenario(serverEntry: string, admin: { user: string; password: string }): Promise<Result[]> {
  const results: Result[] = [];
  for (const n of [100, 1000, 10000]) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-bench-drives-'));
    const server = await startChild(serverEntry, {
      DATA_DIR: dataDir,
      ADMIN_USER: admin.user,
      ADMIN_PASSWORD: admin.password,
      BENCH_SPACES: String(n),
      BENCH_MEMBER: 'member',
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      // One connection: the figure is the cost of one listing, not the queue of ten in front of it.
      const duration = Math.max(DURATION, n >= 10000 ? 10 : 0);
      results.push(
        await load({
          name: `GET /me/drives (member of ${n})`,
          url: `${base}/graph/v1.0/me/drives`,
          headers: { authorization: basic('member', 'Bench-Member-Pass-2026') },
          connections: 1,
          duration,
        }),
      );
      results.push(
        await load({
          name: `GET /drives (admin, ${n} spaces)`,
          url: `${base}/graph/v1.0/drives`,
          headers: { authorization: basic(admin.user, admin.password) },
          connections: 1,
          duration,
        }),
      );
    } finally {
      await stopChild(server.child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return results;
}
