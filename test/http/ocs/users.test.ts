import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, buildTestApp, describeEachDb, newGroup, newUser, ocs, type OcsCallOptions, type TestApp } from '../../helpers/app.js';
import { expectError, expectXmlError, type Method, parseXml } from '../../helpers/ocs-assert.js';

type Creds = { user: string; password: string };

const GiB = 1024 ** 3;

/** Keys of Nextcloud's user data in output order (sample 11, admin looking at themself). */
const SAMPLE_11_KEYS = [
  'enabled', 'storageLocation', 'id', 'firstLoginTimestamp', 'lastLoginTimestamp', 'lastLogin', 'backend', 'subadmin', 'quota',
  'manager', 'avatarScope', 'email', 'emailScope', 'additional_mail', 'additional_mailScope', 'displayname', 'display-name',
  'displaynameScope', 'phone', 'phoneScope', 'address', 'addressScope', 'website', 'websiteScope', 'twitter', 'twitterScope',
  'bluesky', 'blueskyScope', 'fediverse', 'fediverseScope', 'organisation', 'organisationScope', 'role', 'roleScope', 'headline',
  'headlineScope', 'biography', 'biographyScope', 'profile_enabled', 'profile_enabledScope', 'pronouns', 'pronounsScope', 'groups',
  'language', 'locale', 'timezone', 'notify_email', 'backendCapabilities',
];
// Nimbus has no per-user home directory to report yet.
const EXPECTED_KEYS = SAMPLE_11_KEYS.filter((k) => k !== 'storageLocation');
const SCOPE_KEYS = SAMPLE_11_KEYS.filter((k) => k.endsWith('Scope'));



async function expectOk(app: FastifyInstance, method: Method, route: string, o: OcsCallOptions = {}): Promise<any> {
  const res = await ocs(app, method, route, o);
  expect(res.statusCode, `${method} ${route}: ${res.body}`).toBe(200);
  expect(res.ocs.meta.status).toBe('ok');
  expect(res.ocs.meta.statuscode).toBe(o.version === 1 ? 100 : 200);
  return res.ocs.data;
}

describeEachDb('OCS provisioning: users', (kind) => {
  let t: TestApp;
  let app: FastifyInstance;
  let sub: Creds;
  let alice: Creds;
  let bob: Creds;
  let pat: Creds;
  let boss: Creds;

  const getUser = (id: string, as: Creds = ADMIN): Promise<any> => expectOk(app, 'GET', `/cloud/users/${encodeURIComponent(id)}`, { as });
  const edit = (id: string, key: string, value: string, as: Creds = ADMIN, extra: OcsCallOptions = {}) =>
    ocs(app, 'PUT', `/cloud/users/${encodeURIComponent(id)}`, { as, body: { key, value }, ...extra });

  beforeAll(async () => {
    t = await buildTestApp(kind);
    app = t.app;
    await newGroup(app, 'staff');
    await newGroup(app, 'sales');
    await newGroup(app, 'lonely');
    // sub administers staff and is a member of it; boss is an admin inside staff.
    sub = await newUser(app, 'sub', { groups: ['staff'], subadmin: ['staff'] });
    alice = await newUser(app, 'alice', { groups: ['staff'] });
    bob = await newUser(app, 'bob', { groups: ['sales'] });
    pat = await newUser(app, 'pat');
    boss = await newUser(app, 'boss', { groups: ['admin', 'staff'] });
  });
  afterAll(async () => t?.close());

  describe('anonymous callers', () => {
    const routes: Array<[Method, string]> = [
      ['GET', '/cloud/users'],
      ['GET', '/cloud/users/details'],
      ['POST', '/cloud/users'],
      ['GET', '/cloud/user'],
      ['GET', '/cloud/users/alice'],
      ['PUT', '/cloud/users/alice'],
      ['DELETE', '/cloud/users/alice'],
      ['PUT', '/cloud/users/alice/enable'],
      ['PUT', '/cloud/users/alice/disable'],
    ];
    it.each(routes)('%s %s answers 997 with a Basic challenge on v1 and v2', async (method, route) => {
      for (const version of [1, 2] as const) {
        const res = await ocs(app, method, route, { as: null, version, body: method === 'GET' ? undefined : { key: 'email', value: 'x@y.z' } });
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Basic realm="Authorisation Required"');
        expect(res.ocs.meta).toMatchObject({ status: 'failure', statuscode: 997, message: 'Current user is not logged in' });
        expect(res.ocs.data).toEqual([]);
      }
    });

    it('answers 997 in XML too', async () => {
      const res = await ocs(app, 'GET', '/cloud/users', { as: null, format: 'xml' });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="Authorisation Required"');
      expect(parseXml(res.body).ocs.meta.statuscode).toBe('997');
    });

    it('gives wrong credentials 997 "Unauthorised" exactly like sample 40', async () => {
      const res = await ocs(app, 'GET', '/cloud/users/admin', { as: { user: 'admin', password: 'wrong-password' } });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="Authorisation Required"');
      expect(res.body).toBe('{"ocs":{"meta":{"status":"failure","statuscode":997,"message":"Unauthorised"},"data":[]}}');
    });

    it('uses the DummyBasic scheme for XMLHttpRequest callers', async () => {
      const res = await ocs(app, 'GET', '/cloud/user', { as: null, headers: { 'X-Requested-With': 'XMLHttpRequest' } });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('DummyBasic realm="Authorisation Required"');
    });
  });

  describe('POST cloud/users', () => {
    it('creates a user from a form body, answering exactly like sample 06', async () => {
      const res = await ocs(app, 'POST', '/cloud/users', { body: { userid: 'formuser', password: 'Form-User-Pass-1' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toBe('{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":{"id":"formuser"}}}');
      const me = await expectOk(app, 'GET', '/cloud/user', { as: { user: 'formuser', password: 'Form-User-Pass-1' } });
      expect(me.id).toBe('formuser');
      expect(me.groups).toEqual([]);
    });

    it('answers in XML like sample 07', async () => {
      const res = await ocs(app, 'POST', '/cloud/users', { format: 'xml', body: { userid: 'xmluser', password: 'Xml-User-Pass-1' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
      expect(res.body).toBe(
        '<?xml version="1.0"?>\n<ocs>\n <meta>\n  <status>ok</status>\n  <statuscode>200</statuscode>\n  <message>OK</message>\n </meta>\n' +
          ' <data>\n  <id>xmluser</id>\n </data>\n</ocs>\n',
      );
    });

    it('answers v1 with statuscode 100 and string paging fields, in JSON and XML', async () => {
      const res = await ocs(app, 'POST', '/cloud/users', { version: 1, body: { userid: 'v1user', password: 'V1-User-Pass-1' } });
      expect(res.statusCode).toBe(200);
      expect(res.ocs.meta).toEqual({ status: 'ok', statuscode: 100, message: 'OK', totalitems: '', itemsperpage: '' });
      expect(res.ocs.data).toEqual({ id: 'v1user' });

      const xml = await ocs(app, 'POST', '/cloud/users', { version: 1, format: 'xml', body: { userid: 'v1xml', password: 'V1-User-Pass-1' } });
      expect(xml.statusCode).toBe(200);
      expect(xml.body).toContain('<statuscode>100</statuscode>');
      expect(xml.body).toContain('<totalitems></totalitems>');
      expect(parseXml(xml.body).ocs.data.id).toBe('v1xml');
    });

    it('reads a JSON body with groups, display name, email, quota and language', async () => {
      await expectOk(app, 'POST', '/cloud/users', {
        json: true,
        body: { userid: 'jsonuser', password: 'Json-User-Pass-1', displayName: 'Jason Son', email: 'jason@example.com', groups: ['staff', 'sales'], quota: '5 GB', language: 'de' },
      });
      const u = await getUser('jsonuser');
      expect(u.displayname).toBe('Jason Son');
      expect(u['display-name']).toBe('Jason Son');
      expect(u.email).toBe('jason@example.com');
      expect(u.groups).toEqual(['sales', 'staff']);
      expect(u.quota.quota).toBe(5 * GiB);
      expect(u.language).toBe('de');
    });

    it('reads parameters from the query string', async () => {
      const qs = 'userid=queryuser&password=Query-User-Pass-1&groups%5B%5D=sales&displayName=Q%20User';
      await expectOk(app, 'POST', `/cloud/users?${qs}`);
      const u = await getUser('queryuser');
      expect(u.groups).toEqual(['sales']);
      expect(u.displayname).toBe('Q User');
    });

    it('adds groups[] memberships and subadmin[] rights from a form body', async () => {
      await expectOk(app, 'POST', '/cloud/users', { body: { userid: 'multi', password: 'Multi-User-Pass-1', groups: ['staff', 'lonely'], subadmin: ['sales', 'lonely'] } });
      const u = await getUser('multi');
      expect(u.groups).toEqual(['lonely', 'staff']);
      expect(u.subadmin).toEqual(['lonely', 'sales']);
      expect(await expectOk(app, 'GET', '/cloud/users/multi/subadmins')).toEqual(['lonely', 'sales']);
    });

    it('lets a user created with an email but no password exist without a usable password (no 108)', async () => {
      await expectOk(app, 'POST', '/cloud/users', { body: { userid: 'mailonly', email: 'mailonly@example.com' } });
      expect((await getUser('mailonly')).email).toBe('mailonly@example.com');
    });

    it('102 when the user exists, exactly like sample 08, case-insensitively', async () => {
      const res = await ocs(app, 'POST', '/cloud/users', { body: { userid: 'alice', password: 'Another-Pass-123' } });
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe('{"ocs":{"meta":{"status":"failure","statuscode":102,"message":"User already exists"},"data":[]}}');
      await expectError(app, 'POST', '/cloud/users', { body: { userid: 'ALICE', password: 'Another-Pass-123' } }, 102, 400, 'User already exists');
      await expectXmlError(app, 'POST', '/cloud/users', { body: { userid: 'alice', password: 'Another-Pass-123' } }, 102, 400);
    });

    it.each(['bad/uid', 'star*user', 'semi;colon', '', ' padded', 'x'.repeat(65)])('101 for the invalid uid %j', async (userid) => {
      await expectError(app, 'POST', '/cloud/users', { body: { userid, password: 'Valid-Pass-1234' } }, 101, 400);
    });

    it('accepts the characters Nextcloud allows in a uid', async () => {
      await expectOk(app, 'POST', '/cloud/users', { body: { userid: "o'neil.x_y-z@host one", password: 'Valid-Pass-1234' } });
      expect((await getUser("o'neil.x_y-z@host one")).id).toBe("o'neil.x_y-z@host one");
    });

    it('checks the uid after the groups and the 108 rule, but before the password policy', async () => {
      await expectError(app, 'POST', '/cloud/users', { body: { userid: 'bad/uid', password: 'Valid-Pass-1234', groups: ['nope'] } }, 104, 400);
      await expectError(app, 'POST', '/cloud/users', { body: { userid: 'bad/uid' } }, 108, 400);
      await expectError(app, 'POST', '/cloud/users', { body: { userid: 'bad/uid', password: 'short' } }, 101, 400);
    });

    it('104 for an unknown group', async () => {
      await expectError(app, 'POST', '/cloud/users', { body: { userid: 'nogroup', password: 'Valid-Pass-1234', groups: ['staff', 'nope'] } }, 104, 400, 'group nope does not exist');
      await expectError(app, 'GET', '/cloud/users/nogroup', {}, 404, 404, 'User does not exist');
    });

    it('105 when a subadmin names a group they do not administer', async () => {
      await expectError(app, 'POST', '/cloud/users', { as: sub, body: { userid: 'viasub', password: 'Valid-Pass-1234', groups: ['staff', 'sales'] } }, 105, 400, 'insufficient privileges for group sales');
    });

    it('106 when a subadmin names no group', async () => {
      await expectError(app, 'POST', '/cloud/users', { as: sub, body: { userid: 'viasub', password: 'Valid-Pass-1234' } }, 106, 400, 'no group specified (required for subadmins)');
    });

    it('lets a subadmin create a user in their group, and make them subadmin of it', async () => {
      await expectOk(app, 'POST', '/cloud/users', { as: sub, body: { userid: 'subkid', password: 'Valid-Pass-1234', groups: ['staff'], subadmin: ['staff'] } });
      const u = await getUser('subkid');
      expect(u.groups).toEqual(['staff']);
      expect(u.subadmin).toEqual(['staff']);
    });

    it('403 when a subadmin promotes a subadmin of a group they do not administer', async () => {
      await expectError(app, 'POST', '/cloud/users', { as: sub, body: { userid: 'viasub', password: 'Valid-Pass-1234', groups: ['staff'], subadmin: ['sales'] } }, 403, 403, 'No permissions to promote subadmins');
    });

    it('102 for an unknown subadmin group, 103 for the admin group', async () => {
      await expectError(app, 'POST', '/cloud/users', { body: { userid: 'promo', password: 'Valid-Pass-1234', subadmin: ['nope'] } }, 102, 400, 'Subadmin group does not exist');
      await expectError(app, 'POST', '/cloud/users', { body: { userid: 'promo', password: 'Valid-Pass-1234', subadmin: ['admin'] } }, 103, 400, 'Cannot create subadmins for admin group');
    });

    it('107 with the policy hint for a weak password, and creates nothing', async () => {
      await expectError(app, 'POST', '/cloud/users', { body: { userid: 'weak', password: 'short' } }, 107, 400, 'Password needs to be at least 10 characters long.');
      const common = await ocs(app, 'POST', '/cloud/users', { body: { userid: 'weak', password: 'password123' } });
      expect(common.statusCode).toBe(400);
      expect(common.ocs.meta.statuscode).toBe(107);
      expect(common.ocs.meta.message).toBe('Password is among the 1,000,000 most common ones. Please make it unique.');
      await expectXmlError(app, 'POST', '/cloud/users', { body: { userid: 'weak', password: 'short' } }, 107, 400);
      await expectError(app, 'GET', '/cloud/users/weak', {}, 404, 404);
    });

    it('101 for a password longer than 469 characters', async () => {
      await expectError(app, 'POST', '/cloud/users', { body: { userid: 'longpw', password: 'a'.repeat(470) } }, 101, 400, 'Invalid password value');
    });

    it('108 without a password and without an email', async () => {
      await expectError(app, 'POST', '/cloud/users', { body: { userid: 'nopw' } }, 108, 400, 'To send a password link to the user an email address is required.');
      await expectError(app, 'POST', '/cloud/users', { body: { userid: 'nopw', password: '' } }, 108, 400);
    });

    it('102 for an invalid quota or language given at creation', async () => {
      await expectError(app, 'POST', '/cloud/users', { body: { userid: 'badquota', password: 'Valid-Pass-1234', quota: 'lots' } }, 102, 400);
      await expectError(app, 'POST', '/cloud/users', { body: { userid: 'badlang', password: 'Valid-Pass-1234', language: 'xx_NOPE' } }, 102, 400, 'Invalid language');
      await expectError(app, 'GET', '/cloud/users/badlang', {}, 404, 404);
    });

    it('403 for a plain user, on v1 as HTTP 200', async () => {
      await expectError(app, 'POST', '/cloud/users', { as: pat, body: { userid: 'bypat', password: 'Valid-Pass-1234' } }, 403, 403, 'Logged in account must be at least a sub admin');
      await expectXmlError(app, 'POST', '/cloud/users', { as: pat, body: { userid: 'bypat', password: 'Valid-Pass-1234' } }, 403, 403);
    });
  });

  describe('GET cloud/users', () => {
    it('gives an admin every user, sorted, like sample 10', async () => {
      const data = await expectOk(app, 'GET', '/cloud/users');
      expect(Object.keys(data)).toEqual(['users']);
      for (const id of ['admin', 'alice', 'bob', 'boss', 'pat', 'sub']) expect(data.users).toContain(id);
      const sorted = [...data.users].sort((a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
      expect(data.users).toEqual(sorted);
      const v1 = await expectOk(app, 'GET', '/cloud/users', { version: 1 });
      expect(v1.users).toEqual(data.users);
    });

    it('renders the list as <element> items in XML', async () => {
      const res = await ocs(app, 'GET', '/cloud/users?search=alice', { format: 'xml' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<users>\n   <element>alice</element>\n  </users>');
      expect(parseXml(res.body).ocs.data.users.element).toEqual(['alice']);
    });

    it('gives a subadmin only the users of the groups they administer', async () => {
      const data = await expectOk(app, 'GET', '/cloud/users', { as: sub });
      for (const id of ['alice', 'boss', 'sub']) expect(data.users).toContain(id);
      for (const id of ['admin', 'bob', 'pat']) expect(data.users).not.toContain(id);
    });

    it('403 for a plain user', async () => {
      await expectError(app, 'GET', '/cloud/users', { as: pat }, 403, 403, 'Logged in account must be at least a sub admin');
      await expectXmlError(app, 'GET', '/cloud/users', { as: pat }, 403, 403);
    });

    it('searches ids, display names and emails case-insensitively', async () => {
      await newUser(app, 'zoe', { displayName: 'Zebra Keeper', email: 'zk@zoo.example' });
      expect((await expectOk(app, 'GET', '/cloud/users?search=ZEBRA')).users).toEqual(['zoe']);
      expect((await expectOk(app, 'GET', '/cloud/users?search=zoo.example')).users).toEqual(['zoe']);
      expect((await expectOk(app, 'GET', '/cloud/users?search=ZO')).users).toContain('zoe');
      expect((await expectOk(app, 'GET', '/cloud/users?search=no-such-thing')).users).toEqual([]);
      expect((await expectOk(app, 'GET', '/cloud/users?search=zebra', { as: sub })).users).toEqual([]);
      expect((await expectOk(app, 'GET', '/cloud/users?search=ali', { as: sub })).users).toEqual(['alice']);
    });

    it('pages with limit and offset', async () => {
      const all: string[] = (await expectOk(app, 'GET', '/cloud/users')).users;
      expect(all.length).toBeGreaterThan(4);
      expect((await expectOk(app, 'GET', '/cloud/users?limit=2')).users).toEqual(all.slice(0, 2));
      expect((await expectOk(app, 'GET', '/cloud/users?limit=2&offset=1')).users).toEqual(all.slice(1, 3));
      expect((await expectOk(app, 'GET', `/cloud/users?offset=${all.length}`)).users).toEqual([]);
      const subAll: string[] = (await expectOk(app, 'GET', '/cloud/users', { as: sub })).users;
      expect((await expectOk(app, 'GET', '/cloud/users?limit=1&offset=1', { as: sub })).users).toEqual(subAll.slice(1, 2));
    });
  });

  describe('GET cloud/users/details', () => {
    it('gives an admin an object keyed by uid with full user data', async () => {
      const data = await expectOk(app, 'GET', '/cloud/users/details?search=alice');
      expect(Object.keys(data.users)).toEqual(['alice']);
      expect(data.users.alice).toMatchObject({ enabled: true, id: 'alice', groups: ['staff'], displayname: 'alice' });
      const all = await expectOk(app, 'GET', '/cloud/users/details');
      expect(Object.keys(all.users)).toEqual((await expectOk(app, 'GET', '/cloud/users')).users);
    });

    it('shows no scope fields, not even for the caller themself', async () => {
      const data = await expectOk(app, 'GET', '/cloud/users/details?search=admin');
      expect(data.users.admin.id).toBe('admin');
      for (const k of SCOPE_KEYS) expect(data.users.admin).not.toHaveProperty(k);
    });

    it('gives a subadmin their users, and only the id of users they may not see', async () => {
      const data = await expectOk(app, 'GET', '/cloud/users/details', { as: sub });
      expect(data.users.alice).toMatchObject({ enabled: true, id: 'alice' });
      expect(data.users.boss).toEqual({ id: 'boss' });
      expect(data.users).not.toHaveProperty('bob');
    });

    it('403 for a plain user', async () => {
      await expectError(app, 'GET', '/cloud/users/details', { as: pat }, 403, 403);
    });
  });

  describe('GET cloud/users/{id} and cloud/user', () => {
    it('gives an admin their own data in the key order of sample 11', async () => {
      const me = await getUser('admin');
      expect(Object.keys(me)).toEqual(EXPECTED_KEYS);
      expect(me).toMatchObject({
        enabled: true,
        id: 'admin',
        backend: 'Database',
        subadmin: [],
        quota: { free: -3, used: 0, total: -3, relative: 0, quota: -3 },
        manager: '',
        avatarScope: 'v2-federated',
        email: null,
        emailScope: 'v2-federated',
        additional_mail: [],
        additional_mailScope: [],
        displayname: 'admin',
        'display-name': 'admin',
        displaynameScope: 'v2-federated',
        phone: '',
        phoneScope: 'v2-local',
        profile_enabled: '1',
        pronounsScope: 'v2-federated',
        groups: ['admin'],
        language: 'en',
        locale: '',
        notify_email: null,
        backendCapabilities: { setDisplayName: true, setPassword: true },
      });
      expect(typeof me.lastLogin).toBe('number');
      expect(me.lastLogin % 1000).toBe(0);
      expect(me.lastLogin / 1000).toBe(me.lastLoginTimestamp);
    });

    it('renders the user data in XML like sample 12', async () => {
      const res = await ocs(app, 'GET', '/cloud/users/admin', { format: 'xml' });
      expect(res.statusCode).toBe(200);
      for (const snippet of [
        '<enabled>1</enabled>',
        '<id>admin</id>',
        '<backend>Database</backend>',
        '  <subadmin/>\n',
        '  <quota>\n   <free>-3</free>\n   <used>0</used>\n   <total>-3</total>\n   <relative>0</relative>\n   <quota>-3</quota>\n  </quota>\n',
        '<manager></manager>',
        '<email/>',
        '<additional_mail/>',
        '<phone></phone>',
        '<profile_enabled>1</profile_enabled>',
        '<groups>\n   <element>admin</element>\n  </groups>',
        '<notify_email/>',
        '<backendCapabilities>\n   <setDisplayName>1</setDisplayName>\n   <setPassword>1</setPassword>\n  </backendCapabilities>',
      ]) {
        expect(res.body).toContain(snippet);
      }
    });

    it('gives an admin another user with enabled and without scope fields', async () => {
      const u = await getUser('alice');
      expect(u.enabled).toBe(true);
      expect(u.id).toBe('alice');
      expect(u.groups).toEqual(['staff']);
      for (const k of SCOPE_KEYS) expect(u).not.toHaveProperty(k);
      expect(Object.keys(u)).toEqual(EXPECTED_KEYS.filter((k) => !k.endsWith('Scope')));
    });

    it('looks users up case-insensitively', async () => {
      expect((await getUser('ALICE')).id).toBe('alice');
    });

    it('gives a user themself without enabled but with the scope fields', async () => {
      const me = await getUser('alice', alice);
      expect(me).not.toHaveProperty('enabled');
      expect(Object.keys(me)).toEqual(EXPECTED_KEYS.filter((k) => k !== 'enabled'));
      expect(me).toMatchObject({ id: 'alice', emailScope: 'v2-federated', phoneScope: 'v2-local', groups: ['staff'] });
    });

    it('gives a subadmin a user of their group with enabled and no scopes', async () => {
      const u = await getUser('alice', sub);
      expect(u.enabled).toBe(true);
      for (const k of SCOPE_KEYS) expect(u).not.toHaveProperty(k);
    });

    it('998 for users the caller may not see (v2 HTTP 404, v1 HTTP 200)', async () => {
      await expectError(app, 'GET', '/cloud/users/alice', { as: pat }, 998, 404);
      await expectError(app, 'GET', '/cloud/users/bob', { as: sub }, 998, 404);
      // A subadmin never reaches an admin, even one inside their group.
      await expectError(app, 'GET', '/cloud/users/boss', { as: sub }, 998, 404);
      await expectXmlError(app, 'GET', '/cloud/users/alice', { as: pat }, 998, 404);
    });

    it('404 "User does not exist" for a missing user, exactly like sample 13', async () => {
      const res = await ocs(app, 'GET', '/cloud/users/nosuchuser');
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe('{"ocs":{"meta":{"status":"failure","statuscode":404,"message":"User does not exist"},"data":[]}}');
      await expectError(app, 'GET', '/cloud/users/nosuchuser', {}, 404, 404, 'User does not exist');
      await expectError(app, 'GET', '/cloud/users/nosuchuser', { as: pat }, 404, 404, 'User does not exist');
      await expectXmlError(app, 'GET', '/cloud/users/nosuchuser', {}, 404, 404);
    });

    it('GET cloud/user gives the caller their own data with scopes', async () => {
      const me = await expectOk(app, 'GET', '/cloud/user', { as: alice });
      expect(me).toEqual(await getUser('alice', alice));
      const admin = await expectOk(app, 'GET', '/cloud/user');
      expect(Object.keys(admin)).toEqual(EXPECTED_KEYS);
      expect(admin.enabled).toBe(true);
      const v1 = await expectOk(app, 'GET', '/cloud/user', { as: pat, version: 1 });
      expect(v1.id).toBe('pat');
      const xml = await ocs(app, 'GET', '/cloud/user', { as: pat, format: 'xml' });
      expect(parseXml(xml.body).ocs.data.id).toBe('pat');
    });
  });

  describe('PUT cloud/users/{id}', () => {
    it('lets a user change their display name, with the display alias too', async () => {
      const u = await newUser(app, 'dn-user');
      expect((await edit('dn-user', 'displayname', 'Dee Enn', u)).statusCode).toBe(200);
      expect((await getUser('dn-user', u))['display-name']).toBe('Dee Enn');
      const res = await edit('dn-user', 'display', 'Dee Two', u, { version: 1 });
      expect(res.statusCode).toBe(200);
      expect(res.ocs.meta.statuscode).toBe(100);
      expect(res.ocs.data).toEqual([]);
      expect((await getUser('dn-user')).displayname).toBe('Dee Two');
      await expectError(app, 'PUT', '/cloud/users/dn-user', { as: u, body: { key: 'displayname', value: 'x'.repeat(65) } }, 101, 400);
    });

    it('sets, validates and clears the email', async () => {
      const u = await newUser(app, 'mail-user');
      expect((await edit('mail-user', 'email', 'mail@example.com', u)).statusCode).toBe(200);
      expect((await getUser('mail-user')).email).toBe('mail@example.com');
      await expectError(app, 'PUT', '/cloud/users/mail-user', { as: u, body: { key: 'email', value: 'not-an-email' } }, 101, 400);
      expect((await edit('mail-user', 'email', '', u)).statusCode).toBe(200);
      expect((await getUser('mail-user')).email).toBeNull();
    });

    it('changes the password: the new one authenticates and the old one stops working', async () => {
      const u = await newUser(app, 'pw-user');
      expect((await ocs(app, 'GET', '/cloud/user', { as: u })).statusCode).toBe(200);
      const res = await edit('pw-user', 'password', 'Brand-New-Pass-77', u);
      expect(res.statusCode).toBe(200);
      expect((await ocs(app, 'GET', '/cloud/user', { as: u })).statusCode).toBe(401);
      const fresh = { user: 'pw-user', password: 'Brand-New-Pass-77' };
      expect((await ocs(app, 'GET', '/cloud/user', { as: fresh })).statusCode).toBe(200);
      // An admin may set it too.
      expect((await edit('pw-user', 'password', 'Admin-Set-Pass-88')).statusCode).toBe(200);
      expect((await ocs(app, 'GET', '/cloud/user', { as: fresh })).statusCode).toBe(401);
      expect((await ocs(app, 'GET', '/cloud/user', { as: { user: 'pw-user', password: 'Admin-Set-Pass-88' } })).statusCode).toBe(200);
    });

    it('107 for a weak password, 102 for an overlong one', async () => {
      await expectError(app, 'PUT', '/cloud/users/alice', { as: alice, body: { key: 'password', value: 'short' } }, 107, 400, 'Password needs to be at least 10 characters long.');
      await expectError(app, 'PUT', '/cloud/users/alice', { as: alice, body: { key: 'password', value: 'a'.repeat(470) } }, 102, 400);
      expect((await ocs(app, 'GET', '/cloud/user', { as: alice })).statusCode).toBe(200);
    });

    it('checks access before the password policy', async () => {
      await expectError(app, 'PUT', '/cloud/users/alice', { as: pat, body: { key: 'password', value: 'short' } }, 998, 404);
      await expectError(app, 'PUT', '/cloud/users/nosuchuser', { body: { key: 'password', value: 'short' } }, 998, 404);
    });

    it.each<[string, number]>([
      ['5 GB', 5 * GiB],
      ['5GB', 5 * GiB],
      ['5 G', 5 * GiB],
      ['500 MB', 500 * 1024 ** 2],
      ['1.5 TB', 1.5 * 1024 ** 4],
      ['100 KB', 100 * 1024],
      ['1073741824', GiB],
      ['0', 0],
    ])('accepts the quota %j', async (value, bytes) => {
      expect((await edit('bob', 'quota', value)).statusCode).toBe(200);
      const q = (await getUser('bob')).quota;
      expect(q).toEqual({ free: bytes, used: 0, total: bytes, relative: 0, quota: bytes });
    });

    it('treats "none", "default" and -1 as unlimited (-3)', async () => {
      for (const value of ['none', 'default', '-1']) {
        expect((await edit('bob', 'quota', '1 GB')).statusCode).toBe(200);
        expect((await getUser('bob')).quota.quota).toBe(GiB);
        expect((await edit('bob', 'quota', value)).statusCode).toBe(200);
        expect((await getUser('bob')).quota).toEqual({ free: -3, used: 0, total: -3, relative: 0, quota: -3 });
      }
    });

    it('102 for an invalid quota', async () => {
      await expectError(app, 'PUT', '/cloud/users/bob', { body: { key: 'quota', value: 'lots' } }, 102, 400, 'Invalid quota value lots');
      await expectError(app, 'PUT', '/cloud/users/bob', { body: { key: 'quota', value: '5 XB' } }, 102, 400);
      await expectXmlError(app, 'PUT', '/cloud/users/bob', { body: { key: 'quota', value: 'lots' } }, 102, 400);
    });

    it('lets an admin set their own quota, but not a plain user or a subadmin', async () => {
      expect((await edit('admin', 'quota', '10 GB')).statusCode).toBe(200);
      expect((await getUser('admin')).quota.quota).toBe(10 * GiB);
      expect((await edit('admin', 'quota', 'none')).statusCode).toBe(200);
      await expectError(app, 'PUT', '/cloud/users/pat', { as: pat, body: { key: 'quota', value: '1 GB' } }, 113, 400);
      await expectError(app, 'PUT', '/cloud/users/sub', { as: sub, body: { key: 'quota', value: '1 GB' } }, 113, 400);
      await expectXmlError(app, 'PUT', '/cloud/users/pat', { as: pat, body: { key: 'quota', value: '1 GB' } }, 113, 400);
    });

    it('sets language and locale, refusing unknown ones with 102', async () => {
      expect((await edit('pat', 'language', 'de', pat)).statusCode).toBe(200);
      expect((await edit('pat', 'locale', 'de_DE', pat)).statusCode).toBe(200);
      const u = await getUser('pat', pat);
      expect(u.language).toBe('de');
      expect(u.locale).toBe('de_DE');
      await expectError(app, 'PUT', '/cloud/users/pat', { as: pat, body: { key: 'language', value: 'xx_NOPE' } }, 102, 400, 'Invalid language');
      await expectError(app, 'PUT', '/cloud/users/pat', { as: pat, body: { key: 'locale', value: 'zz_ZZ' } }, 102, 400, 'Invalid locale');
      expect((await edit('pat', 'language', 'en', pat)).statusCode).toBe(200);
    });

    it('sets the profile fields phone, website, twitter and address', async () => {
      const u = await newUser(app, 'profile-user');
      const values = { phone: '+49 30 1234567', website: 'https://example.com/me', twitter: '@someone', address: '1 Main St, Springfield' };
      for (const [key, value] of Object.entries(values)) expect((await edit('profile-user', key, value, u)).statusCode).toBe(200);
      expect(await getUser('profile-user', u)).toMatchObject(values);
      await expectError(app, 'PUT', '/cloud/users/profile-user', { as: u, body: { key: 'website', value: 'not a url' } }, 101, 400);
      await expectError(app, 'PUT', '/cloud/users/profile-user', { as: u, body: { key: 'phone', value: 'call me maybe' } }, 101, 400);
      expect((await edit('profile-user', 'phone', '', u)).statusCode).toBe(200);
      expect((await getUser('profile-user')).phone).toBe('');
    });

    it('sets scope keys on oneself, mapping legacy names, and refuses bad values with 101', async () => {
      const u = await newUser(app, 'scope-user');
      expect((await edit('scope-user', 'phoneScope', 'v2-private', u)).statusCode).toBe(200);
      expect((await edit('scope-user', 'emailScope', 'public', u)).statusCode).toBe(200);
      expect((await edit('scope-user', 'avatarScope', 'v2-local', u)).statusCode).toBe(200);
      const me = await getUser('scope-user', u);
      expect(me).toMatchObject({ phoneScope: 'v2-private', emailScope: 'v2-published', avatarScope: 'v2-local' });
      await expectError(app, 'PUT', '/cloud/users/scope-user', { as: u, body: { key: 'phoneScope', value: 'bogus' } }, 101, 400);
      // Scopes are the user's own business: not even an admin sets them on someone else.
      await expectError(app, 'PUT', '/cloud/users/scope-user', { body: { key: 'phoneScope', value: 'v2-private' } }, 113, 400);
    });

    it('lets an admin edit profile_enabled of another user', async () => {
      expect((await edit('zoe', 'profile_enabled', '0')).statusCode).toBe(200);
      expect((await getUser('zoe')).profile_enabled).toBe('0');
    });

    it('sets the manager as an admin, which a plain user may not do on themself', async () => {
      expect((await edit('zoe', 'manager', 'alice')).statusCode).toBe(200);
      expect((await getUser('zoe')).manager).toBe('alice');
      expect((await edit('zoe', 'manager', '')).statusCode).toBe(200);
      expect((await getUser('zoe')).manager).toBe('');
      await expectError(app, 'PUT', '/cloud/users/pat', { as: pat, body: { key: 'manager', value: 'alice' } }, 113, 400);
    });

    it('adds additional mail addresses and picks the notification address among them', async () => {
      const u = await newUser(app, 'mails', { email: 'main@example.com' });
      expect((await edit('mails', 'additional_mail', 'extra@example.com', u)).statusCode).toBe(200);
      await expectError(app, 'PUT', '/cloud/users/mails', { as: u, body: { key: 'additional_mail', value: 'extra@example.com' } }, 101, 400);
      await expectError(app, 'PUT', '/cloud/users/mails', { as: u, body: { key: 'additional_mail', value: 'main@example.com' } }, 101, 400);
      await expectError(app, 'PUT', '/cloud/users/mails', { as: u, body: { key: 'additional_mail', value: 'nope' } }, 101, 400);
      expect((await edit('mails', 'notify_email', 'extra@example.com', u)).statusCode).toBe(200);
      await expectError(app, 'PUT', '/cloud/users/mails', { as: u, body: { key: 'notify_email', value: 'stranger@example.com' } }, 101, 400);
      expect(await getUser('mails', u)).toMatchObject({
        email: 'main@example.com',
        additional_mail: ['extra@example.com'],
        additional_mailScope: ['v2-federated'],
        notify_email: 'extra@example.com',
      });
    });

    it('113 for unknown keys', async () => {
      await expectError(app, 'PUT', '/cloud/users/pat', { as: pat, body: { key: 'enabled', value: 'false' } }, 113, 400);
      await expectError(app, 'PUT', '/cloud/users/alice', { body: { key: 'nonsense', value: 'x' } }, 113, 400);
    });

    it('101 when key or value is missing', async () => {
      await expectError(app, 'PUT', '/cloud/users/pat', { as: pat, body: { key: 'email' } }, 101, 400);
      await expectError(app, 'PUT', '/cloud/users/pat', { as: pat, body: { value: 'x' } }, 101, 400);
    });

    it('998 when a plain user edits someone else, or the user is missing', async () => {
      await expectError(app, 'PUT', '/cloud/users/alice', { as: pat, body: { key: 'displayname', value: 'Hacked' } }, 998, 404);
      await expectError(app, 'PUT', '/cloud/users/nosuchuser', { body: { key: 'displayname', value: 'Ghost' } }, 998, 404);
      await expectXmlError(app, 'PUT', '/cloud/users/alice', { as: pat, body: { key: 'displayname', value: 'Hacked' } }, 998, 404);
      expect((await getUser('alice')).displayname).toBe('alice');
    });

    it('lets a subadmin edit a user of their group, but not others or admins', async () => {
      const kid = await newUser(app, 'sub-edit', { groups: ['staff'] });
      expect((await edit('sub-edit', 'displayname', 'Edited By Sub', sub)).statusCode).toBe(200);
      expect((await edit('sub-edit', 'quota', '2 GB', sub)).statusCode).toBe(200);
      expect((await edit('sub-edit', 'email', 'kid@example.com', sub, { json: true })).statusCode).toBe(200);
      expect(await getUser('sub-edit', kid)).toMatchObject({ displayname: 'Edited By Sub', email: 'kid@example.com', quota: { quota: 2 * GiB } });
      await expectError(app, 'PUT', '/cloud/users/bob', { as: sub, body: { key: 'displayname', value: 'Nope' } }, 998, 404);
      await expectError(app, 'PUT', '/cloud/users/boss', { as: sub, body: { key: 'displayname', value: 'Nope' } }, 998, 404);
      // Scope keys are self-only even for a subadmin over the user.
      await expectError(app, 'PUT', '/cloud/users/sub-edit', { as: sub, body: { key: 'phoneScope', value: 'v2-local' } }, 113, 400);
    });

    it('reads key and value from a JSON body and from the query string', async () => {
      const u = await newUser(app, 'json-edit');
      const res = await ocs(app, 'PUT', '/cloud/users/json-edit', { as: u, json: true, body: { key: 'twitter', value: '@json' } });
      expect(res.statusCode).toBe(200);
      expect((await ocs(app, 'PUT', '/cloud/users/json-edit?key=address&value=Query%20Street', { as: u })).statusCode).toBe(200);
      expect(await getUser('json-edit', u)).toMatchObject({ twitter: '@json', address: 'Query Street' });
    });
  });

  describe('PUT cloud/users/{id}/enable and /disable', () => {
    it('disables a user, who then gets 401 on every call, and enables them again', async () => {
      const v = await newUser(app, 'victim');
      const res = await ocs(app, 'PUT', '/cloud/users/victim/disable');
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":[]}}');
      expect((await getUser('victim')).enabled).toBe(false);
      for (const [method, route] of [['GET', '/cloud/user'], ['GET', '/cloud/users/victim'], ['PUT', '/cloud/users/victim']] as Array<[Method, string]>) {
        const r = await ocs(app, method, route, { as: v, body: method === 'PUT' ? { key: 'displayname', value: 'x' } : undefined });
        expect(r.statusCode).toBe(401);
        expect(r.ocs.meta.statuscode).toBe(997);
        expect(r.headers['www-authenticate']).toBe('Basic realm="Authorisation Required"');
      }
      const v1 = await ocs(app, 'PUT', '/cloud/users/victim/enable', { version: 1 });
      expect(v1.statusCode).toBe(200);
      expect(v1.ocs.meta.statuscode).toBe(100);
      expect((await getUser('victim')).enabled).toBe(true);
      expect((await ocs(app, 'GET', '/cloud/user', { as: v })).statusCode).toBe(200);
    });

    it('101 for oneself or a missing user', async () => {
      await expectError(app, 'PUT', '/cloud/users/admin/disable', {}, 101, 400);
      await expectError(app, 'PUT', '/cloud/users/sub/disable', { as: sub }, 101, 400);
      await expectError(app, 'PUT', '/cloud/users/nosuchuser/enable', {}, 101, 400);
      await expectXmlError(app, 'PUT', '/cloud/users/admin/disable', {}, 101, 400);
    });

    it('lets a subadmin toggle a user of their group, 998 for others', async () => {
      await newUser(app, 'sub-toggle', { groups: ['staff'] });
      expect((await ocs(app, 'PUT', '/cloud/users/sub-toggle/disable', { as: sub })).statusCode).toBe(200);
      expect((await getUser('sub-toggle')).enabled).toBe(false);
      expect((await ocs(app, 'PUT', '/cloud/users/sub-toggle/enable', { as: sub })).statusCode).toBe(200);
      await expectError(app, 'PUT', '/cloud/users/bob/disable', { as: sub }, 998, 404);
      await expectError(app, 'PUT', '/cloud/users/boss/disable', { as: sub }, 998, 404);
      expect((await getUser('bob')).enabled).toBe(true);
    });

    it('403 for a plain user', async () => {
      await expectError(app, 'PUT', '/cloud/users/alice/disable', { as: pat }, 403, 403);
      await expectError(app, 'PUT', '/cloud/users/alice/enable', { as: pat }, 403, 403);
    });
  });

  describe('DELETE cloud/users/{id}', () => {
    it('deletes a user, who can then no longer authenticate', async () => {
      const g = await newUser(app, 'goner', { groups: ['sales'] });
      expect((await ocs(app, 'GET', '/cloud/user', { as: g })).statusCode).toBe(200);
      const res = await ocs(app, 'DELETE', '/cloud/users/goner');
      expect(res.statusCode).toBe(200);
      expect(res.ocs.data).toEqual([]);
      await expectError(app, 'GET', '/cloud/users/goner', {}, 404, 404);
      const after = await ocs(app, 'GET', '/cloud/user', { as: g });
      expect(after.statusCode).toBe(401);
      expect(after.ocs.meta.statuscode).toBe(997);
      expect((await expectOk(app, 'GET', '/cloud/users')).users).not.toContain('goner');
      // The id is free again.
      await newUser(app, 'goner');
    });

    it('leaves nothing behind for a new account under the same id', async () => {
      await newUser(app, 'heir', { groups: ['sales'], subadmin: ['lonely'] });
      expect((await edit('heir', 'quota', '3 GB')).statusCode).toBe(200);
      expect((await ocs(app, 'DELETE', '/cloud/users/heir')).statusCode).toBe(200);
      await newUser(app, 'HEIR');
      const u = await getUser('HEIR');
      expect(u).toMatchObject({ id: 'HEIR', groups: [], subadmin: [], quota: { quota: -3 } });
    });

    it('answers v1 with statuscode 100', async () => {
      await newUser(app, 'goner-v1');
      const res = await ocs(app, 'DELETE', '/cloud/users/goner-v1', { version: 1, format: 'xml' });
      expect(res.statusCode).toBe(200);
      expect(parseXml(res.body).ocs.meta.statuscode).toBe('100');
    });

    it('998 for a missing user, 101 for oneself', async () => {
      await expectError(app, 'DELETE', '/cloud/users/nosuchuser', {}, 998, 404);
      await expectError(app, 'DELETE', '/cloud/users/admin', {}, 101, 400);
      await expectError(app, 'DELETE', '/cloud/users/sub', { as: sub }, 101, 400);
      await expectXmlError(app, 'DELETE', '/cloud/users/admin', {}, 101, 400);
    });

    it('101 for a subadmin deleting themself even outside their own group', async () => {
      const lone = await newUser(app, 'lone-sub', { subadmin: ['lonely'] });
      await expectError(app, 'DELETE', '/cloud/users/lone-sub', { as: lone }, 101, 400);
    });

    it('lets a subadmin delete a user of their group, 998 for others', async () => {
      await newUser(app, 'sub-del', { groups: ['staff'] });
      expect((await ocs(app, 'DELETE', '/cloud/users/sub-del', { as: sub })).statusCode).toBe(200);
      await expectError(app, 'DELETE', '/cloud/users/bob', { as: sub }, 998, 404);
      await expectError(app, 'DELETE', '/cloud/users/boss', { as: sub }, 998, 404);
      expect((await getUser('bob')).id).toBe('bob');
    });

    it('403 for a plain user', async () => {
      await expectError(app, 'DELETE', '/cloud/users/alice', { as: pat }, 403, 403, 'Logged in account must be at least a sub admin');
      expect((await getUser('alice')).id).toBe('alice');
    });
  });
});
