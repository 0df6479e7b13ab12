import { afterAll, beforeAll, expect, it } from 'vitest';
import { basic, buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { graph } from '../../helpers/graph.js';

type Creds = { user: string; password: string };
const APP = 'ecf4ee6d-14e5-4fd4-91ab-0c5c4bd7f1aa';
const ROLES = { admin: '71881883-1768-46bd-a24d-a356a2afdf7f', spaceAdmin: '2aadd357-682c-406b-8874-293091995fdd', user: 'd7beeea8-8ff4-406b-8fb6-ab2dd81e6b11' };

describeEachDb('Graph users, groups, roles', (kind) => {
  let t: TestApp;
  let alice: Creds;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    await newGroup(t.app, 'staff');
    alice = await newUser(t.app, 'alice', { groups: ['staff'], displayName: 'Alice Hansen', email: 'alice@example.org' });
  });
  afterAll(async () => t.close());

  it('GET /me, with $expand=memberOf', async () => {
    const me = await graph(t.app, 'GET', '/graph/v1.0/me', { as: alice, schema: 'user' });
    expect(me.data).toMatchObject({ id: 'alice', displayName: 'Alice Hansen', mail: 'alice@example.org', onPremisesSamAccountName: 'alice', userType: 'Member' });
    expect(me.data.memberOf).toBeUndefined();
    const expanded = await graph(t.app, 'GET', '/graph/v1.0/me?$expand=memberOf', { as: alice, schema: 'user' });
    expect(expanded.data.memberOf.map((g: { id: string }) => g.id)).toEqual(['staff']);
    expect((await graph(t.app, 'GET', '/graph/v1.0/me', { as: null })).statusCode).toBe(401);
  });

  it('PATCH /me and changePassword', async () => {
    expect((await graph(t.app, 'PATCH', '/graph/v1.0/me', { as: alice, body: { displayName: 'X' } })).statusCode).toBe(400);
    const lang = await graph(t.app, 'PATCH', '/graph/v1.0/me', { as: alice, body: { preferredLanguage: 'de' } });
    expect(lang.data.preferredLanguage).toBe('de');
    expect((await graph(t.app, 'POST', '/graph/v1.0/me/changePassword', { as: alice, body: { currentPassword: 'wrong', newPassword: 'Another-Long-Pass-1' } })).statusCode).toBe(400);
    expect((await graph(t.app, 'POST', '/graph/v1.0/me/changePassword', { as: alice, body: { currentPassword: alice.password, newPassword: 'short' } })).statusCode).toBe(400);
    const ok = await graph(t.app, 'POST', '/graph/v1.0/me/changePassword', { as: alice, body: { currentPassword: alice.password, newPassword: 'Another-Long-Pass-1' } });
    expect(ok.statusCode).toBe(204);
    alice = { user: 'alice', password: 'Another-Long-Pass-1' };
    expect((await ocs(t.app, 'GET', '/cloud/user', { as: alice })).statusCode).toBe(200);
  });

  it('users made over Graph are OCS users and the reverse; passwords work for Basic on OCS', async () => {
    const created = await graph(t.app, 'POST', '/graph/v1.0/users', {
      body: { displayName: 'Brian Murphy', onPremisesSamAccountName: 'brian', mail: 'brian@example.org', passwordProfile: { password: 'Brian-Graph-Pass-1' }, accountEnabled: true },
      schema: 'user',
    });
    expect(created.statusCode).toBe(201);
    expect(created.data).toMatchObject({ id: 'brian', displayName: 'Brian Murphy', accountEnabled: true });
    expect((await ocs(t.app, 'GET', '/cloud/users')).ocs.data.users).toContain('brian');
    const login = await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: basic('brian', 'Brian-Graph-Pass-1'), 'OCS-APIRequest': 'true' } });
    expect(login.statusCode).toBe(200);
    expect((await graph(t.app, 'GET', '/graph/v1.0/me/drive', { as: { user: 'brian', password: 'Brian-Graph-Pass-1' } })).statusCode).toBe(200);
    const list = await graph(t.app, 'GET', '/graph/v1.0/users', { schema: 'user' });
    expect(list.data.value.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining(['admin', 'alice', 'brian']));
  });

  it('refuses bad user creation with the reference codes', async () => {
    const dup = await graph(t.app, 'POST', '/graph/v1.0/users', { body: { displayName: 'A', onPremisesSamAccountName: 'alice', passwordProfile: { password: 'Some-Long-Pass-1' } } });
    expect(dup.statusCode).toBe(409);
    expect(dup.data.error.code).toBe('nameAlreadyExists');
    expect((await graph(t.app, 'POST', '/graph/v1.0/users', { body: { displayName: 'A', onPremisesSamAccountName: 'bad/name', passwordProfile: { password: 'Some-Long-Pass-1' } } })).statusCode).toBe(400);
    expect((await graph(t.app, 'POST', '/graph/v1.0/users', { body: { displayName: 'A', onPremisesSamAccountName: 'x1', unknown: 1 } })).statusCode).toBe(400);
    const byUser = await graph(t.app, 'POST', '/graph/v1.0/users', { as: alice, body: { displayName: 'A', onPremisesSamAccountName: 'x2', passwordProfile: { password: 'Some-Long-Pass-1' } } });
    expect(byUser.statusCode).toBe(403);
    expect(byUser.data.error.code).toBe('accessDenied');
  });

  it('non-admins search users with at least 3 characters and see reduced fields', async () => {
    const short = await graph(t.app, 'GET', '/graph/v1.0/users?$search=al', { as: alice });
    expect(short.statusCode).toBe(403);
    expect(short.data.error.message).toBe('search term too short');
    expect((await graph(t.app, 'GET', '/graph/v1.0/users', { as: alice })).statusCode).toBe(403);
    const found = await graph(t.app, 'GET', '/graph/v1.0/users?$search="bri"', { as: alice, schema: 'user' });
    expect(found.data.value.map((u: { id: string }) => u.id)).toEqual(['brian']);
    expect(found.data.value[0].mail).toBeUndefined();
    const ordered = await graph(t.app, 'GET', '/graph/v1.0/users?$orderby=displayName desc');
    const names = ordered.data.value.map((u: { displayName: string }) => u.displayName);
    expect(names).toEqual([...names].sort((a: string, b: string) => b.localeCompare(a)));
    expect((await graph(t.app, 'GET', '/graph/v1.0/users?$orderby=shoeSize')).statusCode).toBe(400);
  });

  it('$filter, $select and $expand on users as far as the reference supports them', async () => {
    const members = await graph(t.app, 'GET', "/graph/v1.0/users?$filter=memberOf/any(m:m/id eq 'staff')", { schema: 'user' });
    expect(members.data.value.map((u: { id: string }) => u.id)).toEqual(['alice']);
    const admins = await graph(t.app, 'GET', "/graph/v1.0/users?$filter=appRoleAssignments/any(m:m/appRoleId eq '71881883-1768-46bd-a24d-a356a2afdf7f')");
    expect(admins.data.value.map((u: { id: string }) => u.id)).toEqual(['admin']);
    const byType = await graph(t.app, 'GET', "/graph/v1.0/users?$search=ali&$filter=userType eq 'Member'", { as: alice });
    expect(byType.data.value.map((u: { id: string }) => u.id)).toEqual(['alice']);
    expect((await graph(t.app, 'GET', "/graph/v1.0/users?$search=ali&$filter=memberOf/any(m:m/id eq 'staff')", { as: alice })).statusCode).toBe(403);
    expect((await graph(t.app, 'GET', "/graph/v1.0/users?$filter=endswith(displayName,'a')")).statusCode).toBe(501);
    const selected = await graph(t.app, 'GET', '/graph/v1.0/users/alice?$select=displayName');
    expect(selected.data).toEqual({ displayName: 'Alice Hansen', id: 'alice' });
    const expanded = await graph(t.app, 'GET', '/graph/v1.0/users?$expand=memberOf&$search=alice');
    expect(expanded.data.value[0].memberOf.map((g: { id: string }) => g.id)).toEqual(['staff']);
  });

  it('GET/PATCH/DELETE /users/{id} by role', async () => {
    expect((await graph(t.app, 'GET', '/graph/v1.0/users/alice', { as: alice })).statusCode).toBe(200);
    expect((await graph(t.app, 'GET', '/graph/v1.0/users/brian', { as: alice })).statusCode).toBe(403);
    expect((await graph(t.app, 'GET', '/graph/v1.0/users/nobody')).statusCode).toBe(404);
    expect((await graph(t.app, 'GET', '/graph/v1.0/users/nobody', { as: alice })).statusCode).toBe(403);
    const patched = await graph(t.app, 'PATCH', '/graph/v1.0/users/brian', { body: { displayName: 'Brian M.', mail: 'b@example.org' }, schema: 'user' });
    expect(patched.data).toMatchObject({ displayName: 'Brian M.', mail: 'b@example.org' });
    expect((await ocs(t.app, 'GET', '/cloud/users/brian')).ocs.data.displayname).toBe('Brian M.');
    expect((await graph(t.app, 'PATCH', '/graph/v1.0/users/brian', { body: { id: 'other' } })).statusCode).toBe(400);
    expect((await graph(t.app, 'PATCH', '/graph/v1.0/users/brian', { as: alice, body: { displayName: 'x' } })).statusCode).toBe(403);
    expect((await graph(t.app, 'PATCH', '/graph/v1.0/users/brian', { body: {} })).statusCode).toBe(204);
    const disabled = await graph(t.app, 'PATCH', '/graph/v1.0/users/brian', { body: { accountEnabled: false } });
    expect(disabled.data.accountEnabled).toBe(false);
    expect((await graph(t.app, 'GET', '/graph/v1.0/me', { as: { user: 'brian', password: 'Brian-Graph-Pass-1' } })).statusCode).toBe(401);
    const self = await graph(t.app, 'DELETE', '/graph/v1.0/users/admin');
    expect(self.statusCode).toBe(403);
    expect(self.data.error.message).toBe('self deletion forbidden');
    expect((await graph(t.app, 'DELETE', '/graph/v1.0/users/brian', { as: alice })).statusCode).toBe(403);
    expect((await graph(t.app, 'DELETE', '/graph/v1.0/users/brian')).statusCode).toBe(204);
    expect((await ocs(t.app, 'GET', '/cloud/users/brian')).statusCode).toBe(404);
  });

  it('groups: list, create, read, rename, members, delete — the same rows as OCS', async () => {
    expect((await graph(t.app, 'GET', '/graph/v1.0/groups', { as: alice })).statusCode).toBe(403);
    const found = await graph(t.app, 'GET', '/graph/v1.0/groups?$search=sta', { as: alice, schema: 'group' });
    expect(found.data.value.map((g: { id: string }) => g.id)).toEqual(['staff']);
    const created = await graph(t.app, 'POST', '/graph/v1.0/groups', { body: { displayName: 'Sales' }, schema: 'group' });
    expect(created.statusCode).toBe(201);
    expect(created.data).toMatchObject({ id: 'Sales', displayName: 'Sales' });
    expect((await ocs(t.app, 'GET', '/cloud/groups')).ocs.data.groups).toContain('Sales');
    expect((await graph(t.app, 'POST', '/graph/v1.0/groups', { body: { displayName: 'Sales' } })).statusCode).toBe(409);
    expect((await graph(t.app, 'POST', '/graph/v1.0/groups', { body: { displayName: '' } })).statusCode).toBe(400);
    expect((await graph(t.app, 'POST', '/graph/v1.0/groups', { as: alice, body: { displayName: 'Mine' } })).statusCode).toBe(403);
    expect((await graph(t.app, 'GET', '/graph/v1.0/groups/Sales', { as: alice })).statusCode).toBe(403);
    expect((await graph(t.app, 'GET', '/graph/v1.0/groups/nope')).statusCode).toBe(404);

    const ref = { '@odata.id': 'http://nimbus.test/graph/v1.0/users/alice' };
    expect((await graph(t.app, 'POST', '/graph/v1.0/groups/Sales/members/$ref', { body: ref })).statusCode).toBe(204);
    expect((await graph(t.app, 'POST', '/graph/v1.0/groups/Sales/members/$ref', { body: ref })).statusCode).toBe(400);
    expect((await graph(t.app, 'POST', '/graph/v1.0/groups/Sales/members/$ref', { body: { '@odata.id': 'http://nimbus.test/graph/v1.0/users/ghost' } })).statusCode).toBe(404);
    expect((await ocs(t.app, 'GET', '/cloud/users/alice/groups')).ocs.data.groups).toContain('Sales');
    const members = await graph(t.app, 'GET', '/graph/v1.0/groups/Sales/members', { schema: 'user' });
    expect(members.data.value.map((u: { id: string }) => u.id)).toEqual(['alice']);

    expect((await graph(t.app, 'PATCH', '/graph/v1.0/groups/Sales', { body: { displayName: 'Sales Team', 'members@odata.bind': ['http://nimbus.test/graph/v1.0/users/admin'] } })).statusCode).toBe(204);
    const read = await graph(t.app, 'GET', '/graph/v1.0/groups/Sales?$expand=members', { schema: 'group' });
    expect(read.data.displayName).toBe('Sales Team');
    expect(read.data.members.map((u: { id: string }) => u.id).sort()).toEqual(['admin', 'alice']);

    expect((await graph(t.app, 'DELETE', '/graph/v1.0/groups/Sales/members/alice/$ref')).statusCode).toBe(204);
    expect((await graph(t.app, 'DELETE', '/graph/v1.0/groups/Sales/members/alice/$ref')).statusCode).toBe(404);
    expect((await graph(t.app, 'DELETE', '/graph/v1.0/groups/admin')).statusCode).toBe(403);
    expect((await graph(t.app, 'DELETE', '/graph/v1.0/groups/Sales', { as: alice })).statusCode).toBe(403);
    expect((await graph(t.app, 'DELETE', '/graph/v1.0/groups/Sales')).statusCode).toBe(204);
    expect((await ocs(t.app, 'GET', '/cloud/groups')).ocs.data.groups).not.toContain('Sales');
  });

  it('global roles through appRoleAssignments; Admin is the OCS admin group', async () => {
    const carol = await newUser(t.app, 'carol');
    const current = await graph(t.app, 'GET', '/graph/v1.0/users/carol/appRoleAssignments');
    expect(current.data.value[0]).toMatchObject({ appRoleId: ROLES.user, principalId: 'carol', resourceId: APP });
    const assign = (userId: string, appRoleId: string, as?: Creds) =>
      graph(t.app, 'POST', `/graph/v1.0/users/${userId}/appRoleAssignments`, { as, body: { principalId: userId, resourceId: APP, appRoleId } });
    expect((await assign('carol', ROLES.spaceAdmin)).statusCode).toBe(201);
    expect((await graph(t.app, 'POST', '/graph/v1.0/drives', { as: carol, body: { name: 'Carol Space' } })).statusCode).toBe(201);
    expect((await assign('carol', ROLES.admin)).statusCode).toBe(201);
    expect((await ocs(t.app, 'GET', '/cloud/users/carol/groups')).ocs.data.groups).toContain('admin');
    expect((await assign('alice', ROLES.admin, alice)).statusCode).toBe(403);
    expect((await assign('admin', ROLES.user)).statusCode).toBe(403);
    expect((await assign('carol', 'not-a-role')).statusCode).toBe(400);
    const list = await graph(t.app, 'GET', '/graph/v1.0/users/carol/appRoleAssignments');
    const assignmentId = list.data.value[0].id;
    expect((await graph(t.app, 'DELETE', `/graph/v1.0/users/carol/appRoleAssignments/${assignmentId}`)).statusCode).toBe(204);
    expect((await ocs(t.app, 'GET', '/cloud/users/carol/groups')).ocs.data.groups).not.toContain('admin');
    const apps = await graph(t.app, 'GET', '/graph/v1.0/applications');
    expect(apps.data.value[0].appRoles.map((r: { displayName: string }) => r.displayName)).toEqual(['Admin', 'Space Admin', 'User', 'User Light']);
    expect((await graph(t.app, 'GET', `/graph/v1.0/applications/${APP}`)).statusCode).toBe(200);
    expect((await graph(t.app, 'GET', '/graph/v1.0/applications/nope')).statusCode).toBe(404);
  });

  it('role definitions: the 7 enabled roles in the reference order, and any built-in by id', async () => {
    const list = await graph(t.app, 'GET', '/graph/v1beta1/roleManagement/permissions/roleDefinitions', { as: alice, schema: 'unifiedRoleDefinition' });
    expect(Array.isArray(list.data)).toBe(true);
    expect(list.data.map((r: { id: string }) => r.id)).toEqual([
      'b1e2218d-eef8-4d4c-b82d-0f1a1b48f3b5',
      'a8d5fe5e-96e3-418d-825b-534dbdf22b99',
      'fb6c3e19-e378-47e5-b277-9732f9de6e21',
      '58c63c02-1d89-4572-916a-870abc5a1b7d',
      '2d00ce52-1fc2-4dbc-8b95-a73b73395f5a',
      '1c996275-f1c9-4e71-abdf-a42f6495e960',
      '312c0871-5ef7-4b3a-85b6-0e4074c64049',
    ]);
    const viewer = list.data[1];
    expect(viewer.rolePermissions).toEqual([
      {
        allowedResourceActions: [
          'libre.graph/driveItem/path/read',
          'libre.graph/driveItem/quota/read',
          'libre.graph/driveItem/content/read',
          'libre.graph/driveItem/permissions/read',
          'libre.graph/driveItem/children/read',
          'libre.graph/driveItem/deleted/read',
          'libre.graph/driveItem/basic/read',
        ],
        condition: 'exists @Resource.Root',
      },
    ]);
    const secure = await graph(t.app, 'GET', '/graph/v1beta1/roleManagement/permissions/roleDefinitions/aa97fe03-7980-45ac-9e50-b325749fd7e6', { schema: 'unifiedRoleDefinition' });
    expect(secure.data.displayName).toBe('Can view (secure)');
    expect((await graph(t.app, 'GET', '/graph/v1beta1/roleManagement/permissions/roleDefinitions/nope')).statusCode).toBe(404);
  });

  it('unknown Graph routes and methods answer with the OData error body', async () => {
    const res = await graph(t.app, 'GET', '/graph/v1.0/nothing');
    expect(res.statusCode).toBe(404);
  });
});
