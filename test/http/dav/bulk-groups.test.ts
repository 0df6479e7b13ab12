import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { dav, expectDavError, multistatus, propfind, put } from './dav-helpers.js';

type Who = { user: string; password: string };
type Answer = Record<string, { error: boolean; message?: string; etag?: string; fileid?: string; permissions?: string }>;

const BOUNDARY = 'boundary_groups_5d1c0a7e';
const SHARES = '/apps/files_sharing/api/v1/shares';
const home = (u: string, p = '') => `/remote.php/dav/files/${u}/${p}`;

function bulkBody(parts: Array<{ path: string; body: string | Buffer; md5?: string }>): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const body = Buffer.from(p.body);
    const md5 = p.md5 ?? createHash('md5').update(body).digest('hex');
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nX-File-Path: ${p.path}\r\nX-File-MD5: ${md5}\r\nX-File-Mtime: 1700000000\r\nContent-Length: ${body.length}\r\n\r\n`), body, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

/**
 * Small files of a bulk upload commit in groups (services/files/write-batches.ts):
 * these check that a group ends exactly as the same files written one PUT
 * after the other would.
 */
describeEachDb('Nextcloud bulk upload: files committed in groups', (kind) => {
  let t: TestApp;
  let gina: Who;
  let hank: Who;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    gina = await newUser(t.app, 'gina', { quota: '100' });
    hank = await newUser(t.app, 'hank');
  });
  afterAll(async () => t?.close());

  const post = async (parts: Parameters<typeof bulkBody>[0], as: Who = ADMIN): Promise<Answer> => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/remote.php/dav/bulk',
      headers: { 'content-type': `multipart/related; boundary="${BOUNDARY}"`, authorization: basic(as.user, as.password) },
      payload: bulkBody(parts),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Answer;
  };
  const body = async (url: string, as: Who = ADMIN) => (await dav(t.app, 'GET', url, { as })).body;
  const props = async (url: string, as: Who = ADMIN) => multistatus(await propfind(t.app, url, ['d:getetag', 'oc:size', 'oc:fileid'], { as }))[0]!.ok;
  const activities = (objectPrefix: string, user = 'admin') =>
    t.db.selectFrom('activities').select(['subject', 'object_name', 'affected_user', 'object_id']).where('affected_user', '=', user).where('object_name', 'like', `${objectPrefix}%`).orderBy('id').execute();

  it('ends with the same tree, sizes, etags, versions and activities as the same files by single PUTs', async () => {
    for (const root of ['by-put', 'by-bulk']) {
      await dav(t.app, 'MKCOL', home('admin', root));
      await dav(t.app, 'MKCOL', home('admin', `${root}/deep`));
      await put(t.app, home('admin', `${root}/deep/replaced.txt`), 'old content');
    }
    const files = [
      { name: 'a.txt', body: 'alpha' },
      { name: 'deep/b.txt', body: 'bravo bravo' },
      { name: 'deep/replaced.txt', body: 'new' },
      { name: 'c.txt', body: '' },
    ];
    const before = { root: await props(home('admin')), bulk: await props(home('admin', 'by-bulk')), deep: await props(home('admin', 'by-bulk/deep')) };
    for (const f of files) await put(t.app, home('admin', `by-put/${f.name}`), f.body);
    const answer = await post(files.map((f) => ({ path: `/by-bulk/${f.name}`, body: f.body })));
    expect(Object.values(answer).every((r) => !r.error)).toBe(true);

    for (const f of files) expect(await body(home('admin', `by-bulk/${f.name}`))).toBe(f.body);
    for (const folder of ['', '/deep']) {
      expect((await props(home('admin', `by-bulk${folder}`)))['oc:size']).toBe((await props(home('admin', `by-put${folder}`)))['oc:size']);
    }
    // Every folder above a written file has a new etag, up to the space root.
    expect((await props(home('admin')))['d:getetag']).not.toBe(before.root['d:getetag']);
    expect((await props(home('admin', 'by-bulk')))['d:getetag']).not.toBe(before.bulk['d:getetag']);
    expect((await props(home('admin', 'by-bulk/deep')))['d:getetag']).not.toBe(before.deep['d:getetag']);
    // The answer's etag and fileid are the stored ones.
    const a = await props(home('admin', 'by-bulk/a.txt'));
    expect(`"${answer['/by-bulk/a.txt']!.etag}"`).toBe(a['d:getetag']);
    expect(Number(answer['/by-bulk/a.txt']!.fileid!.slice(0, 8))).toBe(Number(a['oc:fileid']));
    // The same activities, the overwrite a `changed`, the others `created`.
    const strip = (rows: Awaited<ReturnType<typeof activities>>, root: string) => rows.map((r) => `${r.subject} ${r.object_name.replace(root, '')}`);
    const byPut = strip(await activities('/by-put/'), '/by-put');
    const byBulk = strip(await activities('/by-bulk/'), '/by-bulk');
    expect(byBulk).toEqual(byPut);
    expect(byBulk).toContain('changed_self /deep/replaced.txt');
    // The replaced content was kept as a version, written by its author.
    const replaced = await t.db.selectFrom('nodes').select(['id', 'modified_by']).where('path', '=', 'by-bulk/deep/replaced.txt').executeTakeFirstOrThrow();
    expect(replaced.modified_by).toBe('admin');
    const versions = await t.db.selectFrom('file_versions').select(['size', 'author']).where('node_id', '=', replaced.id).execute();
    expect(versions).toEqual([{ size: expect.anything(), author: 'admin' }]);
    expect(Number(versions[0]!.size)).toBe('old content'.length);
    // Quota used is the tree's size, exactly as by PUTs.
    const used = (await ocs(t.app, 'GET', '/cloud/users/admin')).ocs.data.quota.used;
    expect(used).toBe(Number((await props(home('admin')))['oc:size']));
  });

  it('commits a group of many files in a few statements, far fewer than one write each', async () => {
    await dav(t.app, 'MKCOL', home('admin', 'many'));
    const parts = Array.from({ length: 100 }, (_, i) => ({ path: `/many/f-${i}.bin`, body: `file ${i}` }));
    const start = t.stats.statements;
    const answer = await post(parts);
    const used = t.stats.statements - start;
    expect(Object.values(answer).filter((r) => !r.error)).toHaveLength(100);
    // Each part is opened once (one read); the group's commit is a handful of statements.
    expect(used).toBeLessThan(100 * 1.5);
    expect(await body(home('admin', 'many/f-99.bin'))).toBe('file 99');
  });

  it('fails a bad part of each kind among good ones, and the good ones commit', async () => {
    await dav(t.app, 'MKCOL', home('admin', 'mixed'));
    await dav(t.app, 'MKCOL', home('admin', 'mixed/folder'));
    await dav(t.app, 'MKCOL', home('admin', 'ro'));
    await ocs(t.app, 'POST', SHARES, { body: { path: '/ro', shareType: 0, shareWith: 'hank', permissions: 1 } });
    await dav(t.app, 'MKCOL', home('admin', 'rw'));
    await ocs(t.app, 'POST', SHARES, { body: { path: '/rw', shareType: 0, shareWith: 'hank', permissions: 15 } });
    const lock = await dav(t.app, 'LOCK', home('hank', 'locked.txt'), {
      as: hank,
      body: '<?xml version="1.0"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockinfo>',
      headers: { timeout: 'Second-600' },
    });
    expect(lock.statusCode).toBe(201);
    const answer = await post(
      [
        { path: '/good-1.txt', body: 'one' },
        { path: '/ro/nope.txt', body: 'read-only share' },
        { path: '/good-2.txt', body: 'two' },
        { path: '/locked.txt', body: 'locked by its own lock, no token sent' },
        { path: '/rw/good-3.txt', body: 'three' },
        { path: '/md5.txt', body: 'x', md5: 'f'.repeat(32) },
        { path: '/rw', body: 'a folder is there' },
        { path: '/missing/file.txt', body: 'no parent' },
        { path: '/a/../b.txt', body: 'bad path' },
        { path: '/too-big.txt', body: 'y'.repeat(200) },
        { path: '/good-4.txt', body: 'four' },
      ],
      hank,
    );
    for (const good of ['/good-1.txt', '/good-2.txt', '/rw/good-3.txt', '/good-4.txt']) expect(answer[good], good).toMatchObject({ error: false });
    for (const bad of ['/ro/nope.txt', '/locked.txt', '/md5.txt', '/rw', '/missing/file.txt', '/a/../b.txt']) expect(answer[bad], bad).toMatchObject({ error: true, message: expect.any(String) });
    // hank has no quota: the 200 bytes fit.
    expect(answer['/too-big.txt']!.error).toBe(false);
    expect(await body(home('hank', 'good-4.txt'), hank)).toBe('four');
    expect(await body(home('admin', 'rw/good-3.txt'))).toBe('three');
    expectDavError(await dav(t.app, 'GET', home('admin', 'ro/nope.txt')), 404);
    expectDavError(await dav(t.app, 'GET', home('hank', 'md5.txt'), { as: hank }), 404);
  });

  it('crossing the quota, writes exactly the files that a sequence of PUTs would', async () => {
    const answer = await post(
      [
        { path: '/q-1.txt', body: 'a'.repeat(30) },
        { path: '/q-2.txt', body: 'b'.repeat(30) },
        { path: '/q-3.txt', body: 'c'.repeat(30) },
        { path: '/q-4.txt', body: 'd'.repeat(30) },
        { path: '/q-5.txt', body: 'e'.repeat(5) },
        { path: '/q-6.txt', body: 'f'.repeat(10) },
      ],
      gina,
    );
    expect(Object.fromEntries(Object.entries(answer).map(([p, r]) => [p, r.error]))).toEqual({
      '/q-1.txt': false,
      '/q-2.txt': false,
      '/q-3.txt': false,
      '/q-4.txt': true,
      '/q-5.txt': false,
      '/q-6.txt': true,
    });
    expect((await ocs(t.app, 'GET', '/cloud/users/gina', { as: gina })).ocs.data.quota.used).toBe(95);
    expect(await body(home('gina', 'q-5.txt'), gina)).toBe('eeeee');
    expectDavError(await dav(t.app, 'GET', home('gina', 'q-4.txt'), { as: gina }), 404);
  });

  it('two parts for one path end as two writes one after the other: the last wins, the first is kept as a version', async () => {
    await dav(t.app, 'MKCOL', home('admin', 'twice'));
    const answer = await post([
      { path: '/twice/same.txt', body: 'first' },
      { path: '/twice/other.txt', body: 'other' },
      { path: '/twice/same.txt', body: 'second!' },
    ]);
    expect(Object.keys(answer)).toEqual(['/twice/same.txt', '/twice/other.txt']);
    const stored = await props(home('admin', 'twice/same.txt'));
    expect(`"${answer['/twice/same.txt']!.etag}"`).toBe(stored['d:getetag']);
    expect(await body(home('admin', 'twice/same.txt'))).toBe('second!');
    expect((await props(home('admin', 'twice')))['oc:size']).toBe(String('second!'.length + 'other'.length));
    const node = await t.db.selectFrom('nodes').select('id').where('path', '=', 'twice/same.txt').executeTakeFirstOrThrow();
    const versions = await t.db.selectFrom('file_versions').select('size').where('node_id', '=', node.id).execute();
    expect(versions.map((v) => Number(v.size))).toEqual(['first'.length]);
    const events = (await activities('/twice/')).map((r) => `${r.subject} ${r.object_name}`);
    expect(events).toEqual(['created_self /twice/same.txt', 'created_self /twice/other.txt', 'changed_self /twice/same.txt']);
  });

  it("writes parts under a received share into the owner's space, in their own group, beside the caller's own files", async () => {
    await dav(t.app, 'MKCOL', home('admin', 'team'));
    await ocs(t.app, 'POST', SHARES, { body: { path: '/team', shareType: 0, shareWith: 'gina', permissions: 31 } });
    const ownerBefore = (await ocs(t.app, 'GET', '/cloud/users/admin')).ocs.data.quota.used as number;
    const ginaBefore = (await ocs(t.app, 'GET', '/cloud/users/gina', { as: gina })).ocs.data.quota.used as number;
    const teamBefore = await props(home('admin', 'team'));
    const answer = await post(
      [
        { path: '/team/t-1.txt', body: 'team one' },
        { path: '/mine.txt', body: 'mine' },
        { path: '/team/t-2.txt', body: 'team two!' },
      ],
      gina,
    );
    expect(Object.values(answer).every((r) => !r.error)).toBe(true);
    expect(answer['/team/t-1.txt']!.permissions).toContain('S');
    expect(await body(home('admin', 'team/t-2.txt'))).toBe('team two!');
    expect(await body(home('gina', 'mine.txt'), gina)).toBe('mine');
    // Sizes go to the space the file is in: the share's owner pays for what lands in the share.
    expect((await ocs(t.app, 'GET', '/cloud/users/admin')).ocs.data.quota.used).toBe(ownerBefore + 'team one'.length + 'team two!'.length);
    expect((await ocs(t.app, 'GET', '/cloud/users/gina', { as: gina })).ocs.data.quota.used).toBe(ginaBefore + 'mine'.length);
    const team = await props(home('admin', 'team'));
    expect(team['d:getetag']).not.toBe(teamBefore['d:getetag']);
    expect(team['oc:size']).toBe(String('team one'.length + 'team two!'.length));
    // The owner hears of the files written into the share, the writer of their own.
    expect((await activities('/team/', 'admin')).map((r) => r.subject)).toEqual(['created_by', 'created_by']);
    expect((await activities('/team/', 'gina')).map((r) => r.subject)).toEqual(['created_self', 'created_self']);
  });
});
