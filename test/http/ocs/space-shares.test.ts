import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { ADMIN, buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { type Credentials, graph } from '../../helpers/graph.js';

const SHARES = '/apps/files_sharing/api/v1/shares';
const ROLE = {
  spaceViewer: 'a8d5fe5e-96e3-418d-825b-534dbdf22b99',
  spaceEditor: '58c63c02-1d89-4572-916a-870abc5a1b7d',
  manager: '312c0871-5ef7-4b3a-85b6-0e4074c64049',
} as const;

describeEachDb('OCS space memberships (shareType 7/8 with space_ref) on the rows Graph serves', (kind) => {
  let t: TestApp;
  let bob: Credentials;
  let carol: Credentials;
  let dave: Credentials;
  let drive: string;

  const share = (body: Record<string, unknown>, as: Credentials | null = ADMIN, version: 1 | 2 = 2) =>
    ocs(t.app, 'POST', SHARES, { as, version, body: { space_ref: drive, shareType: 7, ...body } });
  const unshare = (shareWith: string, as: Credentials | null = ADMIN, id = drive) =>
    ocs(t.app, 'DELETE', `${SHARES}/${encodeURIComponent(id)}?shareWith=${encodeURIComponent(shareWith)}`, { as });
  /** The space's members as Graph lists them, by permission id. */
  const members = async (): Promise<Map<string, any>> => {
    const res = await graph(t.app, 'GET', `/graph/v1beta1/drives/${drive}/root/permissions`, { as: ADMIN });
    expect(res.statusCode, res.body).toBe(200);
    return new Map(res.data.value.filter((p: any) => /^[ug]:/.test(p.id)).map((p: any) => [p.id, p]));
  };
  const seesSpace = async (as: Credentials) => ((await graph(t.app, 'GET', '/graph/v1.0/me/drives', { as })).data.value as any[]).some((d) => d.id === drive);
  const expectOcs = (res: Awaited<ReturnType<typeof ocs>>, status: number, message?: string) => {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.ocs.meta.statuscode).toBe(status);
    if (message !== undefined) expect(res.ocs.meta.message).toBe(message);
  };

  beforeAll(async () => {
    t = await buildTestApp(kind);
    bob = await newUser(t.app, 'bob');
    carol = await newUser(t.app, 'carol');
    dave = await newUser(t.app, 'dave');
    await newGroup(t.app, 'sales');
    await ocs(t.app, 'POST', '/cloud/users/carol/groups', { body: { groupid: 'sales' } });
  });
  beforeEach(async () => {
    // A fresh project space each time, its creator (admin) its only Manager.
    const res = await graph(t.app, 'POST', '/graph/v1.0/drives', { as: ADMIN, body: { name: `Team ${Math.random().toString(36).slice(2, 8)}` } });
    expect(res.statusCode, res.body).toBe(201);
    drive = res.data.id;
  });
  afterAll(async () => t?.close());

  it('adds a user member with the asked role; Graph lists it as that space role and the member sees the space', async () => {
    expect(await seesSpace(bob)).toBe(false);
    const res = await share({ shareWith: 'bob', role: 'viewer' });
    expectOcs(res, 200, 'OK');
    expect(res.ocs.data).toEqual([]);
    expect((await members()).get('u:bob')).toMatchObject({ roles: [ROLE.spaceViewer], grantedToV2: { user: { id: 'bob' } } });
    expect(await seesSpace(bob)).toBe(true);
    // v1 answers 100 with HTTP 200, as every OCS v1 success.
    const v1 = await share({ shareWith: 'bob', role: 'editor' }, ADMIN, 1);
    expect(v1.statusCode).toBe(200);
    expect(v1.ocs.meta.statuscode).toBe(100);
  });

  it('upserts: a second share changes the role; role names and permission bits map to space roles', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ role: 'editor' }, ROLE.spaceEditor],
      [{ role: 'manager' }, ROLE.manager],
      [{ role: 'SpaceViewer' }, ROLE.spaceViewer],
      [{ role: 'spaceeditor' }, ROLE.spaceEditor],
      [{ permissions: 1 }, ROLE.spaceViewer],
      [{ permissions: 15 }, ROLE.spaceEditor],
      [{}, ROLE.spaceViewer],
    ];
    for (const [body, role] of cases) {
      expectOcs(await share({ shareWith: 'bob', ...body }), 200);
      expect((await members()).get('u:bob')?.roles, JSON.stringify(body)).toEqual([role]);
    }
    expectOcs(await share({ shareWith: 'bob', permissions: 31 }), 400, 'invalid role for space member');
    expectOcs(await share({ shareWith: 'bob', permissions: 'x' }), 400, 'permissions must be an integer');
    expect((await members()).get('u:bob')?.roles).toEqual([ROLE.spaceViewer]);
  });

  it('adds a group with shareType 8; its members see the space', async () => {
    expectOcs(await share({ shareType: 8, shareWith: 'sales', role: 'editor' }), 200);
    expect((await members()).get('g:sales')).toMatchObject({ roles: [ROLE.spaceEditor], grantedToV2: { group: { id: 'sales' } } });
    expect(await seesSpace(carol)).toBe(true);
    expectOcs(await unshare('sales'), 200);
    expect((await members()).has('g:sales')).toBe(false);
    expect(await seesSpace(carol)).toBe(false);
  });

  it('sets, changes and clears the expiry; a past date ends the membership at once; a bad one is 400', async () => {
    expectOcs(await share({ shareWith: 'bob', role: 'viewer', expireDate: '2042-03-25T23:59:59+0100' }), 200);
    expect((await members()).get('u:bob')?.expirationDateTime).toBe('2042-03-25T22:59:59.000Z');
    expectOcs(await share({ shareWith: 'bob', role: 'viewer', expireDate: '2044-01-01T23:59:59.999+01:00' }), 200);
    expect((await members()).get('u:bob')?.expirationDateTime).toBe('2044-01-01T22:59:59.999Z');
    expectOcs(await share({ shareWith: 'bob', role: 'viewer', expireDate: '' }), 200);
    expect((await members()).get('u:bob')?.expirationDateTime).toBeUndefined();
    expectOcs(await share({ shareWith: 'bob', role: 'viewer', expireDate: 'tomorrow' }), 400, 'could not parse expireDate');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().replace(/\.\d+Z$/, '+00:00');
    expectOcs(await share({ shareWith: 'bob', role: 'viewer', expireDate: yesterday }), 200);
    expect(await seesSpace(bob)).toBe(false);
    expect((await members()).has('u:bob')).toBe(false);
    // Shared again, the membership is back.
    expectOcs(await share({ shareWith: 'bob' }), 200);
    expect(await seesSpace(bob)).toBe(true);
  });

  it('is one membership whichever API: Graph invites change and end over OCS, OCS shares over Graph', async () => {
    const invited = await graph(t.app, 'POST', `/graph/v1beta1/drives/${drive}/root/invite`, {
      as: ADMIN,
      body: { recipients: [{ objectId: 'dave', '@libre.graph.recipient.type': 'user' }], roles: [ROLE.spaceEditor] },
    });
    expect(invited.statusCode, invited.body).toBe(200);
    expectOcs(await share({ shareWith: 'dave', role: 'viewer' }), 200);
    expect((await members()).get('u:dave')?.roles).toEqual([ROLE.spaceViewer]);
    expectOcs(await unshare('dave'), 200);
    expect((await members()).has('u:dave')).toBe(false);
    expect(await seesSpace(dave)).toBe(false);

    expectOcs(await share({ shareWith: 'bob', role: 'editor' }), 200);
    const patched = await graph(t.app, 'PATCH', `/graph/v1beta1/drives/${drive}/root/permissions/u:bob`, { as: ADMIN, body: { roles: [ROLE.manager] } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect((await graph(t.app, 'DELETE', `/graph/v1beta1/drives/${drive}/root/permissions/u:bob`, { as: ADMIN })).statusCode).toBe(204);
    expectOcs(await unshare('bob'), 404, 'cannot find share');
  });

  it('authorization: anonymous 997/401, non-members 404, viewers and editors 403, managers 200', async () => {
    const anonymous = await share({ shareWith: 'bob' }, null);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.ocs.meta.statuscode).toBe(997);
    expect((await unshare('bob', null)).statusCode).toBe(401);
    expectOcs(await share({ shareWith: 'carol' }, dave), 404, "Wrong path, file/folder doesn't exist");
    expectOcs(await unshare('admin', dave), 404, "Wrong path, file/folder doesn't exist");
    for (const role of ['viewer', 'editor']) {
      expectOcs(await share({ shareWith: 'bob', role }), 200);
      expectOcs(await share({ shareWith: 'dave', role: 'viewer' }, bob), 403, 'No share permission');
      expectOcs(await unshare('admin', bob), 403, 'No share permission');
    }
    expect((await members()).has('u:dave')).toBe(false);
    // A Manager through a group may share too.
    expectOcs(await share({ shareType: 8, shareWith: 'sales', role: 'manager' }), 200);
    expectOcs(await share({ shareWith: 'dave', role: 'editor' }, carol), 200);
    expect((await members()).get('u:dave')?.roles).toEqual([ROLE.spaceEditor]);
    expectOcs(await unshare('dave', carol), 200);
  });

  it('keeps a Manager: the last one can neither leave nor be demoted; with another one it may leave', async () => {
    expectOcs(await unshare('admin'), 403, "can't remove the last manager");
    expectOcs(await share({ shareWith: 'admin', role: 'viewer' }), 403, 'the space must have at least one manager');
    expect((await members()).get('u:admin')?.roles).toEqual([ROLE.manager]);
    expectOcs(await share({ shareWith: 'bob', role: 'manager' }), 200);
    expectOcs(await unshare('admin'), 200);
    const left = await graph(t.app, 'GET', `/graph/v1beta1/drives/${drive}/root/permissions`, { as: bob });
    expect(left.data.value.map((p: any) => p.id)).toEqual(['u:bob']);
    expect(await seesSpace(ADMIN)).toBe(false);
  });

  it('refuses what names no space member: unknown grantees, missing shareWith, bad or unknown space refs, personal and disabled spaces', async () => {
    expectOcs(await share({ shareWith: 'nobody' }), 404, 'error getting grantee');
    expectOcs(await share({}), 400, 'missing shareWith');
    expectOcs(await unshare('nobody'), 404, 'error getting grantee');
    expectOcs(await share({ shareWith: 'bob', space_ref: 'not-a-space' }), 400);
    expectOcs(await share({ shareWith: 'bob', space_ref: `${drive.split('$')[0]}$unknown-space` }), 404, "Wrong path, file/folder doesn't exist");
    expectOcs(await share({ shareWith: 'bob', space_ref: `other-storage$${drive.split('$')[1]}` }), 404);
    expectOcs(await share({ shareWith: 'bob', space_ref: undefined as unknown as string }), 400);
    const bobsHome = (await graph(t.app, 'GET', '/graph/v1.0/me/drive', { as: bob })).data.id;
    expectOcs(await share({ shareWith: 'carol', space_ref: bobsHome }, bob), 400, 'can not add members to personal spaces');
    expectOcs(await share({ shareWith: 'carol', space_ref: bobsHome }, dave), 404);
    expect((await graph(t.app, 'DELETE', `/graph/v1.0/drives/${drive}`, { as: ADMIN })).statusCode).toBe(204);
    expectOcs(await share({ shareWith: 'bob' }), 404, "Wrong path, file/folder doesn't exist");
  });

  it('one writer, each API\'s rules: a member OCS added is one Graph refuses to invite again; OCS authorizes first, Graph validates first', async () => {
    const invite = (objectId: string, as: Credentials = ADMIN) =>
      graph(t.app, 'POST', `/graph/v1beta1/drives/${drive}/root/invite`, { as, body: { recipients: [{ objectId, '@libre.graph.recipient.type': 'user' }], roles: [ROLE.spaceViewer] } });
    expectOcs(await share({ shareWith: 'bob', role: 'viewer' }), 200);
    const again = await invite('bob');
    expect([again.statusCode, again.data.error.message]).toEqual([409, 'the recipient is already a member of this space; update the permission instead']);
    // A Viewer naming nobody: reva's OCS handler refuses the caller first, Graph the request first.
    expectOcs(await share({ shareWith: 'nobody' }, bob), 403, 'No share permission');
    const byGraph = await invite('nobody', bob);
    expect([byGraph.statusCode, byGraph.data.error.message]).toEqual([400, 'itemNotFound: not found']);
    const denied = await invite('dave', bob);
    expect([denied.statusCode, denied.data.error.message]).toEqual([403, 'permission denied: no permission to add members to this space']);
  });

  it('an expired grant: the OCS unshare still removes it by name, Graph no longer knows it', async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().replace(/\.\d+Z$/, '+00:00');
    expectOcs(await share({ shareWith: 'dave', role: 'viewer', expireDate: yesterday }), 200);
    expect((await graph(t.app, 'DELETE', `/graph/v1beta1/drives/${drive}/root/permissions/u:dave`, { as: ADMIN })).statusCode).toBe(404);
    expectOcs(await unshare('dave'), 200);
    expectOcs(await unshare('dave'), 404, 'cannot find share');
  });

  it('GET shares?space_ref lists the shares on the space root the caller may see', async () => {
    const link = await graph(t.app, 'POST', `/graph/v1beta1/drives/${drive}/root/createLink`, { as: ADMIN, body: { type: 'view' } });
    expect(link.statusCode, link.body).toBe(200);
    const res = await ocs(t.app, 'GET', `${SHARES}?space_ref=${encodeURIComponent(drive)}`, { as: ADMIN });
    expectOcs(res, 200);
    expect(res.ocs.data.map((s: any) => s.id)).toEqual([link.data.id]);
    expect(res.ocs.data[0]).toMatchObject({ share_type: 3, url: link.data.link.webUrl });
    expectOcs(await ocs(t.app, 'GET', `${SHARES}?space_ref=${encodeURIComponent(drive)}`, { as: dave }), 404);
    expectOcs(await ocs(t.app, 'GET', `${SHARES}?space_ref=garbage`, { as: ADMIN }), 400);
  });

  it('a member whose role lists the space\'s grants sees a share made in it by id, over OCS as over Graph; others do not', async () => {
    const link = (await graph(t.app, 'POST', `/graph/v1beta1/drives/${drive}/root/createLink`, { as: ADMIN, body: { type: 'view' } })).data;
    expectOcs(await share({ shareWith: 'bob', role: 'viewer' }), 200);
    const overGraph = await graph(t.app, 'GET', `/graph/v1beta1/drives/${drive}/root/permissions/${link.id}`, { as: bob });
    expect(overGraph.statusCode).toBe(200);
    const overOcs = await ocs(t.app, 'GET', `${SHARES}/${link.id}`, { as: bob });
    expectOcs(overOcs, 200);
    expect(overOcs.ocs.data[0]).toMatchObject({ id: link.id, share_type: 3 });
    expectOcs(await ocs(t.app, 'GET', `${SHARES}/${link.id}`, { as: dave }), 404, 'Wrong share ID, share does not exist');
    // Seeing is not changing: a Viewer may not edit or delete it through either API.
    expectOcs(await ocs(t.app, 'PUT', `${SHARES}/${link.id}`, { as: bob, body: { note: 'mine' } }), 403, 'You are not allowed to edit incoming shares');
    expect((await graph(t.app, 'DELETE', `/graph/v1beta1/drives/${drive}/root/permissions/${link.id}`, { as: bob })).statusCode).toBe(403);
  });
});
