import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { parseXml } from '../../helpers/ocs-assert.js';
import { dav, mkcol, put } from '../dav/dav-helpers.js';

const SHARES = '/apps/files_sharing/api/v1/shares';
type Who = { user: string; password: string };

/** Keys of Nextcloud's formatShare in its order (samples 31–33), before the per-type fields. */
const BASE_KEYS = [
  'id', 'share_type', 'uid_owner', 'displayname_owner', 'permissions', 'can_edit', 'can_delete', 'stime', 'parent', 'expiration', 'token',
  'uid_file_owner', 'note', 'label', 'displayname_file_owner', 'path', 'item_type', 'item_permissions', 'is-mount-root', 'mount-type', 'mimetype',
  'has_preview', 'storage_id', 'storage', 'item_source', 'file_source', 'file_parent', 'file_target', 'item_size', 'item_mtime',
];

const share = (t: TestApp, as: Who, body: Record<string, unknown>) => ocs(t.app, 'POST', SHARES, { as, body });

describeEachDb('OCS sharing API', (kind) => {
  let t: TestApp;
  let alice: Who;
  let bob: Who;
  let carol: Who;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice', { displayName: 'Alice Example', email: 'alice@example.invalid' });
    bob = await newUser(t.app, 'bob');
    carol = await newUser(t.app, 'carol');
    await newGroup(t.app, 'staff');
    await ocs(t.app, 'POST', '/cloud/users/bob/groups', { body: { groupid: 'staff' } });
    await ocs(t.app, 'POST', '/cloud/users/carol/groups', { body: { groupid: 'staff' } });
    await put(t.app, '/remote.php/dav/files/admin/test.txt', 'hello shared world');
    await mkcol(t.app, '/remote.php/dav/files/admin/docs');
    await put(t.app, '/remote.php/dav/files/admin/docs/a.txt', 'a');
    await mkcol(t.app, '/remote.php/dav/files/admin/docs/sub');
  });
  afterAll(async () => t?.close());

  it('creates a user share of a folder with the reference fields, types and order (sample 31)', async () => {
    const res = await share(t, ADMIN, { path: '/docs', shareType: 0, shareWith: 'alice' });
    expect(res.statusCode).toBe(200);
    const d = res.ocs.data;
    expect(Object.keys(d)).toEqual([...BASE_KEYS, 'share_with', 'share_with_displayname', 'share_with_displayname_unique', 'mail_send', 'hide_download', 'attributes']);
    expect(d).toMatchObject({
      share_type: 0, uid_owner: 'admin', permissions: 31, can_edit: true, can_delete: true, parent: null, expiration: null, token: null,
      uid_file_owner: 'admin', path: '/docs', item_type: 'folder', item_permissions: 31, 'is-mount-root': false, 'mount-type': '',
      mimetype: 'httpd/unix-directory', storage_id: 'home::admin', file_target: '/docs', item_size: 1,
      share_with: 'alice', share_with_displayname: 'Alice Example', share_with_displayname_unique: 'alice@example.invalid', hide_download: 0, attributes: null,
    });
    expect(typeof d.id).toBe('string');
    expect(d.item_source).toBe(d.file_source);
    expect(Number.isInteger(d.stime)).toBe(true);
  });

  it('creates a link share: read only by default, with token and url (sample 30)', async () => {
    const res = await share(t, ADMIN, { path: '/test.txt', shareType: 3 });
    const d = res.ocs.data;
    expect(Object.keys(d)).toEqual([...BASE_KEYS, 'share_with', 'share_with_displayname', 'password', 'send_password_by_talk', 'url', 'mail_send', 'hide_download', 'attributes']);
    expect(d).toMatchObject({ share_type: 3, permissions: 1, share_with: null, share_with_displayname: '(Shared link)', password: null, item_type: 'file', mimetype: 'text/plain', item_size: 18 });
    expect(d.token).toMatch(/^[A-Za-z0-9]{15}$/);
    expect(d.url).toBe(`http://nimbus.test/s/${d.token}`);
  });

  it('creates a group share and strips create and delete from files (19)', async () => {
    const group = await share(t, ADMIN, { path: '/docs', shareType: 1, shareWith: 'staff' });
    expect(group.ocs.data).toMatchObject({ share_type: 1, share_with: 'staff', share_with_displayname: 'staff', permissions: 31 });
    expect(Object.keys(group.ocs.data)).not.toContain('share_with_displayname_unique');
    const file = await share(t, ADMIN, { path: '/test.txt', shareType: 0, shareWith: 'bob' });
    expect(file.ocs.data.permissions).toBe(19);
    expect(file.ocs.data.item_permissions).toBe(27);
  });

  it('answers in XML with 0/1 booleans and <element> lists (sample 32)', async () => {
    const res = await ocs(t.app, 'GET', SHARES, { format: 'xml' });
    const body = parseXml(res.body);
    const list = body.ocs.data.element;
    expect(Array.isArray(list)).toBe(true);
    expect(res.body).toContain('<can_edit>1</can_edit>');
    expect(res.body).toContain('<parent/>');
  });

  it('lists what the caller shared, by path, and with subfiles', async () => {
    const all = await ocs(t.app, 'GET', SHARES);
    expect(all.ocs.data.length).toBeGreaterThanOrEqual(4);
    const onDocs = await ocs(t.app, 'GET', `${SHARES}?path=/docs`);
    expect(onDocs.ocs.data.map((s: any) => s.share_type).sort()).toEqual([0, 1]);
    await share(t, ADMIN, { path: '/docs/a.txt', shareType: 0, shareWith: 'carol' });
    const sub = await ocs(t.app, 'GET', `${SHARES}?path=/docs&subfiles=true`);
    expect(sub.ocs.data.map((s: any) => s.path)).toEqual(['/docs/a.txt']);
    const notDir = await ocs(t.app, 'GET', `${SHARES}?path=/test.txt&subfiles=true`);
    expect(notDir.statusCode).toBe(400);
    expect(notDir.ocs.meta.message).toBe('Not a directory');
    expect((await ocs(t.app, 'GET', `${SHARES}?path=/nope`)).statusCode).toBe(404);
  });

  it('adds the caller\'s tags with include_tags: favorites as Nextcloud names them', async () => {
    const favorite = `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:set><d:prop><oc:favorite>1</oc:favorite></d:prop></d:set></d:propertyupdate>`;
    expect((await dav(t.app, 'PROPPATCH', '/remote.php/dav/files/admin/docs', { body: favorite })).statusCode).toBe(207);
    const tagged = await ocs(t.app, 'GET', `${SHARES}?path=/docs&include_tags=true`);
    expect(tagged.ocs.data.length).toBeGreaterThan(0);
    for (const s of tagged.ocs.data) expect(s.tags).toEqual(['_$!<Favorite>!$_']);
    const other = await ocs(t.app, 'GET', `${SHARES}?path=/test.txt&include_tags=true`);
    for (const s of other.ocs.data) expect(s.tags).toEqual([]);
    expect((await ocs(t.app, 'GET', `${SHARES}?path=/docs`)).ocs.data[0]).not.toHaveProperty('tags');
    // The mark is the caller's own: the recipient's list shows no tags for it.
    const received = await ocs(t.app, 'GET', `${SHARES}?shared_with_me=true&include_tags=true`, { as: alice });
    expect(received.ocs.data.length).toBeGreaterThan(0);
    for (const s of received.ocs.data) expect(s.tags).toEqual([]);
  });

  it('lists received shares with shared_with_me as the recipient sees them (sample 36)', async () => {
    const res = await ocs(t.app, 'GET', `${SHARES}?shared_with_me=true`, { as: bob });
    const byType = Object.fromEntries(res.ocs.data.map((s: any) => [`${s.share_type}:${s.item_type}`, s]));
    expect(byType['1:folder']).toMatchObject({ path: '/docs', file_target: '/docs', 'is-mount-root': true, 'mount-type': 'shared', storage_id: 'shared::/docs', can_edit: false, can_delete: false });
    expect(byType['0:file']).toMatchObject({ path: '/test.txt', can_delete: true });
    // Alice got /docs directly; her list does not show bob's shares.
    const a = await ocs(t.app, 'GET', `${SHARES}?shared_with_me=true`, { as: alice });
    expect(a.ocs.data.map((s: any) => s.share_with)).toEqual(['alice']);
  });

  it('gets one share as a list; others cannot see it', async () => {
    const created = await share(t, ADMIN, { path: '/docs/sub', shareType: 0, shareWith: 'alice' });
    const id = created.ocs.data.id;
    const one = await ocs(t.app, 'GET', `${SHARES}/${id}`);
    expect(one.ocs.data).toHaveLength(1);
    expect(one.ocs.data[0].id).toBe(id);
    expect((await ocs(t.app, 'GET', `${SHARES}/${id}`, { as: alice })).statusCode).toBe(200);
    const other = await ocs(t.app, 'GET', `${SHARES}/${id}`, { as: carol });
    expect(other.statusCode).toBe(404);
    expect(other.ocs.meta.message).toBe('Wrong share ID, share does not exist');
    expect((await ocs(t.app, 'GET', `${SHARES}/99999`)).statusCode).toBe(404);
    expect((await ocs(t.app, 'GET', `${SHARES}/abc`)).statusCode).toBe(404);
  });

  it('updates permissions, note, label, password and expiry; recipients cannot edit', async () => {
    const link = (await share(t, ADMIN, { path: '/docs', shareType: 3 })).ocs.data;
    const up = await ocs(t.app, 'PUT', `${SHARES}/${link.id}`, { body: { permissions: 15, note: 'hi', label: 'L', password: 'Link-Pass-Word-9', expireDate: '2199-01-02' } });
    expect(up.statusCode).toBe(200);
    expect(up.ocs.data).toMatchObject({ permissions: 15, note: 'hi', label: 'L', expiration: '2199-01-02 00:00:00', password: '***redacted***' });
    const stored = await t.db.selectFrom('shares').select(['password_hash']).where('id', '=', Number(link.id)).executeTakeFirstOrThrow();
    expect(stored.password_hash).not.toContain('Link-Pass-Word-9');
    const cleared = await ocs(t.app, 'PUT', `${SHARES}/${link.id}`, { body: { password: '', expireDate: '' } });
    expect(cleared.ocs.data).toMatchObject({ password: null, expiration: null });
    const none = await ocs(t.app, 'PUT', `${SHARES}/${link.id}`, { body: {} });
    expect(none.statusCode).toBe(400);
    expect(none.ocs.meta.message).toBe('Wrong or no update parameter given');
    const userShare = (await ocs(t.app, 'GET', `${SHARES}?path=/docs`)).ocs.data.find((s: any) => s.share_with === 'alice');
    const incoming = await ocs(t.app, 'PUT', `${SHARES}/${userShare.id}`, { as: alice, body: { permissions: 1 } });
    expect(incoming.statusCode).toBe(403);
    expect(incoming.ocs.meta.message).toBe('You are not allowed to edit incoming shares');
  });

  it('deletes: owner deletes, a user recipient leaves, a group member only leaves for themselves', async () => {
    const s1 = (await share(t, ADMIN, { path: '/test.txt', shareType: 0, shareWith: 'carol' })).ocs.data;
    expect((await ocs(t.app, 'DELETE', `${SHARES}/${s1.id}`, { as: bob })).statusCode).toBe(404);
    const left = await ocs(t.app, 'DELETE', `${SHARES}/${s1.id}`, { as: carol });
    expect(left.statusCode).toBe(200);
    expect(left.ocs.data).toEqual([]);
    expect((await ocs(t.app, 'GET', `${SHARES}/${s1.id}`)).statusCode).toBe(404);
    const group = (await ocs(t.app, 'GET', `${SHARES}?path=/docs`)).ocs.data.find((s: any) => s.share_type === 1);
    expect((await ocs(t.app, 'DELETE', `${SHARES}/${group.id}`, { as: carol })).statusCode).toBe(200);
    const carolSees = (await ocs(t.app, 'GET', `${SHARES}?shared_with_me=true`, { as: carol })).ocs.data.map((s: any) => s.id);
    expect(carolSees).not.toContain(group.id);
    const bobSees = (await ocs(t.app, 'GET', `${SHARES}?shared_with_me=true`, { as: bob })).ocs.data.map((s: any) => s.id);
    expect(bobSees).toContain(group.id);
  });

  it('refuses with the reference codes and messages', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ shareType: 0, shareWith: 'alice' }, 404, 'Please specify a file or folder path'],
      [{ path: '/nope.txt', shareType: 0, shareWith: 'alice' }, 404, 'Wrong path, file/folder does not exist'],
      [{ path: '/../etc', shareType: 0, shareWith: 'alice' }, 404, 'Wrong path, file/folder does not exist'],
      [{ path: '/test.txt', shareType: 2, shareWith: 'alice' }, 400, 'Unknown share type'],
      [{ path: '/test.txt', shareType: 'x', shareWith: 'alice' }, 400, 'Unknown share type'],
      [{ path: '/test.txt', shareType: 0, shareWith: 'admin' }, 403, 'Cannot share with yourself'],
      [{ path: '/test.txt', shareType: 0, shareWith: 'nobody' }, 404, 'Please specify a valid account to share with'],
      [{ path: '/test.txt', shareType: 1, shareWith: 'nogroup' }, 404, 'Please specify a valid group'],
      [{ path: '/', shareType: 0, shareWith: 'alice' }, 403, 'You cannot share your root folder'],
      [{ path: '/docs', shareType: 3, permissions: 31 }, 400, 'Link shares cannot carry the share permission'],
      [{ path: '/docs', shareType: 3, permissions: 2 }, 400, 'Share must at least have READ or CREATE permissions'],
      [{ path: '/docs', shareType: 3, permissions: 12 }, 400, 'Share must have READ permission if UPDATE or DELETE permission is set'],
      [{ path: '/test.txt', shareType: 3, publicUpload: 'true' }, 400, 'Public upload is only possible for publicly shared folders'],
      [{ path: '/test.txt', shareType: 0, shareWith: 'alice', permissions: 64 }, 404, 'Valid permissions are required for sharing'],
      [{ path: '/test.txt', shareType: 0, shareWith: 'alice', permissions: 2 }, 404, 'Shares need at least read permissions'],
      [{ path: '/test.txt', shareType: 3, expireDate: '2000-01-01' }, 404, 'Expiration date is in the past'],
      [{ path: '/test.txt', shareType: 3, expireDate: new Date().toISOString().slice(0, 10) }, 404, 'Expiration date is in the past'],
      [{ path: '/test.txt', shareType: 3, expireDate: 'soon' }, 404, 'Invalid date. Format must be YYYY-MM-DD'],
      [{ path: '/test.txt', shareType: 3, label: 'x'.repeat(256) }, 400, 'Maximum label length is 255'],
      [{ path: '/test.txt', shareType: 3, attributes: '{bad' }, 400, 'Invalid share attributes provided: "{bad"'],
    ];
    for (const [body, code, message] of cases) {
      const res = await share(t, ADMIN, body);
      expect([res.statusCode, res.ocs.meta.statuscode, res.ocs.meta.message], JSON.stringify(body)).toEqual([code, code, message]);
    }
    const v1 = await ocs(t.app, 'POST', SHARES, { version: 1, body: { path: '/nope', shareType: 0, shareWith: 'alice' } });
    expect([v1.statusCode, v1.ocs.meta.statuscode]).toEqual([200, 404]);
  });

  it('needs a login, and nobody shares what they cannot reach', async () => {
    expect((await ocs(t.app, 'GET', SHARES, { as: null })).statusCode).toBe(401);
    expect((await ocs(t.app, 'POST', SHARES, { as: null, body: { path: '/test.txt', shareType: 3 } })).ocs.meta.statuscode).toBe(997);
    // carol has no /secret of her own: the admin's files are not hers to share.
    await mkcol(t.app, '/remote.php/dav/files/admin/secret');
    const res = await share(t, carol, { path: '/secret', shareType: 3 });
    expect(res.statusCode).toBe(404);
  });

  it('lets a recipient reshare within their own rights only', async () => {
    await mkcol(t.app, '/remote.php/dav/files/admin/ro');
    await share(t, ADMIN, { path: '/ro', shareType: 0, shareWith: 'bob', permissions: 17 });
    const more = await share(t, bob, { path: '/ro', shareType: 0, shareWith: 'carol', permissions: 31 });
    expect([more.statusCode, more.ocs.meta.message]).toEqual([404, 'Cannot increase permissions of /ro']);
    const ok = await share(t, bob, { path: '/ro', shareType: 0, shareWith: 'carol', permissions: 1 });
    expect(ok.statusCode).toBe(200);
    expect(ok.ocs.data).toMatchObject({ uid_owner: 'bob', uid_file_owner: 'admin', permissions: 1 });
    await mkcol(t.app, '/remote.php/dav/files/admin/noshare');
    await share(t, ADMIN, { path: '/noshare', shareType: 0, shareWith: 'bob', permissions: 15 });
    const denied = await share(t, bob, { path: '/noshare', shareType: 3 });
    expect([denied.statusCode, denied.ocs.meta.message]).toEqual([404, 'You are not allowed to share noshare']);
    // The owner sees the reshare among the shares of their file.
    const reshares = await ocs(t.app, 'GET', `${SHARES}?reshares=true`);
    expect(reshares.ocs.data.some((s: any) => s.uid_owner === 'bob')).toBe(true);
  });

  it('records sharing and later changes in the activity of the sharer and the recipients', async () => {
    const dave = await newUser(t.app, 'dave');
    await mkcol(t.app, '/remote.php/dav/files/admin/forDave');
    await share(t, ADMIN, { path: '/forDave', shareType: 0, shareWith: 'dave' });
    await put(t.app, '/remote.php/dav/files/admin/forDave/new.txt', 'n');
    const mine = (await ocs(t.app, 'GET', '/apps/activity/api/v2/activity/files_sharing')).ocs.data.map((a: any) => a.subject);
    expect(mine).toContain('You shared forDave with dave');
    const his = (await ocs(t.app, 'GET', '/apps/activity/api/v2/activity', { as: dave })).ocs.data;
    expect(his.map((a: any) => [a.subject, a.object_name])).toEqual([
      ['admin created forDave/new.txt', '/forDave/new.txt'],
      ['admin shared forDave with you', '/forDave'],
    ]);
    // Nobody else hears of it.
    const heard = await ocs(t.app, 'GET', '/apps/activity/api/v2/activity', { as: carol });
    const carolHeard = heard.statusCode === 304 ? [] : heard.ocs.data.map((a: any) => a.object_name);
    expect(carolHeard).not.toContain('/forDave/new.txt');
  });

  it('drops shares made to a user or group that is deleted', async () => {
    await newUser(t.app, 'erin');
    await newGroup(t.app, 'temp');
    const u = (await share(t, ADMIN, { path: '/docs', shareType: 0, shareWith: 'erin' })).ocs.data.id;
    const g = (await share(t, ADMIN, { path: '/docs', shareType: 1, shareWith: 'temp' })).ocs.data.id;
    await ocs(t.app, 'DELETE', '/cloud/users/erin');
    await ocs(t.app, 'DELETE', '/cloud/groups/temp');
    expect((await ocs(t.app, 'GET', `${SHARES}/${u}`)).statusCode).toBe(404);
    expect((await ocs(t.app, 'GET', `${SHARES}/${g}`)).statusCode).toBe(404);
    // A new user of the same name does not inherit the share.
    const erin = await newUser(t.app, 'erin');
    expect((await ocs(t.app, 'GET', `${SHARES}?shared_with_me=true`, { as: erin })).ocs.data).toEqual([]);
  });

  it('answers the same share when asked to share again with the same recipient', async () => {
    const a = await share(t, ADMIN, { path: '/docs/a.txt', shareType: 0, shareWith: 'bob' });
    const b = await share(t, ADMIN, { path: '/docs/a.txt', shareType: 0, shareWith: 'bob' });
    expect(b.ocs.data.id).toBe(a.ocs.data.id);
  });
});

describe('OCS sharing: pending shares and admin policy', () => {
  let t: TestApp;
  let alice: Who;
  beforeAll(async () => {
    t = await buildTestApp('sqlite', {
      SHARE_AUTO_ACCEPT: 'false',
      SHARE_LINK_ENFORCE_PASSWORD: 'true',
      SHARE_LINK_DEFAULT_EXPIRE_DAYS: '7',
      SHARE_LINK_ENFORCE_EXPIRE: 'true',
      SHARE_ALLOW_GROUP_SHARING: 'false',
    });
    alice = await newUser(t.app, 'alice');
    await newGroup(t.app, 'g');
    await put(t.app, '/remote.php/dav/files/admin/f.txt', 'x');
  });
  afterAll(async () => t?.close());

  it('keeps a share pending until the recipient accepts it, and can decline', async () => {
    const s = (await share(t, ADMIN, { path: '/f.txt', shareType: 0, shareWith: 'alice' })).ocs.data;
    expect((await ocs(t.app, 'GET', `${SHARES}?shared_with_me=true`, { as: alice })).ocs.data).toEqual([]);
    const pending = await ocs(t.app, 'GET', `${SHARES}/pending`, { as: alice });
    expect(pending.ocs.data.map((p: any) => [p.id, p.permissions, p.path])).toEqual([[s.id, 0, '/f.txt']]);
    expect((await dav(t.app, 'GET', '/remote.php/dav/files/alice/f.txt', { as: alice })).statusCode).toBe(404);
    const accept = await ocs(t.app, 'POST', `${SHARES}/pending/${s.id}`, { as: alice });
    expect([accept.statusCode, accept.ocs.data]).toEqual([200, []]);
    expect((await ocs(t.app, 'GET', `${SHARES}?shared_with_me=true`, { as: alice })).ocs.data).toHaveLength(1);
    expect((await dav(t.app, 'GET', '/remote.php/dav/files/alice/f.txt', { as: alice })).body).toBe('x');
    expect((await ocs(t.app, 'DELETE', `${SHARES}/pending/${s.id}`, { as: alice })).statusCode).toBe(200);
    expect((await dav(t.app, 'GET', '/remote.php/dav/files/alice/f.txt', { as: alice })).statusCode).toBe(404);
    expect((await ocs(t.app, 'POST', `${SHARES}/pending/${s.id}`, { as: ADMIN })).statusCode).toBe(404);
  });

  it('announces the policy in the capabilities', async () => {
    const caps = (await ocs(t.app, 'GET', '/cloud/capabilities', { as: alice })).ocs.data.capabilities.files_sharing;
    expect(caps.public.password.enforced).toBe(true);
    expect(caps.public.expire_date).toEqual({ enabled: true, days: 7, enforced: true });
    expect([caps.group_sharing, caps.group.enabled]).toEqual([false, false]);
  });

  it('enforces link passwords and expiry, and the group sharing switch', async () => {
    const noPw = await share(t, ADMIN, { path: '/f.txt', shareType: 3 });
    expect([noPw.statusCode, noPw.ocs.meta.message]).toEqual([403, 'Passwords are enforced for link and mail shares']);
    const weak = await share(t, ADMIN, { path: '/f.txt', shareType: 3, password: '123' });
    expect(weak.statusCode).toBe(400);
    const ok = await share(t, ADMIN, { path: '/f.txt', shareType: 3, password: 'Long-Enough-Pass-1' });
    const inSeven = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    expect(ok.ocs.data.expiration).toBe(`${inSeven} 00:00:00`);
    const far = await share(t, ADMIN, { path: '/f.txt', shareType: 3, password: 'Long-Enough-Pass-1', expireDate: '2199-01-01' });
    expect([far.statusCode, far.ocs.meta.message]).toEqual([404, 'Cannot set expiration date more than 7 days in the future']);
    const none = await ocs(t.app, 'PUT', `${SHARES}/${ok.ocs.data.id}`, { body: { expireDate: '' } });
    expect([none.statusCode, none.ocs.meta.message]).toEqual([403, 'Expiration date is enforced']);
    const group = await share(t, ADMIN, { path: '/f.txt', shareType: 1, shareWith: 'g' });
    expect([group.statusCode, group.ocs.meta.message]).toEqual([404, 'Group sharing is disabled by the administrator']);
  });
});
