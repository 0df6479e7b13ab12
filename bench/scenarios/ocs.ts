import { basic, load, type Result, type Scenario } from '../lib.js';

const BENCH_USER = { user: 'benchuser', password: 'Bench-User-Pass-2026' };
const USER_TARGET = 'GET cloud/users/{id}';

/**
 * The OCS hot paths a sync client hits on every start: status.php,
 * capabilities, and user metadata (quota) with Basic auth on every request.
 * Goal: user metadata at 40% or more of the hello-world ceiling, p99 under 15 ms.
 */
export const ocsScenario: Scenario = {
  name: 'ocs',
  async run({ nimbus, admin }) {
    const auth = basic(admin);
    // The user is created over OCS itself, as an admin would.
    const res = await fetch(`${nimbus.base}/ocs/v2.php/cloud/users?format=json`, {
      method: 'POST',
      headers: { authorization: auth, 'OCS-APIRequest': 'true', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ userid: BENCH_USER.user, password: BENCH_USER.password }).toString(),
    });
    if (!res.ok) throw new Error(`creating the bench user failed: ${res.status} ${await res.text()}`);
    const headers = { authorization: auth, 'OCS-APIRequest': 'true' };

    const results: Result[] = [];
    results.push(await load({ name: 'GET /status.php', url: `${nimbus.base}/status.php` }));
    results.push(await load({ name: 'GET cloud/capabilities', url: `${nimbus.base}/ocs/v2.php/cloud/capabilities?format=json`, headers }));
    results.push(await load({ name: USER_TARGET, url: `${nimbus.base}/ocs/v2.php/cloud/users/${BENCH_USER.user}?format=json`, headers }));

    const user = results.find((r) => r.name === USER_TARGET)!;
    return {
      results,
      checks: (ceiling) => {
        const ratio = user.reqPerSec / ceiling.reqPerSec;
        return [
          {
            name: `${USER_TARGET} >= 40% of ceiling req/s and p99 < 15 ms`,
            met: ratio >= 0.4 && user.p99 < 15,
            detail: `${(ratio * 100).toFixed(1)}% of ceiling, p99 ${user.p99.toFixed(1)} ms`,
          },
        ];
      },
    };
  },
};
