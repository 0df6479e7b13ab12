import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { basic, describeEachDb, newUser, ocs } from '../../helpers/app.js';
import { type ListeningApp, listeningFederated } from '../../helpers/loopback.js';

const SHARES = '/apps/files_sharing/api/v1/shares';
const REMOTE = '/apps/files_sharing/api/v1/remote_shares';
type Who = { user: string; password: string };

const listening = listeningFederated;

describeEachDb('Federated sharing between two servers on loopback', (kind) => {
  let a: ListeningApp;
  let b: ListeningApp;
  let alice: Who;
  let bob: Who;
  const davA = (path: string, method = 'GET', body?: string) => a.app.inject({ method: method as 'GET', url: `/remote.php/dav/files/alice/${path}`, headers: { authorization: basic(alice.user, alice.password) }, payload: body });
  const davB = (path: string, method = 'GET', o: { body?: string; headers?: Record<string, string> } = {}) =>
    b.app.inject({ method: method as 'GET', url: `/remote.php/dav/files/bob/${path}`, headers: { authorization: basic(bob.user, bob.password), ...o.headers }, payload: o.body });

  beforeAll(async () => {
    a = await listening(kind);
    b = await listening(kind);
    alice = await newUser(a.app, 'alice');
    bob = await newUser(b.app, 'bob');
    expect((await davA('docs', 'MKCOL')).statusCode).toBe(201);
    expect((await davA('docs/a.txt', 'PUT', 'from alice')).statusCode).toBe(201);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  let shareId: string;
  it('sends an offer that arrives pending at the recipient, who hears of it', async () => {
    const res = await ocs(a.app, 'POST', SHARES, { as: alice, body: { path: '/docs', shareType: 6, shareWith: `bob@${b.base}` } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.ocs.data).toMatchObject({ share_type: 6, share_with: `bob@${b.base}`, permissions: 31 });
    shareId = res.ocs.data.id;
    const pending = await ocs(b.app, 'GET', `${REMOTE}/pending`, { as: bob });
    expect(pending.ocs.data).toHaveLength(1);
    expect(pending.ocs.data[0]).toMatchObject({ remote: a.base, remote_id: shareId, name: '/docs', owner: 'alice', user: 'bob', accepted: 0, mountpoint: '{{TemporaryMountPointName#/docs}}' });
    expect((await ocs(b.app, 'GET', REMOTE, { as: bob })).ocs.data).toEqual([]);
    const activity = await ocs(b.app, 'GET', '/cloud/activity', { as: bob });
    expect(JSON.stringify(activity.ocs.data)).toContain('You received a new remote share docs from alice@');
  });

  it('accepts: the owner hears of it, and the share is mounted in the recipient home', async () => {
    const id = (await ocs(b.app, 'GET', `${REMOTE}/pending`, { as: bob })).ocs.data[0].id;
    expect((await ocs(b.app, 'POST', `${REMOTE}/pending/${id}`, { as: bob })).statusCode).toBe(200);
    expect((await ocs(b.app, 'GET', REMOTE, { as: bob })).ocs.data[0]).toMatchObject({ accepted: 1, mountpoint: '/docs' });
    const ownerActivity = await ocs(a.app, 'GET', '/cloud/activity', { as: alice });
    expect(JSON.stringify(ownerActivity.ocs.data)).toContain('accepted the remote share of docs');

    const home = await davB('', 'PROPFIND', { headers: { depth: '1' } });
    expect(home.statusCode).toBe(207);
    expect(home.body).toContain('<d:href>/remote.php/dav/files/bob/docs/</d:href>');
  });

  it('reads and writes through the mount as the share allows, on the owner server', async () => {
    const get = await davB('docs/a.txt');
    expect(get.statusCode).toBe(200);
    expect(get.body).toBe('from alice');
    const list = await davB('docs/', 'PROPFIND', { headers: { depth: '1' } });
    expect(list.statusCode).toBe(207);
    expect(list.body).toContain('<d:href>/remote.php/dav/files/bob/docs/a.txt</d:href>');
    expect(list.body).not.toContain('public.php');
    expect((await davB('docs/from-bob.txt', 'PUT', { body: 'hello from bob' })).statusCode).toBe(201);
    expect((await davA('docs/from-bob.txt')).body).toBe('hello from bob');
    expect((await davB('docs/sub', 'MKCOL')).statusCode).toBe(201);
    expect((await davB('docs/from-bob.txt', 'MOVE', { headers: { destination: `${b.base}/remote.php/dav/files/bob/docs/sub/moved.txt` } })).statusCode).toBe(201);
    expect((await davA('docs/sub/moved.txt')).body).toBe('hello from bob');
  });

  it('applies the owner permission change at once', async () => {
    expect((await ocs(a.app, 'PUT', `${SHARES}/${shareId}`, { as: alice, body: { permissions: 1 } })).statusCode).toBe(200);
    expect((await davB('docs/again.txt', 'PUT', { body: 'no' })).statusCode).toBe(403);
    expect((await davB('docs/a.txt')).body).toBe('from alice');
  });

  it('ignores notices with a wrong token, answering success', async () => {
    for (const notice of ['accept', 'decline', 'unshare']) {
      const res = await request(`${a.base}/ocs/v2.php/cloud/shares/${shareId}/${notice}?format=json`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'token=WrongTokenWrong1',
      });
      expect(res.statusCode).toBe(200);
      await res.body.text();
    }
    expect((await ocs(a.app, 'GET', `${SHARES}/${shareId}`, { as: alice })).statusCode).toBe(200);
    expect((await davB('docs/a.txt')).statusCode).toBe(200);
  });

  it('revokes: the recipient loses the mount at once', async () => {
    expect((await ocs(a.app, 'DELETE', `${SHARES}/${shareId}`, { as: alice })).statusCode).toBe(200);
    expect((await ocs(b.app, 'GET', REMOTE, { as: bob })).ocs.data).toEqual([]);
    expect((await davB('docs/a.txt')).statusCode).toBe(404);
  });

  it('refuses bad offers with 400 and an unknown remote user at the sender, leaving no share', async () => {
    const missing = await request(`${b.base}/ocs/v2.php/cloud/shares?format=json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'shareWith=bob&token=abcdefghij' });
    expect(missing.statusCode).toBe(400);
    expect(((await missing.body.json()) as any).ocs.meta.message).toMatch(/Required parameters are missing: name,remoteId,owner,remote/);
    const res = await ocs(a.app, 'POST', SHARES, { as: alice, body: { path: '/docs', shareType: 6, shareWith: `nobody@${b.base}` } });
    expect(res.statusCode).toBe(403);
    expect(res.ocs.meta.message).toMatch(/^Sharing docs failed, could not find nobody@/);
    expect((await ocs(a.app, 'GET', SHARES, { as: alice })).ocs.data).toEqual([]);
  });

  it('refuses servers the admin has not allowed, before sending anything', async () => {
    const res = await ocs(a.app, 'POST', SHARES, { as: alice, body: { path: '/docs', shareType: 6, shareWith: 'bob@http://10.1.2.3:8080' } });
    expect(res.statusCode).toBe(403);
    const offer = await request(`${b.base}/ocs/v2.php/cloud/shares?format=json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ shareWith: 'bob', token: 'abcdefghijklmno', name: 'x', remoteId: '1', owner: 'eve', remote: 'http://169.254.169.254' }).toString(),
    });
    expect(offer.statusCode).toBe(400);
    await offer.body.text();
    expect((await ocs(b.app, 'GET', `${REMOTE}/pending`, { as: bob })).ocs.data).toEqual([]);
  });

  const offerAndAccept = async (owner: Who, path: string) => {
    const res = await ocs(a.app, 'POST', SHARES, { as: owner, body: { path, shareType: 6, shareWith: `bob@${b.base}` } });
    expect(res.statusCode, res.body).toBe(200);
    const pending = (await ocs(b.app, 'GET', `${REMOTE}/pending`, { as: bob })).ocs.data;
    const mine = pending.find((p: any) => p.remote_id === res.ocs.data.id);
    expect((await ocs(b.app, 'POST', `${REMOTE}/pending/${mine.id}`, { as: bob })).statusCode).toBe(200);
    return { ownerShare: res.ocs.data.id as string, remoteShare: String(mine.id) };
  };
  const bobHas = async (id: string) => (await ocs(b.app, 'GET', REMOTE, { as: bob })).ocs.data.some((r: any) => String(r.id) === id);

  it('tells the recipient when the shared folder or its owner is deleted', async () => {
    expect((await davA('gone', 'MKCOL')).statusCode).toBe(201);
    const folder = await offerAndAccept(alice, '/gone');
    expect(await bobHas(folder.remoteShare)).toBe(true);
    expect((await davA('gone', 'DELETE')).statusCode).toBe(204);
    expect(await bobHas(folder.remoteShare)).toBe(false);

    const dora = await newUser(a.app, 'dora');
    await a.app.inject({ method: 'MKCOL', url: '/remote.php/dav/files/dora/d', headers: { authorization: basic(dora.user, dora.password) } });
    const owned = await offerAndAccept(dora, '/d');
    expect(await bobHas(owned.remoteShare)).toBe(true);
    expect((await ocs(a.app, 'DELETE', '/cloud/users/dora')).statusCode).toBe(200);
    expect(await bobHas(owned.remoteShare)).toBe(false);
  });

  it('puts nothing local at or below a remote mount', async () => {
    expect((await davA('kept', 'MKCOL')).statusCode).toBe(201);
    await offerAndAccept(alice, '/kept');
    expect((await davB('local.txt', 'PUT', { body: 'mine' })).statusCode).toBe(201);
    const onto = await davB('local.txt', 'MOVE', { headers: { destination: `${b.base}/remote.php/dav/files/bob/kept` } });
    expect(onto.statusCode).toBe(403);
    expect(onto.body).toContain('The destination already exists');
    expect((await davB('local.txt', 'COPY', { headers: { destination: `${b.base}/remote.php/dav/files/bob/kept/x.txt` } })).statusCode).toBe(403);
    expect((await davB('local.txt')).body).toBe('mine');
  });

  it('assembles a chunked upload into a remote mount on the owner server', async () => {
    const up = (path: string, method: string, o: { body?: string; headers?: Record<string, string> } = {}) =>
      b.app.inject({ method: method as 'GET', url: `/remote.php/dav/uploads/bob/${path}`, headers: { authorization: basic(bob.user, bob.password), ...o.headers }, payload: o.body });
    const dest = `${b.base}/remote.php/dav/files/bob/kept/big.bin`;
    expect((await up('up-1', 'MKCOL', { headers: { destination: dest, 'oc-total-length': '10' } })).statusCode).toBe(201);
    expect((await up('up-1/00001', 'PUT', { body: 'hello ', headers: { destination: dest } })).statusCode).toBe(201);
    expect((await up('up-1/00002', 'PUT', { body: 'bob!', headers: { destination: dest } })).statusCode).toBe(201);
    const done = await up('up-1/.file', 'MOVE', { headers: { destination: dest, 'oc-total-length': '10' } });
    expect(done.statusCode, done.body).toBe(201);
    expect(done.headers.etag).toBeTruthy();
    expect((await davA('kept/big.bin')).body).toBe('hello bob!');
    const gone = await up('up-1', 'PROPFIND', { headers: { depth: '0' } });
    expect(gone.statusCode, gone.body).toBe(404);
  });

  it('refuses federated shares to accounts of the same server, each with its reason', async () => {
    const self = await ocs(a.app, 'POST', SHARES, { as: alice, body: { path: '/docs', shareType: 6, shareWith: `alice@${a.base}` } });
    expect(self.statusCode).toBe(403);
    expect(self.ocs.meta.message).toBe('Not allowed to create a federated share to the same account');
    const local = await ocs(a.app, 'POST', SHARES, { as: alice, body: { path: '/docs', shareType: 6, shareWith: `admin@${a.base}` } });
    expect(local.statusCode).toBe(403);
    expect(local.ocs.meta.message).toMatch(/^admin has an account on this server/);
  });

  it('answers malformed offers, notices and ids with OCS 4xx', async () => {
    const post = (url: string, payload: string, type: string) => b.app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload });
    const typed = await post('/ocs/v2.php/cloud/shares?format=json', JSON.stringify({ shareWith: 'bob', token: 12345678, name: ['x'], remoteId: 1, owner: 'eve', remote: b.base }), 'application/json');
    expect(typed.statusCode).toBe(400);
    expect(typed.json().ocs.meta.message).toBe('Required parameters are missing: name');
    const broken = await post('/ocs/v2.php/cloud/shares?format=json', '{"shareWith": ', 'application/json');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().ocs.meta.statuscode).toBe(400);
    const badToken = await post('/ocs/v2.php/cloud/shares?format=json', new URLSearchParams({ shareWith: 'bob', token: 'short', name: 'x', remoteId: '1', owner: 'eve', remote: a.base }).toString(), 'application/x-www-form-urlencoded');
    expect(badToken.statusCode).toBe(400);
    const badName = await post('/ocs/v2.php/cloud/shares?format=json', new URLSearchParams({ shareWith: 'bob', token: 'abcdefghijklmno', name: '../etc', remoteId: '1', owner: 'eve', remote: a.base }).toString(), 'application/x-www-form-urlencoded');
    expect(badName.statusCode).toBe(400);
    const noToken = await post('/ocs/v2.php/cloud/shares/1/accept?format=json', '', 'application/x-www-form-urlencoded');
    expect(noToken.statusCode).toBe(400);
    for (const id of ['abc', '99999999', '-1']) {
      expect((await ocs(b.app, 'GET', `${REMOTE}/${id}`, { as: bob })).statusCode).toBe(404);
      expect((await ocs(b.app, 'POST', `${REMOTE}/pending/${id}`, { as: bob })).statusCode).toBe(404);
      expect((await ocs(b.app, 'DELETE', `${REMOTE}/${id}`, { as: bob })).statusCode).toBe(404);
    }
  });

  it('keeps remote shares to their user', async () => {
    const carol = await newUser(b.app, 'carol');
    expect((await ocs(b.app, 'GET', `${REMOTE}/1`, { as: carol })).statusCode).toBe(404);
    expect((await ocs(b.app, 'GET', REMOTE)).statusCode).toBe(200);
    expect((await b.app.inject({ url: `/ocs/v2.php${REMOTE}`, headers: { 'ocs-apirequest': 'true' } })).statusCode).toBe(401);
  });
});

describeEachDb('Federated sharing switched off', (kind) => {
  let t: ListeningApp;
  beforeAll(async () => {
    t = await listening(kind, { FEDERATION_INCOMING: 'false', FEDERATION_OUTGOING: 'false' });
  });
  afterAll(async () => t?.close());

  it('answers 503 to servers, refuses outgoing shares and says so in capabilities and discovery', async () => {
    const offer = await t.app.inject({ method: 'POST', url: '/ocs/v2.php/cloud/shares?format=json', payload: { shareWith: 'admin', token: 'abcdefghijklmno', name: 'x', remoteId: '1', owner: 'eve', remote: 'http://127.0.0.1:1' } });
    expect(offer.statusCode).toBe(503);
    expect(offer.json().ocs.meta.statuscode).toBe(503);
    const v1 = await t.app.inject({ method: 'POST', url: '/ocs/v1.php/cloud/shares/1/accept?format=json', payload: { token: 'abcdefghijklmno' } });
    expect(v1.json().ocs.meta.statuscode).toBe(503);
    const put = await t.app.inject({ method: 'MKCOL', url: '/remote.php/dav/files/admin/f', headers: { authorization: basic('admin', 'Admin-Test-Pass-1') } });
    expect(put.statusCode).toBe(201);
    const share = await ocs(t.app, 'POST', SHARES, { body: { path: '/f', shareType: 6, shareWith: 'bob@http://127.0.0.1:1' } });
    expect(share.statusCode).toBe(403);
    const caps = await ocs(t.app, 'GET', '/cloud/capabilities');
    expect(caps.ocs.data.capabilities.files_sharing.federation).toMatchObject({ outgoing: false, incoming: false });
    expect((await t.app.inject({ url: '/ocs-provider/' })).json().services.FEDERATED_SHARING).toBeUndefined();
  });
});
