import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { type Credentials, dav, expectDavError, mkcol, multistatus, put } from './dav-helpers.js';

const home = (u: string, path = '') => `/remote.php/dav/files/${u}/${path}`;
const NS = 'xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns"';
const favorites = (props = '<d:getetag/><oc:fileid/><oc:favorite/><d:resourcetype/>', extra = '') =>
  `<?xml version="1.0"?><oc:filter-files ${NS}><d:prop>${props}</d:prop><oc:filter-rules><oc:favorite>1</oc:favorite></oc:filter-rules>${extra}</oc:filter-files>`;
const star = (on: boolean) =>
  `<?xml version="1.0"?><d:propertyupdate ${NS}><d:set><d:prop><oc:favorite>${on ? 1 : 0}</oc:favorite></d:prop></d:set></d:propertyupdate>`;

/** Favorites: PROPPATCH oc:favorite per user, REPORT oc:filter-files lists them (Nextcloud's FilesReportPlugin). */
describeEachDb('WebDAV: favorites and REPORT oc:filter-files', (kind) => {
  let t: TestApp;
  let alice: Credentials;
  let bob: Credentials;
  const report = (user: Credentials, url: string, body: string) => dav(t.app, 'REPORT', url, { as: user, body, headers: { 'content-type': 'application/xml' } });
  const mark = async (user: Credentials, url: string, on: boolean) => expect((await dav(t.app, 'PROPPATCH', url, { as: user, body: star(on) })).statusCode).toBe(207);
  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice');
    bob = await newUser(t.app, 'bob');
    await mkcol(t.app, home('alice', 'Docs'), { as: alice });
    await put(t.app, home('alice', 'Docs/a.txt'), 'a', { as: alice });
    await put(t.app, home('alice', 'Docs/b.txt'), 'b', { as: alice });
    await mkcol(t.app, home('alice', 'Docs/Inner'), { as: alice });
    await put(t.app, home('alice', 'top.txt'), 'top', { as: alice });
    const share = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: alice, body: { path: '/Docs', shareType: 0, shareWith: 'bob', permissions: 1 } });
    expect(share.statusCode, share.body).toBe(200);
  });
  afterAll(async () => t?.close());

  it('lists what was marked, with the props asked for, and forgets what was unmarked', async () => {
    expect(multistatus(await report(alice, home('alice'), favorites()))).toEqual([]);
    await mark(alice, home('alice', 'Docs/a.txt'), true);
    await mark(alice, home('alice', 'Docs/Inner'), true);
    await mark(alice, home('alice', 'top.txt'), true);
    const res = await report(alice, home('alice'), favorites());
    expect(res.statusCode, res.body).toBe(207);
    expect(res.headers['content-type']).toMatch(/^application\/xml; charset=utf-8/);
    const listed = multistatus(res);
    expect(listed.map((r) => r.href)).toEqual([home('alice', 'Docs/Inner/'), home('alice', 'Docs/a.txt'), home('alice', 'top.txt')]);
    expect(listed.every((r) => r.ok['oc:favorite'] === '1' && /^\d+$/.test(String(r.ok['oc:fileid'])))).toBe(true);
    // Below a folder only what is inside it; the legacy entry point answers the same.
    expect(multistatus(await report(alice, home('alice', 'Docs'), favorites())).map((r) => r.href)).toEqual([home('alice', 'Docs/Inner/'), home('alice', 'Docs/a.txt')]);
    expect(multistatus(await report(alice, '/remote.php/webdav/', favorites())).map((r) => r.href)).toEqual(['/remote.php/webdav/Docs/Inner/', '/remote.php/webdav/Docs/a.txt', '/remote.php/webdav/top.txt']);
    // d:limit pages through them (nresults, nc:firstresult).
    const paged = await report(alice, home('alice'), favorites('<d:getetag/>', '<d:limit><d:nresults>1</d:nresults><nc:firstresult>1</nc:firstresult></d:limit>'));
    expect(multistatus(paged).map((r) => r.href)).toEqual([home('alice', 'Docs/a.txt')]);
    await mark(alice, home('alice', 'top.txt'), false);
    expect(multistatus(await report(alice, home('alice'), favorites())).map((r) => r.href)).not.toContain(home('alice', 'top.txt'));
  });

  it("keeps each user's favorites their own, a recipient's inside a share under its mount", async () => {
    expect(multistatus(await report(bob, home('bob'), favorites()))).toEqual([]);
    const seen = multistatus(await dav(t.app, 'PROPFIND', home('bob', 'Docs/a.txt'), { as: bob, depth: '0', body: `<d:propfind ${NS}><d:prop><oc:favorite/></d:prop></d:propfind>` }));
    expect(seen[0]!.ok['oc:favorite']).toBe('0');
    await mark(bob, home('bob', 'Docs/b.txt'), true);
    await mark(bob, home('bob', 'Docs'), true);
    expect(multistatus(await report(bob, home('bob'), favorites())).map((r) => r.href)).toEqual([home('bob', 'Docs/'), home('bob', 'Docs/b.txt')]);
    expect(multistatus(await report(alice, home('alice'), favorites())).map((r) => r.href)).not.toContain(home('alice', 'Docs/b.txt'));
    // Once the share is gone, what bob marked inside it is not listed any more.
    const shares = await ocs(t.app, 'GET', '/apps/files_sharing/api/v1/shares', { as: alice });
    for (const s of shares.ocs.data) await ocs(t.app, 'DELETE', `/apps/files_sharing/api/v1/shares/${s.id}`, { as: alice });
    expect(multistatus(await report(bob, home('bob'), favorites()))).toEqual([]);
  });

  it('answers for each favourite what the caller may do there: their own files in full, a read-only share read-only, under its mount', async () => {
    const carol = await newUser(t.app, 'carol');
    await mkcol(t.app, home('alice', 'Shared'), { as: alice });
    await put(t.app, home('alice', 'Shared/note.txt'), 'note', { as: alice });
    await put(t.app, home('carol', 'mine.txt'), 'mine', { as: carol });
    const share = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: alice, body: { path: '/Shared', shareType: 0, shareWith: 'carol', permissions: 1 } });
    expect(share.statusCode, share.body).toBe(200);
    await mark(carol, home('carol', 'Shared/note.txt'), true);
    await mark(carol, home('carol', 'Shared'), true);
    await mark(carol, home('carol', 'mine.txt'), true);
    const listed = multistatus(await report(carol, home('carol'), favorites('<oc:permissions/><d:displayname/><oc:favorite/><d:getcontentlength/><d:lockdiscovery/>')));
    expect(listed.map((r) => r.href)).toEqual([home('carol', 'Shared/'), home('carol', 'Shared/note.txt'), home('carol', 'mine.txt')]);
    const perms = Object.fromEntries(listed.map((r) => [r.href, String(r.ok['oc:permissions'])]));
    // A mount point carries S (shared) and M (mounted); a read-only share grants neither W nor D.
    expect(perms[home('carol', 'Shared/')]).toMatch(/S/);
    expect(perms[home('carol', 'Shared/note.txt')]).not.toMatch(/[WD]/);
    expect(perms[home('carol', 'mine.txt')]).toMatch(/W/);
    expect(listed[0]!.ok['d:displayname']).toBe('Shared');
    expect(listed[1]!.ok['d:getcontentlength']).toBe('4');
    // Alice's own mark on the same node is hers: carol's marks do not show in her list.
    expect(multistatus(await report(alice, home('alice'), favorites())).map((r) => r.href)).not.toContain(home('alice', 'Shared/note.txt'));
  });

  it('leaves out a favourite in the trash, and lists it again once restored', async () => {
    await put(t.app, home('alice', 'binned.txt'), 'binned', { as: alice });
    await mark(alice, home('alice', 'binned.txt'), true);
    expect(multistatus(await report(alice, home('alice'), favorites())).map((r) => r.href)).toContain(home('alice', 'binned.txt'));
    expect((await dav(t.app, 'DELETE', home('alice', 'binned.txt'), { as: alice })).statusCode).toBe(204);
    expect(multistatus(await report(alice, home('alice'), favorites())).map((r) => r.href)).not.toContain(home('alice', 'binned.txt'));
    const items = multistatus(await dav(t.app, 'PROPFIND', '/remote.php/dav/trashbin/alice/trash', { as: alice, depth: '1', body: `<d:propfind ${NS}><d:prop><nc:trashbin-filename/></d:prop></d:propfind>` })).slice(1);
    const item = items.find((i) => i.ok['nc:trashbin-filename'] === 'binned.txt');
    expect(item).toBeDefined();
    const restored = await dav(t.app, 'MOVE', item!.href, { as: alice, headers: { destination: '/remote.php/dav/trashbin/alice/restore/binned.txt' } });
    expect(restored.statusCode).toBe(201);
    expect(multistatus(await report(alice, home('alice'), favorites())).map((r) => r.href)).toContain(home('alice', 'binned.txt'));
  });

  it('lists many favourites from several places in one answer, in path order', async () => {
    const dave = await newUser(t.app, 'dave');
    await mkcol(t.app, home('alice', 'Many'), { as: alice });
    const share = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: alice, body: { path: '/Many', shareType: 0, shareWith: 'dave', permissions: 31 } });
    expect(share.statusCode, share.body).toBe(200);
    const expected: string[] = [];
    for (let i = 0; i < 30; i++) {
      const name = `f-${String(i).padStart(2, '0')}.txt`;
      await put(t.app, home(i % 2 ? 'dave' : 'alice', i % 2 ? name : `Many/${name}`), name, { as: i % 2 ? dave : alice });
      await mark(dave, home('dave', i % 2 ? name : `Many/${name}`), true);
      expected.push(home('dave', i % 2 ? name : `Many/${name}`));
    }
    const listed = multistatus(await report(dave, home('dave'), favorites('<oc:fileid/><d:getetag/>')));
    expect(listed.map((r) => r.href)).toEqual([...expected].sort());
    expect(new Set(listed.map((r) => r.ok['oc:fileid'])).size).toBe(30);
  });

  describe('refusals, as Nextcloud answers them', () => {
    it('malformed or empty bodies and a missing filter are 400', async () => {
      for (const body of ['<oc:filter-files', '', `<?xml version="1.0"?><oc:filter-files ${NS}><d:prop><d:getetag/></d:prop></oc:filter-files>`, `<?xml version="1.0"?><oc:filter-files ${NS}><oc:filter-rules/></oc:filter-files>`]) {
        expectDavError(await report(alice, home('alice'), body), 400, 'Sabre\\DAV\\Exception\\BadRequest');
      }
      const { message } = expectDavError(await report(alice, home('alice'), `<?xml version="1.0"?><oc:filter-files ${NS}><oc:filter-rules/></oc:filter-files>`), 400);
      expect(message).toBe('Missing filter-rule block in request');
    });
    it('another report, or filter-files on a file, is 415 ReportNotSupported; an unknown tag 412', async () => {
      const other = await report(alice, home('alice'), `<?xml version="1.0"?><d:sync-collection ${NS}><d:sync-token/></d:sync-collection>`);
      expectDavError(other, 415, 'Sabre\\DAV\\Exception\\ReportNotSupported');
      expect(other.body).toContain('<d:supported-report/>');
      expectDavError(await report(alice, home('alice', 'Docs/a.txt'), favorites()), 415);
      expectDavError(await report(alice, home('alice'), `<?xml version="1.0"?><oc:filter-files ${NS}><oc:filter-rules><oc:systemtag>4</oc:systemtag></oc:filter-rules></oc:filter-files>`), 412);
    });
    it('Allow names REPORT where it is served, and only there', async () => {
      expect((await dav(t.app, 'OPTIONS', home('alice'), { as: alice })).headers.allow).toContain('MOVE, REPORT, LOCK');
      expect((await dav(t.app, 'OPTIONS', '/remote.php/webdav/', { as: alice })).headers.allow).toContain('REPORT');
      expect((await dav(t.app, 'OPTIONS', `/dav/spaces/alice`, { as: alice })).headers.allow).not.toContain('REPORT');
    });
    it("another user's home is 404, and anonymous callers 401", async () => {
      expectDavError(await report(bob, home('alice'), favorites()), 404);
      expect((await dav(t.app, 'REPORT', home('alice'), { as: null, body: favorites() })).statusCode).toBe(401);
    });
  });
});
