import { createServer as createHttpServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { basic, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { listeningFederated } from '../../helpers/loopback.js';
import { type Credentials, expectSchema, graph, type GraphResponse } from '../../helpers/graph.js';
import { ROLE, SHARES } from './drives-helpers.js';

const OCS_SHARES = '/apps/files_sharing/api/v1/shares';
const REMOTE = '/apps/files_sharing/api/v1/remote_shares';
const OCM = '89f37a33-858b-45fa-8890-a1f2b27d90e1';
const OCM_DRIVE = `${OCM}$${OCM}`;
const SHARES_ROOT_ITEM = `${SHARES}!a0ca6a90-a365-4782-871e-d44447bbc668`;
const VERSIONS = ['v1.0', 'v1beta1'] as const;
const TIMEOUT_SECONDS = 2;

const listening = (kind: 'sqlite' | 'postgres') => listeningFederated(kind, { FEDERATION_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) });

describeEachDb('Graph: shares from other servers in sharedWithMe and the Shares drive', (kind) => {
  let a: TestApp & { base: string };
  let b: TestApp & { base: string };
  let alice: Credentials;
  let bob: Credentials;
  let carol: Credentials;
  let hanging: Server;
  const sockets = new Set<Socket>();
  let localShare: string;

  const call = (as: Credentials, url: string, version: (typeof VERSIONS)[number] = 'v1beta1'): Promise<GraphResponse> => graph(b.app, 'GET', `/graph/${version}${url}`, { as });
  const withMe = async (): Promise<any[]> => {
    const res = await call(bob, '/me/drive/sharedWithMe');
    expect(res.statusCode, res.body).toBe(200);
    for (const d of res.data.value) expectSchema(d, 'driveItem');
    return res.data.value;
  };
  const jail = async (version: (typeof VERSIONS)[number] = 'v1.0'): Promise<any[]> => {
    const res = await call(bob, `/drives/${SHARES}/root/children`, version);
    expect(res.statusCode, res.body).toBe(200);
    for (const d of res.data.value) expectSchema(d, 'driveItem');
    return res.data.value;
  };
  const remoteOf = (list: any[]) => list.filter((d) => d.id.startsWith(`${OCM_DRIVE}!`));
  const davA = (path: string, method: string, body?: string) =>
    a.app.inject({ method: method as 'GET', url: `/remote.php/dav/files/alice/${path}`, headers: { authorization: basic(alice.user, alice.password) }, payload: body });
  const offer = async (path: string): Promise<{ ownerId: string; id: string }> => {
    const res = await ocs(a.app, 'POST', OCS_SHARES, { as: alice, body: { path, shareType: 6, shareWith: `bob@${b.base}` } });
    expect(res.statusCode, res.body).toBe(200);
    const pending = (await ocs(b.app, 'GET', `${REMOTE}/pending`, { as: bob })).ocs.data as any[];
    return { ownerId: String(res.ocs.data.id), id: String(pending.find((p) => String(p.remote_id) === String(res.ocs.data.id)).id) };
  };

  beforeAll(async () => {
    a = await listening(kind);
    b = await listening(kind);
    alice = await newUser(a.app, 'alice');
    bob = await newUser(b.app, 'bob', { displayName: 'Bob Builder' });
    carol = await newUser(b.app, 'carol');
    expect((await davA('docs', 'MKCOL')).statusCode).toBe(201);
    expect((await davA('docs/a.txt', 'PUT', 'from alice')).statusCode).toBe(201);
    expect((await davA('other', 'MKCOL')).statusCode).toBe(201);
    // A local share to bob on B, so both kinds of ids meet in one listing.
    await b.app.inject({ method: 'MKCOL', url: '/remote.php/dav/files/carol/zeta', headers: { authorization: basic(carol.user, carol.password) } });
    const local = await ocs(b.app, 'POST', OCS_SHARES, { as: carol, body: { path: '/zeta', shareType: 0, shareWith: 'bob' } });
    expect(local.statusCode, local.body).toBe(200);
    localShare = local.ocs.data.id;
    // A server that takes connections and never answers.
    hanging = createHttpServer(() => undefined);
    hanging.on('connection', (s) => sockets.add(s));
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => hanging?.close(resolve));
    await a?.close();
    await b?.close();
  });

  let docs: { ownerId: string; id: string };
  it('lists a pending share from another server in sharedWithMe only, not synchronized, with the owner as a federated user', async () => {
    docs = await offer('/docs');
    const remote = remoteOf(await withMe());
    expect(remote).toHaveLength(1);
    expect(remote[0]).toMatchObject({
      '@UI.Hidden': false,
      '@client.synchronize': false,
      createdBy: { user: { '@libre.graph.userType': 'Federated', displayName: 'alice', id: `alice@${a.base}` } },
      folder: {},
      id: `${OCM_DRIVE}!${docs.id}`,
      name: 'docs',
      parentReference: { driveId: SHARES, driveType: 'virtual', id: SHARES_ROOT_ITEM },
      remoteItem: { id: `${OCM}$${docs.id}`, name: 'docs', createdBy: { user: { id: `alice@${a.base}` } } },
    });
    expect(remote[0].remoteItem.permissions).toEqual([
      expect.objectContaining({
        grantedToV2: { user: { '@libre.graph.userType': 'Member', displayName: 'Bob Builder', id: 'bob' } },
        id: docs.id,
        invitation: { invitedBy: { user: { '@libre.graph.userType': 'Federated', displayName: 'alice', id: `alice@${a.base}` } } },
      }),
    ]);
    for (const version of VERSIONS) expect(remoteOf(await jail(version))).toEqual([]);
    const item = `/drives/${SHARES}/items/${encodeURIComponent(`${OCM_DRIVE}!${docs.id}`)}`;
    expect((await call(bob, item, 'v1.0')).statusCode).toBe(404);
    const beta = await call(bob, item, 'v1beta1');
    expect(beta.statusCode, beta.body).toBe(200);
    expect(beta.data).toEqual(remote[0]);
  });

  it('once accepted, lists it in sharedWithMe and the Shares drive under its mount, with what the owner server says of it', async () => {
    expect((await ocs(b.app, 'POST', `${REMOTE}/pending/${docs.id}`, { as: bob })).statusCode).toBe(200);
    const remote = remoteOf(await withMe());
    expect(remote).toHaveLength(1);
    const entry = remote[0];
    expect(entry).toMatchObject({
      '@client.synchronize': true,
      eTag: expect.stringMatching(/^".+"$/),
      folder: {},
      id: `${OCM_DRIVE}!${docs.id}`,
      lastModifiedDateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      name: 'docs',
      size: 10,
      remoteItem: { folder: {}, size: 10, eTag: entry.eTag },
    });
    // What the owner's server grants at the shared folder itself: everything but deleting it (that is bob leaving the mount).
    const [permission] = entry.remoteItem.permissions;
    expect(permission.roles).toBeUndefined();
    expect(permission['@libre.graph.permissions.actions']).toEqual(expect.arrayContaining(['libre.graph/driveItem/children/create', 'libre.graph/driveItem/upload/create', 'libre.graph/driveItem/content/read']));
    expect(permission['@libre.graph.permissions.actions']).not.toContain('libre.graph/driveItem/standard/delete');
    // The owner's own view agrees on the etag.
    const ownerView = await a.app.inject({ method: 'PROPFIND', url: '/remote.php/dav/files/alice/docs', headers: { authorization: basic(alice.user, alice.password), depth: '0' } });
    expect(ownerView.body).toContain(`<d:getetag>${entry.eTag.replace(/"/g, '&quot;')}</d:getetag>`);

    for (const version of VERSIONS) {
      const listed = await jail(version);
      // Code-point order of names across local and remote mounts; the ids never meet.
      expect(listed.map((d) => d.name)).toEqual(['docs', 'zeta']);
      expect(listed[0]).toEqual(entry);
      expect(listed[1].id).toBe(`${SHARES}!${localShare}`);
      const one = await call(bob, `/drives/${SHARES}/items/${encodeURIComponent(entry.id)}`, version);
      expect(one.statusCode, one.body).toBe(200);
      expect(one.data).toEqual(entry);
    }
    const local = await call(bob, `/drives/${SHARES}/items/${encodeURIComponent(`${SHARES}!${localShare}`)}`, 'v1.0');
    expect(local.data).toMatchObject({ name: 'zeta', remoteItem: { createdBy: { user: { id: 'carol' } } } });
  });

  it('follows the owner server: a permission change there shows at once; a folder\'s children are WebDAV\'s', async () => {
    expect((await ocs(a.app, 'PUT', `${OCS_SHARES}/${docs.ownerId}`, { as: alice, body: { permissions: 1 } })).statusCode).toBe(200);
    expect((await davA('docs/b.txt', 'PUT', '12345')).statusCode).toBe(201);
    const entry = remoteOf(await withMe())[0];
    expect(entry.size).toBe(15);
    expect(entry.remoteItem.permissions[0].roles).toEqual([ROLE.viewer]);
    const children = await call(bob, `/drives/${SHARES}/items/${encodeURIComponent(entry.id)}/children`, 'v1.0');
    expect(children.statusCode).toBe(501);
    expect(children.data.error.code).toBe('notSupported');
  });

  it('keeps them to their recipient and refuses ids that name nothing', async () => {
    const id = encodeURIComponent(`${OCM_DRIVE}!${docs.id}`);
    const other = await call(carol, `/drives/${SHARES}/items/${id}`);
    expect(other.statusCode).toBe(404);
    expect(other.data.error.code).toBe('itemNotFound');
    expect(remoteOf((await call(carol, '/me/drive/sharedWithMe')).data.value)).toEqual([]);
    for (const bad of ['999999', 'abc', '1e3', '-1']) {
      expect((await call(bob, `/drives/${SHARES}/items/${encodeURIComponent(`${OCM_DRIVE}!${bad}`)}`)).statusCode).toBe(404);
    }
  });

  it('drops a share the owner revokes', async () => {
    expect((await ocs(a.app, 'DELETE', `${OCS_SHARES}/${docs.ownerId}`, { as: alice })).statusCode).toBe(200);
    expect(remoteOf(await withMe())).toEqual([]);
    expect((await jail()).map((d) => d.name)).toEqual(['zeta']);
    expect((await call(bob, `/drives/${SHARES}/items/${encodeURIComponent(`${OCM_DRIVE}!${docs.id}`)}`)).statusCode).toBe(404);
  });

  it('answers within the federation timeout when an owner server hangs, listing the share without what only that server knows', async () => {
    const port = (hanging.address() as { port: number }).port;
    const res = await request(`${b.base}/ocs/v2.php/cloud/shares?format=json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ shareWith: 'bob', token: 'HangingToken12345', name: 'slow', remoteId: '77', owner: 'dan', remote: `http://127.0.0.1:${port}` }).toString(),
    });
    expect(res.statusCode).toBeLessThan(300);
    await res.body.text();
    const started = Date.now();
    const slow = remoteOf(await withMe()).find((d) => d.name === 'slow');
    expect(Date.now() - started).toBeLessThan(TIMEOUT_SECONDS * 1000 + 1500);
    expect(slow).toMatchObject({ '@client.synchronize': false, createdBy: { user: { id: `dan@http://127.0.0.1:${port}` } } });
    for (const key of ['eTag', 'folder', 'file', 'size', 'lastModifiedDateTime']) expect(slow[key]).toBeUndefined();
    expect(slow.remoteItem.permissions[0].roles).toBeUndefined();
  });

  it('still lists an accepted share when its owner server is down, by its stored name and without facets', async () => {
    const other = await offer('/other');
    expect((await ocs(b.app, 'POST', `${REMOTE}/pending/${other.id}`, { as: bob })).statusCode).toBe(200);
    expect(remoteOf(await jail()).map((d) => [d.name, d.folder])).toEqual([['other', {}]]);
    await a.app.close();
    const listed = remoteOf(await jail());
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ '@client.synchronize': true, id: `${OCM_DRIVE}!${other.id}`, name: 'other', remoteItem: { name: 'other' } });
    for (const key of ['eTag', 'folder', 'size', 'lastModifiedDateTime']) expect(listed[0][key]).toBeUndefined();
    expect(remoteOf(await withMe()).map((d) => d.name).sort()).toEqual(['other', 'slow']);
    const children = await call(bob, `/drives/${SHARES}/items/${encodeURIComponent(listed[0].id)}/children`, 'v1.0');
    expect(children.statusCode).toBe(503);
  });
});
