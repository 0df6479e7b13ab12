import { basic, DURATION, load, type Result, type Scenario } from '../lib.js';

const MEMBER = { user: 'member', password: 'Bench-Member-Pass-2026' };
const SIZES = [100, 1000, 10000];

/**
 * /me/drives for a member of N spaces and /drives as admin over N spaces, for
 * N = 100, 1,000 and 10,000, each on its own seeded server.
 * Goal: /me/drives for a member of 1,000 spaces answers with p99 under 50 ms,
 * and the cost per listed space stays flat as N grows (linear or better).
 */
export const drivesScenario: Scenario = {
  name: 'drives',
  async run({ admin, startNimbus }) {
    const results: Result[] = [];
    for (const n of SIZES) {
      // bench/servers/nimbus.ts seeds the spaces and the member before it listens.
      const server = await startNimbus({ BENCH_SPACES: String(n), BENCH_MEMBER: MEMBER.user, BENCH_MEMBER_PASSWORD: MEMBER.password });
      try {
        // One connection: the figure is the cost of one listing, not the queue of ten in front of it.
        const duration = Math.max(DURATION, n >= 10000 ? 10 : 0);
        results.push(
          await load({
            name: `GET /me/drives (member of ${n})`,
            url: `${server.base}/graph/v1.0/me/drives`,
            headers: { authorization: basic(MEMBER) },
            connections: 1,
            duration,
          }),
        );
        results.push(
          await load({
            name: `GET /drives (admin, ${n} spaces)`,
            url: `${server.base}/graph/v1.0/drives`,
            headers: { authorization: basic(admin) },
            connections: 1,
            duration,
          }),
        );
      } finally {
        await server.stop();
      }
    }

    const member1000 = results.find((r) => r.name === 'GET /me/drives (member of 1000)')!;
    const perSpace = results
      .filter((r) => r.name.startsWith('GET /me/drives'))
      .map((r) => {
        const n = Number(/of (\d+)/.exec(r.name)![1]);
        return `${n} spaces: ${(1e6 / r.reqPerSec / n).toFixed(1)} µs/space`;
      });
    return {
      results,
      checks: [{ name: '/me/drives with 1,000 spaces p99 < 50 ms', met: member1000.p99 < 50, detail: `p99 ${member1000.p99.toFixed(1)} ms` }],
      notes: [`/me/drives cost per space returned (flat or falling = linear or better): ${perSpace.join('; ')}`],
    };
  },
};
