import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { graph } from '../../helpers/graph.js';

type Creds = { user: string; password: string };
const ROLE = {
  viewer: 'a8d5fe5e-96e3-418d-825b-534dbdf22b99',
  editor: '58c63c02-1d89-4572-916a-870abc5a1b7d',
  manager: '312c0871-5ef7-4b3a-85b6-0e4074c64049',
  fileEditor: '2d00ce52-1fc2-4dbc-8b95-a73b73395f5a',
  secureViewer: 'aa97fe03-7980-45ac-9e50-b325749fd7e6',
};

describeEachDb('Graph space members (root permissions)', (kind) => {
  let t: TestApp;
  let viewer: Creds;
  let editor: Creds;
  let manager: Creds;
  let stranger: Creds;
  let grouped: Creds;
  let space: { id: string };

  const invite = (objectId: string, role: string, as?: Creds, type: 'user' | 'group' = 'user', extra: Record<string, unknown> = {}) =>
    graph(t.app, 'POST', `/graph/v1beta1/drives/${space.id}/root/invite`, {
      as,
      body: { recipients: [{ objectId, '@libre.graph.recipient.type': type }], roles: [role], ...extra },
      schema: 'permission',
    });

  beforeAll(async () => {
    t = await buildTestApp(kind);
    viewer = await newUser(t.app, 'viewer');
    editor = await newUser(t.app, 'editor');
    manager = await newUser(t.app, 'manager');
    stranger = await newUser(t.app, 'stranger');
    await newGroup(t.app, 'team');
    grouped = await newUser(t.app, 'grouped', { groups: ['team'] });
    space = (await graph(t.app, 'POST', '/graph/v1.0/drives', { body: { name: 'Members' } })).data;
    expect((await invite('viewer', ROLE.viewer)).statusCode).toBe(200);
    expect((await invite('editor', ROLE.editor)).statusCode).toBe(200);
    expect((await invite('manager', ROLE.manager)).statusCode).toBe(200);
  });
  afterAll(async () => t.close());

  it('invite answers one permission in the v1beta1 shape with the inviter', async () => {
    const res = await invite('team', ROLE.viewer, undefined, 'group');
    expect(res.statusCode).toBe(200);
    expect(res.data.value).toHaveLength(1);
    expect(res.data.value[0]).toMatchObject({
      id: 'g:team',
      grantedToV2: { group: { displayName: 'team', id: 'team' } },
      roles: [ROLE.viewer],
      invitation: { invitedBy: { user: { id: 'admin' } } },
    });
  });

  it('group membership gives access: the space appears in /me/drives of group members', async () => {
    const ids = (await graph(t.app, 'GET', '/graph/v1.0/me/drives', { as: grouped })).data.value.map((d: { id: string }) => d.id);
    expect(ids).toContain(space.id);
    const strangerIds = (await graph(t.app, 'GET', '/graph/v1.0/me/drives', { as: stranger })).data.value.map((d: { id: string }) => d.id);
    expect(strangerIds).not.toContain(space.id);
  });

  it('lists permissions with allowed values for members; strangers get 404', async () => {
    const res = await graph(t.app, 'GET', `/graph/v1beta1/drives/${space.id}/root/permissions`, { as: manager });
    expect(res.statusCode).toBe(200);
    expect(res.data['@libre.graph.permissions.roles.allowedValues'].map((r: { id: string; '@libre.graph.weight': number }) => [r.id, r['@libre.graph.weight']])).toEqual([
      [ROLE.viewer, 1],
      [ROLE.editor, 2],
      [ROLE.manager, 3],
    ]);
    expect(res.data['@libre.graph.permissions.actions.allowedValues']).toHaveLength(19);
    expect(res.data.value.map((p: { id: string }) => p.id).sort()).toEqual(['g:team', 'u:admin', 'u:editor', 'u:manager', 'u:viewer']);
    const asViewer = await graph(t.app, 'GET', `/graph/v1beta1/drives/${space.id}/root/permissions`, { as: viewer });
    expect(asViewer.statusCode).toBe(200);
    expect(asViewer.data['@libre.graph.permissions.roles.allowedValues'].map((r: { id: string }) => r.id)).toEqual([ROLE.viewer]);
    const rolesOnly = await graph(t.app, 'GET', `/graph/v1beta1/drives/${space.id}/root/permissions?$select=@libre.graph.permissions.roles.allowedValues`, { as: manager });
    expect(Object.keys(rolesOnly.data)).toEqual(['@libre.graph.permissions.roles.allowedValues']);
    const asStranger = await graph(t.app, 'GET', `/graph/v1beta1/drives/${space.id}/root/permissions`, { as: stranger });
    expect(asStranger.statusCode).toBe(404);
    expect(asStranger.data.error.code).toBe('itemNotFound');
  });

  it('v1.0 listings show legacy role names and no ids', async () => {
    const d = await graph(t.app, 'GET', `/graph/v1.0/drives/${space.id}`, { as: viewer, schema: 'drive' });
    const editorPerm = d.data.root.permissions.find((p: { grantedToV2: { user?: { id: string } } }) => p.grantedToV2.user?.id === 'editor');
    expect(editorPerm).toEqual({
      grantedToIdentities: [{ user: { '@libre.graph.userType': 'Member', displayName: 'editor', id: 'editor' } }],
      grantedToV2: { user: { '@libre.graph.userType': 'Member', displayName: 'editor', id: 'editor' } },
      roles: ['editor'],
    });
  });

  it('only Managers manage members', async () => {
    expect((await invite('stranger', ROLE.viewer, viewer)).statusCode).toBe(403);
    expect((await invite('stranger', ROLE.viewer, editor)).statusCode).toBe(403);
    expect((await invite('stranger', ROLE.viewer, stranger)).statusCode).toBe(404);
    const byManager = await invite('stranger', ROLE.viewer, manager);
    expect(byManager.statusCode).toBe(200);
    const patchByEditor = await graph(t.app, 'PATCH', `/graph/v1beta1/drives/${space.id}/root/permissions/u:stranger`, { as: editor, body: { roles: [ROLE.editor] } });
    expect(patchByEditor.statusCode).toBe(403);
    const patched = await graph(t.app, 'PATCH', `/graph/v1beta1/drives/${space.id}/root/permissions/u:stranger`, { as: manager, body: { roles: [ROLE.editor] }, schema: 'permission' });
    expect(patched.statusCode).toBe(200);
    expect(patched.data.roles).toEqual([ROLE.editor]);
    expect((await graph(t.app, 'DELETE', `/graph/v1beta1/drives/${space.id}/root/permissions/u:stranger`, { as: viewer })).statusCode).toBe(403);
    expect((await graph(t.app, 'DELETE', `/graph/v1beta1/drives/${space.id}/root/permissions/u:stranger`, { as: manager })).statusCode).toBe(204);
    expect((await graph(t.app, 'DELETE', `/graph/v1beta1/drives/${space.id}/root/permissions/u:stranger`, { as: manager })).statusCode).toBe(404);
  });

  it('validates invitations like the reference', async () => {
    const two = await graph(t.app, 'POST', `/graph/v1beta1/drives/${space.id}/root/invite`, {
      body: { recipients: [{ objectId: 'a' }, { objectId: 'b' }], roles: [ROLE.viewer] },
    });
    expect(two.statusCode).toBe(400);
    expect(two.data.error.message).toBe("Key: 'DriveItemInvite.Recipients' Error:Field validation for 'Recipients' failed on the 'len' tag");
    expect((await invite('nobody-here', ROLE.viewer)).statusCode).toBe(400);
    expect((await invite('stranger', ROLE.fileEditor)).data.error.message).toBe('role not applicable to this resource');
    expect((await invite('stranger', ROLE.secureViewer)).statusCode).toBe(400);
    expect((await invite('stranger', 'not-a-role')).statusCode).toBe(400);
    expect((await invite('stranger', ROLE.viewer, undefined, 'user', { expirationDateTime: '2001-01-01T00:00:00Z' })).statusCode).toBe(400);
    expect((await graph(t.app, 'POST', `/graph/v1beta1/drives/${space.id}/root/invite`, { body: { recipients: [{ objectId: 'x' }], roles: [ROLE.viewer], extra: 1 } })).statusCode).toBe(400);
    const personal = await graph(t.app, 'GET', '/graph/v1.0/me/drive');
    const onPersonal = await graph(t.app, 'POST', `/graph/v1beta1/drives/${personal.data.id}/root/invite`, {
      body: { recipients: [{ objectId: 'stranger' }], roles: [ROLE.viewer] },
    });
    expect(onPersonal.statusCode).toBe(400);
    expect(onPersonal.data.error.message).toBe('unsupported space type');
  });

  it('expired grants stop counting', async () => {
    const soon = new Date(Date.now() + 1500).toISOString();
    expect((await invite('stranger', ROLE.viewer, undefined, 'user', { expirationDateTime: soon })).statusCode).toBe(200);
    expect((await graph(t.app, 'GET', `/graph/v1.0/drives/${space.id}`, { as: stranger })).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 1700));
    expect((await graph(t.app, 'GET', `/graph/v1.0/drives/${space.id}`, { as: stranger })).statusCode).toBe(404);
  });

  it('the last Manager can neither be removed nor demoted; with another Manager they may leave', async () => {
    const solo = (await graph(t.app, 'POST', '/graph/v1.0/drives', { body: { name: 'Solo' } })).data;
    const removeLast = await graph(t.app, 'DELETE', `/graph/v1beta1/drives/${solo.id}/root/permissions/u:admin`);
    expect(removeLast.statusCode).toBe(403);
    const demoteLast = await graph(t.app, 'PATCH', `/graph/v1beta1/drives/${solo.id}/root/permissions/u:admin`, { body: { roles: [ROLE.viewer] } });
    expect(demoteLast.statusCode).toBe(403);
    await graph(t.app, 'POST', `/graph/v1beta1/drives/${solo.id}/root/invite`, { body: { recipients: [{ objectId: 'manager' }], roles: [ROLE.manager] } });
    expect((await graph(t.app, 'DELETE', `/graph/v1beta1/drives/${solo.id}/root/permissions/u:admin`)).statusCode).toBe(204);
  });

  it('a disabled space hides its members; links answer honestly that they are not available', async () => {
    const link = await graph(t.app, 'POST', `/graph/v1beta1/drives/${space.id}/root/createLink`, { body: { type: 'view' } });
    expect(link.statusCode).toBe(501);
    expect(link.data.error.code).toBe('notSupported');
    const d = (await graph(t.app, 'POST', '/graph/v1.0/drives', { body: { name: 'Disabled' } })).data;
    await graph(t.app, 'DELETE', `/graph/v1.0/drives/${d.id}`);
    expect((await graph(t.app, 'GET', `/graph/v1beta1/drives/${d.id}/root/permissions`)).statusCode).toBe(404);
  });

  it('an unparsable drive id on root routes is 422; an unknown one 404', async () => {
    const bad = await graph(t.app, 'GET', `/graph/v1beta1/drives/${encodeURIComponent('x$y!z')}/root/permissions`);
    expect(bad.statusCode).toBe(422);
    expect(bad.data.error).toMatchObject({ code: 'invalidRequest', message: 'could not parse driveID' });
    const unknown = await graph(t.app, 'GET', `/graph/v1beta1/drives/${space.id.split('$')[0]}$00000000-0000-0000-0000-000000000000/root/permissions`);
    expect(unknown.statusCode).toBe(404);
  });

  it('a deleted group loses its memberships', async () => {
    await newGroup(t.app, 'ephemeral');
    await invite('ephemeral', ROLE.viewer, undefined, 'group');
    await ocs(t.app, 'DELETE', '/cloud/groups/ephemeral');
    const res = await graph(t.app, 'GET', `/graph/v1beta1/drives/${space.id}/root/permissions`);
    expect(res.data.value.map((p: { id: string }) => p.id)).not.toContain('g:ephemeral');
  });
});
