import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';

const xml = new XMLParser();

describeEachDb('OCS cloud/groups', (kind) => {
  let t: TestApp;
  let alice: { user: string; password: string };
  let sub: { user: string; password: string };
  beforeAll(async () => {
    t = await buildTestApp(kind);
    await newGroup(t.app, 'staff');
    await newGroup(t.app, 'editors');
    alice = await newUser(t.app, 'alice', { groups: ['staff'] });
    sub = await newUser(t.app, 'sub', { groups: ['staff'] });
    await ocs(t.app, 'POST', '/cloud/users/sub/subadmins', { body: { groupid: 'staff' } });
  });
  afterAll(async () => t.close());

  it('lists groups for admins and subadmins, sorted, with search/limit/offset', async () => {
    const all = await ocs(t.app, 'GET', '/cloud/groups');
    expect(all.statusCode).toBe(200);
    expect(all.ocs.data.groups).toEqual(['admin', 'editors', 'staff']);
    const bySub = await ocs(t.app, 'GET', '/cloud/groups', { as: sub });
    expect(bySub.ocs.data.groups).toEqual(['admin', 'editors', 'staff']);
    expect((await ocs(t.app, 'GET', '/cloud/groups?search=ST')).ocs.data.groups).toEqual(['staff']);
    expect((await ocs(t.app, 'GET', '/cloud/groups?limit=1&offset=1')).ocs.data.groups).toEqual(['editors']);
  });

  it('refuses plain users (403) and anonymous callers (997)', async () => {
    const plain = await ocs(t.app, 'GET', '/cloud/groups', { as: alice });
    expect(plain.statusCode).toBe(403);
    expect(plain.ocs.meta).toMatchObject({ status: 'failure', statuscode: 403, message: 'Logged in account must be at least a sub admin' });
    const v1 = await ocs(t.app, 'GET', '/cloud/groups', { as: alice, version: 1 });
    expect(v1.statusCode).toBe(200);
    expect(v1.ocs.meta.statuscode).toBe(403);
    const anon = await ocs(t.app, 'GET', '/cloud/groups', { as: null });
    expect(anon.statusCode).toBe(401);
    expect(anon.headers['www-authenticate']).toBe('Basic realm="Authorisation Required"');
    expect(anon.ocs.meta.statuscode).toBe(997);
  });

  it('details carry counts and what the caller may do', async () => {
    const res = await ocs(t.app, 'GET', '/cloud/groups/details', { as: sub });
    const staff = res.ocs.data.groups.find((g: { id: string }) => g.id === 'staff');
    expect(staff).toEqual({ id: 'staff', displayname: 'staff', usercount: 2, disabled: 0, canAdd: true, canRemove: true });
    const editors = res.ocs.data.groups.find((g: { id: string }) => g.id === 'editors');
    expect(editors.canAdd).toBe(false);
  });

  it('creates groups as in the reference samples (JSON data [] and XML <data/>)', async () => {
    const json = await ocs(t.app, 'POST', '/cloud/groups', { body: { groupid: 'sales' } });
    expect(json.body).toBe('{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":[]}}');
    const x = await ocs(t.app, 'POST', '/cloud/groups', { body: { groupid: 'marketing', displayname: 'Marketing Team' }, format: 'xml' });
    expect(x.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(x.body).toBe(
      '<?xml version="1.0"?>\n<ocs>\n <meta>\n  <status>ok</status>\n  <statuscode>200</statuscode>\n  <message>OK</message>\n </meta>\n <data/>\n</ocs>\n',
    );
    const details = await ocs(t.app, 'GET', '/cloud/groups/details?search=market');
    expect(details.ocs.data.groups[0].displayname).toBe('Marketing Team');
  });

  it('refuses empty (101), duplicate (102, case-insensitive) and non-admin creation (403)', async () => {
    const empty = await ocs(t.app, 'POST', '/cloud/groups', { body: { groupid: '' } });
    expect(empty.statusCode).toBe(400);
    expect(empty.ocs.meta.statuscode).toBe(101);
    const dup = await ocs(t.app, 'POST', '/cloud/groups', { body: { groupid: 'STAFF' } });
    expect(dup.ocs.meta.statuscode).toBe(102);
    const dupV1 = await ocs(t.app, 'POST', '/cloud/groups', { body: { groupid: 'staff' }, version: 1 });
    expect(dupV1.statusCode).toBe(200);
    expect(dupV1.ocs.meta).toMatchObject({ status: 'failure', statuscode: 102, totalitems: '', itemsperpage: '' });
    const bySub = await ocs(t.app, 'POST', '/cloud/groups', { body: { groupid: 'x' }, as: sub });
    expect(bySub.statusCode).toBe(403);
  });

  it('lists members for admins and the group subadmin only', async () => {
    for (const url of ['/cloud/groups/staff', '/cloud/groups/staff/users']) {
      const res = await ocs(t.app, 'GET', url);
      expect(res.ocs.data).toEqual({ users: ['alice', 'sub'] });
    }
    expect((await ocs(t.app, 'GET', '/cloud/groups/staff/users', { as: sub })).statusCode).toBe(200);
    const other = await ocs(t.app, 'GET', '/cloud/groups/editors/users', { as: sub });
    expect(other.statusCode).toBe(403);
    const missing = await ocs(t.app, 'GET', '/cloud/groups/nope/users');
    expect(missing.statusCode).toBe(404);
    expect(missing.ocs.meta.message).toBe('The requested group could not be found');
    const plain = await ocs(t.app, 'GET', '/cloud/groups/staff/users', { as: alice });
    expect(plain.statusCode).toBe(403);
  });

  it('member details are keyed by user id', async () => {
    const res = await ocs(t.app, 'GET', '/cloud/groups/staff/users/details');
    expect(Object.keys(res.ocs.data.users)).toEqual(['alice', 'sub']);
    expect(res.ocs.data.users.alice.id).toBe('alice');
    const x = await ocs(t.app, 'GET', '/cloud/groups/staff/users/details', { format: 'xml' });
    expect(xml.parse(x.body).ocs.data.users.alice.id).toBe('alice');
  });

  it('lists subadmins of a group (admin only; 101 for an unknown group)', async () => {
    expect((await ocs(t.app, 'GET', '/cloud/groups/staff/subadmins')).ocs.data).toEqual(['sub']);
    const unknown = await ocs(t.app, 'GET', '/cloud/groups/nope/subadmins');
    expect(unknown.ocs.meta.statuscode).toBe(101);
    expect((await ocs(t.app, 'GET', '/cloud/groups/staff/subadmins', { as: sub })).statusCode).toBe(403);
  });

  it('renames a group (998 unknown, 999 for another key)', async () => {
    const ok = await ocs(t.app, 'PUT', '/cloud/groups/editors', { body: { key: 'displayname', value: 'Editors' } });
    expect(ok.statusCode).toBe(200);
    const unknown = await ocs(t.app, 'PUT', '/cloud/groups/nope', { body: { key: 'displayname', value: 'x' } });
    expect(unknown.ocs.meta.statuscode).toBe(998);
    expect(unknown.statusCode).toBe(404);
    const badKey = await ocs(t.app, 'PUT', '/cloud/groups/editors', { body: { key: 'color', value: 'x' } });
    expect(badKey.ocs.meta.statuscode).toBe(999);
    expect((await ocs(t.app, 'PUT', '/cloud/groups/editors', { body: { key: 'displayname', value: 'y' }, as: sub })).statusCode).toBe(403);
  });

  it('deletes groups (101 unknown, 102 for admin) and their memberships go with them', async () => {
    await newGroup(t.app, 'temp');
    await ocs(t.app, 'POST', '/cloud/users/alice/groups', { body: { groupid: 'temp' } });
    expect((await ocs(t.app, 'DELETE', '/cloud/groups/temp', { as: sub })).statusCode).toBe(403);
    const del = await ocs(t.app, 'DELETE', '/cloud/groups/temp');
    expect(del.statusCode).toBe(200);
    expect((await ocs(t.app, 'GET', '/cloud/users/alice/groups')).ocs.data.groups).toEqual(['staff']);
    const again = await ocs(t.app, 'DELETE', '/cloud/groups/temp');
    expect(again.ocs.meta.statuscode).toBe(101);
    const admin = await ocs(t.app, 'DELETE', '/cloud/groups/admin', { version: 1 });
    expect(admin.statusCode).toBe(200);
    expect(admin.ocs.meta.statuscode).toBe(102);
  });
});
