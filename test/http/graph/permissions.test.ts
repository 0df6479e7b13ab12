import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb, newGroup, newUser, ocs } from '../../helpers/app.js';
import { type Drive, driveCall, expectPermissionCollection, ids, invite, ROLE, world, type World } from './drives-helpers.js';

const ALL_ACTIONS = [
  'permissions/create', 'children/create', 'standard/delete', 'path/read', 'quota/read', 'content/read', 'upload/create',
  'permissions/read', 'children/read', 'versions/read', 'deleted/read', 'path/update', 'permissions/delete', 'deleted/delete',
  'versions/update', 'deleted/update', 'basic/read', 'permissions/update', 'permissions/deny',
].map((a) => `libre.graph/driveItem/${a}`);
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describeEachDb('Graph space members (root permissions)', (kind) => {
  let w: World;
  let space: Drive;
  const rootUrl = (d: Drive, rest = '') => `/graph/v1beta1/drives/${d.id}/root${rest}`;

  beforeAll(async () => {
    w = await world(kind);
    space = await w.projectSpace('Members');
    await newGroup(w.t.app, 'team');
    await newUser(w.t.app, 'grouped', { groups: ['team'], displayName: 'Gru Ped' });
  });
  afterAll(async () => w.close());

  it('invite answers exactly one permission in the v1beta1 shape, with who invited', async () => {
    const guest = await newUser(w.t.app, 'guest', { displayName: 'Guest Star' });
    const res = await invite(w.t, space.id, 'guest', ROLE.spaceViewer, { as: w.as.manager! });
    expect(res.statusCode).toBe(200);
    expect(res.data).toEqual({
      value: [
        {
          createdDateTime: expect.stringMatching(ISO),
          grantedToV2: { user: { '@libre.graph.userType': 'Member', displayName: 'Guest Star', id: guest.user } },
          id: 'u:guest',
          invitation: { invitedBy: { user: { displayName: 'Mona Manager', id: w.as.manager!.user } } },
          roles: [ROLE.spaceViewer],
        },
      ],
    });
    const group = await invite(w.t, space.id, 'team', ROLE.spaceEditor, { as: w.as.manager!, type: 'group' });
    expect(group.data.value[0]).toMatchObject({ id: 'g:team', grantedToV2: { group: { displayName: 'team', id: 'team' } }, roles: [ROLE.spaceEditor] });
    expect(group.data.value[0].grantedToV2.group['@libre.graph.userType']).toBeUndefined();
    // Recipient ids resolve like logins, case-insensitively, to the stored id.
    await newUser(w.t.app, 'casey');
    expect((await invite(w.t, space.id, 'CASEY', ROLE.spaceViewer, { as: w.as.manager! })).data.value[0].id).toBe('u:casey');
    // Property names match case-insensitively, as the reference's Go decoder does, inside the recipients too.
    await newUser(w.t.app, 'dana');
    const goStyle = await driveCall(w.t.app, 'POST', rootUrl(space, '/invite'), {
      as: w.as.manager!,
      body: { Recipients: [{ ObjectId: 'dana', '@LIBRE.graph.recipient.type': 'user' }], Roles: [ROLE.spaceViewer] },
      schema: 'permission',
    });
    expect(goStyle.statusCode, goStyle.body).toBe(200);
    expect(goStyle.data.value[0].id).toBe('u:dana');
  });

  it('an existing member cannot be invited again (409); their grant is changed with PATCH', async () => {
    const again = await invite(w.t, space.id, w.as.viewer!.user, ROLE.spaceEditor, { as: w.as.manager! });
    expect(again.statusCode).toBe(409);
    expect(again.data.error.code).toBe('nameAlreadyExists');
  });

  it('group membership gives access; leaving the group or deleting it takes the access away', async () => {
    const member = { user: 'grouped', password: 'Pw-grouped-Secret-123' };
    expect(ids(await driveCall(w.t.app, 'GET', '/graph/v1.0/me/drives', { as: member }))).toContain(space.id);
    // Through the group, a Space Editor: may edit the alias, may not manage members.
    expect((await driveCall(w.t.app, 'PATCH', `/graph/v1.0/drives/${space.id}`, { as: member, body: { driveAlias: 'project/members' } })).statusCode).toBe(200);
    expect((await invite(w.t, space.id, w.as.user!.user, ROLE.spaceViewer, { as: member })).statusCode).toBe(403);
    const listed = await driveCall(w.t.app, 'GET', rootUrl(space, '/permissions'), { as: member });
    expect(listed.data['@libre.graph.permissions.roles.allowedValues'].map((r: { id: string }) => r.id)).toEqual([ROLE.spaceViewer, ROLE.spaceEditor]);
    await ocs(w.t.app, 'DELETE', '/cloud/users/grouped/groups', { body: { groupid: 'team' } });
    expect(ids(await driveCall(w.t.app, 'GET', '/graph/v1.0/me/drives', { as: member }))).not.toContain(space.id);
    expect((await driveCall(w.t.app, 'GET', `/graph/v1.0/drives/${space.id}`, { as: member })).statusCode).toBe(404);
    await newGroup(w.t.app, 'ephemeral');
    await invite(w.t, space.id, 'ephemeral', ROLE.spaceViewer, { as: w.as.manager!, type: 'group' });
    await ocs(w.t.app, 'DELETE', '/cloud/groups/ephemeral');
    const after = await driveCall(w.t.app, 'GET', rootUrl(space, '/permissions'), { as: w.as.manager! });
    expect(after.data.value.map((p: { id: string }) => p.id)).not.toContain('g:ephemeral');
  });

  it('lists the members with the caller\'s actions and the roles they may hand out', async () => {
    const res = await driveCall(w.t.app, 'GET', rootUrl(space, '/permissions'), { as: w.as.manager! });
    expect(res.statusCode).toBe(200);
    expectPermissionCollection(res.data);
    expect(Object.keys(res.data)).toEqual(['@libre.graph.permissions.actions.allowedValues', '@libre.graph.permissions.roles.allowedValues', 'value']);
    expect(res.data['@libre.graph.permissions.actions.allowedValues']).toEqual(ALL_ACTIONS);
    expect(res.data['@libre.graph.permissions.roles.allowedValues']).toEqual([
      { '@libre.graph.weight': 1, description: 'View and download.', displayName: 'Can view', id: ROLE.spaceViewer },
      { '@libre.graph.weight': 2, description: 'View, download, upload, edit, add, delete including the history.', displayName: 'Can edit', id: ROLE.spaceEditor },
      { '@libre.graph.weight': 3, description: 'View, download, upload, edit, add, delete and manage members.', displayName: 'Can manage', id: ROLE.manager },
    ]);
    const byId = Object.fromEntries(res.data.value.map((p: { id: string }) => [p.id, p]));
    expect(byId[`u:${w.as.viewer!.user}`]).toEqual({
      createdDateTime: expect.stringMatching(ISO),
      grantedToV2: { user: { '@libre.graph.userType': 'Member', displayName: 'Vera Viewer', id: w.as.viewer!.user } },
      id: `u:${w.as.viewer!.user}`,
      roles: [ROLE.spaceViewer],
    });
    expect(byId['u:admin']).toBeUndefined();
    const asViewer = await driveCall(w.t.app, 'GET', rootUrl(space, '/permissions'), { as: w.as.viewer! });
    expect(asViewer.data['@libre.graph.permissions.roles.allowedValues'].map((r: { id: string }) => r.id)).toEqual([ROLE.spaceViewer]);
    expect(asViewer.data['@libre.graph.permissions.actions.allowedValues']).toEqual(
      ['path/read', 'quota/read', 'content/read', 'permissions/read', 'children/read', 'deleted/read', 'basic/read'].map((a) => `libre.graph/driveItem/${a}`),
    );
  });

  it('$select trims the answer to the allowed values; the federated-roles filter empties the roles', async () => {
    const roles = await driveCall(w.t.app, 'GET', rootUrl(space, '/permissions?$select=@libre.graph.permissions.roles.allowedValues'), { as: w.as.manager! });
    expect(Object.keys(roles.data)).toEqual(['@libre.graph.permissions.roles.allowedValues']);
    const actions = await driveCall(w.t.app, 'GET', rootUrl(space, '/permissions?$select=@libre.graph.permissions.actions.allowedValues'), { as: w.as.manager! });
    expect(Object.keys(actions.data)).toEqual(['@libre.graph.permissions.actions.allowedValues']);
    const filter = encodeURIComponent(`@libre.graph.permissions.roles.allowedValues/rolePermissions/any(p:contains(p/condition, '@Subject.UserType=="Federated"'))`);
    const federated = await driveCall(w.t.app, 'GET', rootUrl(space, `/permissions?$filter=${filter}`), { as: w.as.manager! });
    expect(federated.data['@libre.graph.permissions.roles.allowedValues']).toEqual([]);
    expect((await driveCall(w.t.app, 'GET', rootUrl(space, '/permissions?$select=nonsense'), { as: w.as.manager! })).statusCode).toBe(400);
  });

  it('validates invitations like the reference (Go validator messages, 400 invalidRequest)', async () => {
    const post = (body: unknown) => driveCall(w.t.app, 'POST', rootUrl(space, '/invite'), { as: w.as.manager!, body });
    const cases: Array<[unknown, string]> = [
      [{ recipients: [{ objectId: 'a' }, { objectId: 'b' }], roles: [ROLE.spaceViewer] }, "Key: 'DriveItemInvite.Recipients' Error:Field validation for 'Recipients' failed on the 'len' tag"],
      [{ recipients: [], roles: [ROLE.spaceViewer] }, "Key: 'DriveItemInvite.Recipients' Error:Field validation for 'Recipients' failed on the 'len' tag"],
      [{ roles: [ROLE.spaceViewer] }, "failed on the 'len' tag"],
      [{ recipients: [{ objectId: '' }], roles: [ROLE.spaceViewer] }, "Key: 'DriveItemInvite.Recipients[0].ObjectId' Error:Field validation for 'ObjectId' failed on the 'ne' tag"],
      [{ recipients: [{ objectId: 'x', '@libre.graph.recipient.type': 'robot' }], roles: [ROLE.spaceViewer] }, "failed on the 'oneof' tag"],
      [{ recipients: [{ objectId: 'x' }], roles: [ROLE.spaceViewer, ROLE.spaceEditor] }, "failed on the 'max' tag"],
      [{ recipients: [{ objectId: 'x' }] }, "failed on the 'required_without' tag"],
      [{ recipients: [{ objectId: 'x' }], roles: [ROLE.spaceViewer], '@libre.graph.permissions.actions': ['libre.graph/driveItem/basic/read'] }, "failed on the 'excluded_with' tag"],
      [{ recipients: [{ objectId: 'x' }], roles: [ROLE.spaceEditorWithoutVersions] }, "failed on the 'available_role' tag"],
      [{ recipients: [{ objectId: 'x' }], roles: ['not-a-role'] }, "failed on the 'available_role' tag"],
      [{ recipients: [{ objectId: 'x' }], roles: [ROLE.spaceViewer], expirationDateTime: '2001-01-01T00:00:00Z' }, "failed on the 'gt' tag"],
      [{ recipients: [{ objectId: 'x' }], roles: [ROLE.spaceViewer], expirationDateTime: 'soon' }, 'expirationDateTime'],
      [{ recipients: [{ objectId: 'x' }], roles: [ROLE.spaceViewer], extra: 1 }, 'invalid request body'],
      [{ recipients: [{ objectId: w.as.user!.user }], '@libre.graph.permissions.actions': ['libre.graph/driveItem/permissions/create'] }, "failed on the 'available_action' tag"],
      [{ recipients: [{ objectId: w.as.user!.user }], roles: [ROLE.fileEditor] }, 'role not applicable to this resource'],
      [{ recipients: [{ objectId: w.as.user!.user }], roles: [ROLE.viewer] }, 'role not applicable to this resource'],
      [{ recipients: [{ objectId: 'nobody-here' }], roles: [ROLE.spaceViewer] }, 'itemNotFound: not found'],
      [{ recipients: [{ objectId: 'no-group', '@libre.graph.recipient.type': 'group' }], roles: [ROLE.spaceViewer] }, 'itemNotFound: not found'],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.data.error.code).toBe('invalidRequest');
      expect(res.data.error.message, JSON.stringify(body)).toContain(message);
    }
    // The exact action set of an enabled root role is that role.
    const byActions = await post({
      recipients: [{ objectId: w.as.user!.user }],
      '@libre.graph.permissions.actions': ['path/read', 'quota/read', 'content/read', 'permissions/read', 'children/read', 'deleted/read', 'basic/read'].map((a) => `libre.graph/driveItem/${a}`),
    });
    expect(byActions.statusCode).toBe(200);
    expect(byActions.data.value[0].roles).toEqual([ROLE.spaceViewer]);
  });

  it('PATCH changes role and expiry (null removes it); the answer is the permission', async () => {
    const target = `u:${w.as.user!.user}`;
    const patch = (body: unknown) => driveCall(w.t.app, 'PATCH', rootUrl(space, `/permissions/${target}`), { as: w.as.manager!, body, schema: 'permission' });
    const promoted = await patch({ roles: [ROLE.manager] });
    expect(promoted.data).toMatchObject({ id: target, roles: [ROLE.manager], grantedToV2: { user: { id: w.as.user!.user } } });
    const expiring = await patch({ expirationDateTime: '2099-05-01T10:00:00Z', roles: [ROLE.spaceEditor] });
    expect(expiring.data).toMatchObject({ expirationDateTime: '2099-05-01T10:00:00.000Z', roles: [ROLE.spaceEditor] });
    const cleared = await patch({ expirationDateTime: null });
    expect(cleared.data.expirationDateTime).toBeUndefined();
    expect(cleared.data.roles).toEqual([ROLE.spaceEditor]);
    for (const body of [{ roles: [ROLE.spaceViewer, ROLE.manager] }, { roles: [ROLE.spaceEditorWithoutVersions] }, { roles: [ROLE.fileEditor] }, { expirationDateTime: '2001-01-01T00:00:00Z' }, { link: {} }]) {
      const res = await patch(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await driveCall(w.t.app, 'PATCH', rootUrl(space, '/permissions/u:nobody'), { as: w.as.manager!, body: { roles: [ROLE.spaceViewer] } })).statusCode).toBe(404);
    expect((await driveCall(w.t.app, 'PATCH', rootUrl(space, '/permissions/garbage'), { as: w.as.manager!, body: { roles: [ROLE.spaceViewer] } })).statusCode).toBe(404);
    await patch({ roles: [ROLE.spaceViewer] });
  });

  it('expired grants stop counting, in listings, reads and member management', async () => {
    const d = await w.projectSpace('Expiring');
    const soon = new Date(Date.now() + 1200).toISOString();
    expect((await invite(w.t, d.id, w.as.user!.user, ROLE.manager, { as: w.as.manager!, extra: { expirationDateTime: soon } })).statusCode).toBe(200);
    expect((await driveCall(w.t.app, 'GET', `/graph/v1.0/drives/${d.id}`, { as: w.as.user! })).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 1400));
    expect((await driveCall(w.t.app, 'GET', `/graph/v1.0/drives/${d.id}`, { as: w.as.user! })).statusCode).toBe(404);
    expect(ids(await driveCall(w.t.app, 'GET', '/graph/v1.0/me/drives', { as: w.as.user! }))).not.toContain(d.id);
    expect((await invite(w.t, d.id, w.as.spaceAdmin!.user, ROLE.spaceViewer, { as: w.as.user! })).statusCode).toBe(404);
    const listed = await driveCall(w.t.app, 'GET', rootUrl(d, '/permissions'), { as: w.as.manager! });
    expect(listed.data.value.map((p: { id: string }) => p.id)).not.toContain(`u:${w.as.user!.user}`);
    // An expired grant may be replaced by a new invitation.
    expect((await invite(w.t, d.id, w.as.user!.user, ROLE.spaceViewer, { as: w.as.manager! })).statusCode).toBe(200);
  });

  it('the last Manager rule counts groups, and a Manager that will expire does not count', async () => {
    const d = await w.projectSpace('Group Managed');
    expect((await invite(w.t, d.id, 'team', ROLE.manager, { as: w.as.manager!, type: 'group' })).statusCode).toBe(200);
    const me = `u:${w.as.manager!.user}`;
    expect((await driveCall(w.t.app, 'DELETE', rootUrl(d, `/permissions/${me}`), { as: w.as.manager! })).statusCode).toBe(204);
    // The group is now the last Manager; its members manage the space.
    const groupie = await newUser(w.t.app, 'groupie', { groups: ['team'] });
    const last = await driveCall(w.t.app, 'DELETE', rootUrl(d, '/permissions/g:team'), { as: groupie });
    expect(last.statusCode).toBe(403);
    expect(last.data.error.code).toBe('accessDenied');
    expect((await driveCall(w.t.app, 'PATCH', rootUrl(d, '/permissions/g:team'), { as: groupie, body: { roles: [ROLE.spaceEditor] } })).statusCode).toBe(403);
    expect((await driveCall(w.t.app, 'PATCH', rootUrl(d, '/permissions/g:team'), { as: groupie, body: { expirationDateTime: '2099-01-01T00:00:00Z' } })).statusCode).toBe(403);
    expect((await invite(w.t, d.id, w.as.manager!.user, ROLE.manager, { as: groupie, extra: { expirationDateTime: '2099-01-01T00:00:00Z' } })).statusCode).toBe(200);
    expect((await driveCall(w.t.app, 'DELETE', rootUrl(d, '/permissions/g:team'), { as: groupie })).statusCode).toBe(403);
    expect((await driveCall(w.t.app, 'PATCH', rootUrl(d, `/permissions/${me}`), { as: groupie, body: { expirationDateTime: null } })).statusCode).toBe(200);
    expect((await driveCall(w.t.app, 'DELETE', rootUrl(d, '/permissions/g:team'), { as: groupie })).statusCode).toBe(204);
  });

  it('an unparsable drive id on root routes is 422 "could not parse driveID"; an unknown one 404', async () => {
    for (const raw of ['x$y!z', '$abc', 'abc$']) {
      const bad = await driveCall(w.t.app, 'GET', `/graph/v1beta1/drives/${encodeURIComponent(raw)}/root/permissions`);
      expect(bad.statusCode, raw).toBe(422);
      expect(bad.data.error).toMatchObject({ code: 'invalidRequest', message: 'could not parse driveID' });
    }
    expect((await driveCall(w.t.app, 'POST', `/graph/v1beta1/drives/${encodeURIComponent('x$y!z')}/root/invite`, { body: {} })).statusCode).toBe(422);
    const unknown = await driveCall(w.t.app, 'GET', `/graph/v1beta1/drives/${w.storage}$00000000-0000-0000-0000-000000000000/root/permissions`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.data.error.code).toBe('itemNotFound');
  });

  it('member routes exist on v1beta1 only, as the reference routes them', async () => {
    expect((await driveCall(w.t.app, 'GET', `/graph/v1.0/drives/${space.id}/root/permissions`)).statusCode).toBe(404);
    expect((await driveCall(w.t.app, 'POST', `/graph/v1.0/drives/${space.id}/root/invite`, { body: {} })).statusCode).toBe(404);
  });
});
