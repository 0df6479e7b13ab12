import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { type Credentials, expectSchema, graph, type GraphResponse } from '../../helpers/graph.js';
import { mkcol, put } from '../dav/dav-helpers.js';
import { ROLE, SHARES } from './drives-helpers.js';

const OCS_SHARES = '/apps/files_sharing/api/v1/shares';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const ITEM_ROLE = { editor: 'fb6c3e19-e378-47e5-b277-9732f9de6e21', uploader: '1c996275-f1c9-4e71-abdf-a42f6495e960' } as const;
const beta = (rest: string) => `/graph/v1beta1${rest}`;

/** Every permission of a listing or answer is a LibreGraph Permission. */
function expectPermissions(res: GraphResponse): void {
  const list = Array.isArray(res.data?.value) ? res.data.value : [res.data];
  for (const p of list) expectSchema(p, 'permission');
}

describeEachDb('Graph links and item permissions on the OCS shares', (kind) => {
  let t: TestApp;
  let alice: Credentials;
  let bob: Credentials;
  let carol: Credentials;
  let drive: string;
  const item: Record<string, string> = {};
  const call = async (as: Credentials | null, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<GraphResponse> => {
    const res = await graph(t.app, method, url, { as, body });
    if (res.statusCode === 200 && /\/(createLink|setPassword|invite|permissions(\/[^/]+)?)$/.test(url)) expectPermissions(res);
    return res;
  };
  const createLink = (on: string, body: Record<string, unknown>, as = alice) => call(as, 'POST', beta(`/drives/${drive}/items/${on}/createLink`), body);
  const perms = (on: string, rest = '', as = alice) => beta(`/drives/${drive}/items/${on}/permissions${rest}`);
  const ocsShare = async (as: Credentials, id: string) => ocs(t.app, 'GET', `${OCS_SHARES}/${id}`, { as });

  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice', { displayName: 'Alice Example' });
    bob = await newUser(t.app, 'bob', { displayName: 'Bob Builder' });
    carol = await newUser(t.app, 'carol', { displayName: 'Carol Client' });
    await newGroup(t.app, 'crew');
    await ocs(t.app, 'POST', '/cloud/users/carol/groups', { body: { groupid: 'crew' } });
    const files = '/remote.php/dav/files/alice';
    await mkcol(t.app, `${files}/docs`, { as: alice });
    await put(t.app, `${files}/docs/a.txt`, 'alpha', { as: alice });
    await put(t.app, `${files}/note.txt`, 'hello', { as: alice });
    await mkcol(t.app, `${files}/drop`, { as: alice });
    await mkcol(t.app, `${files}/ocs`, { as: alice });
    await mkcol(t.app, `${files}/team`, { as: alice });
    drive = (await call(alice, 'GET', '/graph/v1.0/me/drive')).data.id;
    for (const i of (await call(alice, 'GET', '/graph/v1.0/me/drive/root/children')).data.value) item[i.name] = i.id;
  });
  afterAll(async () => t?.close());

  it('creates each link type with the reference permission JSON, stored as the OCS link share with matching bits', async () => {
    const cases: Array<[string, string, number, boolean]> = [
      ['docs', 'view', 1, false],
      ['docs', 'upload', 5, false],
      ['docs', 'edit', 15, false],
      ['note.txt', 'edit', 3, false],
      ['drop', 'createOnly', 4, false],
      ['note.txt', 'blocksDownload', 1, true],
      ['docs', 'internal', 0, false],
    ];
    for (const [on, type, bits, hidden] of cases) {
      const res = await createLink(item[on]!, { type });
      expect(res.statusCode, `${type} on ${on}: ${res.body}`).toBe(200);
      const p = res.data;
      expect(p).toEqual({
        createdDateTime: expect.stringMatching(ISO),
        hasPassword: false,
        id: expect.stringMatching(/^\d+$/),
        link: { '@libre.graph.displayName': '', '@libre.graph.quickLink': false, preventsDownload: hidden, type, webUrl: expect.stringMatching(/^http:\/\/nimbus\.test\/s\/[A-Za-z0-9]{15}$/) },
      });
      const o = await ocsShare(alice, p.id);
      expect(o.statusCode).toBe(200);
      expect(o.ocs.data[0]).toMatchObject({ share_type: 3, permissions: bits, hide_download: hidden ? 1 : 0, url: p.link.webUrl, path: `/${on}` });
    }
  });

  it('refuses link types that do not fit the item, an internal link with a password, and bad bodies (400)', async () => {
    for (const type of ['upload', 'createOnly']) {
      const res = await createLink(item['note.txt']!, { type });
      expect(res.statusCode).toBe(400);
      expect(res.data.error).toMatchObject({ code: 'invalidRequest', message: 'invalid link type' });
    }
    const internal = await createLink(item.docs!, { type: 'internal', password: 'Some-Secret-42' });
    expect(internal.statusCode).toBe(400);
    expect(internal.data.error.message).toBe('password is redundant for the internal link');
    expect((await createLink(item.docs!, { type: 'bogus' })).statusCode).toBe(400);
    expect((await createLink(item.docs!, {})).statusCode).toBe(400);
    expect((await createLink(item.docs!, { type: 'view', surprise: 1 })).statusCode).toBe(400);
    expect((await createLink(item.docs!, { type: 'view', expirationDateTime: 'tomorrow' })).statusCode).toBe(400);
    const past = await createLink(item.docs!, { type: 'view', expirationDateTime: '2001-01-01T00:00:00Z' });
    expect(past.statusCode).toBe(400);
    expect(past.data.error.code).toBe('invalidRequest');
  });

  it('echoes displayName, quick link and expiry (pushed to the end of its day), and answers an existing quick link again', async () => {
    const res = await createLink(item.docs!, { type: 'view', displayName: 'For the team', expirationDateTime: '2200-07-15T14:00:00.000Z', '@libre.graph.quickLink': true });
    expect(res.statusCode).toBe(200);
    expect(res.data).toMatchObject({ expirationDateTime: '2200-07-15T23:59:59.000Z', link: { '@libre.graph.displayName': 'For the team', '@libre.graph.quickLink': true } });
    expect((await ocsShare(alice, res.data.id)).ocs.data[0]).toMatchObject({ label: 'For the team', expiration: '2200-07-15 00:00:00' });
    const again = await createLink(item.docs!, { type: 'edit', '@libre.graph.quickLink': true });
    expect(again.data.id).toBe(res.data.id);
  });

  it('sets and removes a link password; the policy applies and an internal link takes none', async () => {
    const link = (await createLink(item['note.txt']!, { type: 'view', password: 'First-Secret-42' })).data;
    expect(link.hasPassword).toBe(true);
    expect((await ocsShare(alice, link.id)).ocs.data[0].password).toBe('***redacted***');
    const url = (id: string) => perms(item['note.txt']!, `/${id}/setPassword`);
    const removed = await call(alice, 'POST', url(link.id), { password: '' });
    expect(removed.statusCode).toBe(200);
    expect(removed.data.hasPassword).toBe(false);
    expect((await ocsShare(alice, link.id)).ocs.data[0].password).toBeNull();
    const set = await call(alice, 'POST', url(link.id), { password: 'Second-Secret-42' });
    expect(set.data).toMatchObject({ hasPassword: true, id: link.id, link: { type: 'view' } });
    // The stored hash is the new password's: the public share opens with it, not with the old one.
    const token = link.link.webUrl.split('/s/')[1];
    const open = (pw: string) => t.app.services.publicLinks.open(token, pw, `10.0.0.${pw.length}`);
    await expect(open('Second-Secret-42')).resolves.toMatchObject({ share: { id: link.id } });
    await expect(open('First-Secret-42')).rejects.toMatchObject({ code: 'unauthenticated' });
    const internal = (await createLink(item['note.txt']!, { type: 'internal' })).data;
    const refused = await call(alice, 'POST', url(internal.id), { password: 'Third-Secret-42' });
    expect(refused.statusCode).toBe(400);
    expect((await call(alice, 'POST', url(link.id), { password: 1 })).statusCode).toBe(400);
  });

  it('lists, gets, patches and deletes an item\'s permissions, with the allowed actions and roles', async () => {
    const link = (await createLink(item.team!, { type: 'view' })).data;
    const inv = await call(alice, 'POST', beta(`/drives/${drive}/items/${item.team}/invite`), { recipients: [{ objectId: 'bob', '@libre.graph.recipient.type': 'user' }], roles: [ROLE.viewer] });
    expect(inv.statusCode, inv.body).toBe(200);
    const list = await call(alice, 'GET', perms(item.team!));
    expect(list.statusCode).toBe(200);
    expect(list.data['@libre.graph.permissions.actions.allowedValues']).toHaveLength(19);
    expect(list.data['@libre.graph.permissions.roles.allowedValues']).toEqual([
      expect.objectContaining({ '@libre.graph.weight': 1, id: ROLE.viewer }),
      expect.objectContaining({ '@libre.graph.weight': 2, id: ITEM_ROLE.uploader }),
      expect.objectContaining({ '@libre.graph.weight': 3, id: ITEM_ROLE.editor }),
    ]);
    expect(list.data.value.map((p: { id: string }) => p.id).sort()).toEqual([link.id, inv.data.value[0].id].sort());
    const onlyRoles = await call(alice, 'GET', `${perms(item.team!)}?$select=@libre.graph.permissions.roles.allowedValues`);
    expect(Object.keys(onlyRoles.data)).toEqual(['@libre.graph.permissions.roles.allowedValues']);
    const noLinks = await call(alice, 'GET', `${perms(item.team!)}?$filter=${encodeURIComponent("grantedToV2 ne ''")}`);
    expect(noLinks.data.value.map((p: { id: string }) => p.id)).toEqual([inv.data.value[0].id]);

    expect((await call(alice, 'GET', perms(item.team!, `/${link.id}`))).data).toEqual(link);
    const patched = await call(alice, 'PATCH', perms(item.team!, `/${link.id}`), { link: { type: 'edit', '@libre.graph.displayName': 'Edit me' }, expirationDateTime: '2199-01-02T03:04:05Z' });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.data).toMatchObject({ expirationDateTime: '2199-01-02T23:59:59.000Z', link: { type: 'edit', '@libre.graph.displayName': 'Edit me' } });
    expect((await ocsShare(alice, link.id)).ocs.data[0]).toMatchObject({ permissions: 15, label: 'Edit me' });
    const noExpiry = await call(alice, 'PATCH', perms(item.team!, `/${link.id}`), { expirationDateTime: null });
    expect(noExpiry.data.expirationDateTime).toBeUndefined();
    const toInternal = await call(alice, 'PATCH', perms(item.team!, `/${link.id}`), { link: { type: 'internal' } });
    expect(toInternal.data.link.type).toBe('internal');
    expect((await ocsShare(alice, link.id)).ocs.data[0].permissions).toBe(0);
    expect((await call(alice, 'PATCH', perms(item.team!, `/${link.id}`), { roles: [ROLE.viewer] })).statusCode).toBe(400);

    const userPerm = inv.data.value[0].id;
    const promoted = await call(alice, 'PATCH', perms(item.team!, `/${userPerm}`), { roles: [ITEM_ROLE.editor] });
    expect(promoted.data.roles).toEqual([ITEM_ROLE.editor]);
    expect((await ocsShare(alice, userPerm)).ocs.data[0].permissions).toBe(15);
    expect((await call(alice, 'PATCH', perms(item.team!, `/${userPerm}`), { roles: [ROLE.fileEditor] })).statusCode).toBe(400);

    expect((await call(alice, 'DELETE', perms(item.team!, `/${link.id}`))).statusCode).toBe(204);
    expect((await ocsShare(alice, link.id)).statusCode).toBe(404);
    expect((await call(alice, 'GET', perms(item.team!, `/${link.id}`))).statusCode).toBe(404);
    // A permission of another item is refused as the reference does.
    expect((await call(alice, 'GET', perms(item.docs!, `/${userPerm}`))).statusCode).toBe(400);
    expect((await call(alice, 'DELETE', perms(item.team!, '/999999'))).data.error.code).toBe('itemNotFound');
  });

  it('invites users and groups with a role: OCS shares of type 0 and 1 with the role\'s bits, answered with grantedToV2', async () => {
    const user = await call(alice, 'POST', beta(`/drives/${drive}/items/${item.docs}/invite`), {
      recipients: [{ objectId: 'bob', '@libre.graph.recipient.type': 'user' }],
      roles: [ITEM_ROLE.editor],
      expirationDateTime: '2199-05-05T10:00:00Z',
    });
    expect(user.statusCode, user.body).toBe(200);
    expect(user.data.value).toEqual([
      {
        createdDateTime: expect.stringMatching(ISO),
        expirationDateTime: '2199-05-05T10:00:00.000Z',
        grantedToV2: { user: { '@libre.graph.userType': 'Member', displayName: 'Bob Builder', id: 'bob' } },
        id: expect.stringMatching(/^\d+$/),
        invitation: { invitedBy: { user: { displayName: 'Alice Example', id: 'alice' } } },
        roles: [ITEM_ROLE.editor],
      },
    ]);
    expect((await ocsShare(alice, user.data.value[0].id)).ocs.data[0]).toMatchObject({ share_type: 0, share_with: 'bob', permissions: 15 });
    const group = await call(alice, 'POST', beta(`/drives/${drive}/items/${item['note.txt']}/invite`), {
      recipients: [{ objectId: 'crew', '@libre.graph.recipient.type': 'group' }],
      '@libre.graph.permissions.actions': ['path/read', 'quota/read', 'content/read', 'children/read', 'deleted/read', 'basic/read'].map((a) => `libre.graph/driveItem/${a}`),
    });
    expect(group.statusCode, group.body).toBe(200);
    expect(group.data.value[0]).toMatchObject({ grantedToV2: { group: { displayName: 'crew', id: 'crew' } }, roles: [ROLE.viewer] });
    expect((await ocsShare(alice, group.data.value[0].id)).ocs.data[0]).toMatchObject({ share_type: 1, share_with: 'crew', permissions: 1 });

    const invite = (on: string, body: Record<string, unknown>) => call(alice, 'POST', beta(`/drives/${drive}/items/${on}/invite`), body);
    const again = await invite(item.docs!, { recipients: [{ objectId: 'bob' }], roles: [ROLE.viewer] });
    expect(again.statusCode).toBe(409);
    const wrongRole = await invite(item['note.txt']!, { recipients: [{ objectId: 'bob' }], roles: [ITEM_ROLE.editor] });
    expect(wrongRole.data.error).toMatchObject({ code: 'invalidRequest', message: 'role not applicable to this resource' });
    const nobody = await invite(item.docs!, { recipients: [{ objectId: 'nobody' }], roles: [ROLE.viewer] });
    expect(nobody.data.error.message).toBe('itemNotFound: not found');
    expect((await invite(item.docs!, { recipients: [], roles: [ROLE.viewer] })).statusCode).toBe(400);
    expect((await call(alice, 'POST', beta(`/drives/${drive}/items/${drive}/invite`), { recipients: [{ objectId: 'bob' }], roles: [ROLE.viewer] })).data.error.message).toBe(
      'space type is not eligible for sharing',
    );
  });

  it('recipients reach the shared item over Graph drive items; others do not', async () => {
    const reached = await call(bob, 'GET', `/graph/v1.0/drives/${drive}/items/${item.docs}`);
    expect(reached.statusCode, reached.body).toBe(200);
    expect(reached.data.name).toBe('docs');
    const children = await call(bob, 'GET', `/graph/v1.0/drives/${drive}/items/${item.docs}/children`);
    expect(children.data.value.map((c: { name: string }) => c.name)).toEqual(['a.txt']);
    expect((await call(bob, 'GET', `/graph/v1.0/drives/${drive}/items/${item.drop}`)).statusCode).toBe(404);
    expect((await call(carol, 'GET', `/graph/v1.0/drives/${drive}/items/${item.docs}`)).statusCode).toBe(404);
  });

  it('sharedByMe lists the sharer\'s items with their permissions; sharedWithMe the recipient\'s, synchronized once accepted', async () => {
    const byMe = await call(alice, 'GET', beta('/me/drive/sharedByMe'));
    expect(byMe.statusCode).toBe(200);
    for (const d of byMe.data.value) expectSchema(d, 'driveItem');
    const docs = byMe.data.value.find((d: { id: string }) => d.id === item.docs);
    expect(docs.permissions.some((p: any) => p.grantedToV2?.user?.id === 'bob' && p.roles?.[0] === ITEM_ROLE.editor)).toBe(true);
    expect(docs.permissions.some((p: any) => p.link?.type === 'view')).toBe(true);
    expect((await call(bob, 'GET', beta('/me/drive/sharedByMe'))).data.value).toEqual([]);

    const withMe = await call(bob, 'GET', beta('/me/drive/sharedWithMe'));
    expect(withMe.statusCode).toBe(200);
    for (const d of withMe.data.value) expectSchema(d, 'driveItem');
    const received = withMe.data.value.find((d: any) => d.remoteItem.id === item.docs);
    const shareId = received.remoteItem.permissions[0].id;
    expect(received).toMatchObject({
      '@UI.Hidden': false,
      '@client.synchronize': true,
      createdBy: { user: { displayName: 'Alice Example', id: 'alice' } },
      folder: {},
      id: `${SHARES}!${shareId}`,
      name: 'docs',
      parentReference: { driveId: SHARES, driveType: 'virtual' },
      remoteItem: {
        id: item.docs,
        name: 'docs',
        parentReference: { driveId: drive, driveType: 'personal' },
        permissions: [{ grantedToV2: { user: { id: 'bob' } }, invitation: { invitedBy: { user: { id: 'alice' } } }, roles: [ITEM_ROLE.editor] }],
      },
    });
    // Declined over OCS: still listed, no longer synchronized; accepted again: synchronized.
    expect((await ocs(t.app, 'DELETE', `${OCS_SHARES}/pending/${shareId}`, { as: bob })).statusCode).toBe(200);
    const declined = (await call(bob, 'GET', beta('/me/drive/sharedWithMe'))).data.value.find((d: any) => d.remoteItem.id === item.docs);
    expect(declined['@client.synchronize']).toBe(false);
    expect((await ocs(t.app, 'POST', `${OCS_SHARES}/pending/${shareId}`, { as: bob })).statusCode).toBe(200);
    const back = (await call(bob, 'GET', beta('/me/drive/sharedWithMe'))).data.value.find((d: any) => d.remoteItem.id === item.docs);
    expect(back['@client.synchronize']).toBe(true);
    const carolSees = (await call(carol, 'GET', beta('/me/drive/sharedWithMe'))).data.value;
    expect(carolSees.map((d: any) => d.remoteItem.name)).toContain('note.txt');
  });

  it('one share whichever API: OCS shares show as Graph permissions and Graph removes them, and the other way round', async () => {
    const link = await ocs(t.app, 'POST', OCS_SHARES, { as: alice, body: { path: '/ocs', shareType: 3, permissions: 1 } });
    const user = await ocs(t.app, 'POST', OCS_SHARES, { as: alice, body: { path: '/ocs', shareType: 0, shareWith: 'bob' } });
    expect(user.statusCode).toBe(200);
    const list = (await call(alice, 'GET', perms(item.ocs!))).data.value;
    const byId = new Map(list.map((p: any) => [p.id, p]));
    expect(byId.get(link.ocs.data.id)).toMatchObject({ link: { type: 'view', webUrl: link.ocs.data.url } });
    // OCS's default 31 on a folder is the Editor role (the share bit is not part of any role).
    expect(byId.get(user.ocs.data.id)).toMatchObject({ roles: [ITEM_ROLE.editor], grantedToV2: { user: { id: 'bob' } } });
    expect((await call(alice, 'DELETE', perms(item.ocs!, `/${link.ocs.data.id}`))).statusCode).toBe(204);
    expect((await ocsShare(alice, link.ocs.data.id)).statusCode).toBe(404);

    const graphLink = (await createLink(item.ocs!, { type: 'upload' })).data;
    const seen = await ocs(t.app, 'GET', `${OCS_SHARES}?path=/ocs`, { as: alice });
    expect(seen.ocs.data.map((s: { id: string }) => s.id)).toContain(graphLink.id);
    expect((await ocs(t.app, 'DELETE', `${OCS_SHARES}/${graphLink.id}`, { as: alice })).statusCode).toBe(200);
    expect((await call(alice, 'GET', perms(item.ocs!, `/${graphLink.id}`))).statusCode).toBe(404);
    // An OCS update shows in Graph at once.
    await ocs(t.app, 'PUT', `${OCS_SHARES}/${user.ocs.data.id}`, { as: alice, body: { permissions: 1 } });
    expect((await call(alice, 'GET', perms(item.ocs!, `/${user.ocs.data.id}`))).data.roles).toEqual([ROLE.viewer]);
  });

  it('authorization: anonymous 401, strangers 404, recipients without the share right 403', async () => {
    expect((await call(null, 'POST', beta(`/drives/${drive}/items/${item.docs}/createLink`), { type: 'view' })).statusCode).toBe(401);
    expect((await call(null, 'GET', beta('/me/drive/sharedWithMe'))).statusCode).toBe(401);
    expect((await createLink(item.docs!, { type: 'view' }, carol)).statusCode).toBe(404);
    expect((await call(carol, 'GET', perms(item.docs!))).statusCode).toBe(404);
    const denied = await createLink(item.docs!, { type: 'view' }, bob);
    expect(denied.statusCode).toBe(403);
    expect(denied.data.error.code).toBe('accessDenied');
    // The recipient lists only what they made (nothing), yet sees their own actions as a recipient.
    const theirs = await call(bob, 'GET', perms(item.docs!));
    expect(theirs.statusCode).toBe(200);
    expect(theirs.data.value).toEqual([]);
    expect(theirs.data['@libre.graph.permissions.actions.allowedValues']).not.toContain('libre.graph/driveItem/permissions/create');
    const someLink = (await call(alice, 'GET', perms(item.docs!))).data.value.find((p: any) => p.link);
    expect((await call(bob, 'DELETE', perms(item.docs!, `/${someLink.id}`))).statusCode).toBe(404);
    expect((await call(bob, 'GET', beta(`/drives/${SHARES}/items/${SHARES}/permissions`))).statusCode).toBe(200);
    expect((await call(bob, 'POST', beta(`/drives/${SHARES}/items/${SHARES}/createLink`), { type: 'view' })).data.error.message).toBe('cannot create link on shares space root');
    expect((await call(alice, 'POST', beta(`/drives/${drive}/items/${drive}/createLink`), { type: 'view' })).data.error.message).toBe('cannot create link on personal space root');
  });

  describe('project spaces', () => {
    let space: string;
    let folder: string;
    let manager: Credentials;
    let viewer: Credentials;
    beforeAll(async () => {
      manager = await newUser(t.app, 'mona', { displayName: 'Mona Manager' });
      viewer = await newUser(t.app, 'vera', { displayName: 'Vera Viewer' });
      const res = await graph(t.app, 'POST', '/graph/v1.0/drives', { as: ADMIN, body: { name: 'Linked' } });
      space = res.data.id;
      for (const [who, role] of [['mona', ROLE.manager], ['vera', ROLE.spaceViewer]] as const) {
        const r = await call(ADMIN, 'POST', beta(`/drives/${space}/root/invite`), { recipients: [{ objectId: who }], roles: [role] });
        expect(r.statusCode, r.body).toBe(200);
      }
      expect((await mkcol(t.app, `/dav/spaces/${space}/plans`, { as: manager })).statusCode).toBe(201);
      folder = (await call(manager, 'GET', `/graph/v1.0/drives/${space}/items/${space}/children`)).data.value[0].id;
    });

    it('a space Viewer may not create links (403); the Manager may, on items and on the root, listed with the members', async () => {
      const denied = await call(viewer, 'POST', beta(`/drives/${space}/items/${folder}/createLink`), { type: 'view' });
      expect(denied.statusCode).toBe(403);
      const made = await call(manager, 'POST', beta(`/drives/${space}/items/${folder}/createLink`), { type: 'edit' });
      expect(made.statusCode, made.body).toBe(200);
      const rootLink = await call(manager, 'POST', beta(`/drives/${space}/root/createLink`), { type: 'view', password: 'Root-Secret-42' });
      expect(rootLink.data).toMatchObject({ hasPassword: true, link: { type: 'view' } });
      for (const url of [beta(`/drives/${space}/root/permissions`), beta(`/drives/${space}/items/${space}/permissions`)]) {
        const listed = await call(viewer, 'GET', url);
        expect(listed.statusCode).toBe(200);
        const ids = listed.data.value.map((p: { id: string }) => p.id);
        expect(ids).toEqual(expect.arrayContaining(['u:mona', 'u:vera', rootLink.data.id]));
        expect(ids).not.toContain(made.data.id);
      }
      expect((await call(viewer, 'GET', beta(`/drives/${space}/root/permissions/${rootLink.data.id}`))).data.id).toBe(rootLink.data.id);
      expect((await call(viewer, 'GET', beta(`/drives/${space}/root/permissions/u:mona`))).data.roles).toEqual([ROLE.manager]);
      const renamed = await call(manager, 'PATCH', beta(`/drives/${space}/root/permissions/${rootLink.data.id}`), { link: { '@libre.graph.displayName': 'Space link' } });
      expect(renamed.data.link['@libre.graph.displayName']).toBe('Space link');
      expect((await call(viewer, 'DELETE', beta(`/drives/${space}/root/permissions/${rootLink.data.id}`))).statusCode).toBe(403);
      const pw = await call(manager, 'POST', beta(`/drives/${space}/root/permissions/${rootLink.data.id}/setPassword`), { password: '' });
      expect(pw.data.hasPassword).toBe(false);
      expect((await call(manager, 'DELETE', beta(`/drives/${space}/root/permissions/${rootLink.data.id}`))).statusCode).toBe(204);
      expect((await call(manager, 'GET', beta(`/drives/${space}/root/permissions/${rootLink.data.id}`))).statusCode).toBe(404);
      expect((await call(alice, 'POST', beta(`/drives/${space}/root/createLink`), { type: 'view' })).statusCode).toBe(404);
    });
  });
});

describe('Graph links under an enforced password and expiry policy', () => {
  let t: TestApp;
  let alice: Credentials;
  let drive: string;
  let note: string;
  beforeAll(async () => {
    t = await buildTestApp('sqlite', { SHARE_LINK_ENFORCE_PASSWORD: 'true', SHARE_LINK_DEFAULT_EXPIRE_DAYS: '7', SHARE_LINK_ENFORCE_EXPIRE: 'true' });
    alice = await newUser(t.app, 'alice');
    await put(t.app, '/remote.php/dav/files/alice/note.txt', 'hello', { as: alice });
    drive = (await graph(t.app, 'GET', '/graph/v1.0/me/drive', { as: alice })).data.id;
    note = (await graph(t.app, 'GET', '/graph/v1.0/me/drive/root/children', { as: alice })).data.value[0].id;
  });
  afterAll(async () => t?.close());
  const link = (body: Record<string, unknown>) => graph(t.app, 'POST', beta(`/drives/${drive}/items/${note}/createLink`), { as: alice, body, schema: 'permission' });

  it('a link needs a password (400), gets the default expiry, and cannot outlive the maximum', async () => {
    const bare = await link({ type: 'view' });
    expect(bare.statusCode).toBe(400);
    expect(bare.data.error).toMatchObject({ code: 'invalidRequest', message: 'password protection is enforced' });
    // An internal link grants nothing and needs no password.
    expect((await link({ type: 'internal' })).statusCode).toBe(200);
    const made = await link({ type: 'view', password: 'Enforced-Secret-42' });
    expect(made.statusCode).toBe(200);
    const days = (Date.parse(made.data.expirationDateTime) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6);
    expect(days).toBeLessThan(8.1);
    const far = await link({ type: 'view', password: 'Enforced-Secret-42', expirationDateTime: '2200-01-01T00:00:00Z' });
    expect(far.statusCode).toBe(400);
    const cleared = await graph(t.app, 'POST', beta(`/drives/${drive}/items/${note}/permissions/${made.data.id}/setPassword`), { as: alice, body: { password: '' } });
    expect(cleared.statusCode).toBe(400);
    const noExpiry = await graph(t.app, 'PATCH', beta(`/drives/${drive}/items/${note}/permissions/${made.data.id}`), { as: alice, body: { expirationDateTime: null } });
    expect(noExpiry.statusCode).toBe(400);
  });
});
