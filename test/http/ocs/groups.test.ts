import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { expectError, expectXmlError, parseXml } from '../../helpers/ocs-assert.js';
import { ncSample } from '../../fixtures/nextcloud/samples.js';

type Creds = { user: string; password: string };

const V1_OK_EMPTY = '{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK","totalitems":"","itemsperpage":""},"data":[]}}';
const V2_OK_EMPTY = '{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":[]}}';

describeEachDb('OCS cloud/groups', (kind) => {
  let t: TestApp;
  let alice: Creds; // member of staff
  let sub: Creds; // subadmin of staff, member of nothing
  let esub: Creds; // subadmin of editors only
  let pat: Creds; // plain user
  const created: Record<string, LightMyRequestResponse> = {};

  beforeAll(async () => {
    t = await buildTestApp(kind);
    // The reference exchange: staff created over JSON (sample 15), editors over XML (sample 16).
    const headers = { authorization: basic(ADMIN.user, ADMIN.password), 'OCS-APIRequest': 'true', 'content-type': 'application/x-www-form-urlencoded' };
    created.staff = await t.app.inject({ method: 'POST', url: '/ocs/v2.php/cloud/groups?format=json', headers, payload: 'groupid=staff' });
    created.editors = await t.app.inject({ method: 'POST', url: '/ocs/v2.php/cloud/groups', headers, payload: 'groupid=editors' });
    alice = await newUser(t.app, 'alice', { groups: ['staff'] });
    sub = await newUser(t.app, 'sub');
    esub = await newUser(t.app, 'esub');
    pat = await newUser(t.app, 'pat');
    for (const [user, groupid] of [
      ['sub', 'staff'],
      ['esub', 'editors'],
    ]) {
      const r = await ocs(t.app, 'POST', `/cloud/users/${user}/subadmins`, { body: { groupid } });
      if (r.statusCode !== 200) throw new Error(`subadmin ${user}: ${r.body}`);
    }
  });
  afterAll(async () => t.close());

  it('replays the captured Nextcloud exchange byte for byte (samples 15, 16, 18, 19)', async () => {
    for (const [name, res] of [
      ['15-groups-create-json', created.staff!],
      ['16-groups-create-xml', created.editors!],
    ] as const) {
      const sample = ncSample(name);
      expect(res.statusCode).toBe(sample.status);
      expect(res.headers['content-type']).toBe(sample.headers['content-type']);
      expect(res.body).toBe(sample.body);
    }
    const list = await ocs(t.app, 'GET', '/cloud/groups');
    expect(list.headers['content-type']).toBe(ncSample('18-groups-list-json').headers['content-type']);
    expect(list.body).toBe(ncSample('18-groups-list-json').body);
    const members = await ocs(t.app, 'GET', '/cloud/groups/staff/users');
    expect(members.body).toBe(ncSample('19-group-members-json').body);
  });

  // ---- GET cloud/groups ----------------------------------------------------

  it('GET cloud/groups: admin on v1 and v2, JSON and XML', async () => {
    const v1 = await ocs(t.app, 'GET', '/cloud/groups', { version: 1 });
    expect(v1.statusCode).toBe(200);
    expect(v1.body).toBe(
      '{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK","totalitems":"","itemsperpage":""},"data":{"groups":["admin","editors","staff"]}}}',
    );
    for (const version of [1, 2] as const) {
      const x = await ocs(t.app, 'GET', '/cloud/groups', { version, format: 'xml' });
      expect(x.headers['content-type']).toBe('application/xml; charset=utf-8');
      const doc = parseXml(x.body).ocs;
      expect(doc.meta.statuscode).toBe(version === 1 ? '100' : '200');
      expect(doc.data.groups.element).toEqual(['admin', 'editors', 'staff']);
    }
    expect((await ocs(t.app, 'GET', '/cloud/groups', { format: 'xml' })).body).toContain(
      ' <data>\n  <groups>\n   <element>admin</element>\n   <element>editors</element>\n   <element>staff</element>\n  </groups>\n </data>',
    );
  });

  it('GET cloud/groups: subadmins see every group, not only theirs', async () => {
    for (const who of [sub, esub]) {
      const res = await ocs(t.app, 'GET', '/cloud/groups', { as: who });
      expect(res.statusCode).toBe(200);
      expect(res.ocs.data.groups).toEqual(['admin', 'editors', 'staff']);
    }
  });

  it('GET cloud/groups: a plain user gets 403, anonymous 997', async () => {
    await expectError(t.app, 'GET', '/cloud/groups', { as: pat }, 403, 403, 'Logged in account must be at least a sub admin');
    await expectXmlError(t.app, 'GET', '/cloud/groups', { as: pat }, 403, 403);
    await expectError(t.app, 'GET', '/cloud/groups', { as: alice }, 403, 403);
    await expectError(t.app, 'GET', '/cloud/groups', { as: null }, 997, 401, 'Current user is not logged in');
    const anon = await ocs(t.app, 'GET', '/cloud/groups', { as: null });
    expect(anon.headers['www-authenticate']).toBe('Basic realm="Authorisation Required"');
  });

  it('GET cloud/groups: search (case-insensitive substring), limit and offset', async () => {
    const groups = async (q: string, as?: Creds) => (await ocs(t.app, 'GET', `/cloud/groups?${q}`, { as })).ocs.data.groups;
    expect(await groups('search=ST')).toEqual(['staff']);
    expect(await groups('search=i')).toEqual(['admin', 'editors']);
    expect(await groups('search=nothing-like-this')).toEqual([]);
    expect(await groups('limit=1')).toEqual(['admin']);
    expect(await groups('limit=2&offset=1')).toEqual(['editors', 'staff']);
    expect(await groups('offset=2')).toEqual(['staff']);
    expect(await groups('offset=10')).toEqual([]);
    expect(await groups('search=s&limit=1&offset=1')).toEqual(['staff']);
    expect(await groups('search=a', sub)).toEqual(['admin', 'staff']);
  });

  // ---- GET cloud/groups/details --------------------------------------------

  it('GET cloud/groups/details: one entry per group with counts and what the caller may do', async () => {
    const res = await ocs(t.app, 'GET', '/cloud/groups/details');
    expect(res.statusCode).toBe(200);
    expect(res.ocs.data.groups).toEqual([
      { id: 'admin', displayname: 'admin', usercount: 1, disabled: 0, canAdd: true, canRemove: true },
      { id: 'editors', displayname: 'editors', usercount: 0, disabled: 0, canAdd: true, canRemove: true },
      { id: 'staff', displayname: 'staff', usercount: 1, disabled: 0, canAdd: true, canRemove: true },
    ]);
    const bySub = await ocs(t.app, 'GET', '/cloud/groups/details?search=s', { as: sub, version: 1 });
    expect(bySub.ocs.meta.statuscode).toBe(100);
    expect(bySub.ocs.data.groups.map((g: { id: string; canAdd: boolean }) => [g.id, g.canAdd])).toEqual([
      ['editors', false],
      ['staff', true],
    ]);
    const paged = await ocs(t.app, 'GET', '/cloud/groups/details?limit=1&offset=2');
    expect(paged.ocs.data.groups.map((g: { id: string }) => g.id)).toEqual(['staff']);
    const x = parseXml((await ocs(t.app, 'GET', '/cloud/groups/details?search=staff', { format: 'xml' })).body);
    expect(x.ocs.data.groups.element).toEqual([{ id: 'staff', displayname: 'staff', usercount: '1', disabled: '0', canAdd: '1', canRemove: '1' }]);
  });

  it('GET cloud/groups/details: plain users 403, anonymous 997', async () => {
    await expectError(t.app, 'GET', '/cloud/groups/details', { as: pat }, 403, 403);
    await expectError(t.app, 'GET', '/cloud/groups/details', { as: null }, 997, 401);
  });

  // ---- POST cloud/groups ---------------------------------------------------

  it('POST cloud/groups: v1 and v2, form and JSON bodies, with a display name', async () => {
    const v1 = await ocs(t.app, 'POST', '/cloud/groups', { version: 1, body: { groupid: 'sales' } });
    expect(v1.statusCode).toBe(200);
    expect(v1.body).toBe(V1_OK_EMPTY);
    const json = await ocs(t.app, 'POST', '/cloud/groups', { json: true, body: { groupid: 'marketing', displayname: 'Marketing Team' } });
    expect(json.body).toBe(V2_OK_EMPTY);
    const xml = await ocs(t.app, 'POST', '/cloud/groups', { version: 1, format: 'xml', body: { groupid: 'legal' } });
    expect(xml.body).toBe(
      '<?xml version="1.0"?>\n<ocs>\n <meta>\n  <status>ok</status>\n  <statuscode>100</statuscode>\n  <message>OK</message>\n' +
        '  <totalitems></totalitems>\n  <itemsperpage></itemsperpage>\n </meta>\n <data/>\n</ocs>\n',
    );
    const details = await ocs(t.app, 'GET', '/cloud/groups/details?search=market');
    expect(details.ocs.data.groups).toEqual([expect.objectContaining({ id: 'marketing', displayname: 'Marketing Team', usercount: 0 })]);
    // The group id may also come from the query string.
    expect((await ocs(t.app, 'POST', '/cloud/groups?groupid=fromquery')).statusCode).toBe(200);
    expect((await ocs(t.app, 'GET', '/cloud/groups?search=fromquery')).ocs.data.groups).toEqual(['fromquery']);
  });

  it('POST cloud/groups: names with spaces, unicode and slashes round-trip', async () => {
    for (const groupid of ['Team A', 'équipe-ü', 'a/b']) {
      const res = await ocs(t.app, 'POST', '/cloud/groups', { body: { groupid } });
      expect(res.statusCode, groupid).toBe(200);
      const members = await ocs(t.app, 'GET', `/cloud/groups/${encodeURIComponent(groupid)}/users`);
      expect(members.statusCode, groupid).toBe(200);
      expect(members.ocs.data).toEqual({ users: [] });
    }
    const x = await ocs(t.app, 'GET', '/cloud/groups?search=quipe', { format: 'xml' });
    expect(x.body).toContain('<element>équipe-ü</element>');
  });

  it('group routes decode the id once more, as Nextcloud\'s urldecode does (clients double-encode)', async () => {
    for (const groupid of ['x/y', 'x+y', '50%']) await newGroup(t.app, groupid);
    await ocs(t.app, 'POST', '/cloud/users/alice/groups', { body: { groupid: 'x/y' } });
    const twice = (id: string) => encodeURIComponent(encodeURIComponent(id));
    expect((await ocs(t.app, 'GET', `/cloud/groups/${twice('x/y')}/users`)).ocs.data.users).toEqual(['alice']);
    expect((await ocs(t.app, 'GET', `/cloud/groups/${twice('x/y')}`)).ocs.data.users).toEqual(['alice']);
    expect(Object.keys((await ocs(t.app, 'GET', `/cloud/groups/${twice('x/y')}/users/details`)).ocs.data.users)).toEqual(['alice']);
    expect((await ocs(t.app, 'GET', `/cloud/groups/${twice('x+y')}/users`)).statusCode).toBe(200);
    // Once-encoded, "+" becomes a space in the second decoding, as in Nextcloud.
    await expectError(t.app, 'GET', `/cloud/groups/${encodeURIComponent('x+y')}/users`, {}, 404, 404);
    // A lone "%" survives both decodings.
    expect((await ocs(t.app, 'GET', `/cloud/groups/${encodeURIComponent('50%')}/users`)).statusCode).toBe(200);
    expect((await ocs(t.app, 'PUT', `/cloud/groups/${twice('x+y')}`, { body: { key: 'displayname', value: 'X plus Y' } })).statusCode).toBe(200);
    // getSubAdminsOfGroup is the one route Nextcloud does not decode again.
    expect((await ocs(t.app, 'GET', `/cloud/groups/${encodeURIComponent('x/y')}/subadmins`)).statusCode).toBe(200);
    for (const groupid of ['x/y', 'x+y', '50%']) expect((await ocs(t.app, 'DELETE', `/cloud/groups/${twice(groupid)}`)).statusCode, groupid).toBe(200);
    expect((await ocs(t.app, 'GET', '/cloud/users/alice/groups')).ocs.data.groups).toEqual(['staff']);
  });

  it('POST cloud/groups: 101 for an empty or missing name', async () => {
    await expectError(t.app, 'POST', '/cloud/groups', { body: { groupid: '' } }, 101, 400, 'Invalid group name');
    await expectError(t.app, 'POST', '/cloud/groups', {}, 101, 400, 'Invalid group name');
    await expectXmlError(t.app, 'POST', '/cloud/groups', { body: { groupid: '' } }, 101, 400);
  });

  it('POST cloud/groups: 102 when the group exists (also in another case)', async () => {
    await expectError(t.app, 'POST', '/cloud/groups', { body: { groupid: 'staff' } }, 102, 400, 'group exists');
    await expectError(t.app, 'POST', '/cloud/groups', { body: { groupid: 'STAFF' } }, 102, 400);
    await expectError(t.app, 'POST', '/cloud/groups', { body: { groupid: 'admin' } }, 102, 400);
    await expectXmlError(t.app, 'POST', '/cloud/groups', { body: { groupid: 'staff' } }, 102, 400);
  });

  it('POST cloud/groups: admins only (plain user and subadmin 403, anonymous 997), nothing created', async () => {
    await expectError(t.app, 'POST', '/cloud/groups', { as: pat, body: { groupid: 'byplain' } }, 403, 403, 'Logged in account must be an admin');
    await expectError(t.app, 'POST', '/cloud/groups', { as: sub, body: { groupid: 'bysub' } }, 403, 403, 'Logged in account must be an admin');
    await expectError(t.app, 'POST', '/cloud/groups', { as: null, body: { groupid: 'byanon' } }, 997, 401);
    expect((await ocs(t.app, 'GET', '/cloud/groups?search=by')).ocs.data.groups).toEqual([]);
  });

  // ---- GET cloud/groups/{id} and /users -----------------------------------

  it('GET cloud/groups/{id} (deprecated) and /users list members for admins', async () => {
    for (const url of ['/cloud/groups/staff', '/cloud/groups/staff/users']) {
      for (const version of [1, 2] as const) {
        const res = await ocs(t.app, 'GET', url, { version });
        expect(res.statusCode).toBe(200);
        expect(res.ocs.data).toEqual({ users: ['alice'] });
      }
      const x = parseXml((await ocs(t.app, 'GET', url, { format: 'xml' })).body);
      expect(x.ocs.data.users.element).toEqual(['alice']);
    }
    expect((await ocs(t.app, 'GET', '/cloud/groups/editors/users')).ocs.data).toEqual({ users: [] });
    expect((await ocs(t.app, 'GET', '/cloud/groups/editors/users', { format: 'xml' })).body).toContain(' <data>\n  <users/>\n </data>');
  });

  it('GET cloud/groups/{id}/users: the subadmin of the group may, of another group 403, plain users 403', async () => {
    const own = await ocs(t.app, 'GET', '/cloud/groups/staff/users', { as: sub });
    expect(own.statusCode).toBe(200);
    expect(own.ocs.data.users).toEqual(['alice']);
    for (const url of ['/cloud/groups/staff', '/cloud/groups/staff/users']) {
      await expectError(t.app, 'GET', url, { as: esub }, 403, 403);
      await expectError(t.app, 'GET', url, { as: pat }, 403, 403, 'Logged in account must be at least a sub admin');
      await expectError(t.app, 'GET', url, { as: alice }, 403, 403);
      await expectError(t.app, 'GET', url, { as: null }, 997, 401);
    }
    await expectXmlError(t.app, 'GET', '/cloud/groups/staff/users', { as: esub }, 403, 403);
  });

  it('GET cloud/groups/{id}/users: 404 for an unknown group, for admins and subadmins alike', async () => {
    for (const url of ['/cloud/groups/nope', '/cloud/groups/nope/users']) {
      await expectError(t.app, 'GET', url, {}, 404, 404, 'The requested group could not be found');
      await expectError(t.app, 'GET', url, { as: sub }, 404, 404, 'The requested group could not be found');
    }
    await expectXmlError(t.app, 'GET', '/cloud/groups/nope/users', {}, 404, 404);
  });

  // ---- GET cloud/groups/{id}/users/details ---------------------------------

  it('GET …/users/details: an object keyed by user id with each user\'s data', async () => {
    await ocs(t.app, 'POST', '/cloud/users/pat/groups', { body: { groupid: 'editors' } });
    try {
      const res = await ocs(t.app, 'GET', '/cloud/groups/editors/users/details', { version: 1 });
      expect(res.ocs.meta.statuscode).toBe(100);
      expect(Object.keys(res.ocs.data.users)).toEqual(['pat']);
      expect(res.ocs.data.users.pat).toMatchObject({ id: 'pat', enabled: true, groups: ['editors'], displayname: 'pat' });
      const bySub = await ocs(t.app, 'GET', '/cloud/groups/editors/users/details', { as: esub });
      expect(bySub.ocs.data.users.pat.id).toBe('pat');
      const x = parseXml((await ocs(t.app, 'GET', '/cloud/groups/editors/users/details', { format: 'xml' })).body);
      expect(x.ocs.data.users.pat.id).toBe('pat');
      expect(x.ocs.data.users.pat.groups.element).toEqual(['editors']);
    } finally {
      await ocs(t.app, 'DELETE', '/cloud/users/pat/groups', { body: { groupid: 'editors' } });
    }
  });

  it('GET …/users/details: search, limit and offset over the members', async () => {
    await newGroup(t.app, 'crowd');
    for (const u of ['c1', 'c2', 'c3']) await newUser(t.app, u, { groups: ['crowd'] });
    const ids = async (q: string) => Object.keys((await ocs(t.app, 'GET', `/cloud/groups/crowd/users/details?${q}`)).ocs.data.users);
    expect(await ids('')).toEqual(['c1', 'c2', 'c3']);
    expect(await ids('limit=2')).toEqual(['c1', 'c2']);
    expect(await ids('limit=2&offset=2')).toEqual(['c3']);
    expect(await ids('search=c2')).toEqual(['c2']);
  });

  it('GET …/users/details: an empty group is {"users":[]} as PHP writes it', async () => {
    const res = await ocs(t.app, 'GET', '/cloud/groups/legal/users/details');
    expect(res.body).toBe('{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":{"users":[]}}}');
  });

  it('GET …/users/details: 998 for an unknown group and for a group the subadmin does not manage', async () => {
    await expectError(t.app, 'GET', '/cloud/groups/nope/users/details', {}, 998, 404, 'The requested group could not be found');
    await expectError(t.app, 'GET', '/cloud/groups/staff/users/details', { as: esub }, 998, 404, 'The requested group could not be found');
    await expectXmlError(t.app, 'GET', '/cloud/groups/staff/users/details', { as: esub }, 998, 404);
    await expectError(t.app, 'GET', '/cloud/groups/staff/users/details', { as: pat }, 403, 403);
    await expectError(t.app, 'GET', '/cloud/groups/staff/users/details', { as: null }, 997, 401);
  });

  // ---- GET cloud/groups/{id}/subadmins -------------------------------------

  it('GET …/subadmins: a plain list of user ids, admin only', async () => {
    const res = await ocs(t.app, 'GET', '/cloud/groups/staff/subadmins');
    expect(res.body).toBe('{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":["sub"]}}');
    const v1 = await ocs(t.app, 'GET', '/cloud/groups/editors/subadmins', { version: 1 });
    expect(v1.ocs.data).toEqual(['esub']);
    expect((await ocs(t.app, 'GET', '/cloud/groups/legal/subadmins')).ocs.data).toEqual([]);
    const x = await ocs(t.app, 'GET', '/cloud/groups/staff/subadmins', { format: 'xml' });
    expect(x.body).toContain(' <data>\n  <element>sub</element>\n </data>');
    await expectError(t.app, 'GET', '/cloud/groups/staff/subadmins', { as: sub }, 403, 403, 'Logged in account must be an admin');
    await expectError(t.app, 'GET', '/cloud/groups/staff/subadmins', { as: pat }, 403, 403);
    await expectError(t.app, 'GET', '/cloud/groups/staff/subadmins', { as: null }, 997, 401);
  });

  it('GET …/subadmins: 101 for an unknown group', async () => {
    await expectError(t.app, 'GET', '/cloud/groups/nope/subadmins', {}, 101, 400, 'Group does not exist');
    await expectXmlError(t.app, 'GET', '/cloud/groups/nope/subadmins', {}, 101, 400);
  });

  // ---- PUT cloud/groups/{id} -----------------------------------------------

  it('PUT cloud/groups/{id}: key=displayname renames, on v1 and v2', async () => {
    const v2 = await ocs(t.app, 'PUT', '/cloud/groups/sales', { body: { key: 'displayname', value: 'Sales & Co' } });
    expect(v2.body).toBe(V2_OK_EMPTY);
    const v1 = await ocs(t.app, 'PUT', '/cloud/groups/legal', { version: 1, json: true, body: { key: 'displayname', value: 'Legal' } });
    expect(v1.body).toBe(V1_OK_EMPTY);
    const names = (await ocs(t.app, 'GET', '/cloud/groups/details')).ocs.data.groups.reduce(
      (m: Record<string, string>, g: { id: string; displayname: string }) => ({ ...m, [g.id]: g.displayname }),
      {},
    );
    expect(names).toMatchObject({ sales: 'Sales & Co', legal: 'Legal' });
    const x = await ocs(t.app, 'GET', '/cloud/groups/details?search=sales', { format: 'xml' });
    expect(x.body).toContain('<displayname>Sales &amp; Co</displayname>');
  });

  it('PUT cloud/groups/{id}: 998 unknown group, 400 for another key (before the group is looked up), 101 empty name', async () => {
    await expectError(t.app, 'PUT', '/cloud/groups/nope', { body: { key: 'displayname', value: 'x' } }, 998, 404);
    await expectXmlError(t.app, 'PUT', '/cloud/groups/nope', { body: { key: 'displayname', value: 'x' } }, 998, 404);
    // Nextcloud answers 999 (HTTP 500 on v2) here; an unsupported key is the caller's mistake, never a server error.
    await expectError(t.app, 'PUT', '/cloud/groups/staff', { body: { key: 'color', value: 'x' } }, 400, 400, 'Unsupported key');
    await expectXmlError(t.app, 'PUT', '/cloud/groups/staff', { body: { key: 'color', value: 'x' } }, 400, 400);
    await expectError(t.app, 'PUT', '/cloud/groups/staff', {}, 400, 400);
    await expectError(t.app, 'PUT', '/cloud/groups/nope', { body: { key: 'color', value: 'x' } }, 400, 400);
    await expectError(t.app, 'PUT', '/cloud/groups/staff', { body: { key: 'displayname', value: '' } }, 101, 400);
    expect((await ocs(t.app, 'GET', '/cloud/groups/details?search=staff')).ocs.data.groups[0].displayname).toBe('staff');
  });

  it('PUT cloud/groups/{id}: admins only', async () => {
    for (const as of [sub, pat]) {
      await expectError(t.app, 'PUT', '/cloud/groups/staff', { as, body: { key: 'displayname', value: 'y' } }, 403, 403, 'Logged in account must be an admin');
    }
    await expectError(t.app, 'PUT', '/cloud/groups/staff', { as: null, body: { key: 'displayname', value: 'y' } }, 997, 401);
  });

  // ---- DELETE cloud/groups/{id} --------------------------------------------

  it('DELETE cloud/groups/{id}: removes the group, its memberships and its subadmins', async () => {
    await newGroup(t.app, 'temp');
    await ocs(t.app, 'POST', '/cloud/users/alice/groups', { body: { groupid: 'temp' } });
    await ocs(t.app, 'POST', '/cloud/users/pat/subadmins', { body: { groupid: 'temp' } });
    expect((await ocs(t.app, 'GET', '/cloud/groups', { as: pat })).statusCode).toBe(200);

    const del = await ocs(t.app, 'DELETE', '/cloud/groups/temp', { version: 1 });
    expect(del.body).toBe(V1_OK_EMPTY);
    expect((await ocs(t.app, 'GET', '/cloud/users/alice/groups')).ocs.data.groups).toEqual(['staff']);
    expect((await ocs(t.app, 'GET', '/cloud/users/pat/subadmins')).ocs.data).toEqual([]);
    // No longer a subadmin of anything: back to a plain user.
    await expectError(t.app, 'GET', '/cloud/groups', { as: pat }, 403, 403);
    await expectError(t.app, 'GET', '/cloud/groups/temp/users', {}, 404, 404);

    // The name is free again.
    await newGroup(t.app, 'temp');
    expect((await ocs(t.app, 'GET', '/cloud/groups/temp/users')).ocs.data.users).toEqual([]);
    expect((await ocs(t.app, 'DELETE', '/cloud/groups/temp', { format: 'xml' })).body).toBe(ncSample('16-groups-create-xml').body);
  });

  it('DELETE cloud/groups/{id}: 101 unknown, 102 for the admin group', async () => {
    await expectError(t.app, 'DELETE', '/cloud/groups/nope', {}, 101, 400);
    await expectXmlError(t.app, 'DELETE', '/cloud/groups/nope', {}, 101, 400);
    await expectError(t.app, 'DELETE', '/cloud/groups/admin', {}, 102, 400);
    await expectXmlError(t.app, 'DELETE', '/cloud/groups/admin', {}, 102, 400);
    expect((await ocs(t.app, 'GET', '/cloud/groups/admin/users')).ocs.data.users).toEqual(['admin']);
  });

  it('DELETE cloud/groups/{id}: admins only', async () => {
    for (const as of [sub, esub, pat]) await expectError(t.app, 'DELETE', '/cloud/groups/staff', { as }, 403, 403, 'Logged in account must be an admin');
    await expectError(t.app, 'DELETE', '/cloud/groups/staff', { as: null }, 997, 401);
    expect((await ocs(t.app, 'GET', '/cloud/groups/staff/users')).statusCode).toBe(200);
  });
});
