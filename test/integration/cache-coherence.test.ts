import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../helpers/app.js';
import { signIn } from '../http/web/signin-helpers.js';
import { GRAPH_MEMBER_RULES } from '../../src/services/spaces/space-members.service.js';

const VIEWER = 'a8d5fe5e-96e3-418d-825b-534dbdf22b99';

/**
 * Two apps on one database stand for two processes: each has its own
 * connection and its own cache of users, app passwords, memberships and
 * grants. What one process changes must hold on the other at its very next
 * request, with no waiting: the requests below follow each other at once.
 */
describeEachDb('caches across processes', (kind) => {
  let t: TestApp;
  let peer: { app: FastifyInstance; close(): Promise<void> };
  beforeAll(async () => {
    t = await buildTestApp(kind);
    peer = await t.peer();
  });
  afterAll(async () => {
    await peer.close();
    await t.close();
  });

  const me = (app: FastifyInstance, user: string, password: string) => ocs(app, 'GET', '/cloud/user', { as: { user, password } });
  const bearer = (app: FastifyInstance, token: string) =>
    app.inject({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: `Bearer ${token}` } });

  it('a password changed on one process is refused on the other at its next request', async () => {
    const alice = await newUser(t.app, 'alice');
    // The peer has checked (and remembered) the old password.
    expect((await me(peer.app, 'alice', alice.password)).statusCode).toBe(200);
    expect((await me(peer.app, 'alice', alice.password)).statusCode).toBe(200);
    expect((await ocs(t.app, 'PUT', '/cloud/users/alice', { body: { key: 'password', value: 'Alice-New-Pass-2026' } })).statusCode).toBe(200);
    expect((await me(peer.app, 'alice', alice.password)).statusCode).toBe(401);
    expect((await me(peer.app, 'alice', 'Alice-New-Pass-2026')).statusCode).toBe(200);
  });

  it('a deleted app password stops on the other process at once', async () => {
    const bob = await newUser(t.app, 'bob');
    const token = (await ocs(peer.app, 'GET', '/core/getapppassword', { as: bob })).ocs.data.apppassword as string;
    expect((await bearer(peer.app, token)).statusCode).toBe(200);
    expect((await me(peer.app, 'bob', token)).statusCode).toBe(200);
    const revoked = await t.app.inject({ method: 'DELETE', url: '/ocs/v2.php/core/apppassword?format=json', headers: { authorization: `Bearer ${token}` } });
    expect(revoked.statusCode).toBe(200);
    expect((await bearer(peer.app, token)).statusCode).toBe(401);
    expect((await me(peer.app, 'bob', token)).statusCode).toBe(401);
  });

  it('a session signed out on one process is refused on the other at once', async () => {
    const hana = await newUser(t.app, 'hana');
    const b = await signIn(t.app, 'hana', hana.password);
    const onPeer = () => peer.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', headers: b.jar.header() });
    expect((await onPeer()).statusCode).toBe(200);
    expect((await b.post('/logout', { requesttoken: b.csrf })).statusCode).toBe(303);
    expect((await onPeer()).statusCode).toBe(401);
  });

  it('a disabled user is refused on the other process at once, and let in again once enabled', async () => {
    const carol = await newUser(t.app, 'carol');
    expect((await me(peer.app, 'carol', carol.password)).statusCode).toBe(200);
    expect((await ocs(t.app, 'PUT', '/cloud/users/carol/disable')).statusCode).toBe(200);
    expect((await me(peer.app, 'carol', carol.password)).statusCode).toBe(401);
    expect((await ocs(t.app, 'PUT', '/cloud/users/carol/enable')).statusCode).toBe(200);
    expect((await me(peer.app, 'carol', carol.password)).statusCode).toBe(200);
  });

  it('a removed group membership (admin rights) counts on the other process at once', async () => {
    const dave = await newUser(t.app, 'dave');
    expect((await ocs(t.app, 'POST', '/cloud/users/dave/groups', { body: { groupid: 'admin' } })).statusCode).toBe(200);
    expect((await ocs(peer.app, 'GET', '/cloud/users', { as: dave })).statusCode).toBe(200);
    expect((await ocs(t.app, 'DELETE', '/cloud/users/dave/groups', { body: { groupid: 'admin' } })).statusCode).toBe(200);
    expect((await ocs(peer.app, 'GET', '/cloud/users', { as: dave })).statusCode).toBe(403);
  });

  it('a space member removed on one process loses the files on the other at once; a group grant likewise', async () => {
    const erin = await newUser(t.app, 'erin');
    await newGroup(t.app, 'crew');
    const created = await t.app.services.spaces.create(ADMIN.user, { name: 'Coherent' });
    const spaceId = created.views[0]!.space.id;
    const put = await t.app.inject({ method: 'PUT', url: `/remote.php/dav/spaces/${spaceId}/f.txt`, headers: { authorization: basic(ADMIN.user, ADMIN.password) }, payload: 'x' });
    expect(put.statusCode).toBe(201);
    const get = () => peer.app.inject({ url: `/remote.php/dav/spaces/${spaceId}/f.txt`, headers: { authorization: basic(erin.user, erin.password) } });
    expect((await get()).statusCode).toBe(404);

    await t.app.services.spaceMembers.grant(ADMIN.user, spaceId, { grantee: { principalType: 'user', principalId: 'erin' }, roleId: VIEWER }, GRAPH_MEMBER_RULES);
    expect((await get()).statusCode).toBe(200);
    await t.app.services.spaceMembers.revoke(ADMIN.user, spaceId, { permissionId: 'u:erin' }, GRAPH_MEMBER_RULES);
    expect((await get()).statusCode).toBe(404);

    await t.app.services.spaceMembers.grant(ADMIN.user, spaceId, { grantee: { principalType: 'group', principalId: 'crew' }, roleId: VIEWER }, GRAPH_MEMBER_RULES);
    expect((await get()).statusCode).toBe(404);
    expect((await ocs(t.app, 'POST', '/cloud/users/erin/groups', { body: { groupid: 'crew' } })).statusCode).toBe(200);
    expect((await get()).statusCode).toBe(200);
    expect((await ocs(t.app, 'DELETE', '/cloud/groups/crew')).statusCode).toBe(200);
    expect((await get()).statusCode).toBe(404);
  });

  it('a share revoked on one process is gone from the recipient on the other at once', async () => {
    const frank = await newUser(t.app, 'frank');
    const admin = { authorization: basic(ADMIN.user, ADMIN.password) };
    await t.app.inject({ method: 'PUT', url: '/remote.php/dav/files/admin/shared.txt', headers: admin, payload: 'shared' });
    const share = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { body: { path: '/shared.txt', shareType: 0, shareWith: 'frank' } });
    expect(share.statusCode).toBe(200);
    const get = () => peer.app.inject({ url: '/remote.php/dav/files/frank/shared.txt', headers: { authorization: basic(frank.user, frank.password) } });
    expect((await get()).statusCode).toBe(200);
    expect((await ocs(t.app, 'DELETE', `/apps/files_sharing/api/v1/shares/${share.ocs.data.id}`)).statusCode).toBe(200);
    expect((await get()).statusCode).toBe(404);
  });
});
