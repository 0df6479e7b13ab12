import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../../src/config.js';
import { ADMIN, buildTestApp, type DbKind, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { graph } from '../../helpers/graph.js';
import { mkcol, put } from '../dav/dav-helpers.js';
import { ROLE } from '../graph/drives-helpers.js';

const SHAREES = '/apps/files_sharing/api/v1/sharees';
const RECOMMENDED = '/apps/files_sharing/api/v1/sharees_recommended';
const SHARES = '/apps/files_sharing/api/v1/shares';
type Cred = { user: string; password: string };

const DATA_KEYS = ['exact', 'users', 'groups', 'remotes', 'remote_groups', 'emails', 'lookup', 'circles', 'rooms', 'lookupEnabled'];
const EXACT_KEYS = ['users', 'groups', 'remotes', 'remote_groups', 'emails', 'circles', 'rooms'];

/**
 * alice and bob share the group "team"; carol ("Carol Bobson") and bobby
 * ("Roberta") are in "bobcats"; dave is disabled. Every app gets the same
 * cast, so each policy is seen on the same people.
 */
async function cast(t: TestApp): Promise<Record<'alice' | 'bob' | 'carol' | 'bobby' | 'dave', Cred>> {
  await newGroup(t.app, 'team');
  await newGroup(t.app, 'bobcats');
  const alice = await newUser(t.app, 'alice', { displayName: 'Alice Archer', groups: ['team'] });
  const bob = await newUser(t.app, 'bob', { displayName: 'Bob Builder', email: 'bob@example.com', groups: ['team'] });
  const carol = await newUser(t.app, 'carol', { displayName: 'Carol Bobson', groups: ['bobcats'] });
  const bobby = await newUser(t.app, 'bobby', { displayName: 'Roberta', email: 'rob@corp.test', groups: ['bobcats'] });
  const dave = await newUser(t.app, 'dave', { displayName: 'Bob Disabled', groups: ['team'] });
  expect((await ocs(t.app, 'PUT', '/cloud/users/dave/disable')).statusCode).toBe(200);
  return { alice, bob, carol, bobby, dave };
}

const find = (t: TestApp, as: Cred | null, query: string, version: 1 | 2 = 2) => ocs(t.app, 'GET', `${SHAREES}?${query}`, { as, version });
const ids = (list: any[]) => list.map((e) => e.value.shareWith);

function withApp(kind: DbKind, env: Partial<Env>, body: (get: () => { t: TestApp; who: Awaited<ReturnType<typeof cast>> }) => void): void {
  let t: TestApp;
  let who: Awaited<ReturnType<typeof cast>>;
  beforeAll(async () => {
    t = await buildTestApp(kind, env);
    who = await cast(t);
  });
  afterAll(async () => t?.close());
  body(() => ({ t, who }));
}

describeEachDb('OCS sharees search (files_sharing ShareesAPIController)', (kind) => {
  describe('default policy: enumeration on, federation out on', () => {
    withApp(kind, {}, (get) => {
      it('answers every key Nextcloud always sends; the whole id is exact, partial matches by id, display name and email are wide', async () => {
        const { t, who } = get();
        const res = await find(t, who.alice, 'search=bob&itemType=file');
        expect(res.statusCode).toBe(200);
        const d = res.ocs.data;
        expect(Object.keys(d)).toEqual(DATA_KEYS);
        expect(Object.keys(d.exact)).toEqual(EXACT_KEYS);
        expect(d.lookupEnabled).toBe(false);
        expect(d.exact.users).toEqual([
          { label: 'Bob Builder', subline: '', icon: 'icon-user', value: { shareType: 0, shareWith: 'bob' }, shareWithDisplayNameUnique: 'bob@example.com', status: [] },
        ]);
        // Ordered by display name; dave is disabled, alice is the caller.
        expect(ids(d.users)).toEqual(['carol', 'bobby']);
        expect(d.users[1].shareWithDisplayNameUnique).toBe('rob@corp.test');
        expect(d.groups).toEqual([{ label: 'bobcats', value: { shareType: 1, shareWith: 'bobcats' } }]);
        expect([d.remotes, d.exact.remotes, d.emails, d.exact.emails]).toEqual([[], [], [], []]);
        expect(res.headers.link).toBeUndefined();
      });

      it('finds a whole display name or email exactly, case-insensitively and trimmed', async () => {
        const { t, who } = get();
        expect(ids((await find(t, who.alice, 'search=%20bob%20builder%20&itemType=file')).ocs.data.exact.users)).toEqual(['bob']);
        const byMail = (await find(t, who.alice, 'search=ROB%40corp.test&itemType=folder')).ocs.data;
        expect(ids(byMail.exact.users)).toEqual(['bobby']);
        // An address-like search naming a local user offers no federated recipient (Search::search).
        expect(byMail.exact.remotes).toEqual([]);
        expect(ids((await find(t, who.alice, 'search=TEAM&itemType=file')).ocs.data.exact.groups)).toEqual(['team']);
      });

      it('never offers the caller or a disabled account, even by its whole id', async () => {
        const { t, who } = get();
        const self = (await find(t, who.alice, 'search=alice&itemType=file')).ocs.data;
        expect([self.exact.users, self.users]).toEqual([[], []]);
        const disabled = (await find(t, who.alice, 'search=dave&itemType=file')).ocs.data;
        expect([disabled.exact.users, disabled.users]).toEqual([[], []]);
        // The admin finds everyone with an "a" in an id, name or email (bob@example.com), but not themselves.
        const admin = (await find(t, ADMIN, 'search=a&itemType=file&shareType=0')).ocs.data;
        expect(ids(admin.exact.users).concat(ids(admin.users))).toEqual(['alice', 'bob', 'carol', 'bobby']);
      });

      it('offers a typed user@server as a remote recipient without contacting it, but not a user of this server', async () => {
        const { t, who } = get();
        const remote = (await find(t, who.alice, 'search=someone%40far.example&itemType=file')).ocs.data;
        expect(remote.exact.remotes).toEqual([
          { label: 'someone (far.example)', uuid: 'someone', name: 'someone', value: { shareType: 6, shareWith: 'someone@far.example', server: 'far.example' } },
        ]);
        const plain = (await find(t, who.alice, 'search=x%40http%3A%2F%2Flab.example%3A8080&itemType=file')).ocs.data.exact.remotes;
        expect(plain[0].value).toEqual({ shareType: 6, shareWith: 'x@http://lab.example:8080', server: 'http://lab.example:8080' });
        expect((await find(t, who.alice, 'search=bob%40http%3A%2F%2Fnimbus.test&itemType=file')).ocs.data.exact.remotes).toEqual([]);
        // Only files and folders go to other servers.
        expect((await find(t, who.alice, 'search=someone%40far.example&itemType=calendar')).ocs.data.exact.remotes).toEqual([]);
      });

      it('narrows to the asked share types; types Nimbus has no shares of are simply not searched', async () => {
        const { t, who } = get();
        const groups = (await find(t, who.alice, 'search=bob&itemType=file&shareType=1')).ocs.data;
        expect([groups.exact.users, groups.users, ids(groups.groups)]).toEqual([[], [], ['bobcats']]);
        const users = (await find(t, who.alice, 'search=bob&itemType=file&shareType[]=0&shareType[]=4&shareType[]=7')).ocs.data;
        expect([ids(users.exact.users), users.groups, users.emails]).toEqual([['bob'], [], []]);
        expect((await find(t, who.alice, 'search=someone%40far.example&itemType=file&shareType=0')).ocs.data.exact.remotes).toEqual([]);
      });

      it('pages with a Link header to the next page while there is one, perPage at most 25, on v1 and v2', async () => {
        const { t } = get();
        for (let i = 1; i <= 27; i++) await newUser(t.app, `pager${String(i).padStart(2, '0')}`);
        const first = await find(t, ADMIN, 'search=pager&itemType=file&shareType=0&perPage=10');
        expect(ids(first.ocs.data.users)).toEqual(Array.from({ length: 10 }, (_, i) => `pager${String(i + 1).padStart(2, '0')}`));
        expect(first.headers.link).toBe('<http://nimbus.test/ocs/v2.php/apps/files_sharing/api/v1/sharees?search=pager&itemType=file&shareType%5B0%5D=0&perPage=10&page=2>; rel="next"');
        const last = await find(t, ADMIN, 'search=pager&itemType=file&shareType=0&perPage=10&page=3');
        expect(ids(last.ocs.data.users)).toEqual(['pager21', 'pager22', 'pager23', 'pager24', 'pager25', 'pager26', 'pager27']);
        expect(last.headers.link).toBeUndefined();
        const clamped = await find(t, ADMIN, 'search=pager&itemType=file&perPage=200', 1);
        expect(clamped.ocs.meta.statuscode).toBe(100);
        expect(clamped.ocs.data.users).toHaveLength(25);
        expect(clamped.headers.link).toBe('<http://nimbus.test/ocs/v1.php/apps/files_sharing/api/v1/sharees?search=pager&itemType=file&shareType%5B0%5D=0&shareType%5B1%5D=1&shareType%5B2%5D=6&perPage=25&page=2>; rel="next"');
        expect((await find(t, ADMIN, 'search=pager&itemType=file&page=2')).ocs.data.users.map((u: any) => u.value.shareWith)).toEqual(['pager26', 'pager27']);
      });

      it('answers XML too', async () => {
        const { t, who } = get();
        const xml = await ocs(t.app, 'GET', `${SHAREES}?search=bob&itemType=file`, { as: who.alice, format: 'xml' });
        expect(xml.statusCode).toBe(200);
        expect(xml.body).toContain('<shareWith>bob</shareWith>');
        expect(xml.body).toContain('<remote_groups/>');
      });

      it('refuses bad parameters with 400 in the envelope, anonymous and wrong credentials with 401', async () => {
        const { t, who } = get();
        const bad = async (q: string, message: string) => {
          const res = await find(t, who.alice, q);
          expect([res.statusCode, res.ocs.meta.status, res.ocs.meta.message]).toEqual([400, 'failure', message]);
        };
        await bad('search=bob', 'Missing itemType');
        await bad('search=bob&itemType=file&page=0', 'Invalid page');
        await bad('search=bob&itemType=file&page=two', 'Invalid page');
        await bad('search=bob&itemType=file&perPage=0', 'Invalid perPage argument');
        await bad('search=bob&itemType=file&perPage=-5', 'Invalid perPage argument');
        await bad('search=bob&itemType=file&shareType=99', 'Invalid shareType');
        await bad('search=bob&itemType=file&shareType[]=0&shareType[]=user', 'Invalid shareType');
        await bad('search[]=bob&itemType=file', 'Invalid search');
        const v1 = await find(t, who.alice, 'search=bob&itemType=file&page=0', 1);
        expect([v1.statusCode, v1.ocs.meta.statuscode]).toEqual([200, 400]);
        const anon = await find(t, null, 'search=bob&itemType=file');
        expect([anon.statusCode, anon.ocs.meta.statuscode]).toEqual([401, 997]);
        expect((await find(t, { user: 'alice', password: 'wrong' }, 'search=bob&itemType=file')).statusCode).toBe(401);
        expect((await ocs(t.app, 'GET', `${RECOMMENDED}?itemType=file`, { as: null })).statusCode).toBe(401);
        expect((await ocs(t.app, 'GET', RECOMMENDED, { as: who.alice })).ocs.meta.message).toBe('Missing itemType');
      });

      it('recommends the recipients the caller shared with most, by type, with their counts; nobody else sees them', async () => {
        const { t, who } = get();
        const empty = (await ocs(t.app, 'GET', `${RECOMMENDED}?itemType=file`, { as: who.alice })).ocs.data;
        expect(empty).toEqual({ exact: { users: [], groups: [], remotes: [], remote_groups: [], emails: [] }, users: [], groups: [], remotes: [], remote_groups: [], emails: [] });
        await put(t.app, '/remote.php/dav/files/alice/a.txt', 'a', { as: who.alice });
        await put(t.app, '/remote.php/dav/files/alice/b.txt', 'b', { as: who.alice });
        await mkcol(t.app, '/remote.php/dav/files/alice/c', { as: who.alice });
        const share = async (path: string, shareType: number, shareWith?: string) =>
          expect((await ocs(t.app, 'POST', SHARES, { as: who.alice, body: { path, shareType, ...(shareWith ? { shareWith } : {}) } })).statusCode).toBe(200);
        await share('/a.txt', 0, 'carol');
        await share('/a.txt', 0, 'bob');
        await share('/b.txt', 0, 'bob');
        await share('/c', 1, 'team');
        await share('/c', 3);
        const rec = (await ocs(t.app, 'GET', `${RECOMMENDED}?itemType=folder`, { as: who.alice })).ocs.data;
        expect(rec.users).toEqual([
          { count: 2, label: 'Bob Builder', value: { shareType: 0, shareWith: 'bob' } },
          { count: 1, label: 'Carol Bobson', value: { shareType: 0, shareWith: 'carol' } },
        ]);
        expect(rec.groups).toEqual([{ count: 1, label: 'team', value: { shareType: 1, shareWith: 'team' } }]);
        const onlyGroups = (await ocs(t.app, 'GET', `${RECOMMENDED}?itemType=file&shareType[]=1`, { as: who.alice })).ocs.data;
        expect([onlyGroups.users, ids(onlyGroups.groups)]).toEqual([[], ['team']]);
        expect((await ocs(t.app, 'GET', `${RECOMMENDED}?itemType=file`, { as: who.bob })).ocs.data.users).toEqual([]);
        await ocs(t.app, 'PUT', '/cloud/users/carol/disable');
        expect(ids((await ocs(t.app, 'GET', `${RECOMMENDED}?itemType=file`, { as: who.alice })).ocs.data.users)).toEqual(['bob']);
        await ocs(t.app, 'PUT', '/cloud/users/carol/enable');
        // Expired shares count no more (Share20\Manager::getSharesBy drops them).
        await t.behindTheApp((db) => db.updateTable('shares').set({ expires_at: Date.now() - 1000 }).where('share_with', '=', 'bob').execute());
        expect(ids((await ocs(t.app, 'GET', `${RECOMMENDED}?itemType=file`, { as: who.alice })).ocs.data.users)).toEqual(['carol']);
      });
    });
  });

  describe('enumeration off: only whole ids, names and emails are found', () => {
    withApp(kind, { SHARE_USER_ENUMERATION: 'false' }, (get) => {
      it('finds bob by his id, name or email, but nobody by a part of it', async () => {
        const { t, who } = get();
        for (const q of ['bob', 'Bob%20Builder', 'BOB%40example.com']) {
          const d = (await find(t, who.alice, `search=${q}&itemType=file`)).ocs.data;
          expect([ids(d.exact.users), d.users]).toEqual([['bob'], []]);
        }
        const part = (await find(t, who.alice, 'search=bo&itemType=file')).ocs.data;
        expect([part.exact.users, part.users, part.exact.groups, part.groups]).toEqual([[], [], [], []]);
        expect(ids((await find(t, who.alice, 'search=bobcats&itemType=file')).ocs.data.exact.groups)).toEqual(['bobcats']);
        expect((await find(t, who.alice, 'search=bobcat&itemType=file')).ocs.data.groups).toEqual([]);
      });
    });
  });

  describe('enumeration restricted to the caller\'s groups', () => {
    withApp(kind, { SHARE_USER_ENUMERATION_GROUP_ONLY: 'true' }, (get) => {
      it('lists partial matches among group members only; a whole id outside them is still found', async () => {
        const { t, who } = get();
        const d = (await find(t, who.alice, 'search=bob&itemType=file')).ocs.data;
        expect([ids(d.exact.users), d.users, d.groups]).toEqual([['bob'], [], []]);
        expect(ids((await find(t, who.alice, 'search=carol&itemType=file')).ocs.data.exact.users)).toEqual(['carol']);
        expect((await find(t, who.alice, 'search=caro&itemType=file')).ocs.data.users).toEqual([]);
        expect(ids((await find(t, who.carol, 'search=rob&itemType=file')).ocs.data.users)).toEqual(['bobby']);
      });
    });
  });

  describe('sharing only with group members', () => {
    withApp(kind, { SHARE_ONLY_WITH_GROUP_MEMBERS: 'true' }, (get) => {
      it('finds only members of the caller\'s groups and the caller\'s own groups, for admins and subadmins alike', async () => {
        const { t, who } = get();
        const d = (await find(t, who.alice, 'search=bob&itemType=file')).ocs.data;
        expect([ids(d.exact.users), d.users, d.groups, d.exact.groups]).toEqual([['bob'], [], [], []]);
        expect((await find(t, who.alice, 'search=carol&itemType=file')).ocs.data.exact.users).toEqual([]);
        expect((await find(t, who.alice, 'search=bobcats&itemType=file')).ocs.data.exact.groups).toEqual([]);
        expect(ids((await find(t, who.alice, 'search=team&itemType=file')).ocs.data.exact.groups)).toEqual(['team']);
        expect((await find(t, ADMIN, 'search=carol&itemType=file')).ocs.data.exact.users).toEqual([]);
        expect((await ocs(t.app, 'POST', '/cloud/users/alice/subadmins', { body: { groupid: 'bobcats' } })).statusCode).toBe(200);
        expect((await find(t, who.alice, 'search=carol&itemType=file')).ocs.data.exact.users).toEqual([]);
      });

      it('refuses a share outside the sharer\'s groups with Nextcloud\'s words over OCS and 403 accessDenied over Graph', async () => {
        const { t, who } = get();
        await put(t.app, '/remote.php/dav/files/alice/note.txt', 'hi', { as: who.alice });
        const post = (body: Record<string, unknown>) => ocs(t.app, 'POST', SHARES, { as: who.alice, body: { path: '/note.txt', ...body } });
        const toCarol = await post({ shareType: 0, shareWith: 'carol' });
        expect([toCarol.statusCode, toCarol.ocs.meta.message]).toEqual([403, 'Sharing is only allowed with group members']);
        const toBobcats = await post({ shareType: 1, shareWith: 'bobcats' });
        expect([toBobcats.statusCode, toBobcats.ocs.meta.message]).toEqual([403, 'Sharing is only allowed within your own groups']);
        expect((await post({ shareType: 0, shareWith: 'bob' })).statusCode).toBe(200);
        expect((await post({ shareType: 1, shareWith: 'team' })).statusCode).toBe(200);
        const v1 = await ocs(t.app, 'POST', SHARES, { as: who.alice, version: 1, body: { path: '/note.txt', shareType: 0, shareWith: 'carol' } });
        expect([v1.statusCode, v1.ocs.meta.statuscode]).toEqual([200, 403]);

        const drive = (await graph(t.app, 'GET', '/graph/v1.0/me/drive', { as: who.alice })).data.id;
        const children = (await graph(t.app, 'GET', '/graph/v1.0/me/drive/root/children', { as: who.alice })).data.value;
        const item = children.find((i: any) => i.name === 'note.txt').id;
        const invite = (objectId: string, type?: string) =>
          graph(t.app, 'POST', `/graph/v1beta1/drives/${drive}/items/${item}/invite`, {
            as: who.alice,
            body: { recipients: [{ objectId, ...(type ? { '@libre.graph.recipient.type': type } : {}) }], roles: [ROLE.viewer] },
          });
        const graphCarol = await invite('carol');
        expect([graphCarol.statusCode, graphCarol.data.error.code, graphCarol.data.error.message]).toEqual([403, 'accessDenied', 'sharing is only allowed with group members']);
        const graphGroup = await invite('bobcats', 'group');
        expect([graphGroup.statusCode, graphGroup.data.error.message]).toEqual([403, 'sharing is only allowed within your own groups']);
        expect((await t.db.selectFrom('shares').select('share_with').execute()).map((r) => r.share_with).sort()).toEqual(['bob', 'team']);
      });
    });
  });

  describe('group sharing and federation off', () => {
    withApp(kind, { SHARE_ALLOW_GROUP_SHARING: 'false', FEDERATION_OUTGOING: 'false' }, (get) => {
      it('offers no groups and no remote recipients, and the next page\'s link asks for users only', async () => {
        const { t, who } = get();
        const d = (await find(t, who.alice, 'search=bobcats&itemType=file')).ocs.data;
        expect([d.exact.groups, d.groups]).toEqual([[], []]);
        expect((await find(t, who.alice, 'search=team&itemType=file&shareType=1')).ocs.data.exact.groups).toEqual([]);
        expect((await find(t, who.alice, 'search=someone%40far.example&itemType=file')).ocs.data.exact.remotes).toEqual([]);
        const paged = await find(t, who.alice, 'search=o&itemType=file&perPage=1');
        expect(paged.headers.link).toBe('<http://nimbus.test/ocs/v2.php/apps/files_sharing/api/v1/sharees?search=o&itemType=file&shareType%5B0%5D=0&perPage=1&page=2>; rel="next"');
      });
    });
  });
});
