import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { APP_ID, type Cast, createCast, type Credentials, GLOBAL_ROLE_IDS, graph, NON_ADMINS } from '../../helpers/graph.js';

const assignments = (userId: string) => `/graph/v1.0/users/${userId}/appRoleAssignments`;
const DEFS = '/graph/v1beta1/roleManagement/permissions/roleDefinitions';
const P = 'libre.graph/driveItem/';
const VIEWER_ACTIONS = ['path/read', 'quota/read', 'content/read', 'children/read', 'deleted/read', 'basic/read'].map((a) => P + a);

describeEachDb('Graph global roles and role definitions', (kind) => {
  let t: TestApp;
  let cast: Cast;
  let dave: Credentials;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    cast = await createCast(t.app);
    dave = await newUser(t.app, 'dave', { displayName: 'Dave Doe' });
  });
  afterAll(async () => t.close());

  const assign = (userId: string, appRoleId: string, as?: Credentials | null, extra: Record<string, unknown> = {}) =>
    graph(t.app, 'POST', assignments(userId), { as, body: { principalId: userId, resourceId: APP_ID, appRoleId, ...extra } });

  describe('applications', () => {
    it('lists the one application with the four global roles, for any signed-in user', async () => {
      for (const as of [cast.user, cast.spaceAdmin, cast.admin]) {
        const res = await graph(t.app, 'GET', '/graph/v1.0/applications', { as, schema: 'Application' });
        expect(res.statusCode).toBe(200);
        expect(res.data.value).toHaveLength(1);
        expect(res.data.value[0].id).toBe(APP_ID);
        expect(res.data.value[0].appRoles.map((r: { id: string; displayName: string }) => [r.displayName, r.id])).toEqual([
          ['Admin', GLOBAL_ROLE_IDS.admin],
          ['Space Admin', GLOBAL_ROLE_IDS.spaceAdmin],
          ['User', GLOBAL_ROLE_IDS.user],
          ['User Light', GLOBAL_ROLE_IDS.userLight],
        ]);
      }
      expect((await graph(t.app, 'GET', '/graph/v1.0/applications', { as: null })).statusCode).toBe(401);
    });

    it('answers the application by id, and 404 itemNotFound for other ids', async () => {
      const res = await graph(t.app, 'GET', `/graph/v1.0/applications/${APP_ID}`, { as: cast.user, schema: 'Application' });
      expect(res.data.appRoles).toHaveLength(4);
      const other = await graph(t.app, 'GET', '/graph/v1.0/applications/00000000-0000-0000-0000-000000000000');
      expect(other.statusCode).toBe(404);
      expect(other.data.error.code).toBe('itemNotFound');
    });
  });

  describe('GET /users/{id}/appRoleAssignments', () => {
    it('shows exactly one assignment per user: the role, the user, the application', async () => {
      for (const [user, role] of [['dave', 'user'], ['sam', 'spaceAdmin'], ['admin', 'admin']] as const) {
        const res = await graph(t.app, 'GET', assignments(user), { schema: 'AppRoleAssignment' });
        expect(res.data.value).toHaveLength(1);
        expect(res.data.value[0]).toMatchObject({ appRoleId: GLOBAL_ROLE_IDS[role], principalId: user, principalType: 'User', resourceId: APP_ID });
        expect(res.data.value[0].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }
      expect((await graph(t.app, 'GET', assignments('nobody'))).statusCode).toBe(404);
    });

    it.each(NON_ADMINS)('refuses the %s with 403 "Forbidden", also for themself and unknown users', async (role) => {
      for (const user of [cast[role].user, 'dave', 'nobody']) {
        const res = await graph(t.app, 'GET', assignments(user), { as: cast[role] });
        expect(res.statusCode, user).toBe(403);
        expect(res.data.error).toMatchObject({ code: 'accessDenied', message: 'Forbidden' });
      }
      expect((await graph(t.app, 'GET', assignments('dave'), { as: null })).statusCode).toBe(401);
    });
  });

  describe('POST /users/{id}/appRoleAssignments', () => {
    it('makes a Space Admin (201), who may then create project spaces', async () => {
      expect((await graph(t.app, 'POST', '/graph/v1.0/drives', { as: dave, body: { name: 'Dave Space' } })).statusCode).toBe(403);
      const res = await assign('dave', GLOBAL_ROLE_IDS.spaceAdmin);
      expect(res.statusCode).toBe(201);
      expect(res.data).toMatchObject({ appRoleId: GLOBAL_ROLE_IDS.spaceAdmin, principalId: 'dave', resourceId: APP_ID, principalType: 'User' });
      expect((await graph(t.app, 'GET', assignments('dave'))).data.value.map((a: { appRoleId: string }) => a.appRoleId)).toEqual([GLOBAL_ROLE_IDS.spaceAdmin]);
      expect((await graph(t.app, 'POST', '/graph/v1.0/drives', { as: dave, body: { name: 'Dave Space' } })).statusCode).toBe(201);
    });

    it('makes an Admin, who is then in the OCS admin group with both APIs\' admin powers; and back', async () => {
      expect((await assign('dave', GLOBAL_ROLE_IDS.admin)).statusCode).toBe(201);
      expect((await ocs(t.app, 'GET', '/cloud/users/dave/groups')).ocs.data.groups).toContain('admin');
      expect((await ocs(t.app, 'GET', '/cloud/users', { as: dave })).statusCode).toBe(200);
      expect((await graph(t.app, 'GET', '/graph/v1.0/users', { as: dave })).statusCode).toBe(200);
      expect((await assign('dave', GLOBAL_ROLE_IDS.userLight)).statusCode).toBe(201);
      expect((await ocs(t.app, 'GET', '/cloud/users/dave/groups')).ocs.data.groups).not.toContain('admin');
      expect((await graph(t.app, 'GET', '/graph/v1.0/users', { as: dave })).statusCode).toBe(403);
      const light = await graph(t.app, 'GET', '/graph/v1.0/me?$expand=appRoleAssignments', { as: dave });
      expect(light.data.appRoleAssignments[0].appRoleId).toBe(GLOBAL_ROLE_IDS.userLight);
      expect((await assign('dave', GLOBAL_ROLE_IDS.user)).statusCode).toBe(201);
    });

    it('treats membership of the admin group made over OCS as the Admin role', async () => {
      await ocs(t.app, 'POST', '/cloud/users/dave/groups', { body: { groupid: 'admin' } });
      expect((await graph(t.app, 'GET', assignments('dave'))).data.value[0].appRoleId).toBe(GLOBAL_ROLE_IDS.admin);
      await ocs(t.app, 'DELETE', '/cloud/users/dave/groups', { body: { groupid: 'admin' } });
      expect((await graph(t.app, 'GET', assignments('dave'))).data.value[0].appRoleId).toBe(GLOBAL_ROLE_IDS.user);
    });

    it.each([
      [{ principalId: 'sam' }, 400, 'user id dave does not match principal id sam'],
      [{ resourceId: '11111111-1111-1111-1111-111111111111' }, 400, undefined],
      [{ appRoleId: '11111111-1111-1111-1111-111111111111' }, 400, undefined],
      [{ unknown: true }, 400, undefined],
    ] as const)('refuses %j with %i', async (extra, status, message) => {
      const res = await assign('dave', GLOBAL_ROLE_IDS.spaceAdmin, undefined, extra);
      expect(res.statusCode).toBe(status);
      expect(res.data.error.code).toBe('invalidRequest');
      if (message) expect(res.data.error.message).toBe(message);
      expect((await graph(t.app, 'GET', assignments('dave'))).data.value[0].appRoleId).toBe(GLOBAL_ROLE_IDS.user);
    });

    it('refuses malformed JSON (400) and unknown users (404)', async () => {
      expect((await graph(t.app, 'POST', assignments('dave'), { body: '{"principalId": "dave"' })).statusCode).toBe(400);
      expect((await assign('nobody', GLOBAL_ROLE_IDS.user)).statusCode).toBe(404);
    });

    it('refuses the admin changing their own role with 403 notAllowed', async () => {
      for (const role of [GLOBAL_ROLE_IDS.user, GLOBAL_ROLE_IDS.admin]) {
        const res = await assign('admin', role);
        expect(res.statusCode).toBe(403);
        expect(res.data.error.code).toBe('notAllowed');
      }
      expect((await graph(t.app, 'GET', assignments('admin'))).data.value[0].appRoleId).toBe(GLOBAL_ROLE_IDS.admin);
    });

    it.each(NON_ADMINS)('refuses the %s with 403 "Forbidden" for anyone, themself and unknown users included', async (role) => {
      for (const user of ['dave', cast[role].user, 'nobody']) {
        const res = await assign(user, GLOBAL_ROLE_IDS.admin, cast[role]);
        expect(res.statusCode, user).toBe(403);
        expect(res.data.error).toMatchObject({ code: 'accessDenied', message: 'Forbidden' });
      }
      expect((await graph(t.app, 'POST', assignments('dave'), { as: cast[role], body: { bogus: 1 } })).statusCode).toBe(403);
      expect((await assign('dave', GLOBAL_ROLE_IDS.admin, null)).statusCode).toBe(401);
      expect((await graph(t.app, 'GET', assignments('dave'))).data.value[0].appRoleId).toBe(GLOBAL_ROLE_IDS.user);
    });
  });

  describe('DELETE /users/{id}/appRoleAssignments/{assignment-id}', () => {
    it('removes an assignment (204), leaving the User role; other ids are 404', async () => {
      const made = await assign('dave', GLOBAL_ROLE_IDS.spaceAdmin);
      const wrong = await graph(t.app, 'DELETE', `${assignments('dave')}/00000000-0000-0000-0000-000000000000`);
      expect(wrong.statusCode).toBe(404);
      expect(wrong.data.error.code).toBe('itemNotFound');
      // Another user's assignment id does not address this user's.
      const samsId = (await graph(t.app, 'GET', assignments('sam'))).data.value[0].id;
      expect((await graph(t.app, 'DELETE', `${assignments('dave')}/${samsId}`)).statusCode).toBe(404);
      const res = await graph(t.app, 'DELETE', `${assignments('dave')}/${made.data.id}`);
      expect(res.statusCode).toBe(204);
      expect((await graph(t.app, 'GET', assignments('dave'))).data.value[0].appRoleId).toBe(GLOBAL_ROLE_IDS.user);
      expect((await graph(t.app, 'POST', '/graph/v1.0/drives', { as: dave, body: { name: 'Not Anymore' } })).statusCode).toBe(403);
      expect((await graph(t.app, 'DELETE', `${assignments('nobody')}/${made.data.id}`)).statusCode).toBe(404);
    });

    it('refuses the admin removing their own assignment (403 notAllowed) and non-admins (403)', async () => {
      const own = (await graph(t.app, 'GET', assignments('admin'))).data.value[0].id;
      const res = await graph(t.app, 'DELETE', `${assignments('admin')}/${own}`);
      expect(res.statusCode).toBe(403);
      expect(res.data.error.code).toBe('notAllowed');
      const samsId = (await graph(t.app, 'GET', assignments('sam'))).data.value[0].id;
      for (const role of NON_ADMINS) {
        const denied = await graph(t.app, 'DELETE', `${assignments('sam')}/${samsId}`, { as: cast[role] });
        expect(denied.statusCode).toBe(403);
        expect(denied.data.error.message).toBe('Forbidden');
      }
      expect((await graph(t.app, 'DELETE', `${assignments('sam')}/${samsId}`, { as: null })).statusCode).toBe(401);
      expect((await graph(t.app, 'GET', assignments('sam'))).data.value[0].appRoleId).toBe(GLOBAL_ROLE_IDS.spaceAdmin);
    });
  });

  describe('role definitions (v1beta1)', () => {
    it.each(['user', 'spaceAdmin', 'admin'] as const)('lists the 7 enabled roles, in order, as a bare array, for the %s', async (role) => {
      const res = await graph(t.app, 'GET', DEFS, { as: cast[role], schema: 'UnifiedRoleDefinition' });
      expect(res.statusCode).toBe(200);
      expect(Array.isArray(res.data)).toBe(true);
      expect(res.data.map((r: { id: string; displayName: string }) => [r.displayName, r.id])).toEqual([
        ['Can view', 'b1e2218d-eef8-4d4c-b82d-0f1a1b48f3b5'],
        ['Can view', 'a8d5fe5e-96e3-418d-825b-534dbdf22b99'],
        ['Can edit', 'fb6c3e19-e378-47e5-b277-9732f9de6e21'],
        ['Can edit', '58c63c02-1d89-4572-916a-870abc5a1b7d'],
        ['Can edit', '2d00ce52-1fc2-4dbc-8b95-a73b73395f5a'],
        ['Can upload', '1c996275-f1c9-4e71-abdf-a42f6495e960'],
        ['Can manage', '312c0871-5ef7-4b3a-85b6-0e4074c64049'],
      ]);
      for (const r of res.data) expect(r['@libre.graph.weight']).toBe(0);
    });

    it('gives the Viewer four permissions (file, folder, and their federated variants) with the six viewer actions', async () => {
      const viewer = (await graph(t.app, 'GET', DEFS, { as: cast.user })).data[0];
      expect(viewer).toMatchObject({ displayName: 'Can view', description: 'View and download.' });
      expect(viewer.rolePermissions).toEqual([
        { allowedResourceActions: VIEWER_ACTIONS, condition: 'exists @Resource.File' },
        { allowedResourceActions: VIEWER_ACTIONS, condition: 'exists @Resource.Folder' },
        { allowedResourceActions: VIEWER_ACTIONS, condition: 'exists @Resource.File && @Subject.UserType=="Federated"' },
        { allowedResourceActions: VIEWER_ACTIONS, condition: 'exists @Resource.Folder && @Subject.UserType=="Federated"' },
      ]);
      const manager = (await graph(t.app, 'GET', DEFS)).data[6];
      expect(manager.rolePermissions).toHaveLength(1);
      expect(manager.rolePermissions[0].condition).toBe('exists @Resource.Root');
      expect(manager.rolePermissions[0].allowedResourceActions).toHaveLength(19);
      expect(manager.rolePermissions[0].allowedResourceActions[0]).toBe(`${P}permissions/create`);
    });

    it('answers any built-in role by id, disabled ones included, and 404 itemNotFound for unknown ids', async () => {
      const viewer = await graph(t.app, 'GET', `${DEFS}/b1e2218d-eef8-4d4c-b82d-0f1a1b48f3b5`, { as: cast.spaceAdmin, schema: 'UnifiedRoleDefinition' });
      expect(viewer.data.displayName).toBe('Can view');
      const secure = await graph(t.app, 'GET', `${DEFS}/aa97fe03-7980-45ac-9e50-b325749fd7e6`, { as: cast.user, schema: 'UnifiedRoleDefinition' });
      expect(secure.data).toMatchObject({ displayName: 'Can view (secure)', '@libre.graph.weight': 0 });
      expect(secure.data.rolePermissions.map((p: { condition: string }) => p.condition)).toEqual(['exists @Resource.File', 'exists @Resource.Folder']);
      expect(secure.data.rolePermissions[0].allowedResourceActions).toEqual([`${P}path/read`, `${P}children/read`, `${P}basic/read`]);
      const unknown = await graph(t.app, 'GET', `${DEFS}/00000000-0000-0000-0000-000000000000`);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.data.error.code).toBe('itemNotFound');
    });

    it('is 401 for anonymous callers and is not served under v1.0', async () => {
      expect((await graph(t.app, 'GET', DEFS, { as: null })).statusCode).toBe(401);
      expect((await graph(t.app, 'GET', '/graph/v1.0/roleManagement/permissions/roleDefinitions')).statusCode).toBe(404);
    });
  });
});
