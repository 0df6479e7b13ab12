import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_MEMBER_RULES } from '../../../src/services/spaces/space-members.service.js';
import { ADMIN, basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { dav, expectDavError, multistatus, propfind, put } from './dav-helpers.js';

type Who = { user: string; password: string };
const SHARES = '/apps/files_sharing/api/v1/shares';
const home = (u: string, p = '') => `/remote.php/dav/files/${u}/${p}`;
const vroot = (u: string) => `/remote.php/dav/versions/${u}`;
const LABEL_BODY = (label: string) =>
  `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:nc="http://nextcloud.org/ns"><d:set><d:prop><nc:version-label>${label}</nc:version-label></d:prop></d:set></d:propertyupdate>`;

describeEachDb('WebDAV: file versions (Nextcloud versions tree, oCIS meta)', (kind) => {
  let t: TestApp;
  let alice: Who;
  let bob: Who;
  let carol: Who;
  let dave: Who;

  const fileIdOf = async (who: Who, p: string): Promise<number> => Number(multistatus(await propfind(t.app, home(who.user, p), ['oc:fileid'], { as: who }))[0]!.ok['oc:fileid']);
  /** The earlier versions: the answer lists the collection, then the current content (as Nextcloud does), then those. */
  const listVersions = async (who: Who, fileId: number) =>
    multistatus(await propfind(t.app, `${vroot(who.user)}/versions/${fileId}`, ['d:getcontentlength', 'd:getlastmodified', 'd:getetag', 'nc:version-label', 'nc:version-author'], { as: who, depth: '1' })).slice(2);
  const versionRows = (fileNodeId: string) => t.db.selectFrom('file_versions').selectAll().where('node_id', '=', fileNodeId).execute();
  const nodeOf = (fileId: number) => t.db.selectFrom('nodes').selectAll().where('file_id', '=', fileId).executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice');
    bob = await newUser(t.app, 'bob');
    carol = await newUser(t.app, 'carol');
    dave = await newUser(t.app, 'dave');
  });
  afterAll(async () => t?.close());

  it('keeps the replaced content of a PUT as a version that holds the old blob, with its size, mtime and author', async () => {
    await put(t.app, home('alice', 'a.txt'), 'first', { as: alice, headers: { 'x-oc-mtime': '1700000000' } });
    const id = await fileIdOf(alice, 'a.txt');
    const before = await nodeOf(id);
    await put(t.app, home('alice', 'a.txt'), 'second!', { as: alice });
    const rows = await versionRows(before.id);
    expect(rows).toHaveLength(1);
    // The version took the blob over: no bytes were copied.
    expect(rows[0]!.blob_id).toBe(before.blob_id);
    expect(Number(rows[0]!.revision)).toBe(1700000000);
    const list = await listVersions(alice, id);
    expect(list.map((r) => r.href)).toEqual([`${vroot('alice')}/versions/${id}/1700000000`]);
    expect(list[0]!.ok['d:getcontentlength']).toBe('5');
    expect(list[0]!.ok['d:getlastmodified']).toBe(new Date(1700000000 * 1000).toUTCString());
    expect(list[0]!.ok['nc:version-author']).toBe('alice');
    expect(list[0]!.failed[404]).toContain('nc:version-label');
    const got = await dav(t.app, 'GET', `${vroot('alice')}/versions/${id}/1700000000`, { as: alice });
    expect(got.statusCode).toBe(200);
    expect(got.body).toBe('first');
    expect(got.headers['content-disposition']).toContain('a.txt');
    expect((await dav(t.app, 'GET', home('alice', 'a.txt'), { as: alice })).body).toBe('second!');
  });

  it('lists the current content first, named by its mtime, readable, not deletable, restoring it changes nothing', async () => {
    const id = await fileIdOf(alice, 'a.txt');
    const node = await nodeOf(id);
    const all = multistatus(await propfind(t.app, `${vroot('alice')}/versions/${id}`, ['d:getcontentlength', 'd:getetag', 'nc:version-author'], { as: alice, depth: '1' }));
    const current = `${vroot('alice')}/versions/${id}/${Math.floor(Number(node.mtime) / 1000)}`;
    expect(all.map((r) => r.href)).toEqual([`${vroot('alice')}/versions/${id}/`, current, `${vroot('alice')}/versions/${id}/1700000000`]);
    expect(all[1]!.ok).toMatchObject({ 'd:getcontentlength': '7', 'd:getetag': current.split('/').pop(), 'nc:version-author': 'alice' });
    expect((await dav(t.app, 'GET', current, { as: alice })).body).toBe('second!');
    expectDavError(await dav(t.app, 'DELETE', current, { as: alice }), 403);
    expect((await dav(t.app, 'MOVE', current, { as: alice, headers: { destination: `${vroot('alice')}/restore/target` } })).statusCode).toBe(201);
    expect((await versionRows(node.id)).length).toBe(1);
    expect((await dav(t.app, 'GET', home('alice', 'a.txt'), { as: alice })).body).toBe('second!');
  });

  it('does not count versions in quota.used: the space size is the current files only', async () => {
    const space = await t.db.selectFrom('spaces').select('size').where('id', '=', 'alice').executeTakeFirstOrThrow();
    expect(Number(space.size)).toBe(7);
    const quota = multistatus(await propfind(t.app, home('alice'), ['d:quota-used-bytes'], { as: alice }))[0]!;
    expect(quota.ok['d:quota-used-bytes']).toBe('7');
  });

  it('labels a version by PROPPATCH, removes the label with an empty one, and refuses other properties (403, 424)', async () => {
    const id = await fileIdOf(alice, 'a.txt');
    const url = `${vroot('alice')}/versions/${id}/1700000000`;
    const set = multistatus(await dav(t.app, 'PROPPATCH', url, { as: alice, body: LABEL_BODY('Draft &amp; final') }));
    expect(set[0]!.propstats[0]!.status).toBe(200);
    expect((await listVersions(alice, id))[0]!.ok['nc:version-label']).toBe('Draft & final');
    const mixed = multistatus(
      await dav(t.app, 'PROPPATCH', url, {
        as: alice,
        body: '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:nc="http://nextcloud.org/ns"><d:set><d:prop><nc:version-label>x</nc:version-label><d:getetag>1</d:getetag></d:prop></d:set></d:propertyupdate>',
      }),
    );
    expect(mixed[0]!.failed[403]).toEqual(['d:getetag']);
    expect(mixed[0]!.failed[424]).toEqual(['nc:version-label']);
    expect((await listVersions(alice, id))[0]!.ok['nc:version-label']).toBe('Draft & final');
    multistatus(await dav(t.app, 'PROPPATCH', url, { as: alice, body: LABEL_BODY('') }));
    expect((await listVersions(alice, id))[0]!.failed[404]).toContain('nc:version-label');
    expectDavError(await dav(t.app, 'PROPPATCH', url, { as: alice, body: '<nope' }), 400);
  });

  it('restores a version by MOVE to restore/target: the current content becomes a version, nothing is copied, quota stays true', async () => {
    const id = await fileIdOf(alice, 'a.txt');
    const current = await nodeOf(id);
    const [old] = await versionRows(current.id);
    const res = await dav(t.app, 'MOVE', `${vroot('alice')}/versions/${id}/1700000000`, { as: alice, headers: { destination: `http://nimbus.test${vroot('alice')}/restore/target` } });
    expect(res.statusCode, res.body).toBe(201);
    expect((await dav(t.app, 'GET', home('alice', 'a.txt'), { as: alice })).body).toBe('first');
    const after = await nodeOf(id);
    expect(after.blob_id).toBe(old!.blob_id);
    expect(Number(after.mtime)).toBe(1700000000 * 1000);
    const rows = await versionRows(current.id);
    expect(rows.map((r) => r.blob_id)).toEqual([current.blob_id]);
    const space = await t.db.selectFrom('spaces').select('size').where('id', '=', 'alice').executeTakeFirstOrThrow();
    expect(Number(space.size)).toBe(5);
    // Restored, that content is the current one again, listed under its name as the current version.
    const all = multistatus(await propfind(t.app, `${vroot('alice')}/versions/${id}`, ['d:getcontentlength'], { as: alice, depth: '1' }));
    expect(all[1]!.href).toBe(`${vroot('alice')}/versions/${id}/1700000000`);
    expect(all).toHaveLength(3);
    expect((await dav(t.app, 'GET', `${vroot('alice')}/versions/${id}/1700000000`, { as: alice })).body).toBe('first');
  });

  it('deletes a version (204) and its blob', async () => {
    await put(t.app, home('alice', 'd.txt'), 'one', { as: alice, headers: { 'x-oc-mtime': '1600000000' } });
    await put(t.app, home('alice', 'd.txt'), 'two', { as: alice });
    const id = await fileIdOf(alice, 'd.txt');
    const [row] = await versionRows((await nodeOf(id)).id);
    expect(await t.stored.has(row!.blob_id)).toBe(true);
    expect((await dav(t.app, 'DELETE', `${vroot('alice')}/versions/${id}/1600000000`, { as: alice })).statusCode).toBe(204);
    expect(await listVersions(alice, id)).toEqual([]);
    expect(await t.stored.has(row!.blob_id)).toBe(false);
    expectDavError(await dav(t.app, 'DELETE', `${vroot('alice')}/versions/${id}/1600000000`, { as: alice }), 404);
  });

  it('versions the final MOVE of a chunked upload and COPY or MOVE onto an existing file', async () => {
    await put(t.app, home('alice', 'c.bin'), 'before chunks', { as: alice });
    const id = await fileIdOf(alice, 'c.bin');
    await dav(t.app, 'MKCOL', '/remote.php/dav/uploads/alice/up1', { as: alice, headers: { destination: home('alice', 'c.bin') } });
    await put(t.app, '/remote.php/dav/uploads/alice/up1/1', 'chunk-a ', { as: alice });
    await put(t.app, '/remote.php/dav/uploads/alice/up1/2', 'chunk-b', { as: alice });
    const moved = await dav(t.app, 'MOVE', '/remote.php/dav/uploads/alice/up1/.file', { as: alice, headers: { destination: home('alice', 'c.bin') } });
    expect(moved.statusCode, moved.body).toBe(204);
    const chunkVersions = await listVersions(alice, id);
    expect(chunkVersions).toHaveLength(1);
    expect((await dav(t.app, 'GET', chunkVersions[0]!.href, { as: alice })).body).toBe('before chunks');

    // MOVE src onto c.bin: the node now at c.bin is src's, and it carries c.bin's history with its last content.
    await put(t.app, home('alice', 'src.txt'), 'moved in', { as: alice });
    const srcId = await fileIdOf(alice, 'src.txt');
    expect((await dav(t.app, 'MOVE', home('alice', 'src.txt'), { as: alice, headers: { destination: home('alice', 'c.bin') } })).statusCode).toBe(204);
    const afterMove = await listVersions(alice, srcId);
    expect(afterMove).toHaveLength(2);
    const bodies = await Promise.all(afterMove.map(async (r) => (await dav(t.app, 'GET', r.href, { as: alice })).body));
    expect(bodies.sort()).toEqual(['before chunks', 'chunk-a chunk-b']);

    // COPY onto it: the copy takes over the history and the replaced content.
    await put(t.app, home('alice', 'other.txt'), 'copied over', { as: alice });
    expect((await dav(t.app, 'COPY', home('alice', 'other.txt'), { as: alice, headers: { destination: home('alice', 'c.bin') } })).statusCode).toBe(204);
    const copyId = await fileIdOf(alice, 'c.bin');
    expect(copyId).not.toBe(srcId);
    const afterCopy = await listVersions(alice, copyId);
    expect(afterCopy).toHaveLength(3);
    expect((await dav(t.app, 'GET', afterCopy[0]!.href, { as: alice })).body).toBe('moved in');
    // The copy's content was written by whoever copied it: named when it becomes a version.
    expect((await nodeOf(copyId)).modified_by).toBe('alice');
  });

  it('serves the oCIS meta endpoints: PROPFIND v, GET v/{key}, COPY restores (204) whatever the Destination', async () => {
    await put(t.app, home('alice', 'm.txt'), 'meta one', { as: alice, headers: { 'x-oc-mtime': '1500000000' } });
    await put(t.app, home('alice', 'm.txt'), 'meta two', { as: alice });
    const props = multistatus(await propfind(t.app, home('alice', 'm.txt'), ['oc:fileid', 'oc:id'], { as: alice }))[0]!.ok;
    for (const ref of [String(props['oc:fileid']), String(props['oc:id'])]) {
      for (const prefix of ['/remote.php/dav/meta', '/dav/meta']) {
        const list = multistatus(await propfind(t.app, `${prefix}/${ref}/v`, ['d:getcontentlength', 'd:getetag', 'd:resourcetype'], { as: alice, depth: '1' }));
        expect(list.map((r) => r.href)).toEqual([`${prefix}/${ref}/v/`, `${prefix}/${ref}/v/1500000000`]);
        expect(list[1]!.ok['d:getcontentlength']).toBe('8');
        expect(String(list[1]!.ok['d:getetag'])).toMatch(/^".+"$/);
      }
    }
    const nodeId = (await nodeOf(Number(props['oc:fileid']))).id;
    const storage = (await t.db.selectFrom('instance_settings').select('value').where('key', '=', 'storage_id').executeTakeFirst())?.value ?? 'storage-users-1';
    const graphId = `${storage}$alice!${nodeId}`;
    expect((await dav(t.app, 'GET', `/dav/meta/${encodeURIComponent(graphId)}/v/1500000000`, { as: alice })).body).toBe('meta one');
    const restored = await dav(t.app, 'COPY', `/remote.php/dav/meta/${props['oc:fileid']}/v/1500000000`, { as: alice, headers: { destination: home('alice', 'm.txt') } });
    expect(restored.statusCode, restored.body).toBe(204);
    expect((await dav(t.app, 'GET', home('alice', 'm.txt'), { as: alice })).body).toBe('meta one');
    expectDavError(await dav(t.app, 'DELETE', `/remote.php/dav/meta/${props['oc:fileid']}/v/1500000000`, { as: alice }), 404);
    expectDavError(await dav(t.app, 'PUT', `/remote.php/dav/meta/${props['oc:fileid']}/v`, { as: alice, body: 'x' }), 501);
    expectDavError(await propfind(t.app, '/remote.php/dav/meta/999999/v', null, { as: alice }), 404);
    expectDavError(await propfind(t.app, '/remote.php/dav/meta/not-an-id/v', null, { as: alice }), 404);
  });

  describe('who may', () => {
    let fileId: number;
    beforeAll(async () => {
      await t.app.inject({ method: 'MKCOL', url: home('alice', 'shared'), headers: { authorization: basic(alice.user, alice.password) } });
      await put(t.app, home('alice', 'shared/s.txt'), 'shared v1', { as: alice, headers: { 'x-oc-mtime': '1400000000' } });
      await put(t.app, home('alice', 'shared/s.txt'), 'shared v2', { as: alice });
      fileId = await fileIdOf(alice, 'shared/s.txt');
      for (const [who, perms] of [['bob', 1], ['carol', 3]] as const) {
        const res = await ocs(t.app, 'POST', SHARES, { as: alice, body: { path: '/shared', shareType: 0, shareWith: who, permissions: perms } });
        expect(res.statusCode, res.body).toBe(200);
      }
    });

    it('a read-only recipient lists and downloads, but may not restore, label or delete (403)', async () => {
      const list = await listVersions(bob, fileId);
      expect(list.map((r) => r.href)).toEqual([`${vroot('bob')}/versions/${fileId}/1400000000`]);
      expect((await dav(t.app, 'GET', list[0]!.href, { as: bob })).body).toBe('shared v1');
      expectDavError(await dav(t.app, 'MOVE', list[0]!.href, { as: bob, headers: { destination: `${vroot('bob')}/restore/target` } }), 403);
      expectDavError(await dav(t.app, 'DELETE', list[0]!.href, { as: bob }), 403);
      expect(multistatus(await dav(t.app, 'PROPPATCH', list[0]!.href, { as: bob, body: LABEL_BODY('mine') }))[0]!.failed[403]).toEqual(['nc:version-label']);
      expect((await dav(t.app, 'GET', home('alice', 'shared/s.txt'), { as: alice })).body).toBe('shared v2');
    });

    it('an edit recipient restores', async () => {
      const res = await dav(t.app, 'MOVE', `${vroot('carol')}/versions/${fileId}/1400000000`, { as: carol, headers: { destination: `${vroot('carol')}/restore/target` } });
      expect(res.statusCode, res.body).toBe(201);
      expect((await dav(t.app, 'GET', home('alice', 'shared/s.txt'), { as: alice })).body).toBe('shared v1');
      const list = await listVersions(alice, fileId);
      expect(list[0]!.ok['nc:version-author']).toBe('alice');
    });

    it('in a project space a Viewer lists and downloads, an Editor restores, a non-member sees nothing', async () => {
      const created = await t.app.services.spaces.create(ADMIN.user, { name: 'Versioned team' });
      const spaceId = created.views[0]!.space.id;
      for (const [who, role] of [['bob', 'a8d5fe5e-96e3-418d-825b-534dbdf22b99'], ['carol', '58c63c02-1d89-4572-916a-870abc5a1b7d']] as const) {
        await t.app.services.spaceMembers.grant(ADMIN.user, spaceId, { grantee: { principalType: 'user', principalId: who }, roleId: role }, GRAPH_MEMBER_RULES);
      }
      const url = `/remote.php/dav/spaces/${spaceId}/plan.txt`;
      await put(t.app, url, 'plan A', { headers: { 'x-oc-mtime': '1200000000' } });
      await put(t.app, url, 'plan B');
      const id = Number(multistatus(await propfind(t.app, url, ['oc:fileid']))[0]!.ok['oc:fileid']);
      const version = `${vroot('bob')}/versions/${id}/1200000000`;
      expect((await dav(t.app, 'GET', version, { as: bob })).body).toBe('plan A');
      expectDavError(await dav(t.app, 'MOVE', version, { as: bob, headers: { destination: `${vroot('bob')}/restore/target` } }), 403);
      expectDavError(await dav(t.app, 'GET', `${vroot('dave')}/versions/${id}/1200000000`, { as: dave }), 404);
      expect((await dav(t.app, 'COPY', `/dav/meta/${id}/v/1200000000`, { as: carol, headers: { destination: url } })).statusCode).toBe(204);
      expect((await dav(t.app, 'GET', url)).body).toBe('plan A');
    });

    it('another user, another tree, anonymous callers and public links get nothing', async () => {
      expectDavError(await propfind(t.app, `${vroot('dave')}/versions/${fileId}`, null, { as: dave, depth: '1' }), 404);
      expectDavError(await propfind(t.app, `/remote.php/dav/meta/${fileId}/v`, null, { as: dave, depth: '1' }), 404);
      expectDavError(await propfind(t.app, `${vroot('alice')}/versions/${fileId}`, null, { as: bob, depth: '1' }), 404);
      expectDavError(await propfind(t.app, `${vroot('alice')}/versions/${fileId}`, null, { as: null, depth: '1' }), 401);
      expectDavError(await dav(t.app, 'GET', `/remote.php/dav/meta/${fileId}/v`, { as: null }), 401);
      const link = await ocs(t.app, 'POST', SHARES, { as: alice, body: { path: '/shared', shareType: 3 } });
      expect(link.statusCode, link.body).toBe(200);
      const token = link.ocs.data.token as string;
      expectDavError(await propfind(t.app, `${vroot(token)}/versions/${fileId}`, null, { as: { user: token, password: '' }, depth: '1' }), 401);
      expectDavError(await propfind(t.app, `/public.php/dav/versions/${token}/versions/${fileId}`, null, { as: null, depth: '1' }), 404);
    });
  });

  it('refuses a restore of a locked file without the lock token (423), and restores with it', async () => {
    await put(t.app, home('alice', 'locked.txt'), 'old', { as: alice, headers: { 'x-oc-mtime': '1300000000' } });
    await put(t.app, home('alice', 'locked.txt'), 'new', { as: alice });
    const id = await fileIdOf(alice, 'locked.txt');
    const lock = await dav(t.app, 'LOCK', home('alice', 'locked.txt'), {
      as: alice,
      body: '<?xml version="1.0"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype><d:owner>test</d:owner></d:lockinfo>',
    });
    expect(lock.statusCode, lock.body).toBe(200);
    const token = String(lock.headers['lock-token']).replace(/^<|>$/g, '');
    const restore = (headers: Record<string, string> = {}) =>
      dav(t.app, 'MOVE', `${vroot('alice')}/versions/${id}/1300000000`, { as: alice, headers: { destination: `${vroot('alice')}/restore/target`, ...headers } });
    expectDavError(await restore(), 423);
    expectDavError(await dav(t.app, 'COPY', `/remote.php/dav/meta/${id}/v/1300000000`, { as: alice, headers: { destination: home('alice', 'locked.txt') } }), 423);
    expect((await dav(t.app, 'GET', home('alice', 'locked.txt'), { as: alice })).body).toBe('new');
    expect((await restore({ if: `(<${token}>)` })).statusCode).toBe(201);
    expect((await dav(t.app, 'GET', home('alice', 'locked.txt'), { as: alice })).body).toBe('old');
  });

  it('answers HEAD, Range, allprop and Depth 0 on a version, and its versions follow a file that moves', async () => {
    await put(t.app, home('alice', 'r.txt'), '0123456789', { as: alice, headers: { 'x-oc-mtime': '1100000000' } });
    await put(t.app, home('alice', 'r.txt'), 'now', { as: alice });
    const id = await fileIdOf(alice, 'r.txt');
    const url = `${vroot('alice')}/versions/${id}/1100000000`;
    const head = await dav(t.app, 'HEAD', url, { as: alice });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe('10');
    expect(head.body).toBe('');
    const range = await dav(t.app, 'GET', url, { as: alice, headers: { range: 'bytes=2-4' } });
    expect(range.statusCode).toBe(206);
    expect(range.body).toBe('234');
    const all = multistatus(await dav(t.app, 'PROPFIND', url, { as: alice, depth: '0' }));
    expect(all).toHaveLength(1);
    expect(all[0]!.ok).toMatchObject({ 'd:getcontentlength': '10', 'd:getetag': '1100000000', 'nc:version-author': 'alice' });
    await t.app.inject({ method: 'MKCOL', url: home('alice', 'moved-here'), headers: { authorization: basic(alice.user, alice.password) } });
    expect((await dav(t.app, 'MOVE', home('alice', 'r.txt'), { as: alice, headers: { destination: home('alice', 'moved-here/r2.txt') } })).statusCode).toBe(201);
    expect(await fileIdOf(alice, 'moved-here/r2.txt')).toBe(id);
    expect((await dav(t.app, 'GET', url, { as: alice })).body).toBe('0123456789');
  });

  it('checks the quota on a restore like a write (507), leaving file and version as they were', async () => {
    const gil = await newUser(t.app, 'gil', { quota: '100' });
    await put(t.app, home('gil', 'q.bin'), 'x'.repeat(90), { as: gil, headers: { 'x-oc-mtime': '1000000000' } });
    await put(t.app, home('gil', 'q.bin'), 'y'.repeat(10), { as: gil });
    expect((await put(t.app, home('gil', 'other.bin'), 'z'.repeat(50), { as: gil })).statusCode).toBe(201);
    const id = await fileIdOf(gil, 'q.bin');
    expectDavError(await dav(t.app, 'MOVE', `${vroot('gil')}/versions/${id}/1000000000`, { as: gil, headers: { destination: `${vroot('gil')}/restore/target` } }), 507);
    expect((await dav(t.app, 'GET', home('gil', 'q.bin'), { as: gil })).body).toBe('y'.repeat(10));
    expect(await listVersions(gil, id)).toHaveLength(1);
    expect(Number((await t.db.selectFrom('spaces').select('size').where('id', '=', 'gil').executeTakeFirstOrThrow()).size)).toBe(60);
  });

  it('answers bad names and destinations with 4xx', async () => {
    const id = await fileIdOf(alice, 'a.txt');
    expectDavError(await propfind(t.app, `${vroot('alice')}/versions/abc`, null, { as: alice }), 404);
    expectDavError(await propfind(t.app, `${vroot('alice')}/versions/${id}/nope`, null, { as: alice }), 404);
    expectDavError(await propfind(t.app, `${vroot('alice')}/elsewhere`, null, { as: alice }), 404);
    const folderId = await fileIdOf(alice, 'shared');
    expectDavError(await propfind(t.app, `${vroot('alice')}/versions/${folderId}`, null, { as: alice, depth: '1' }), 404);
    const [v] = await listVersions(alice, id);
    expectDavError(await dav(t.app, 'MOVE', v!.href, { as: alice, headers: { destination: home('alice', 'x.txt') } }), 403);
    expectDavError(await dav(t.app, 'MOVE', v!.href, { as: alice }), 400);
    expectDavError(await dav(t.app, 'PUT', v!.href, { as: alice, body: 'x' }), 403);
    const rootList = multistatus(await propfind(t.app, vroot('alice'), ['d:resourcetype'], { as: alice, depth: '1' }));
    expect(rootList.map((r) => r.href)).toEqual([`${vroot('alice')}/`, `${vroot('alice')}/versions/`, `${vroot('alice')}/restore/`]);
  });

  it('announces versioning, labels and deletion in the capabilities', async () => {
    const caps = (await ocs(t.app, 'GET', '/cloud/capabilities', { as: alice })).ocs.data.capabilities;
    expect(caps.files).toMatchObject({ versioning: true, version_labeling: true, version_deletion: true });
  });

  it('a deleted file takes its versions into the trash, back with a restore, gone with the purge; deleting a user removes all of theirs', async () => {
    await put(t.app, home('dave', 'gone.txt'), 'v1', { as: dave });
    await put(t.app, home('dave', 'gone.txt'), 'v2', { as: dave });
    await put(t.app, home('dave', 'kept.txt'), 'k1', { as: dave });
    await put(t.app, home('dave', 'kept.txt'), 'k2', { as: dave });
    const goneNode = await nodeOf(await fileIdOf(dave, 'gone.txt'));
    const keptNode = await nodeOf(await fileIdOf(dave, 'kept.txt'));
    const [goneVersion] = await versionRows(goneNode.id);
    expect((await dav(t.app, 'DELETE', home('dave', 'gone.txt'), { as: dave })).statusCode).toBe(204);
    // In the trash the file keeps its history (its id too): a restore brings both back.
    expect(await versionRows(goneNode.id)).toHaveLength(1);
    expect(await t.stored.has(goneVersion!.blob_id)).toBe(true);
    expect((await dav(t.app, 'DELETE', '/remote.php/dav/trashbin/dave/trash', { as: dave })).statusCode).toBe(204);
    expect(await versionRows(goneNode.id)).toEqual([]);
    expect(await t.stored.has(goneVersion!.blob_id)).toBe(false);
    const [keptVersion] = await versionRows(keptNode.id);
    expect((await ocs(t.app, 'DELETE', '/cloud/users/dave')).statusCode).toBe(200);
    expect(await versionRows(keptNode.id)).toEqual([]);
    expect(await t.stored.has(keptVersion!.blob_id)).toBe(false);
  });
});

describeEachDb('WebDAV: versions switched off', (kind) => {
  let t: TestApp;
  let erin: Who;
  beforeAll(async () => {
    t = await buildTestApp(kind, { VERSIONS_ENABLED: 'false' });
    erin = await newUser(t.app, 'erin');
  });
  afterAll(async () => t?.close());

  it('releases the replaced blob, serves no versions tree and announces none', async () => {
    await put(t.app, home('erin', 'f.txt'), 'one', { as: erin });
    const before = await t.db.selectFrom('nodes').select(['blob_id', 'file_id']).where('space_id', '=', 'erin').where('name', '=', 'f.txt').executeTakeFirstOrThrow();
    await put(t.app, home('erin', 'f.txt'), 'two', { as: erin });
    expect(await t.db.selectFrom('file_versions').selectAll().execute()).toEqual([]);
    expect(await t.stored.has(before.blob_id!)).toBe(false);
    expectDavError(await propfind(t.app, `${vroot('erin')}/versions/${before.file_id}`, null, { as: erin, depth: '1' }), 404);
    const caps = (await ocs(t.app, 'GET', '/cloud/capabilities', { as: erin })).ocs.data.capabilities;
    expect(caps.files.versioning).toBeUndefined();
  });
});
