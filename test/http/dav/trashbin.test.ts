import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { dav, expectDavError, mkcol, multistatus, PROPFIND_BODY, propfind, put } from './dav-helpers.js';

type Who = { user: string; password: string };
const home = (u: string, path = '') => `/remote.php/dav/files/${u}/${path}`;
const trash = (u: string, path = '') => `/remote.php/dav/trashbin/${u}/trash${path ? `/${path}` : ''}`;
const restoreTo = (u: string, name: string) => `/remote.php/dav/trashbin/${u}/restore/${encodeURIComponent(name)}`;
const TRASH_PROPS = [
  'nc:trashbin-filename', 'nc:trashbin-original-location', 'nc:trashbin-deletion-time', 'nc:trashbin-deleted-by-id', 'nc:trashbin-deleted-by-display-name',
  'd:getcontentlength', 'd:resourcetype', 'oc:fileid', 'oc:size', 'oc:permissions', 'd:getetag',
];

describeEachDb('WebDAV trash bin (Nextcloud trashbin endpoints)', (kind) => {
  let t: TestApp;
  let alice: Who;
  let bob: Who;
  let carol: Who;

  const listTrash = async (who: Who) => {
    const res = await propfind(t.app, trash(who.user), TRASH_PROPS, { as: who, depth: '1' });
    return multistatus(res).slice(1);
  };
  const itemNamed = async (who: Who, original: string) => {
    const items = await listTrash(who);
    const found = items.find((i) => i.ok['nc:trashbin-original-location'] === original);
    expect(found, JSON.stringify(items.map((i) => i.ok))).toBeDefined();
    return found!;
  };
  const trashName = (href: string) => decodeURIComponent(href.replace(/\/$/, '').split('/').pop()!);
  const quotaUsed = async (who: Who) => Number(multistatus(await propfind(t.app, home(who.user), ['d:quota-used-bytes'], { as: who }))[0]!.ok['d:quota-used-bytes']);
  const storedLiveSize = async (spaceId: string) =>
    Number((await t.db.selectFrom('nodes').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size'), eb.lit(0)).as('total')).where('space_id', '=', spaceId).where('type', '=', 'file').executeTakeFirst())!.total);

  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice', { displayName: 'Alice Liddell' });
    bob = await newUser(t.app, 'bob');
    carol = await newUser(t.app, 'carol');
  });
  afterAll(async () => t?.close());

  it('moves a deleted file to the trash with where it was, when and by whom; restore brings the same file back', async () => {
    await mkcol(t.app, home('alice', 'docs'), { as: alice });
    expect((await put(t.app, home('alice', 'docs/report.txt'), 'quarterly numbers', { as: alice })).statusCode).toBe(201);
    const fileId = multistatus(await propfind(t.app, home('alice', 'docs/report.txt'), ['oc:fileid'], { as: alice }))[0]!.ok['oc:fileid'];
    const before = await quotaUsed(alice);
    const t0 = Math.floor(Date.now() / 1000);
    expect((await dav(t.app, 'DELETE', home('alice', 'docs/report.txt'), { as: alice })).statusCode).toBe(204);
    expect((await dav(t.app, 'GET', home('alice', 'docs/report.txt'), { as: alice })).statusCode).toBe(404);
    expect(await quotaUsed(alice)).toBe(before - 'quarterly numbers'.length);

    const item = await itemNamed(alice, 'docs/report.txt');
    const name = trashName(item.href);
    expect(name).toMatch(/^report\.txt\.d\d+$/);
    expect(Number(name.split('.d').pop())).toBeGreaterThanOrEqual(t0);
    expect(item.ok['nc:trashbin-filename']).toBe('report.txt');
    expect(Number(item.ok['nc:trashbin-deletion-time'])).toBeGreaterThanOrEqual(t0);
    expect(item.ok['nc:trashbin-deleted-by-id']).toBe('alice');
    expect(item.ok['nc:trashbin-deleted-by-display-name']).toBe('Alice Liddell');
    expect(item.ok['d:getcontentlength']).toBe(String('quarterly numbers'.length));
    expect(item.ok['oc:fileid']).toBe(fileId);
    expect(item.ok['oc:permissions']).toBe('GD');

    const got = await dav(t.app, 'GET', trash('alice', name), { as: alice });
    expect(got.statusCode).toBe(200);
    expect(got.body).toBe('quarterly numbers');
    expect(got.headers['content-disposition']).toContain('report.txt');

    const res = await dav(t.app, 'MOVE', trash('alice', name), { as: alice, headers: { destination: `http://nimbus.test${restoreTo('alice', name)}` } });
    expect(res.statusCode, res.body).toBe(201);
    expect((await dav(t.app, 'GET', home('alice', 'docs/report.txt'), { as: alice })).body).toBe('quarterly numbers');
    expect(multistatus(await propfind(t.app, home('alice', 'docs/report.txt'), ['oc:fileid'], { as: alice }))[0]!.ok['oc:fileid']).toBe(fileId);
    expect(await quotaUsed(alice)).toBe(before);
    expect(await listTrash(alice)).toEqual([]);
  });

  it('trashes a folder as a whole: browsable inside, members readable, restored with its content, dead properties kept', async () => {
    await mkcol(t.app, home('alice', 'album'), { as: alice });
    await mkcol(t.app, home('alice', 'album/2024'), { as: alice });
    await put(t.app, home('alice', 'album/2024/a.jpg'), 'AAAA', { as: alice });
    await put(t.app, home('alice', 'album/b.jpg'), 'BB', { as: alice });
    const patch = '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><x:tag xmlns:x="urn:x">kept</x:tag></d:prop></d:set></d:propertyupdate>';
    expect((await dav(t.app, 'PROPPATCH', home('alice', 'album/b.jpg'), { as: alice, body: patch })).statusCode).toBe(207);
    expect((await dav(t.app, 'DELETE', home('alice', 'album'), { as: alice })).statusCode).toBe(204);
    const item = await itemNamed(alice, 'album');
    expect(item.ok['d:resourcetype']).toEqual({ 'd:collection': '' });
    expect(item.ok['oc:size']).toBe('6');
    expect(item.href).toMatch(/\/album\.d\d+\/$/);
    const name = trashName(item.href);

    const inside = multistatus(await propfind(t.app, trash('alice', `${name}/`), TRASH_PROPS, { as: alice, depth: '1' }));
    expect(inside.map((r) => r.href).sort()).toEqual([trash('alice', `${name}/`), trash('alice', `${name}/2024/`), trash('alice', `${name}/b.jpg`)].sort());
    expect(inside.find((r) => r.href.endsWith('b.jpg'))!.ok['nc:trashbin-original-location']).toBe('album/b.jpg');
    expect((await dav(t.app, 'GET', trash('alice', `${name}/2024/a.jpg`), { as: alice })).body).toBe('AAAA');
    expect((await dav(t.app, 'GET', trash('alice', `${name}/nope.jpg`), { as: alice })).statusCode).toBe(404);

    const res = await dav(t.app, 'MOVE', trash('alice', name), { as: alice, headers: { destination: restoreTo('alice', name) } });
    expect(res.statusCode, res.body).toBe(201);
    expect((await dav(t.app, 'GET', home('alice', 'album/2024/a.jpg'), { as: alice })).body).toBe('AAAA');
    const props = multistatus(await dav(t.app, 'PROPFIND', home('alice', 'album/b.jpg'), { as: alice, depth: '0', body: PROPFIND_BODY(['x:tag'], ' xmlns:x="urn:x"') }));
    expect((props[0]!.ok['x1:tag'] as { '#text': string })['#text']).toBe('kept');
    expect(multistatus(await propfind(t.app, home('alice', 'album'), ['oc:size'], { as: alice }))[0]!.ok['oc:size']).toBe('6');
  });

  it('restores onto a taken name as "name (restored)", and at the root when the folder is gone', async () => {
    await put(t.app, home('alice', 'notes.md'), 'old', { as: alice });
    await dav(t.app, 'DELETE', home('alice', 'notes.md'), { as: alice });
    await put(t.app, home('alice', 'notes.md'), 'new', { as: alice });
    const first = trashName((await itemNamed(alice, 'notes.md')).href);
    expect((await dav(t.app, 'MOVE', trash('alice', first), { as: alice, headers: { destination: restoreTo('alice', first) } })).statusCode).toBe(201);
    expect((await dav(t.app, 'GET', home('alice', 'notes (restored).md'), { as: alice })).body).toBe('old');
    expect((await dav(t.app, 'GET', home('alice', 'notes.md'), { as: alice })).body).toBe('new');

    await mkcol(t.app, home('alice', 'gone'), { as: alice });
    await put(t.app, home('alice', 'gone/orphan.txt'), 'orphan', { as: alice });
    await dav(t.app, 'DELETE', home('alice', 'gone/orphan.txt'), { as: alice });
    await dav(t.app, 'DELETE', home('alice', 'gone'), { as: alice });
    const orphan = trashName((await itemNamed(alice, 'gone/orphan.txt')).href);
    expect((await dav(t.app, 'MOVE', trash('alice', orphan), { as: alice, headers: { destination: restoreTo('alice', orphan) } })).statusCode).toBe(201);
    expect((await dav(t.app, 'GET', home('alice', 'orphan.txt'), { as: alice })).body).toBe('orphan');
  });

  it('purges one item and empties the trash; quota.used stays the sum of the stored files and the blobs go', async () => {
    await put(t.app, home('alice', 'p1.txt'), '11111', { as: alice });
    await put(t.app, home('alice', 'p2.txt'), '22222', { as: alice });
    await put(t.app, home('alice', 'p3.txt'), '33333', { as: alice });
    for (const n of ['p1.txt', 'p2.txt', 'p3.txt']) await dav(t.app, 'DELETE', home('alice', n), { as: alice });
    const p1 = trashName((await itemNamed(alice, 'p1.txt')).href);
    expect((await dav(t.app, 'DELETE', trash('alice', p1), { as: alice })).statusCode).toBe(204);
    expect((await listTrash(alice)).some((i) => i.ok['nc:trashbin-original-location'] === 'p1.txt')).toBe(false);
    expectDavError(await dav(t.app, 'DELETE', trash('alice', p1), { as: alice }), 404, 'Sabre\\DAV\\Exception\\NotFound');
    expect((await dav(t.app, 'DELETE', trash('alice'), { as: alice })).statusCode).toBe(204);
    expect(await listTrash(alice)).toEqual([]);
    expect(await t.db.selectFrom('trash_nodes').select('id').where('space_id', '=', 'alice').execute()).toEqual([]);
    expect(await quotaUsed(alice)).toBe(await storedLiveSize('alice'));
    const blobs = await t.db.selectFrom('blob_journal').select('blob_id').execute();
    expect(blobs).toEqual([]);
  });

  it('a recipient deleting inside a shared folder sends it to the owner trash; leaving the share is an unshare', async () => {
    await mkcol(t.app, home('alice', 'shared'), { as: alice });
    await put(t.app, home('alice', 'shared/doc.txt'), 'shared doc', { as: alice });
    await put(t.app, home('alice', 'shared/keep.txt'), 'keep', { as: alice });
    const editShare = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: alice, body: { path: '/shared', shareType: 0, shareWith: 'bob', permissions: 15 } });
    expect(editShare.statusCode, editShare.body).toBe(200);
    const readShare = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: alice, body: { path: '/shared', shareType: 0, shareWith: 'carol', permissions: 1 } });
    expect(readShare.statusCode, readShare.body).toBe(200);

    expectDavError(await dav(t.app, 'DELETE', home('carol', 'shared/keep.txt'), { as: carol }), 403);
    expect((await dav(t.app, 'DELETE', home('bob', 'shared/doc.txt'), { as: bob })).statusCode).toBe(204);
    const item = await itemNamed(alice, 'shared/doc.txt');
    expect(item.ok['nc:trashbin-deleted-by-id']).toBe('bob');
    expect(await listTrash(bob)).toEqual([]);
    // Recipients, with edit or read, reach none of the owner's trash, by either family's endpoint.
    for (const who of [bob, carol]) {
      expectDavError(await propfind(t.app, trash('alice'), TRASH_PROPS, { as: who, depth: '1' }), 404);
      expectDavError(await propfind(t.app, '/remote.php/dav/spaces/trash-bin/alice', null, { as: who, depth: '1' }), 404);
      expectDavError(await dav(t.app, 'DELETE', '/remote.php/dav/spaces/trash-bin/alice', { as: who }), 404);
    }

    expect((await dav(t.app, 'DELETE', home('bob', 'shared'), { as: bob })).statusCode).toBe(204);
    expect((await dav(t.app, 'GET', home('alice', 'shared/keep.txt'), { as: alice })).body).toBe('keep');
    expect((await listTrash(alice)).some((i) => i.ok['nc:trashbin-original-location'] === 'shared')).toBe(false);
  });

  it('a public link with delete rights deletes into the owner trash', async () => {
    await mkcol(t.app, home('alice', 'drop'), { as: alice });
    await put(t.app, home('alice', 'drop/public.txt'), 'pub', { as: alice });
    const link = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: alice, body: { path: '/drop', shareType: 3, permissions: 15 } });
    expect(link.statusCode, link.body).toBe(200);
    const token = link.ocs.data.token as string;
    const res = await dav(t.app, 'DELETE', `/public.php/dav/files/${token}/public.txt`, { as: null });
    expect(res.statusCode, res.body).toBe(204);
    const item = await itemNamed(alice, 'drop/public.txt');
    expect(item.ok['nc:trashbin-deleted-by-display-name']).toBe('');
    // The link opens its own tree only: the trash bins are no public entry point, and its token is no user.
    expectDavError(await dav(t.app, 'PROPFIND', trash('alice'), { as: { user: token, password: '' }, depth: '1' }), 401);
    expect((await dav(t.app, 'PROPFIND', `/public.php/dav/files/${token}/trash`, { as: null, depth: '0' })).statusCode).toBe(404);
  });

  it('answers the collections and refuses what is not served, with Sabre errors', async () => {
    const root = multistatus(await propfind(t.app, '/remote.php/dav/trashbin/alice', ['d:resourcetype'], { as: alice, depth: '1' }));
    expect(root.map((r) => r.href)).toEqual(['/remote.php/dav/trashbin/alice/', '/remote.php/dav/trashbin/alice/trash/', '/remote.php/dav/trashbin/alice/restore/']);
    const restore = multistatus(await propfind(t.app, '/remote.php/dav/trashbin/alice/restore', ['d:resourcetype'], { as: alice, depth: '1' }));
    expect(restore).toHaveLength(1);
    await put(t.app, home('alice', 'e.txt'), 'e', { as: alice });
    await dav(t.app, 'DELETE', home('alice', 'e.txt'), { as: alice });
    const name = trashName((await itemNamed(alice, 'e.txt')).href);

    expectDavError(await propfind(t.app, trash('alice'), null, { as: alice, depth: 'infinity' }), 403);
    expectDavError(await dav(t.app, 'MOVE', trash('alice', name), { as: alice }), 400);
    expectDavError(await dav(t.app, 'MOVE', trash('alice', name), { as: alice, headers: { destination: home('alice', 'e.txt') } }), 403);
    expectDavError(await dav(t.app, 'MOVE', trash('alice', 'missing.d1'), { as: alice, headers: { destination: restoreTo('alice', 'missing.d1') } }), 404);
    expectDavError(await dav(t.app, 'PUT', trash('alice', 'x.txt'), { as: alice, body: 'x' }), 405);
    expectDavError(await dav(t.app, 'DELETE', '/remote.php/dav/trashbin/alice/restore', { as: alice }), 403);
    expectDavError(await propfind(t.app, '/remote.php/dav/trashbin/alice/other', null, { as: alice }), 404);
    expectDavError(await dav(t.app, 'PROPFIND', trash('alice'), { as: alice, body: '<nope' }), 400);

    // Someone else's trash does not exist for the caller; without credentials nothing is answered.
    for (const [method, extra] of [['PROPFIND', {}], ['GET', {}], ['DELETE', {}], ['MOVE', { destination: restoreTo('alice', name) }]] as const) {
      expectDavError(await dav(t.app, method, trash('alice', name), { as: bob, headers: extra, depth: '0' }), 404);
      expectDavError(await dav(t.app, method, trash('alice', name), { as: null, headers: extra }), 401);
    }
    expectDavError(await dav(t.app, 'DELETE', trash('alice'), { as: bob }), 404);
    expect((await listTrash(alice)).some((i) => trashName(i.href) === name)).toBe(true);
  });

  it('a MOVE or COPY with Overwrite keeps a replaced file as a version of its successor, and sends a replaced folder to the trash', async () => {
    await put(t.app, home('alice', 'target.txt'), 'replaced by move', { as: alice });
    await put(t.app, home('alice', 'source.txt'), 'the mover', { as: alice });
    expect((await dav(t.app, 'MOVE', home('alice', 'source.txt'), { as: alice, headers: { destination: home('alice', 'target.txt') } })).statusCode).toBe(204);
    // An overwrite, as a PUT: the old content is the newest version of the file now at the path, not a trash item.
    expect((await listTrash(alice)).some((i) => i.ok['nc:trashbin-original-location'] === 'target.txt')).toBe(false);
    const fileId = multistatus(await propfind(t.app, home('alice', 'target.txt'), ['oc:fileid'], { as: alice }))[0]!.ok['oc:fileid'];
    const versions = multistatus(await dav(t.app, 'PROPFIND', `/remote.php/dav/versions/alice/versions/${fileId}`, { as: alice, depth: '1' }));
    const bodies = await Promise.all(versions.slice(1).map(async (v) => (await dav(t.app, 'GET', v.href, { as: alice })).body));
    expect(bodies).toContain('replaced by move');
    await dav(t.app, 'MKCOL', home('alice', 'folder-target'), { as: alice });
    await put(t.app, home('alice', 'folder-target/inside.txt'), 'replaced by copy', { as: alice });
    expect((await dav(t.app, 'COPY', home('alice', 'target.txt'), { as: alice, headers: { destination: home('alice', 'folder-target') } })).statusCode).toBe(204);
    const copied = await itemNamed(alice, 'folder-target');
    expect((await dav(t.app, 'GET', `${trash('alice', trashName(copied.href))}/inside.txt`, { as: alice })).body).toBe('replaced by copy');
    expect((await dav(t.app, 'GET', home('alice', 'folder-target'), { as: alice })).body).toBe('the mover');
    expect(await quotaUsed(alice)).toBe(await storedLiveSize('alice'));
  });

  it('announces the trash bin in the capabilities', async () => {
    const caps = (await ocs(t.app, 'GET', '/cloud/capabilities', { as: alice })).ocs.data.capabilities;
    expect(caps.files.undelete).toBe(true);
    expect(caps.files.delete_from_trash).toBe(true);
  });
});

