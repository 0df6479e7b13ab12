import { basic, type Check, type Credentials, load, type Result, type Scenario, type ServerHandle } from '../lib.js';
import { benchSchema } from '../pg.js';

const BENCH_USER = { user: 'benchuser', password: 'Bench-User-Pass-2026' };
const USER_TARGET = 'GET cloud/users/{id}';

/**
 * The OCS hot paths a sync client hits on every start: status.php,
 * capabilities, and user metadata (quota) with Basic auth on every request.
 * Goal: user metadata at 40% or more of the hello-world ceiling, p99 under 15 ms.
 * The same user metadata on a Nimbus backed by PostgreSQL (when it answers):
 * at least half the req/s of the SQLite one.
 */
export const ocsScenario: Scenario = {
  name: 'ocs',
  async run({ nimbus, admin, startNimbus }) {
    const auth = basic(admin);
    await createBenchUser(nimbus, admin);
    const headers = { authorization: auth, 'OCS-APIRequest': 'true' };

    const results: Result[] = [];
    results.push(await load({ name: 'GET /status.php', url: `${nimbus.base}/status.php` }));
    results.push(await load({ name: 'GET cloud/capabilities', url: `${nimbus.base}/ocs/v2.php/cloud/capabilities?format=json`, headers }));
    results.push(await load({ name: USER_TARGET, url: `${nimbus.base}/ocs/v2.php/cloud/users/${BENCH_USER.user}?format=json`, headers }));

    const user = results.find((r) => r.name === USER_TARGET)!;
    const notes: string[] = [];
    const pgCheck: Check[] = [];
    const schema = await benchSchema();
    if (!schema) notes.push(`ocs: ${USER_TARGET} on PostgreSQL skipped, PostgreSQL does not answer`);
    else {
      const server = await startNimbus(schema.env);
      try {
        await createBenchUser(server, admin);
        const pgUser = await load({ name: `${USER_TARGET} (PostgreSQL)`, url: `${server.base}/ocs/v2.php/cloud/users/${BENCH_USER.user}?format=json`, headers });
        results.push(pgUser);
        const ratio = pgUser.reqPerSec / user.reqPerSec;
        pgCheck.push({ name: `${USER_TARGET} on PostgreSQL >= 0.5x the same on SQLite`, met: ratio >= 0.5, detail: `${ratio.toFixed(2)}x (${pgUser.reqPerSec.toFixed(0)} vs ${user.reqPerSec.toFixed(0)} req/s)` });
      } finally {
        await server.stop();
        await schema.drop();
      }
    }
    return {
      results,
      notes,
      checks: (ceiling) => {
        const ratio = user.reqPerSec / ceiling.reqPerSec;
        return [
          {
            name: `${USER_TARGET} >= 40% of ceiling req/s and p99 < 15 ms`,
            met: ratio >= 0.4 && user.p99 < 15,
            detail: `${(ratio * 100).toFixed(1)}% of ceiling, p99 ${user.p99.toFixed(1)} ms`,
          },
          ...pgCheck,
        ];
      },
    };
  },
};

/** The user is created over OCS itself, as an admin would. */
async function createBenchUser(server: ServerHandle, admin: Credentials): Promise<void> {
  const res = await fetch(`${server.base}/ocs/v2.php/cloud/users?format=json`, {
    method: 'POST',
    headers: { authorization: basic(admin), 'OCS-APIRequest': 'true', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ userid: BENCH_USER.user, password: BENCH_USER.password }).toString(),
  });
  if (!res.ok) throw new Error(`creating the bench user failed: ${res.status} ${await res.text()}`);
}
