import { basic, DURATION, load, type Result, type Scenario } from '../lib.js';

const MEMBER = { user: 'member', password: 'Bench-Member-Pass-2026' };
const SIZES = [100, 1000, 10000];
/** How much the cost per listed space may grow from 100 to 10,000 spaces and still count as linear (noise, GC of a 10 MB answer). */
const LINEAR_SLACK = 2;

const spacesIn = (r: Result): number => Number(/(\d+)/.exec(r.name.replace('/me/drives', ''))![1]);
const perSpaceMicros = (r: Result): number => 1e6 / r.reqPerSec / spacesIn(r);

/**
 * GET /graph/v1.0/me/drives for a user who is a member of N spaces (half
 * directly, half through a group; each space also has its Manager, so two
 * grants per space) and GET /graph/v1.0/drives as an admin over N spaces,
 * for N = 100, 1,000 and 10,000, each on its own server seeded through the
 * repositories in one transaction (bench/seed-spaces.ts).
 *
 * Goals: /me/drives for a member of 1,000 spaces with p99 under 50 ms, and a
 * cost per listed space that does not grow with N (the listing is a fixed
 * number of queries; the work is proportional to the spaces returned).
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

    const mine = results.filter((r) => r.name.startsWith('GET /me/drives'));
    const all = results.filter((r) => r.name.startsWith('GET /drives'));
    const member1000 = mine.find((r) => spacesIn(r) === 1000)!;
    const growth = (list: Result[]) => perSpaceMicros(list[list.length - 1]!) / Math.min(...list.map(perSpaceMicros));
    const describe = (list: Result[]) => list.map((r) => `${spacesIn(r)}: ${perSpaceMicros(r).toFixed(1)} µs/space`).join('; ');
    return {
      results,
      checks: () => [
        { name: '/me/drives with 1,000 spaces p99 < 50 ms', met: member1000.p99 < 50, detail: `p99 ${member1000.p99.toFixed(1)} ms` },
        {
          name: `/me/drives cost per space at 10,000 within ${LINEAR_SLACK}x of the cheapest size (linear or better)`,
          met: growth(mine) <= LINEAR_SLACK,
          detail: `${growth(mine).toFixed(2)}x; ${describe(mine)}`,
        },
        {
          name: `/drives (admin) cost per space at 10,000 within ${LINEAR_SLACK}x of the cheapest size`,
          met: growth(all) <= LINEAR_SLACK,
          detail: `${growth(all).toFixed(2)}x; ${describe(all)}`,
        },
      ],
    };
  },
};
