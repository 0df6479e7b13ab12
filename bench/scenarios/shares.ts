import { randomBytes } from 'node:crypto';
import { basic, type Check, type Credentials, load, type Result, type Scenario } from '../lib.js';

const SHARES = 1000;
const OCS = '/ocs/v2.php/apps/files_sharing/api/v1/shares';

async function call(base: string, method: string, path: string, auth: string, form?: Record<string, string>, body?: Buffer | string): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { authorization: auth, 'OCS-APIRequest': 'true' };
  let payload: string | Buffer | undefined = body;
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(form).toString();
  }
  const res = await fetch(`${base}${path}`, { method, headers, body: typeof payload === "string" || payload === undefined ? payload : new Uint8Array(payload) });
  return { status: res.status, text: await res.text() };
}

async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function must(p: Promise<{ status: number; text: string }>, what: string): Promise<string> {
  const r = await p;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text.slice(0, 200)}`);
  return r.text;
}

/**
 * Sharing: the OCS share list of a user who made 1,000 shares, the
 * `shared_with_me` list of a user who received 1,000 (half directly, half
 * through a group), one request at a time; and a 1 KB GET through a public
 * link against the same GET by its owner, at 10 connections.
 *
 * Goals: both listings p99 < 50 ms; the public GET within 2x of the
 * authenticated one (at least half its rate).
 */
export const sharesScenario: Scenario = {
  name: 'shares',
  async run({ nimbus, admin }) {
    const adminAuth = basic(admin);
    const sharer: Credentials = { user: 'sharer', password: 'Bench-Sharer-Pass-2026' };
    const receiver: Credentials = { user: 'receiver', password: 'Bench-Receiver-Pass-2026' };
    for (const u of [sharer, receiver]) await must(call(nimbus.base, 'POST', '/ocs/v2.php/cloud/users', adminAuth, { userid: u.user, password: u.password }), `user ${u.user}`);
    await must(call(nimbus.base, 'POST', '/ocs/v2.php/cloud/groups', adminAuth, { groupid: 'receivers' }), 'group');
    await must(call(nimbus.base, 'POST', `/ocs/v2.php/cloud/users/${receiver.user}/groups`, adminAuth, { groupid: 'receivers' }), 'membership');

    const auth = basic(sharer);
    const files = `/remote.php/dav/files/${sharer.user}`;
    await must(call(nimbus.base, 'MKCOL', `${files}/shared`, auth), 'mkcol');
    const names = Array.from({ length: SHARES }, (_, i) => `doc-${String(i).padStart(4, '0')}.txt`);
    await inParallel(names, 8, async (n) => {
      await must(call(nimbus.base, 'PUT', `${files}/shared/${n}`, auth, undefined, `content of ${n}`), `put ${n}`);
    });
    const started = Date.now();
    await inParallel(names, 4, async (n) => {
      const i = Number(n.slice(4, 8));
      const target = i % 2 === 0 ? { shareType: '0', shareWith: receiver.user } : { shareType: '1', shareWith: 'receivers' };
      await must(call(nimbus.base, 'POST', OCS, auth, { path: `/shared/${n}`, permissions: '1', ...target }), `share ${n}`);
    });
    const seedSeconds = (Date.now() - started) / 1000;

    const small = randomBytes(1024);
    await must(call(nimbus.base, 'PUT', `${files}/small.bin`, auth, undefined, small), 'small');
    const link = JSON.parse(await must(call(nimbus.base, 'POST', `${OCS}?format=json`, auth, { path: '/small.bin', shareType: '3' }), 'link'));
    const token: string = link.ocs.data.token;

    const headers = { authorization: auth, 'OCS-APIRequest': 'true' };
    const results: Result[] = [
      await load({ name: `OCS shares, ${SHARES} outgoing`, url: `${nimbus.base}${OCS}?format=json`, headers, connections: 1 }),
      await load({
        name: `OCS shared_with_me, ${SHARES} incoming (users + group)`,
        url: `${nimbus.base}${OCS}?format=json&shared_with_me=true`,
        headers: { authorization: basic(receiver), 'OCS-APIRequest': 'true' },
        connections: 1,
      }),
      await load({ name: 'GET 1 KB, owner (authenticated)', url: `${nimbus.base}${files}/small.bin`, headers: { authorization: auth } }),
      await load({ name: 'GET 1 KB, public link', url: `${nimbus.base}/public.php/webdav/`, headers: { authorization: `Basic ${Buffer.from(`${token}:`).toString('base64')}` } }),
    ];
    const [outgoing, incoming, owner, pub] = results as [Result, Result, Result, Result];
    const checks: Check[] = [
      { name: `shares list of ${SHARES} outgoing p99 < 50 ms`, met: outgoing.p99 < 50, detail: `p99 ${outgoing.p99.toFixed(1)} ms` },
      { name: `shared_with_me of ${SHARES} incoming p99 < 50 ms`, met: incoming.p99 < 50, detail: `p99 ${incoming.p99.toFixed(1)} ms` },
      {
        name: 'public-link GET within 2x of the authenticated GET',
        met: pub.non2xx === 0 && pub.errors === 0 && pub.reqPerSec * 2 >= owner.reqPerSec,
        detail: `${Math.round(pub.reqPerSec)} vs ${Math.round(owner.reqPerSec)} req/s (${(owner.reqPerSec / Math.max(pub.reqPerSec, 1)).toFixed(2)}x)`,
      },
    ];
    return { results, checks: () => checks, notes: [`Seeding ${SHARES} shares over OCS took ${seedSeconds.toFixed(1)} s (4 at a time).`] };
  },
};
