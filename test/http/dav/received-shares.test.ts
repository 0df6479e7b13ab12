import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { dav, expectDavError, mkcol, multistatus, PROPFIND_BODY, propfind, put } from './dav-helpers.js';

type Who = { user: string; password: string };
const SHARES = '/apps/files_sharing/api/v1/shares';
const home = (u: string, path = '') => `/remote.php/dav/files/${u}/${path}`;

describeEachDb('WebDAV: received shares are mounted in the recipient home with exactly their permissions', (kind) => {
  let t: TestApp;
  let alice: Who;
  let bob: Who;
  let carol: Who;
  const shareAs = async (path: string, perms: number, withUser = 'bob', type = 0) => {
    const res = await ocs(t.app, 'POST', SHARES, { as: alice, body: { path, shareType: type, shareWith: withUser, permissions: perms } });
    expect(res.statusCode, res.body).toBe(200);
    return res.ocs.data.id as string;
  };
  const folderWith = async (name: string) => {
    await mkcol(t.app, home('alice', name), { as: alice });
    await put(t.app, home('alice', `${name}/a.txt`), 'alice text', { as: alice });
    await mkcol(t.app, home('alice', `${name}/sub`), { as: alice });
  };

  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice');
    bob = await newUser(t.app, 'bob');
    carol = await newUser(t.app, 'carol');
    await newGroup(t.app, 'team');
    await ocs(t.app, 'POST', '/cloud/users/carol/groups', { body: { groupid: 'team' } });
  });
  afterAll(async () => t?.close());

  it('lists the mount in the recipient root with S and M permissions, and its content under the mount name', async () => {
    await folderWith('ro');
    await shareAs('/ro', 1);
    const root = multistatus(await propfind(t.app, home('bob'), ['oc:permissions', 'd:getetag', 'oc:size'], { as: bob, depth: '1' }));
    const entry = root.find((r) => r.href === '/remote.php/dav/files/bob/ro/');
    expect(entry, JSON.stringify(root.map((r) => r.href))).toBeDefined();
    expect(entry!.ok['oc:permissions']).toBe('SMGDNV');
    const inside = multistatus(await propfind(t.app, home('bob', 'ro/'), ['oc:permissions'], { as: bob, depth: '1' }));
    expect(inside.map((r) => r.href).sort()).toEqual(['/remote.php/dav/files/bob/ro/', '/remote.php/dav/files/bob/ro/a.txt', '/remote.php/dav/files/bob/ro/sub/']);
    expect(inside.find((r) => r.href.endsWith('a.txt'))!.ok['oc:permissions']).toBe('SG');
    expect((await dav(t.app, 'GET', home('bob', 'ro/a.txt'), { as: bob })).body).toBe('alice text');
  });

  it('refuses every write through a read-only share with 403, leaving the owner files as they were', async () => {
    const attempts: Array<[string, string, Record<string, string>?, string?]> = [
      ['PUT', 'ro/new.txt', {}, 'x'],
      ['PUT', 'ro/a.txt', {}, 'overwritten'],
      ['MKCOL', 'ro/newdir'],
      ['DELETE', 'ro/a.txt'],
      ['DELETE', 'ro/sub'],
      ['MOVE', 'ro/a.txt', { destination: home('bob', 'ro/b.txt') }],
      ['MOVE', 'ro/a.txt', { destination: home('bob', 'mine.txt') }],
      ['COPY', 'ro/a.txt', { destination: home('bob', 'ro/sub/c.txt') }],
      ['PROPPATCH', 'ro/a.txt', { 'content-type': 'application/xml' }, '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><x:a xmlns:x="urn:x">1</x:a></d:prop></d:set></d:propertyupdate>'],
      ['LOCK', 'ro/a.txt', { 'content-type': 'application/xml' }, '<?xml version="1.0"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockinfo>'],
    ];
    for (const [method, path, headers, body] of attempts) {
      const res = await dav(t.app, method, home('bob', path), { as: bob, headers, body });
      if (method === 'PROPPATCH') {
        expect(res.statusCode, `${method} ${path}`).toBe(207);
        expect(res.body).toContain('HTTP/1.1 403');
      } else expect(res.statusCode, `${method} ${path} ${res.body}`).toBe(403);
    }
    const own = multistatus(await propfind(t.app, home('alice', 'ro/'), ['d:getetag'], { as: alice, depth: '1' }));
    expect(own.map((r) => r.href).sort()).toEqual(['/remote.php/dav/files/alice/ro/', '/remote.php/dav/files/alice/ro/a.txt', '/remote.php/dav/files/alice/ro/sub/']);
    expect((await dav(t.app, 'GET', home('alice', 'ro/a.txt'), { as: alice })).body).toBe('alice text');
    // Reading out of the share into one's own files is a copy the recipient may make.
    expect((await dav(t.app, 'COPY', home('bob', 'ro/a.txt'), { as: bob, headers: { destination: home('bob', 'copy.txt') } })).statusCode).toBe(201);
  });

  it('grants create, update and delete separately', async () => {
    await folderWith('upd');
    await shareAs('/upd', 3);
    expect((await put(t.app, home('bob', 'upd/a.txt'), 'bob edit', { as: bob })).statusCode).toBe(204);
    expect((await dav(t.app, 'GET', home('alice', 'upd/a.txt'), { as: alice })).body).toBe('bob edit');
    expect((await put(t.app, home('bob', 'upd/new.txt'), 'x', { as: bob })).statusCode).toBe(403);
    expect((await dav(t.app, 'DELETE', home('bob', 'upd/a.txt'), { as: bob })).statusCode).toBe(403);
    // A rename in place needs update on the item; a move out of the folder needs delete.
    expect((await dav(t.app, 'MOVE', home('bob', 'upd/a.txt'), { as: bob, headers: { destination: home('bob', 'upd/sub/a.txt') } })).statusCode).toBe(403);

    await folderWith('crt');
    await shareAs('/crt', 5);
    expect((await put(t.app, home('bob', 'crt/new.txt'), 'x', { as: bob })).statusCode).toBe(201);
    expect((await mkcol(t.app, home('bob', 'crt/dir'), { as: bob })).statusCode).toBe(201);
    expect((await put(t.app, home('bob', 'crt/a.txt'), 'over', { as: bob })).statusCode).toBe(403);

    await folderWith('del');
    await shareAs('/del', 9);
    expect((await dav(t.app, 'DELETE', home('bob', 'del/a.txt'), { as: bob })).statusCode).toBe(204);
    expect((await dav(t.app, 'GET', home('alice', 'del/a.txt'), { as: alice })).statusCode).toBe(404);
    expect((await put(t.app, home('bob', 'del/x.txt'), 'x', { as: bob })).statusCode).toBe(403);
  });

  it('lets an all-permissions recipient work in the folder, counting against the owner quota', async () => {
    await folderWith('rw');
    await shareAs('/rw', 31);
    expect((await put(t.app, home('bob', 'rw/big.txt'), 'b'.repeat(1000), { as: bob })).statusCode).toBe(201);
    expect((await dav(t.app, 'MOVE', home('bob', 'rw/big.txt'), { as: bob, headers: { destination: home('bob', 'rw/sub/big.txt') } })).statusCode).toBe(201);
    expect((await dav(t.app, 'COPY', home('bob', 'copy.txt'), { as: bob, headers: { destination: home('bob', 'rw/copy.txt') } })).statusCode).toBe(201);
    expect((await dav(t.app, 'GET', home('alice', 'rw/copy.txt'), { as: alice })).body).toBe('alice text');
    const quota = async (u: Who) => Number(multistatus(await propfind(t.app, home(u.user), ['d:quota-used-bytes'], { as: u, depth: '0' }))[0]!.ok['d:quota-used-bytes']);
    expect(await quota(alice)).toBeGreaterThan(1000);
    expect(await quota(bob)).toBeLessThan(100);
    await ocs(t.app, 'PUT', '/cloud/users/alice', { body: { key: 'quota', value: String(await quota(alice) + 10) } });
    const full = await put(t.app, home('bob', 'rw/more.txt'), 'm'.repeat(100), { as: bob });
    expectDavError(full, 507, 'Sabre\\DAV\\Exception\\InsufficientStorage');
    await ocs(t.app, 'PUT', '/cloud/users/alice', { body: { key: 'quota', value: 'none' } });
  });

  it('lets a file share be read and, with update, written', async () => {
    await put(t.app, home('alice', 'note.md'), 'v1', { as: alice });
    await shareAs('/note.md', 3);
    expect((await dav(t.app, 'GET', home('bob', 'note.md'), { as: bob })).body).toBe('v1');
    expect((await put(t.app, home('bob', 'note.md'), 'v2', { as: bob })).statusCode).toBe(204);
    expect((await dav(t.app, 'GET', home('alice', 'note.md'), { as: alice })).body).toBe('v2');
  });

  it('reaches nothing outside the shared node, by any entry point', async () => {
    await put(t.app, home('alice', 'private.txt'), 'secret', { as: alice });
    expect((await dav(t.app, 'GET', home('bob', 'private.txt'), { as: bob })).statusCode).toBe(404);
    expect((await dav(t.app, 'GET', home('alice', 'private.txt'), { as: bob })).statusCode).toBe(404);
    expect((await propfind(t.app, '/remote.php/dav/spaces/alice/', null, { as: bob, depth: '1' })).statusCode).toBe(404);
    expect((await dav(t.app, 'GET', '/remote.php/dav/spaces/alice/private.txt', { as: bob })).statusCode).toBe(404);
    // inject resolves the dot segment before routing (the raw-socket traversal tests cover the 400); either way nothing leaks.
    expect([400, 404]).toContain((await dav(t.app, 'GET', home('bob', 'ro/%2e%2e/private.txt'), { as: bob })).statusCode);
    expect((await dav(t.app, 'GET', home('bob', 'ro/a.txt'), { as: carol })).statusCode).toBe(404);
  });

  it('reaches group members, and stops at once when the share expires or is deleted', async () => {
    await folderWith('grp');
    const id = await shareAs('/grp', 1, 'team', 1);
    expect((await dav(t.app, 'GET', home('carol', 'grp/a.txt'), { as: carol })).statusCode).toBe(200);
    await t.behindTheApp((db) => db.updateTable('shares').set({ expires_at: Date.now() - 1000 }).where('id', '=', Number(id)).execute());
    expect((await dav(t.app, 'GET', home('carol', 'grp/a.txt'), { as: carol })).statusCode).toBe(404);
    await t.behindTheApp((db) => db.updateTable('shares').set({ expires_at: null }).where('id', '=', Number(id)).execute());
    expect((await dav(t.app, 'GET', home('carol', 'grp/a.txt'), { as: carol })).statusCode).toBe(200);
    await ocs(t.app, 'DELETE', `${SHARES}/${id}`, { as: alice });
    expect((await dav(t.app, 'GET', home('carol', 'grp/a.txt'), { as: carol })).statusCode).toBe(404);
  });

  it('renames and leaves a mount point without touching the owner folder', async () => {
    await folderWith('mnt');
    await shareAs('/mnt', 31);
    expect((await dav(t.app, 'MOVE', home('bob', 'mnt'), { as: bob, headers: { destination: home('bob', 'renamed') } })).statusCode).toBe(201);
    expect((await dav(t.app, 'GET', home('bob', 'renamed/a.txt'), { as: bob })).statusCode).toBe(200);
    expect((await dav(t.app, 'GET', home('bob', 'mnt/a.txt'), { as: bob })).statusCode).toBe(404);
    const listed = (await ocs(t.app, 'GET', `${SHARES}?shared_with_me=true`, { as: bob })).ocs.data.map((s: any) => s.file_target);
    expect(listed).toContain('/renamed');
    await mkcol(t.app, home('bob', 'own'), { as: bob });
    expect((await dav(t.app, 'MOVE', home('bob', 'renamed'), { as: bob, headers: { destination: home('bob', 'own/inside') } })).statusCode).toBe(403);
    expect((await dav(t.app, 'DELETE', home('bob', 'renamed'), { as: bob })).statusCode).toBe(204);
    expect((await dav(t.app, 'GET', home('bob', 'renamed/a.txt'), { as: bob })).statusCode).toBe(404);
    expect((await dav(t.app, 'GET', home('alice', 'mnt/a.txt'), { as: alice })).statusCode).toBe(200);
  });

  it('names a second share of the same name apart', async () => {
    await mkcol(t.app, home('carol', 'Docs'), { as: carol });
    await mkcol(t.app, home('alice', 'Docs'), { as: alice });
    await put(t.app, home('alice', 'Docs/from-alice.txt'), 'a', { as: alice });
    await shareAs('/Docs', 1, 'carol');
    const names = multistatus(await propfind(t.app, home('carol'), ['d:resourcetype'], { as: carol, depth: '1' })).map((r) => r.href);
    expect(names).toContain('/remote.php/dav/files/carol/Docs/');
    expect(names).toContain('/remote.php/dav/files/carol/Docs%20(2)/');
    expect((await dav(t.app, 'GET', home('carol', 'Docs%20(2)/from-alice.txt'), { as: carol })).body).toBe('a');
  });

  it('shows oc:share-types to the sharer and the recipient, and ocs:share-permissions as the caller may reshare', async () => {
    await mkcol(t.app, home('alice', 'typed'), { as: alice });
    await put(t.app, home('alice', 'typed/plain.txt'), 'p', { as: alice });
    await put(t.app, home('alice', 'typed/linked.txt'), 'l', { as: alice });
    await shareAs('/typed', 17);
    await shareAs('/typed', 1, 'team', 1);
    expect((await ocs(t.app, 'POST', SHARES, { as: alice, body: { path: '/typed/linked.txt', shareType: 3 } })).statusCode).toBe(200);
    const body = PROPFIND_BODY(['oc:share-types', 'ocs:share-permissions'], ' xmlns:ocs="http://open-collaboration-services.org/ns"');
    const own = multistatus(await dav(t.app, 'PROPFIND', home('alice', 'typed/'), { as: alice, depth: '1', body }));
    const types = (href: string, list = own) => {
      const v = list.find((r) => r.href.endsWith(href))!.ok['oc:share-types'] as any;
      return v === '' ? [] : [v['oc:share-type']].flat().map(Number);
    };
    expect(types('/typed/')).toEqual([0, 1]);
    expect(types('/typed/linked.txt')).toEqual([3]);
    expect(types('/typed/plain.txt')).toEqual([]);
    const perm = (href: string, list: typeof own) => (list.find((r) => r.href.endsWith(href))!.ok['x1:share-permissions'] as any)['#text'];
    expect(perm('/typed/', own)).toBe('31');
    expect(perm('/typed/plain.txt', own)).toBe('19');

    // Bob sees the share he received (type 0) on his mount, and may reshare read only; Carol's group share is pending-free too.
    const bobs = multistatus(await dav(t.app, 'PROPFIND', home('bob'), { as: bob, depth: '1', body }));
    expect(types('/bob/typed/', bobs)).toEqual([0]);
    expect(perm('/bob/typed/', bobs)).toBe('17');
    const carols = multistatus(await dav(t.app, 'PROPFIND', home('carol'), { as: carol, depth: '1', body }));
    expect(types('/carol/typed/', carols)).toEqual([1]);
    expect(perm('/carol/typed/', carols)).toBe('0');
  });

  it('takes reshares down with the share they came from', async () => {
    await folderWith('chain');
    const bobsShare = await shareAs('/chain', 31);
    const reshare = await ocs(t.app, 'POST', SHARES, { as: bob, body: { path: '/chain', shareType: 0, shareWith: 'carol', permissions: 1 } });
    expect(reshare.statusCode, reshare.body).toBe(200);
    const link = await ocs(t.app, 'POST', SHARES, { as: bob, body: { path: '/chain/a.txt', shareType: 3 } });
    expect(link.statusCode, link.body).toBe(200);
    const basicFor = (token: string) => ({ authorization: `Basic ${Buffer.from(`${token}:`).toString('base64')}` });
    expect((await dav(t.app, 'GET', home('carol', 'chain/a.txt'), { as: carol })).body).toBe('alice text');
    expect((await t.app.inject({ method: 'GET', url: '/public.php/webdav/', headers: basicFor(link.ocs.data.token) })).statusCode).toBe(200);

    expect((await ocs(t.app, 'DELETE', `${SHARES}/${bobsShare}`, { as: alice })).statusCode).toBe(200);
    expect((await dav(t.app, 'GET', home('carol', 'chain/a.txt'), { as: carol })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/public.php/webdav/', headers: basicFor(link.ocs.data.token) })).statusCode).toBe(401);
    const carolsList = (await ocs(t.app, 'GET', `${SHARES}?shared_with_me=true`, { as: carol })).ocs.data.map((x: any) => x.id);
    expect(carolsList).not.toContain(reshare.ocs.data.id);
    expect((await ocs(t.app, 'GET', `${SHARES}/${reshare.ocs.data.id}`, { as: bob })).statusCode).toBe(404);
  });

  it('stops a reshare at once when its sharer leaves the group it came through', async () => {
    await folderWith('viagroup');
    await shareAs('/viagroup', 31, 'team', 1);
    const reshare = await ocs(t.app, 'POST', SHARES, { as: carol, body: { path: '/viagroup', shareType: 0, shareWith: 'bob', permissions: 1 } });
    expect(reshare.statusCode, reshare.body).toBe(200);
    expect((await dav(t.app, 'GET', home('bob', 'viagroup/a.txt'), { as: bob })).body).toBe('alice text');
    expect((await ocs(t.app, 'DELETE', '/cloud/users/carol/groups', { body: { groupid: 'team' } })).statusCode).toBe(200);
    expect((await dav(t.app, 'GET', home('bob', 'viagroup/a.txt'), { as: bob })).statusCode).toBe(404);
  });
});
