import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { expectError, parseXml } from '../../helpers/ocs-assert.js';
import { type ListeningApp, listeningFederated } from '../../helpers/loopback.js';
import { dav, mkcol, put } from '../dav/dav-helpers.js';

type Who = { user: string; password: string };

const N = '/apps/notifications/api/v2/notifications';
const N1 = '/apps/notifications/api/v1/notifications';
const ADMIN_N = '/apps/notifications/api/v2/admin_notifications';
const SHARES = '/apps/files_sharing/api/v1/shares';
const REMOTE = '/apps/files_sharing/api/v1/remote_shares';
const PUBLIC_URL = 'http://nimbus.test';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/;

/** Keys of EndpointController::notificationToArray in its order, for API v2 and v1. */
const V2_KEYS = ['notification_id', 'app', 'user', 'datetime', 'object_type', 'object_id', 'subject', 'message', 'link', 'subjectRich', 'subjectRichParameters', 'messageRich', 'messageRichParameters', 'icon', 'shouldNotify', 'actions'];
const V1_KEYS = ['notification_id', 'app', 'user', 'datetime', 'object_type', 'object_id', 'subject', 'message', 'link', 'actions'];

const list = async (app: FastifyInstance, as: Who) => {
  const res = await ocs(app, 'GET', N, { as });
  expect(res.statusCode, res.body).toBe(200);
  return res.ocs.data as any[];
};

/** Follows an action as a client does: its method on its absolute URL, with the user's credentials and the OCS header. */
async function follow(app: FastifyInstance, base: string, action: { link: string; type: string }, as: Who) {
  expect(action.link.startsWith(`${base}/ocs/v2.php/`), action.link).toBe(true);
  const url = new URL(action.link);
  url.searchParams.set('format', 'json');
  return app.inject({ method: action.type as 'POST', url: `${url.pathname}${url.search}`, headers: { authorization: basic(as.user, as.password), 'OCS-APIRequest': 'true' } });
}

describeEachDb('Notifications API: pending shares, admin messages, dismissal', (kind) => {
  let t: TestApp;
  let alice: Who;
  let bob: Who;
  let carol: Who;
  let dave: Who;
  let sub: Who;
  const share = async (as: Who, body: Record<string, unknown>) => {
    const res = await ocs(t.app, 'POST', SHARES, { as, body });
    expect(res.statusCode, res.body).toBe(200);
    return res.ocs.data.id as string;
  };

  beforeAll(async () => {
    t = await buildTestApp(kind, { SHARE_AUTO_ACCEPT: 'false' });
    alice = await newUser(t.app, 'alice', { displayName: 'Alice Example' });
    await newGroup(t.app, 'team');
    bob = await newUser(t.app, 'bob');
    carol = await newUser(t.app, 'carol', { groups: ['team'] });
    dave = await newUser(t.app, 'dave', { groups: ['team'] });
    sub = await newUser(t.app, 'sub', { groups: ['team'], subadmin: ['team'] });
    for (const f of ['docs', 'plans', 'team', 'gone', 'later']) expect((await mkcol(t.app, `/remote.php/dav/files/alice/${f}`, { as: alice })).statusCode).toBe(201);
  });
  afterAll(async () => t?.close());

  it('tells the recipient of a pending user share, in Nextcloud shape, and nobody else', async () => {
    const id = await share(alice, { path: '/docs', shareType: 0, shareWith: 'bob' });
    const [n, ...rest] = await list(t.app, bob);
    expect(rest).toEqual([]);
    expect(Object.keys(n)).toEqual(V2_KEYS);
    expect(n).toMatchObject({
      app: 'files_sharing',
      user: 'bob',
      object_type: 'share',
      object_id: `ocinternal:${id}`,
      subject: 'You received /docs as a share by @Alice Example',
      subjectRich: 'You received {share} as a share by {user}',
      subjectRichParameters: { share: { type: 'highlight', id: `ocinternal:${id}`, name: '/docs' }, user: { type: 'user', id: 'alice', name: 'Alice Example' } },
      message: '',
      messageRich: '',
      messageRichParameters: [],
      link: '',
      shouldNotify: true,
      actions: [
        { label: 'Accept', link: `${PUBLIC_URL}/ocs/v2.php/apps/files_sharing/api/v1/shares/pending/${id}`, type: 'POST', primary: true },
        { label: 'Decline', link: `${PUBLIC_URL}/ocs/v2.php/apps/files_sharing/api/v1/shares/${id}`, type: 'DELETE', primary: false },
      ],
    });
    expect(n.notification_id).toEqual(expect.any(Number));
    expect(n.datetime).toMatch(ISO);
    expect(await list(t.app, alice)).toEqual([]);
    expect(await list(t.app, carol)).toEqual([]);

    // API v1: no rich strings, icon or shouldNotify; the same through the OCS v1 entry point.
    const v1 = await ocs(t.app, 'GET', N1, { as: bob, version: 1 });
    expect(v1.ocs.meta.statuscode).toBe(100);
    expect(Object.keys(v1.ocs.data[0])).toEqual(V1_KEYS);
    expect(v1.ocs.data[0].subject).toBe(n.subject);
    const xml = parseXml((await ocs(t.app, 'GET', N, { as: bob, format: 'xml' })).body);
    expect(xml.ocs.data.element[0].subjectRichParameters.user.name).toBe('Alice Example');
    expect(xml.ocs.data.element[0].actions.element.map((a: any) => a.type)).toEqual(['POST', 'DELETE']);
  });

  it('the accept link accepts the share, and the notification is gone', async () => {
    const [n] = await list(t.app, bob);
    const res = await follow(t.app, PUBLIC_URL, n.actions[0], bob);
    expect(res.statusCode, res.body).toBe(200);
    // Gone with the acceptance itself, not only hidden when next listed.
    expect(await t.db.selectFrom('notifications').selectAll().where('user_id', '=', 'bob').execute()).toEqual([]);
    expect((await ocs(t.app, 'GET', `${SHARES}?shared_with_me=true`, { as: bob })).ocs.data.map((s: any) => s.path)).toEqual(['/docs']);
    expect(await list(t.app, bob)).toEqual([]);
    // Gone for GET by id as well.
    expect((await ocs(t.app, 'GET', `${N}/${n.notification_id}`, { as: bob })).statusCode).toBe(404);
  });

  it('the decline link removes the share for the recipient, and the notification with it', async () => {
    const id = await share(alice, { path: '/plans', shareType: 0, shareWith: 'bob' });
    const [n] = await list(t.app, bob);
    expect(n.object_id).toBe(`ocinternal:${id}`);
    const res = await follow(t.app, PUBLIC_URL, n.actions[1], bob);
    expect(res.statusCode, res.body).toBe(200);
    expect((await ocs(t.app, 'GET', `${SHARES}/pending`, { as: bob })).ocs.data).toEqual([]);
    expect(await list(t.app, bob)).toEqual([]);
  });

  it('a group share tells each member but the sharer; one declining leaves the others theirs; the owner deleting it ends them all', async () => {
    const id = await share(alice, { path: '/team', shareType: 1, shareWith: 'team' });
    for (const who of [carol, dave, sub]) {
      const [n] = await list(t.app, who);
      expect(n).toMatchObject({
        object_id: `ocinternal:${id}`,
        subject: 'You received /team to group team as a share by @Alice Example',
        subjectRich: 'You received {share} to group {group} as a share by {user}',
        subjectRichParameters: { group: { type: 'user-group', id: 'team', name: 'team' } },
      });
    }
    expect(await list(t.app, alice)).toEqual([]);
    // ownCloud's decline route goes through the same change of state.
    expect((await ocs(t.app, 'DELETE', `${SHARES}/pending/${id}`, { as: carol })).statusCode).toBe(200);
    expect(await t.db.selectFrom('notifications').select('user_id').orderBy('user_id').execute()).toEqual([{ user_id: 'dave' }, { user_id: 'sub' }]);
    expect(await list(t.app, carol)).toEqual([]);
    expect(await list(t.app, dave)).toHaveLength(1);
    expect((await ocs(t.app, 'DELETE', `${SHARES}/${id}`, { as: alice })).statusCode).toBe(200);
    expect(await list(t.app, dave)).toEqual([]);
    expect(await t.db.selectFrom('notifications').selectAll().execute()).toEqual([]);
  });

  it('ends when the owner deletes the share or the shared folder', async () => {
    await share(alice, { path: '/gone', shareType: 0, shareWith: 'carol' });
    const later = await share(alice, { path: '/later', shareType: 0, shareWith: 'carol' });
    expect(await list(t.app, carol)).toHaveLength(2);
    expect((await dav(t.app, 'DELETE', '/remote.php/dav/files/alice/gone', { as: alice })).statusCode).toBe(204);
    expect(await t.db.selectFrom('notifications').select('object_id').where('user_id', '=', 'carol').execute()).toEqual([{ object_id: `ocinternal:${later}` }]);
    expect((await list(t.app, carol)).map((n) => n.object_id)).toEqual([`ocinternal:${later}`]);
    expect((await ocs(t.app, 'DELETE', `${SHARES}/${later}`, { as: alice })).statusCode).toBe(200);
    expect(await list(t.app, carol)).toEqual([]);
  });

  it('admin messages: admins only, to a known user, subject 1..255 bytes, message up to 4000', async () => {
    const sent = await ocs(t.app, 'POST', `${ADMIN_N}/dave`, { body: { shortMessage: 'Maintenance tonight', longMessage: 'From 22:00 to 23:00 {the server} is down.' } });
    expect([sent.statusCode, sent.ocs.data]).toEqual([200, []]);
    const [n] = await list(t.app, dave);
    expect(n).toMatchObject({
      app: 'admin_notifications',
      user: 'dave',
      object_type: 'admin_notifications',
      subject: 'Maintenance tonight',
      subjectRich: 'Maintenance tonight',
      subjectRichParameters: [],
      message: 'From 22:00 to 23:00 {the server} is down.',
      messageRich: 'From 22:00 to 23:00 {the server} is down.',
      messageRichParameters: [],
      actions: [],
    });
    // Nextcloud names the object by the message's Unix time in hexadecimal.
    expect(Math.abs(Number.parseInt(n.object_id, 16) - Date.now() / 1000)).toBeLessThan(60);
    // Without a long message there is no message; v1 of the API answers the same.
    expect((await ocs(t.app, 'POST', '/apps/notifications/api/v1/admin_notifications/dave', { body: { shortMessage: 'Short only' } })).statusCode).toBe(200);
    expect((await list(t.app, dave))[0]).toMatchObject({ subject: 'Short only', message: '', messageRich: '' });

    await expectError(t.app, 'POST', `${ADMIN_N}/dave`, { as: bob, body: { shortMessage: 'hi' } }, 403, 403);
    await expectError(t.app, 'POST', `${ADMIN_N}/dave`, { as: sub, body: { shortMessage: 'hi' } }, 403, 403);
    await expectError(t.app, 'POST', `${ADMIN_N}/nobody`, { body: { shortMessage: 'hi' } }, 404, 404, '');
    await expectError(t.app, 'POST', `${ADMIN_N}/dave`, { body: {} }, 400, 400, '');
    await expectError(t.app, 'POST', `${ADMIN_N}/dave`, { body: { shortMessage: '' } }, 400, 400, '');
    await expectError(t.app, 'POST', `${ADMIN_N}/dave`, { body: { shortMessage: 'x'.repeat(256) } }, 400, 400, '');
    // Bytes, as PHP's strlen counts them: 128 two-byte letters are too long.
    await expectError(t.app, 'POST', `${ADMIN_N}/dave`, { body: { shortMessage: 'é'.repeat(128) } }, 400, 400, '');
    await expectError(t.app, 'POST', `${ADMIN_N}/dave`, { body: { shortMessage: 'ok', longMessage: 'y'.repeat(4001) } }, 400, 400, '');
    await expectError(t.app, 'POST', `${ADMIN_N}/dave`, { body: { 'shortMessage[]': 'array' } }, 400, 400, '');
    expect((await ocs(t.app, 'POST', `${ADMIN_N}/dave`, { body: { shortMessage: 'x'.repeat(255), longMessage: 'y'.repeat(4000) } })).statusCode).toBe(200);
    expect((await ocs(t.app, 'POST', `${ADMIN_N}/dave`, { as: null, body: { shortMessage: 'hi' } })).statusCode).toBe(401);
    expect((await list(t.app, dave)).map((x) => x.subject.length)).toEqual([255, 10, 19]);
    expect(await list(t.app, bob)).toEqual([]);
  });

  it('answers an ETag of the listing; If-None-Match with it is a bodiless 304 until the list changes', async () => {
    const first = await ocs(t.app, 'GET', N, { as: dave });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await ocs(t.app, 'GET', N, { as: dave, headers: { 'if-none-match': etag } });
    expect([again.statusCode, again.body, again.headers.etag]).toEqual([304, '', etag]);
    expect((await ocs(t.app, 'GET', N, { as: dave, headers: { 'if-none-match': '"other"' } })).statusCode).toBe(200);
    // Nobody else's listing matches it.
    expect((await ocs(t.app, 'GET', N, { as: bob, headers: { 'if-none-match': etag } })).statusCode).toBe(200);
    await ocs(t.app, 'POST', `${ADMIN_N}/dave`, { body: { shortMessage: 'One more' } });
    const changed = await ocs(t.app, 'GET', N, { as: dave, headers: { 'if-none-match': etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    // API v1 has no ETag.
    expect((await ocs(t.app, 'GET', N1, { as: dave })).headers.etag).toBeUndefined();
  });

  it('GET and DELETE one notification, DELETE all; nobody reaches another user’s', async () => {
    const mine = await list(t.app, dave);
    const id = mine[0].notification_id;
    const one = await ocs(t.app, 'GET', `${N}/${id}`, { as: dave });
    expect(one.statusCode).toBe(200);
    expect(one.ocs.data).toEqual(mine[0]);
    await expectError(t.app, 'GET', `${N}/${id}`, { as: bob }, 404, 404, '');
    await expectError(t.app, 'GET', `${N}/999999`, { as: dave }, 404, 404, '');
    await expectError(t.app, 'GET', `${N}/0`, { as: dave }, 404, 404);
    await expectError(t.app, 'GET', `${N}/99999999999999999999`, { as: dave }, 404, 404);
    // Digits only: anything else is no route at all.
    await expectError(t.app, 'GET', `${N}/abc`, { as: dave }, 998, 404);
    await expectError(t.app, 'DELETE', `${N}/1x`, { as: dave }, 998, 404);
    // Only API v1 and v2 exist for these routes (v3 of admin_notifications is not served).
    await expectError(t.app, 'GET', '/apps/notifications/api/v3/notifications', { as: dave }, 998, 404);
    await expectError(t.app, 'POST', '/apps/notifications/api/v3/admin_notifications/dave', { body: { subject: 'x' } }, 998, 404);

    // Nextcloud answers success for a dismissal of something not (or no longer) the caller's, and changes nothing.
    expect((await ocs(t.app, 'DELETE', `${N}/${id}`, { as: bob })).statusCode).toBe(200);
    expect((await list(t.app, dave)).map((n) => n.notification_id)).toContain(id);
    await expectError(t.app, 'DELETE', `${N}/0`, { as: dave }, 404, 404);

    const del = await ocs(t.app, 'DELETE', `${N}/${id}`, { as: dave });
    expect([del.statusCode, del.ocs.data]).toEqual([200, []]);
    expect((await list(t.app, dave)).map((n) => n.notification_id)).toEqual(mine.slice(1).map((n) => n.notification_id));
    expect((await ocs(t.app, 'DELETE', `${N}/${id}`, { as: dave })).statusCode).toBe(200);

    await ocs(t.app, 'POST', `${ADMIN_N}/bob`, { body: { shortMessage: 'For bob' } });
    expect((await ocs(t.app, 'DELETE', N, { as: dave })).statusCode).toBe(200);
    expect(await list(t.app, dave)).toEqual([]);
    expect((await list(t.app, bob)).map((n) => n.subject)).toEqual(['For bob']);
  });

  it('refuses anonymous callers and wrong credentials with 997, and dismissals without the OCS header', async () => {
    for (const [method, url] of [['GET', N], ['GET', `${N}/1`], ['DELETE', `${N}/1`], ['DELETE', N]] as const) {
      await expectError(t.app, method, url, { as: null }, 997, 401);
    }
    const wrong = await ocs(t.app, 'GET', N, { as: { user: 'bob', password: 'wrong' } });
    expect(wrong.statusCode).toBe(401);
    // Listing is NoCSRFRequired; deleting is not.
    const headers = { authorization: basic(bob.user, bob.password) };
    expect((await t.app.inject({ method: 'GET', url: `/ocs/v2.php${N}?format=json`, headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/ocs/v2.php${N}?format=json`, headers })).statusCode).toBe(412);
    expect(await list(t.app, bob)).toHaveLength(1);
  });

  it('go with their user', async () => {
    const eve = await newUser(t.app, 'eve');
    await share(alice, { path: '/docs', shareType: 0, shareWith: 'eve' });
    await ocs(t.app, 'POST', `${ADMIN_N}/eve`, { body: { shortMessage: 'Welcome' } });
    expect(await list(t.app, eve)).toHaveLength(2);
    expect((await ocs(t.app, 'DELETE', '/cloud/users/eve')).statusCode).toBe(200);
    expect(await t.db.selectFrom('notifications').selectAll().where('user_id', '=', 'eve').execute()).toEqual([]);

    // The sharer's going takes their shares, and the notifications about them.
    const frank = await newUser(t.app, 'frank');
    expect((await mkcol(t.app, '/remote.php/dav/files/frank/mine', { as: frank })).statusCode).toBe(201);
    await share(frank, { path: '/mine', shareType: 0, shareWith: 'carol' });
    expect((await list(t.app, carol)).map((n) => n.subjectRichParameters.user.id)).toEqual(['frank']);
    expect((await ocs(t.app, 'DELETE', '/cloud/users/frank')).statusCode).toBe(200);
    expect(await t.db.selectFrom('notifications').selectAll().where('user_id', '=', 'carol').execute()).toEqual([]);
  });

  it('are announced in the capabilities, and answer as unknown routes while the app is disabled', async () => {
    const caps = (await ocs(t.app, 'GET', '/cloud/capabilities', { as: bob })).ocs.data.capabilities;
    expect(caps.notifications).toEqual({ 'ocs-endpoints': ['list', 'get', 'delete', 'delete-all', 'rich-strings'], push: [], 'admin-notifications': ['ocs'] });
    expect((await ocs(t.app, 'DELETE', '/cloud/apps/notifications', { as: ADMIN })).statusCode).toBe(200);
    try {
      await expectError(t.app, 'GET', N, { as: bob }, 998, 404);
      expect((await ocs(t.app, 'GET', '/cloud/capabilities', { as: bob })).ocs.data.capabilities).not.toHaveProperty('notifications');
    } finally {
      expect((await ocs(t.app, 'POST', '/cloud/apps/notifications', { as: ADMIN })).statusCode).toBe(200);
    }
    expect(await list(t.app, bob)).toHaveLength(1);
  });
});

describeEachDb('Notifications of federated share offers', (kind) => {
  let a: ListeningApp;
  let b: ListeningApp;
  let alice: Who;
  let bob: Who;
  const offer = async (path: string) => {
    const res = await ocs(a.app, 'POST', SHARES, { as: alice, body: { path, shareType: 6, shareWith: `bob@${b.base}` } });
    expect(res.statusCode, res.body).toBe(200);
    return res.ocs.data.id as string;
  };

  beforeAll(async () => {
    a = await listeningFederated(kind);
    b = await listeningFederated(kind);
    alice = await newUser(a.app, 'alice');
    bob = await newUser(b.app, 'bob');
    for (const f of ['one', 'two', 'three']) expect((await mkcol(a.app, `/remote.php/dav/files/alice/${f}`, { as: alice })).statusCode).toBe(201);
    await put(a.app, '/remote.php/dav/files/alice/one/a.txt', 'from alice', { as: alice });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('tells the recipient of an offer, with decline and accept actions; the accept link mounts it and ends the notification', async () => {
    await offer('/one');
    const pending = (await ocs(b.app, 'GET', `${REMOTE}/pending`, { as: bob })).ocs.data;
    expect(pending).toHaveLength(1);
    const localId = String(pending[0].id);
    const [n, ...rest] = await list(b.app, bob);
    expect(rest).toEqual([]);
    expect(n).toMatchObject({
      app: 'files_sharing',
      user: 'bob',
      object_type: 'remote_share',
      object_id: localId,
      subject: `You received one as a remote share from @alice@${a.base}`,
      subjectRich: 'You received {share} as a remote share from {user}',
      subjectRichParameters: {
        share: { type: 'pending-federated-share', id: localId, name: 'one' },
        user: { type: 'user', id: 'alice', name: `alice@${a.base}`, server: a.base },
      },
      actions: [
        { label: 'Decline', link: `${b.base}/ocs/v2.php/apps/files_sharing/api/v1/remote_shares/pending/${localId}`, type: 'DELETE', primary: false },
        { label: 'Accept', link: `${b.base}/ocs/v2.php/apps/files_sharing/api/v1/remote_shares/pending/${localId}`, type: 'POST', primary: true },
      ],
    });
    expect(await list(a.app, alice)).toEqual([]);

    const res = await follow(b.app, b.base, n.actions[1], bob);
    expect(res.statusCode, res.body).toBe(200);
    expect(await b.db.selectFrom('notifications').selectAll().execute()).toEqual([]);
    expect((await ocs(b.app, 'GET', REMOTE, { as: bob })).ocs.data[0]).toMatchObject({ accepted: 1, mountpoint: '/one' });
    expect((await dav(b.app, 'GET', '/remote.php/dav/files/bob/one/a.txt', { as: bob })).body).toBe('from alice');
    expect(await list(b.app, bob)).toEqual([]);
  });

  it('the decline link refuses the offer, and the notification goes with it', async () => {
    await offer('/two');
    const [n] = await list(b.app, bob);
    expect(n.subjectRichParameters.share.name).toBe('two');
    expect((await follow(b.app, b.base, n.actions[0], bob)).statusCode).toBe(200);
    expect(await b.db.selectFrom('notifications').selectAll().execute()).toEqual([]);
    expect((await ocs(b.app, 'GET', `${REMOTE}/pending`, { as: bob })).ocs.data).toEqual([]);
    expect(await list(b.app, bob)).toEqual([]);
  });

  it('ends when the owner withdraws the offer; local shares on an auto-accepting server tell nobody', async () => {
    const id = await offer('/three');
    expect(await list(b.app, bob)).toHaveLength(1);
    expect((await ocs(a.app, 'DELETE', `${SHARES}/${id}`, { as: alice })).statusCode).toBe(200);
    expect(await b.db.selectFrom('notifications').selectAll().execute()).toEqual([]);
    expect(await list(b.app, bob)).toEqual([]);

    const carol = await newUser(a.app, 'carol');
    const local = await ocs(a.app, 'POST', SHARES, { as: alice, body: { path: '/three', shareType: 0, shareWith: 'carol' } });
    expect(local.statusCode).toBe(200);
    expect(await list(a.app, carol)).toEqual([]);
  });
});
