import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { type Credentials, expectSchema, graph, type GraphResponse } from '../../helpers/graph.js';
import { mkcol, put } from '../dav/dav-helpers.js';
import { SHARES } from './drives-helpers.js';

const OCS_SHARES = '/apps/files_sharing/api/v1/shares';
const SHARES_ROOT_ITEM = `${SHARES}!a0ca6a90-a365-4782-871e-d44447bbc668`;
const VERSIONS = ['v1.0', 'v1beta1'] as const;

describeEachDb('Graph: the Shares drive holds the received shares', (kind) => {
  let t: TestApp;
  let alice: Credentials;
  let bob: Credentials;
  let carol: Credentials;
  let dave: Credentials;
  let aliceDrive: string;
  const item: Record<string, string> = {};
  const share: Record<string, string> = {};

  const call = async (as: Credentials | null, url: string, version: (typeof VERSIONS)[number] = 'v1.0'): Promise<GraphResponse> =>
    graph(t.app, 'GET', `/graph/${version}${url}`, { as });
  const jail = (as: Credentials, version: (typeof VERSIONS)[number] = 'v1.0') => call(as, `/drives/${SHARES}/root/children`, version);
  const withMe = async (as: Credentials) => (await call(as, '/me/drive/sharedWithMe', 'v1beta1')).data.value as any[];
  const ocsShare = async (as: Credentials, body: Record<string, unknown>) => {
    const res = await ocs(t.app, 'POST', OCS_SHARES, { as, body });
    expect(res.statusCode, res.body).toBe(200);
    return res.ocs.data.id as string;
  };

  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice', { displayName: 'Alice Example' });
    bob = await newUser(t.app, 'bob', { displayName: 'Bob Builder' });
    carol = await newUser(t.app, 'carol', { displayName: 'Carol Client' });
    dave = await newUser(t.app, 'dave');
    await newGroup(t.app, 'crew');
    await ocs(t.app, 'POST', '/cloud/users/bob/groups', { body: { groupid: 'crew' } });
    const files = '/remote.php/dav/files/alice';
    await mkcol(t.app, `${files}/docs`, { as: alice });
    await mkcol(t.app, `${files}/docs/sub`, { as: alice });
    await put(t.app, `${files}/docs/a.txt`, 'alpha', { as: alice });
    await put(t.app, `${files}/docs/sub/b.txt`, 'beta', { as: alice });
    await put(t.app, `${files}/note.txt`, 'hello', { as: alice });
    await mkcol(t.app, `${files}/later`, { as: alice });
    await mkcol(t.app, '/remote.php/dav/files/carol/docs', { as: carol });
    aliceDrive = (await call(alice, '/me/drive')).data.id;
    for (const i of (await call(alice, '/me/drive/root/children')).data.value) item[i.name] = i.id;
    share.docs = await ocsShare(alice, { path: '/docs', shareType: 0, shareWith: 'bob', permissions: 1 });
    // The same folder again through a group bob belongs to: still one mount.
    share.docsGroup = await ocsShare(alice, { path: '/docs', shareType: 1, shareWith: 'crew', permissions: 1 });
    share.note = await ocsShare(alice, { path: '/note.txt', shareType: 1, shareWith: 'crew', permissions: 3 });
    share.later = await ocsShare(alice, { path: '/later', shareType: 0, shareWith: 'bob' });
    share.carolDocs = await ocsShare(carol, { path: '/docs', shareType: 0, shareWith: 'bob' });
    // Declined: listed in sharedWithMe, not in the jail.
    expect((await ocs(t.app, 'DELETE', `${OCS_SHARES}/pending/${share.later}`, { as: bob })).statusCode).toBe(200);
  });
  afterAll(async () => t?.close());

  it('lists one driveItem per accepted mount under its mount name, with the remote item in its real drive', async () => {
    for (const version of VERSIONS) {
      const res = await jail(bob, version);
      expect(res.statusCode, res.body).toBe(200);
      for (const d of res.data.value) expectSchema(d, 'driveItem');
      expect(res.data.value.map((d: any) => d.name)).toEqual(['docs', 'docs (2)', 'note.txt']);
      const docs = res.data.value[0];
      expect(docs).toMatchObject({
        '@client.synchronize': true,
        createdBy: { user: { id: 'alice', displayName: 'Alice Example' } },
        eTag: expect.stringMatching(/^".+"$/),
        folder: {},
        id: `${SHARES}!${share.docs}`,
        lastModifiedDateTime: expect.any(String),
        parentReference: { driveId: SHARES, driveType: 'virtual', id: SHARES_ROOT_ITEM },
        remoteItem: {
          id: item.docs,
          name: 'docs',
          folder: {},
          parentReference: { driveId: aliceDrive, driveType: 'personal' },
          size: 9,
        },
        size: 9,
      });
      expect(docs.remoteItem.permissions.map((p: any) => p.grantedToV2)).toEqual([
        { user: { '@libre.graph.userType': 'Member', displayName: 'Bob Builder', id: 'bob' } },
        { group: { displayName: 'crew', id: 'crew' } },
      ]);
      expect(res.data.value[2]).toMatchObject({ file: { mimeType: 'text/plain' }, id: `${SHARES}!${share.note}`, size: 5 });
      expect(res.data.value[2].folder).toBeUndefined();
      // The items route on the root id (both spellings) lists the same.
      for (const root of [SHARES, SHARES_ROOT_ITEM]) {
        const again = await call(bob, `/drives/${SHARES}/items/${encodeURIComponent(root)}/children`, version);
        expect(again.data).toEqual(res.data);
      }
    }
  });

  it('keeps the Shares drive and sharedWithMe consistent: same ids and names for a mount; declined shares only in sharedWithMe', async () => {
    const listed = (await jail(bob)).data.value;
    const received = await withMe(bob);
    for (const d of listed) expect(received.find((r) => r.id === d.id)).toEqual(d);
    const declined = received.find((r) => r.remoteItem.id === item.later);
    expect(declined).toMatchObject({ '@client.synchronize': false, id: `${SHARES}!${share.later}`, name: 'later' });
    expect(listed.some((d: any) => d.id === declined.id)).toBe(false);
    // Accepted again, it joins the jail.
    expect((await ocs(t.app, 'POST', `${OCS_SHARES}/pending/${share.later}`, { as: bob })).statusCode).toBe(200);
    expect((await jail(bob)).data.value.map((d: any) => d.name)).toContain('later');
    expect((await ocs(t.app, 'DELETE', `${OCS_SHARES}/pending/${share.later}`, { as: bob })).statusCode).toBe(200);
    expect((await jail(bob)).data.value.map((d: any) => d.name)).not.toContain('later');
  });

  it('GET items/{id} of a mount answers its jail item, under any of its share ids; v1beta1 also for declined shares', async () => {
    for (const version of VERSIONS) {
      const listed = (await jail(bob, version)).data.value[0];
      for (const id of [share.docs, share.docsGroup]) {
        const one = await call(bob, `/drives/${SHARES}/items/${encodeURIComponent(`${SHARES}!${id}`)}`, version);
        expect(one.statusCode, one.body).toBe(200);
        expectSchema(one.data, 'driveItem');
        expect(one.data).toEqual(listed);
      }
    }
    const declinedId = encodeURIComponent(`${SHARES}!${share.later}`);
    expect((await call(bob, `/drives/${SHARES}/items/${declinedId}`)).statusCode).toBe(404);
    const beta = await call(bob, `/drives/${SHARES}/items/${declinedId}`, 'v1beta1');
    expect(beta.statusCode).toBe(200);
    expect(beta.data['@client.synchronize']).toBe(false);
    const root = await call(bob, `/drives/${SHARES}/items/${encodeURIComponent(SHARES)}`);
    expect(root.data).toMatchObject({ folder: {}, id: SHARES, name: 'Shares', eTag: 'DECAFC00FEE' });
  });

  it('lists a mounted folder\'s children with their ids in the real drive; a mounted file has none', async () => {
    const res = await call(bob, `/drives/${SHARES}/items/${encodeURIComponent(`${SHARES}!${share.docs}`)}/children`);
    expect(res.statusCode, res.body).toBe(200);
    for (const d of res.data.value) expectSchema(d, 'driveItem');
    expect(res.data.value.map((d: any) => d.name)).toEqual(['a.txt', 'sub']);
    expect(res.data.value[0]).toMatchObject({ parentReference: { driveId: aliceDrive, id: item.docs, path: '/docs' } });
    const file = await call(bob, `/drives/${SHARES}/items/${encodeURIComponent(`${SHARES}!${share.note}`)}/children`);
    expect(file.data).toEqual({ value: [] });
  });

  it('lets a recipient read the shared item and its children in the sharer\'s drive, and nothing beside them', async () => {
    const docs = await call(bob, `/drives/${aliceDrive}/items/${item.docs}`);
    expect(docs.statusCode, docs.body).toBe(200);
    expect(docs.data).toMatchObject({ id: item.docs, name: 'docs', folder: {} });
    const children = await call(bob, `/drives/${aliceDrive}/items/${item.docs}/children`);
    expect(children.statusCode).toBe(200);
    const sub = children.data.value.find((d: any) => d.name === 'sub');
    const deeper = await call(bob, `/drives/${aliceDrive}/items/${sub.id}/children`);
    expect(deeper.data.value.map((d: any) => d.name)).toEqual(['b.txt']);
    // Outside the shares: the sharer's root and an unshared folder stay hidden.
    expect((await call(bob, `/drives/${aliceDrive}/items/${aliceDrive}/children`)).statusCode).toBe(404);
    expect((await call(bob, `/drives/${aliceDrive}/items/${item.later}`)).statusCode).toBe(404);
    expect((await call(dave, `/drives/${aliceDrive}/items/${item.docs}`)).statusCode).toBe(404);
    // root/children of a real drive is that root's listing, for its owner only.
    expect((await call(alice, `/drives/${aliceDrive}/root/children`)).data.value.map((d: any) => d.name)).toEqual(['docs', 'later', 'note.txt']);
    expect((await call(bob, `/drives/${aliceDrive}/root/children`)).statusCode).toBe(404);
  });

  it('authorization: anonymous 401; other users see their own (empty) jail and none of bob\'s mounts', async () => {
    expect((await call(null, `/drives/${SHARES}/root/children`)).statusCode).toBe(401);
    expect((await call(null, `/drives/${SHARES}/items/${encodeURIComponent(`${SHARES}!${share.docs}`)}`)).statusCode).toBe(401);
    expect((await jail(dave)).data).toEqual({ value: [] });
    for (const version of VERSIONS) {
      const other = await call(dave, `/drives/${SHARES}/items/${encodeURIComponent(`${SHARES}!${share.docs}`)}`, version);
      expect(other.statusCode).toBe(404);
      expect(other.data.error.code).toBe('itemNotFound');
    }
    expect((await call(dave, `/drives/${SHARES}/items/${encodeURIComponent(`${SHARES}!${share.docs}`)}/children`)).statusCode).toBe(404);
    // The sharer does not see her own shares in her jail.
    expect((await jail(alice)).data.value).toEqual([]);
  });

  it('refuses malformed jail item ids (400) and ids of other drives (404); the drive itself keeps its facts', async () => {
    expect((await call(bob, `/drives/${SHARES}/items/nodollar`)).statusCode).toBe(400);
    expect((await call(bob, `/drives/${SHARES}/items/${encodeURIComponent(`${SHARES}!`)}`)).statusCode).toBe(400);
    expect((await call(bob, `/drives/${SHARES}/items/${encodeURIComponent(item.docs!)}`)).statusCode).toBe(404);
    expect((await call(bob, `/drives/${SHARES}/items/${encodeURIComponent(`${SHARES}!999999`)}`)).statusCode).toBe(404);
    const drive = await call(bob, `/drives/${SHARES}`);
    expect(drive.data).toMatchObject({ driveType: 'virtual', name: 'Shares', root: { eTag: 'DECAFC00FEE', id: SHARES } });
    expect(drive.data.quota).toBeUndefined();
  });
});
