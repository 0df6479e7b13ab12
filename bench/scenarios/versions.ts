import { randomBytes } from 'node:crypto';
import { basic, type Check, load, type Result, type Scenario, type ServerHandle } from '../lib.js';

const SMALL = 1024;

/**
 * What keeping versions costs a writer: PUT 1 KB overwrites of one file on
 * two servers of their own, one with versions (every overwrite keeps the
 * previous content: a version row takes over its blob) and one with
 * VERSIONS_ENABLED=false (the previous blob is released). Measured twice in
 * alternating order (off, on, on, off) so a change of load on the machine
 * weighs on both alike.
 *
 * Goal: with versions at least 0.8x the req/s without them.
 */
export const versionsScenario: Scenario = {
  name: 'versions',
  async run({ admin, startNimbus }) {
    const auth = basic(admin);
    const body = randomBytes(SMALL).toString('latin1');
    const servers: Record<'on' | 'off', ServerHandle> = { on: await startNimbus({ VERSIONS_ENABLED: 'true' }), off: await startNimbus({ VERSIONS_ENABLED: 'false' }) };
    try {
      const measure = (which: 'on' | 'off', round: number) =>
        load({
          name: `PUT 1 KB (overwrite), versions ${which} #${round}`,
          url: `${servers[which].base}/remote.php/dav/files/${admin.user}/versioned.bin`,
          method: 'PUT',
          headers: { authorization: auth },
          body,
        });
      // Both fresh servers get the same unmeasured start (JIT, statement caches, the file's first versions) before either is measured.
      for (const which of ['off', 'on'] as const) {
        for (let i = 0; i < 300; i++) {
          const res = await fetch(`${servers[which].base}/remote.php/dav/files/${admin.user}/versioned.bin`, { method: 'PUT', headers: { authorization: auth }, body });
          await res.arrayBuffer();
        }
      }
      const results: Result[] = [await measure('off', 1), await measure('on', 1), await measure('on', 2), await measure('off', 2)];
      const rate = (which: 'on' | 'off') => results.filter((r) => r.name.includes(`versions ${which}`)).reduce((s, r) => s + r.reqPerSec, 0) / 2;
      const ratio = rate('on') / rate('off');
      const checks: Check[] = [
        { name: 'PUT 1 KB overwrite with versions >= 0.8x without', met: ratio >= 0.8, detail: `${ratio.toFixed(2)}x (${rate('on').toFixed(0)} vs ${rate('off').toFixed(0)} req/s)` },
      ];
      return { results, checks: () => checks };
    } finally {
      await servers.on.stop();
      await servers.off.stop();
    }
  },
};
