import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newUser, type TestApp } from '../../helpers/app.js';
import { dav, multistatus, propfind, put } from './dav-helpers.js';

type Who = { user: string; password: string };
const DAY = 86400;
const home = (u: string, p = '') => `/remote.php/dav/files/${u}/${p}`;

/** Writes one file once per age (oldest first, each with that mtime), then once more: every age becomes a version. */
async function history(t: TestApp, who: Who, name: string, agesSeconds: number[], body = (i: number) => `content ${i}`): Promise<number> {
  const now = Math.floor(Date.now() / 1000);
  for (const [i, age] of agesSeconds.entries()) await put(t.app, home(who.user, name), body(i), { as: who, headers: { 'x-oc-mtime': String(now - age) } });
  await put(t.app, home(who.user, name), body(agesSeconds.length), { as: who });
  return Number(multistatus(await propfind(t.app, home(who.user, name), ['oc:fileid'], { as: who }))[0]!.ok['oc:fileid']);
}

async function versionAges(t: TestApp, who: Who, fileId: number): Promise<number[]> {
  const now = Date.now();
  const list = multistatus(await propfind(t.app, `/remote.php/dav/versions/${who.user}/versions/${fileId}`, ['d:getlastmodified'], { as: who, depth: '1' })).slice(2);
  return list.map((r) => Math.round((now - Date.parse(String(r.ok['d:getlastmodified']))) / 1000 / DAY));
}

describeEachDb('File versions: expiry', (kind) => {
  let t: TestApp;
  let ann: Who;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    ann = await newUser(t.app, 'ann');
  });
  afterAll(async () => t?.close());

  it("follows Nextcloud's schedule: one a day within 30 days, one a week after; labelled versions stay", async () => {
    const id = await history(t, ann, 'sched.txt', [200 * DAY, 199 * DAY, 10 * DAY, 10 * DAY - 7200, 3 * 3600]);
    expect(await versionAges(t, ann, id)).toEqual([0, 10, 10, 199, 200]);
    const list = multistatus(await propfind(t.app, `/remote.php/dav/versions/ann/versions/${id}`, ['d:getlastmodified'], { as: ann, depth: '1' })).slice(2);
    const oldest = list[list.length - 1]!.href;
    const labelled = await dav(t.app, 'PROPPATCH', oldest, {
      as: ann,
      body: '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:nc="http://nextcloud.org/ns"><d:set><d:prop><nc:version-label>keep</nc:version-label></d:prop></d:set></d:propertyupdate>',
    });
    expect(labelled.statusCode).toBe(207);
    expect(await t.app.services.versions.expire()).toBe(1);
    expect(await versionAges(t, ann, id)).toEqual([0, 10, 199, 200]);
  });

  it('bounds the versions of a space to half its free quota, the oldest going first', async () => {
    const bea = await newUser(t.app, 'bea', { quota: '1000' });
    const hundred = (i: number) => String(i).padEnd(100, '.');
    const id = await history(t, bea, 'big.txt', [90 * DAY, 80 * DAY, 70 * DAY, 60 * DAY, 50 * DAY, 40 * DAY], hundred);
    expect(await versionAges(t, bea, id)).toEqual([40, 50, 60, 70, 80, 90]);
    // Free: 1000 - 100 = 900, so 450 bytes of versions at most: four of them.
    expect(await t.app.services.versions.expire()).toBe(2);
    expect(await versionAges(t, bea, id)).toEqual([40, 50, 60, 70]);
    const used = multistatus(await propfind(t.app, home('bea'), ['d:quota-used-bytes'], { as: bea }))[0]!.ok['d:quota-used-bytes'];
    expect(used).toBe('100');
  });

  it('runs once per period across processes: two processes asking at once, one sweeps', async () => {
    const peer = await t.peer();
    try {
      await history(t, ann, 'first.txt', [25 * DAY, 25 * DAY - 60]);
      const counts = await Promise.all([t.app.services.versions.expireIfDue(), peer.app.services.versions.expireIfDue()]);
      expect(counts.sort()).toEqual([0, 1]);
      const claim = await t.db.selectFrom('counters').select('value').where('name', '=', 'versions_expiry_sweep').executeTakeFirstOrThrow();
      expect(Number(claim.value)).toBeGreaterThan(0);
      // Claimed for this period: asking again does nothing, even with something to expire.
      await history(t, ann, 'again.txt', [20 * DAY, 20 * DAY - 60]);
      expect(await t.app.services.versions.expireIfDue()).toBe(0);
      expect(await peer.app.services.versions.expireIfDue()).toBe(0);
      expect(await t.app.services.versions.expire()).toBe(1);
    } finally {
      await peer.close();
    }
  });
});

describeEachDb('File versions: maximum age', (kind) => {
  let t: TestApp;
  let cid: Who;
  beforeAll(async () => {
    t = await buildTestApp(kind, { VERSIONS_MAX_AGE_DAYS: '30' });
    cid = await newUser(t.app, 'cid');
  });
  afterAll(async () => t?.close());

  it('drops every version older than VERSIONS_MAX_AGE_DAYS', async () => {
    const id = await history(t, cid, 'old.txt', [100 * DAY, 45 * DAY, 5 * DAY]);
    expect(await t.app.services.versions.expire()).toBe(2);
    expect(await versionAges(t, cid, id)).toEqual([5]);
  });
});
