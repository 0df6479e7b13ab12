import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { type Cast, createCast, graph, NON_ADMINS } from '../../helpers/graph.js';

const GROUPS = '/graph/v1.0/groups';
const ref = (id: string) => `http://nimbus.test/graph/v1.0/users/${encodeURIComponent(id)}`;
const g = (id: string) => `${GROUPS}/${encodeURIComponent(id)}`;
const ids = (res: { data: { value: Array<{ id: string }> } }): string[] => res.data.value.map((x) => x.id);
const ocsGroupsOf = async (app: TestApp['app'], user: string): Promise<string[]> => (await ocs(app, 'GET', `/cloud/users/${user}/groups`)).ocs.data.groups;

describeEachDb('Graph /groups', (kind) => {
  let t: TestApp;
  let cast: Cast;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    cast = await createCast(t.app);
    await newGroup(t.app, 'tea-lover');
    await newGroup(t.app, 'coffee-lover');
    await newUser(t.app, 'alice', { displayName: 'Alice Hansen', groups: ['tea-lover'] });
    await newUser(t.app, 'brian', { displayName: 'Brian Murphy' });
    await newUser(t.app, 'carol', { displayName: 'Carol King' });
  });
  afterAll(async () => t.close());

  describe('GET /groups', () => {
    it('lists every group for the admin, OCS groups included, and is 401 for anonymous callers', async () => {
      const res = await graph(t.app, 'GET', GROUPS, { schema: 'Group' });
      expect(res.data.value).toEqual([
        { id: 'admin', displayName: 'admin' },
        { id: 'coffee-lover', displayName: 'coffee-lover' },
        { id: 'tea-lover', displayName: 'tea-lover' },
      ]);
      expect((await graph(t.app, 'GET', GROUPS, { as: null })).statusCode).toBe(401);
    });

    it.each(NON_ADMINS)('lets the %s search with 3 characters or more, and nothing else', async (role) => {
      for (const q of ['', '?$search=te', '?$search="te"']) {
        const res = await graph(t.app, 'GET', `${GROUPS}${q}`, { as: cast[role] });
        expect(res.statusCode, q).toBe(403);
        expect(res.data.error).toMatchObject({ code: 'accessDenied', message: 'search term too short' });
      }
      expect(ids(await graph(t.app, 'GET', `${GROUPS}?$search=lover`, { as: cast[role], schema: 'Group' }))).toEqual(['coffee-lover', 'tea-lover']);
      for (const q of ['?$search=lover&$expand=members', `?$search=lover&$filter=${encodeURIComponent("id eq 'x'")}`]) {
        const res = await graph(t.app, 'GET', `${GROUPS}${q}`, { as: cast[role] });
        expect(res.statusCode, q).toBe(403);
        expect(res.data.error.message).toBe('query has forbidden elements for regular users');
      }
    });

    it('expands members, orders by display name, and refuses other orderings and filters', async () => {
      const res = await graph(t.app, 'GET', `${GROUPS}?$search=tea&$expand=members`, { schema: 'Group' });
      expect(res.data.value[0].members.map((u: { id: string }) => u.id)).toEqual(['alice']);
      expect(ids(await graph(t.app, 'GET', `${GROUPS}?$orderby=displayName desc`))).toEqual(['tea-lover', 'coffee-lover', 'admin']);
      expect((await graph(t.app, 'GET', `${GROUPS}?$orderby=id`)).statusCode).toBe(400);
      expect((await graph(t.app, 'GET', `${GROUPS}?$filter=${encodeURIComponent("displayName eq 'x'")}`)).statusCode).toBe(501);
      expect((await graph(t.app, 'GET', `${GROUPS}?$search=a-b`)).statusCode).toBe(400);
    });
  });

  describe('POST /groups', () => {
    it('creates a group (201) that OCS lists, with the name as its id', async () => {
      const res = await graph(t.app, 'POST', GROUPS, { body: { displayName: 'Sales' }, schema: 'Group' });
      expect(res.statusCode).toBe(201);
      expect(res.data).toEqual({ id: 'Sales', displayName: 'Sales' });
      expect((await ocs(t.app, 'GET', '/cloud/groups')).ocs.data.groups).toContain('Sales');
      const goStyle = await graph(t.app, 'POST', GROUPS, { body: { DisplayName: 'Marketing' } });
      expect(goStyle.data.id).toBe('Marketing');
    });

    it.each(['España§àôœ€', 'नेपाली', 'Mgmt/Sydney', '50%pass', 'staff?group', 'admin:Pokhara@Nepal', '😁 😂'])('creates and addresses the group %j', async (name) => {
      const res = await graph(t.app, 'POST', GROUPS, { body: { displayName: name } });
      expect(res.statusCode).toBe(201);
      const read = await graph(t.app, 'GET', g(name), { schema: 'Group' });
      expect(read.data).toEqual({ id: name, displayName: name });
      expect((await graph(t.app, 'POST', `${g(name)}/members/$ref`, { body: { '@odata.id': ref('carol') } })).statusCode).toBe(204);
      expect(await ocsGroupsOf(t.app, 'carol')).toContain(name);
    });

    it('refuses duplicates (also in another case) with 409 nameAlreadyExists', async () => {
      for (const name of ['Sales', 'sales', 'TEA-LOVER']) {
        const res = await graph(t.app, 'POST', GROUPS, { body: { displayName: name } });
        expect(res.statusCode, name).toBe(409);
        expect(res.data.error.code).toBe('nameAlreadyExists');
      }
    });

    it.each([
      [{ displayName: '' }, 'Invalid displayName'],
      [{ displayName: '   ' }, 'Invalid displayName'],
      [{ displayName: 'x'.repeat(257) }, 'Invalid displayName'],
      [{}, 'Missing Required Attribute'],
      [{ displayName: 'Chosen', id: 'chosen-id' }, 'group id is a read-only attribute'],
    ])('refuses %j with 400 and the reference message', async (body, message) => {
      const res = await graph(t.app, 'POST', GROUPS, { body });
      expect(res.statusCode).toBe(400);
      expect(res.data.error).toMatchObject({ code: 'invalidRequest', message });
    });

    it('refuses unknown properties and malformed JSON with 400', async () => {
      expect((await graph(t.app, 'POST', GROUPS, { body: { displayName: 'Extra', description: 'not stored' } })).statusCode).toBe(400);
      expect((await graph(t.app, 'POST', GROUPS, { body: '{"displayName": "Broken"' })).statusCode).toBe(400);
      expect((await graph(t.app, 'POST', GROUPS, { body: '' , headers: { 'content-type': 'application/json' } })).statusCode).toBe(400);
      expect((await ocs(t.app, 'GET', '/cloud/groups')).ocs.data.groups).not.toContain('Extra');
    });

    it.each(NON_ADMINS)('refuses the %s with 403 "Forbidden"', async (role) => {
      const res = await graph(t.app, 'POST', GROUPS, { as: cast[role], body: { displayName: 'Mine' } });
      expect(res.statusCode).toBe(403);
      expect(res.data.error).toMatchObject({ code: 'accessDenied', message: 'Forbidden' });
      expect((await graph(t.app, 'POST', GROUPS, { as: null, body: { displayName: 'Mine' } })).statusCode).toBe(401);
    });
  });

  describe('GET /groups/{id}', () => {
    it('answers the admin (with $expand=members) and 404 for unknown groups', async () => {
      const res = await graph(t.app, 'GET', `${g('tea-lover')}?$expand=members`, { schema: 'Group' });
      expect(res.data.members.map((u: { id: string }) => u.id)).toEqual(['alice']);
      expect((await graph(t.app, 'GET', g('tea-lover'))).data.members).toBeUndefined();
      expect((await graph(t.app, 'GET', g('nope'))).statusCode).toBe(404);
    });

    it.each(NON_ADMINS)('refuses the %s with 403, also for their own groups and unknown ones', async (role) => {
      for (const id of ['tea-lover', 'nope']) {
        const res = await graph(t.app, 'GET', g(id), { as: cast[role] });
        expect(res.statusCode).toBe(403);
        expect(res.data.error.message).toBe('Forbidden');
      }
    });
  });

  describe('PATCH /groups/{id}', () => {
    it('renames (the id stays) and adds members at once; OCS sees both', async () => {
      await graph(t.app, 'POST', GROUPS, { body: { displayName: 'grp1' } });
      const res = await graph(t.app, 'PATCH', g('grp1'), { body: { displayName: 'Group One', 'members@odata.bind': [ref('brian'), ref('carol')] } });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      const read = await graph(t.app, 'GET', `${g('grp1')}?$expand=members`);
      expect(read.data.displayName).toBe('Group One');
      expect(read.data.members.map((u: { id: string }) => u.id)).toEqual(['brian', 'carol']);
      expect(await ocsGroupsOf(t.app, 'brian')).toContain('grp1');
      expect((await ocs(t.app, 'GET', '/cloud/groups/details?search=grp1')).ocs.data.groups[0].displayname).toBe('Group One');
    });

    it('accepts references by path, counts a repeated user once, and answers {} with 204', async () => {
      await graph(t.app, 'POST', GROUPS, { body: { displayName: 'grp2' } });
      const res = await graph(t.app, 'PATCH', g('grp2'), { body: { 'members@odata.bind': ['/graph/v1.0/users/alice', ref('alice')] } });
      expect(res.statusCode).toBe(204);
      expect((await ocs(t.app, 'GET', '/cloud/groups/grp2/users')).ocs.data.users).toEqual(['alice']);
      expect((await graph(t.app, 'PATCH', g('grp2'), { body: {} })).statusCode).toBe(204);
    });

    it('refuses the whole request when a member is unknown (404) or already in the group (400)', async () => {
      const unknown = await graph(t.app, 'PATCH', g('grp2'), { body: { displayName: 'Renamed', 'members@odata.bind': [ref('brian'), ref('ghost')] } });
      expect(unknown.statusCode).toBe(404);
      const twice = await graph(t.app, 'PATCH', g('grp2'), { body: { 'members@odata.bind': [ref('brian'), ref('alice')] } });
      expect(twice.statusCode).toBe(400);
      expect((await ocs(t.app, 'GET', '/cloud/groups/grp2/users')).ocs.data.users).toEqual(['alice']);
      expect((await graph(t.app, 'GET', g('grp2'))).data.displayName).toBe('grp2');
    });

    it('refuses more than 20 members, group references, other hosts and broken bodies with 400', async () => {
      const many = Array.from({ length: 21 }, (_, i) => ref(`user${i}`));
      const tooMany = await graph(t.app, 'PATCH', g('grp2'), { body: { 'members@odata.bind': many } });
      expect(tooMany.statusCode).toBe(400);
      expect(tooMany.data.error.message).toBe('Request is limited to 20 members');
      const group = await graph(t.app, 'PATCH', g('grp2'), { body: { 'members@odata.bind': ['http://nimbus.test/graph/v1.0/groups/tea-lover'] } });
      expect(group.data.error.message).toBe('Only user are allowed as group members');
      const host = await graph(t.app, 'PATCH', g('grp2'), { body: { 'members@odata.bind': ['https://invalid/graph/v1.0/users/brian'] } });
      expect(host.statusCode).toBe(400);
      expect(host.data.error.message).toBe('Error parsing member@odata.bind values');
      for (const body of ['{"members@odata.bind": ["a",,"b"]}', "{'members@odata.bind': []}", { displayName: '' }, { 'members@odata.bind': 'not-a-list' }, { members: [] }]) {
        expect((await graph(t.app, 'PATCH', g('grp2'), { body })).statusCode, JSON.stringify(body)).toBe(400);
      }
      expect((await ocs(t.app, 'GET', '/cloud/groups/grp2/users')).ocs.data.users).toEqual(['alice']);
    });

    it('answers unknown groups with 404 and non-admins with 403', async () => {
      expect((await graph(t.app, 'PATCH', g('nope'), { body: { displayName: 'x' } })).statusCode).toBe(404);
      for (const role of NON_ADMINS) {
        const res = await graph(t.app, 'PATCH', g('grp2'), { as: cast[role], body: { 'members@odata.bind': [ref(cast[role].user)] } });
        expect(res.statusCode).toBe(403);
        expect(res.data.error.message).toBe('Forbidden');
      }
    });
  });

  describe('members', () => {
    it('lists members for the admin only', async () => {
      const res = await graph(t.app, 'GET', `${g('tea-lover')}/members`, { schema: 'User' });
      expect(ids(res)).toEqual(['alice']);
      expect(res.data.value[0]).toMatchObject({ displayName: 'Alice Hansen', accountEnabled: true });
      expect((await graph(t.app, 'GET', `${g('nope')}/members`)).statusCode).toBe(404);
      for (const role of NON_ADMINS) expect((await graph(t.app, 'GET', `${g('tea-lover')}/members`, { as: cast[role] })).statusCode).toBe(403);
      expect((await graph(t.app, 'GET', `${g('tea-lover')}/members`, { as: null })).statusCode).toBe(401);
    });

    it('adds a member with $ref (204); OCS and memberOf show it; adding again is 400', async () => {
      const res = await graph(t.app, 'POST', `${g('coffee-lover')}/members/$ref`, { body: { '@odata.id': ref('brian') } });
      expect(res.statusCode).toBe(204);
      expect(await ocsGroupsOf(t.app, 'brian')).toContain('coffee-lover');
      const me = await graph(t.app, 'GET', '/graph/v1.0/me?$expand=memberOf', { as: { user: 'brian', password: 'Pw-brian-Secret-123' } });
      expect(me.data.memberOf.map((x: { id: string }) => x.id)).toContain('coffee-lover');
      const again = await graph(t.app, 'POST', `${g('coffee-lover')}/members/$ref`, { body: { '@odata.id': ref('brian') } });
      expect(again.statusCode).toBe(400);
      expect(again.data.error.code).toBe('invalidRequest');
    });

    it('shows memberships made over OCS', async () => {
      await ocs(t.app, 'POST', '/cloud/users/carol/groups', { body: { groupid: 'coffee-lover' } });
      expect(ids(await graph(t.app, 'GET', `${g('coffee-lover')}/members`))).toEqual(['brian', 'carol']);
      expect(ids(await graph(t.app, 'GET', `/graph/v1.0/users?$filter=${encodeURIComponent("memberOf/any(m:m/id eq 'coffee-lover')")}`))).toEqual(['brian', 'carol']);
    });

    it.each([
      [{ '@odata.id': ref('ghost') }, 'tea-lover', 404],
      [{ '@odata.id': ref('brian') }, 'nope', 404],
      [{}, 'tea-lover', 400],
      [{ '@odata.id': 'http://nimbus.test/graph/v1.0/groups/coffee-lover' }, 'tea-lover', 400],
      [{ '@odata.id': 'https://invalid/graph/v1.0/users/brian' }, 'tea-lover', 400],
      [{ '@odata.id': 'users/brian' }, 'tea-lover', 400],
      [{ '@odata.id': ref('brian'), extra: 1 }, 'tea-lover', 400],
    ] as const)('refuses %j on %s with %i', async (body, group, status) => {
      const res = await graph(t.app, 'POST', `${g(group)}/members/$ref`, { body });
      expect(res.statusCode).toBe(status);
    });

    it('refuses malformed JSON with 400', async () => {
      for (const body of ["{'@odata.id': 'x',}", "{'@odata.id'- 'x'}", '{@odata.id: x}']) {
        expect((await graph(t.app, 'POST', `${g('tea-lover')}/members/$ref`, { body })).statusCode).toBe(400);
      }
    });

    it.each(NON_ADMINS)('refuses the %s adding themself or others with 403 "Forbidden"', async (role) => {
      for (const user of [cast[role].user, 'brian']) {
        const res = await graph(t.app, 'POST', `${g('tea-lover')}/members/$ref`, { as: cast[role], body: { '@odata.id': ref(user) } });
        expect(res.statusCode).toBe(403);
        expect(res.data.error.message).toBe('Forbidden');
      }
      const del = await graph(t.app, 'DELETE', `${g('tea-lover')}/members/alice/$ref`, { as: cast[role] });
      expect(del.statusCode).toBe(403);
    });

    it('removes a member (204); a second removal and unknown groups are 404; OCS agrees', async () => {
      const res = await graph(t.app, 'DELETE', `${g('coffee-lover')}/members/brian/$ref`);
      expect(res.statusCode).toBe(204);
      expect(await ocsGroupsOf(t.app, 'brian')).not.toContain('coffee-lover');
      expect((await graph(t.app, 'DELETE', `${g('coffee-lover')}/members/brian/$ref`)).statusCode).toBe(404);
      expect((await graph(t.app, 'DELETE', `${g('nope')}/members/brian/$ref`)).statusCode).toBe(404);
      expect((await graph(t.app, 'DELETE', `${g('coffee-lover')}/members/ghost/$ref`)).statusCode).toBe(404);
      // An OCS removal shows over Graph.
      await ocs(t.app, 'DELETE', '/cloud/users/carol/groups', { body: { groupid: 'coffee-lover' } });
      expect(ids(await graph(t.app, 'GET', `${g('coffee-lover')}/members`))).toEqual([]);
    });

    it('keeps the admin in the admin group (403), and lets the admin make others admins by membership', async () => {
      expect((await graph(t.app, 'DELETE', `${g('admin')}/members/admin/$ref`)).statusCode).toBe(403);
      expect((await graph(t.app, 'POST', `${g('admin')}/members/$ref`, { body: { '@odata.id': ref('carol') } })).statusCode).toBe(204);
      const carol = { user: 'carol', password: 'Pw-carol-Secret-123' };
      expect((await graph(t.app, 'GET', '/graph/v1.0/users', { as: carol })).statusCode).toBe(200);
      expect((await graph(t.app, 'DELETE', `${g('admin')}/members/carol/$ref`)).statusCode).toBe(204);
      expect((await graph(t.app, 'GET', '/graph/v1.0/users', { as: carol })).statusCode).toBe(403);
    });
  });

  describe('DELETE /groups/{id}', () => {
    it.each(NON_ADMINS)('refuses the %s with 403, even for unknown groups', async (role) => {
      for (const id of ['Sales', 'nope']) expect((await graph(t.app, 'DELETE', g(id), { as: cast[role] })).statusCode).toBe(403);
      expect((await graph(t.app, 'DELETE', g('Sales'), { as: null })).statusCode).toBe(401);
    });

    it('deletes groups (204) with their memberships, keeps the admin group, and answers unknown ones with 404', async () => {
      await graph(t.app, 'POST', `${g('Sales')}/members/$ref`, { body: { '@odata.id': ref('alice') } });
      for (const id of ['Sales', 'Mgmt/Sydney', '50%pass']) {
        const res = await graph(t.app, 'DELETE', g(id));
        expect(res.statusCode, id).toBe(204);
      }
      const groups = (await ocs(t.app, 'GET', '/cloud/groups')).ocs.data.groups;
      expect(groups).not.toContain('Sales');
      expect(groups).not.toContain('Mgmt/Sydney');
      expect(await ocsGroupsOf(t.app, 'alice')).not.toContain('Sales');
      expect((await graph(t.app, 'DELETE', g('Sales'))).statusCode).toBe(404);
      const adminGroup = await graph(t.app, 'DELETE', g('admin'));
      expect(adminGroup.statusCode).toBe(403);
      expect(adminGroup.data.error.code).toBe('accessDenied');
    });

    it('a group deleted over OCS is gone from Graph', async () => {
      await newGroup(t.app, 'short-lived');
      expect((await graph(t.app, 'GET', g('short-lived'))).statusCode).toBe(200);
      await ocs(t.app, 'DELETE', '/cloud/groups/short-lived');
      expect((await graph(t.app, 'GET', g('short-lived'))).statusCode).toBe(404);
    });
  });
});
