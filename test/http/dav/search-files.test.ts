import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { graph } from '../../helpers/graph.js';
import { dav, expectDavError, multistatus, type MsResponse } from './dav-helpers.js';

type Who = { user: string; password: string };
const VIEWER = 'a8d5fe5e-96e3-418d-825b-534dbdf22b99';

/** The body ownCloud Web's web-client builds (webdav/client/builders.ts buildPropFindBody with a pattern). */
const report = (pattern: string, limit: number | string = 0, props = '<oc:permissions/><oc:favorite/><oc:fileid/><oc:name/><d:getcontenttype/>') => `<?xml version="1.0"?>
<oc:search-files xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">
  <d:prop>${props}</d:prop>
  <oc:search>
    <oc:pattern>${pattern.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</oc:pattern>
    <oc:limit>${limit}</oc:limit>
  </oc:search>
</oc:search-files>`;

describeEachDb('REPORT oc:search-files (oCIS search, as ownCloud Web sends it)', (kind) => {
  let t: TestApp;
  let alice: Who;
  let bob: Who;
  let carol: Who;
  let project: string;
  let storage: string;
  const home = (who: Who, p: string) => `/remote.php/dav/files/${who.user}/${p.split('/').map(encodeURIComponent).join('/')}`;
  const put = (url: string, as: Who | null, body: string, mtime: number) => dav(t.app, 'PUT', url, { as, body, headers: { 'x-oc-mtime': String(mtime) } });
  const search = (pattern: string, as: Who | null = alice, url = '/remote.php/dav/spaces/', limit: number | string = 0) => dav(t.app, 'REPORT', url, { as, body: report(pattern, limit), headers: { 'content-type': 'application/xml' } });
  /** Hits as `space/path` where space is personal:<owner> or the project's name. */
  const found = async (pattern: string, as: Who = alice, url?: string): Promise<string[]> => {
    const res = await search(pattern, as, url);
    expect(res.statusCode, res.body).toBe(207);
    return multistatus(res).map(label).sort();
  };
  /** Hits in a received share are in oCIS's share jail, below the shared node: labelled `shares/{shareroot}/…`. */
  const label = (r: MsResponse): string => {
    const jail = /^\/remote\.php\/dav\/spaces\/a0ca6a90-a365-4782-871e-d44447bbc668!([^/]+)(\/.*)?$/.exec(r.href);
    if (jail) return `shares/${r.ok['oc:shareroot']}${decodeURIComponent(jail[2] ?? '')}`;
    const m = /^\/remote\.php\/dav\/spaces\/([^/]+)\$([^/]+)(\/.*)?$/.exec(r.href);
    expect(m, r.href).not.toBeNull();
    const space = decodeURIComponent(m![2]!);
    return `${space === project ? 'project' : space}${decodeURIComponent(m![3] ?? '')}`;
  };

  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice');
    bob = await newUser(t.app, 'bob');
    carol = await newUser(t.app, 'carol');
    for (const d of ['docs', 'photos']) await dav(t.app, 'MKCOL', home(alice, d), { as: alice });
    await put(home(alice, 'docs/Report 2026.pdf'), alice, 'pdf', 1_700_000_100);
    await put(home(alice, 'docs/notes.txt'), alice, 'notes', Date.UTC(2026, 0, 10) / 1000);
    await put(home(alice, 'photos/beach.jpg'), alice, 'jpeg', 1_700_000_300);
    await put(home(alice, 'photos/city.png'), alice, 'png', 1_700_000_400);
    await dav(t.app, 'MKCOL', home(bob, 'team'), { as: bob });
    await put(home(bob, 'team/report-from-bob.txt'), bob, 'bob', 1_700_000_600);
    await put(home(bob, 'private-report.txt'), bob, 'private', 1_700_000_700);
    const share = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: bob, body: { path: '/team', shareType: 0, shareWith: 'alice', permissions: 1 } });
    expect(share.statusCode).toBe(200);
    await put(home(carol, 'report-carol.txt'), carol, 'carol', 1_700_000_800);
    const drive = await graph(t.app, 'POST', '/graph/v1.0/drives', { body: { name: 'Apollo' } });
    expect(drive.statusCode).toBe(201);
    [storage, project] = (drive.data.id as string).split('$') as [string, string];
    const invited = await graph(t.app, 'POST', `/graph/v1beta1/drives/${drive.data.id}/root/invite`, { body: { recipients: [{ objectId: 'alice', '@libre.graph.recipient.type': 'user' }], roles: [VIEWER] } });
    expect(invited.statusCode, invited.body).toBe(200);
    const admin = { user: 'admin', password: 'Admin-Test-Pass-1' };
    expect((await put(`/remote.php/dav/spaces/${drive.data.id}/launch-report.md`, admin, 'go', 1_700_000_900)).statusCode).toBe(201);
  });
  afterAll(async () => t?.close());

  it('finds names across the personal space, member spaces and received shares, never another user’s file', async () => {
    expect(await found('name:"*report*"')).toEqual(['alice/docs/Report 2026.pdf', 'project/launch-report.md', 'shares/team/report-from-bob.txt']);
    expect(await found('name:"*report*"', carol)).toEqual(['carol/report-carol.txt']);
    expect(await found('notes.txt')).toEqual(['alice/docs/notes.txt']);
    expect(await found('name:"*nothing-like-this*"')).toEqual([]);
  });

  it('answers oCIS’s properties, ids of the oCIS form, the share’s id and root for hits in a received share, and the total in Content-Range', async () => {
    const res = await search('name:"*report*"');
    expect(res.headers['content-range']).toBe('rows 0-2/3');
    const hits = multistatus(res);
    const own = hits.find((h) => h.href.endsWith('/docs/Report%202026.pdf'))!;
    expect(own.href).toBe(`/remote.php/dav/spaces/${storage}$${alice.user}/docs/Report%202026.pdf`);
    expect(own.ok).toMatchObject({ 'oc:name': 'Report 2026.pdf', 'd:getcontenttype': 'application/pdf', 'd:getcontentlength': '3', 'd:getlastmodified': '2023-11-14T22:15:00Z' });
    expect(own.ok['oc:fileid']).toMatch(new RegExp(`^${storage.replace(/[$]/g, '\\$')}\\$alice!.+`));
    expect(own.ok['oc:file-parent']).toMatch(/^.+\$alice!.+/);
    expect(own.ok['oc:permissions']).toContain('D');
    expect(own.ok['d:getetag']).toMatch(/^".+"$/);
    expect(own.ok).not.toHaveProperty('oc:shareid');
    const shared = hits.find((h) => h.href.endsWith('/report-from-bob.txt'))!;
    // oCIS's share jail: {jail}!{shareId}, then the path below the shared node.
    expect(shared.href).toBe(`/remote.php/dav/spaces/a0ca6a90-a365-4782-871e-d44447bbc668!${shared.ok['oc:shareid']}/report-from-bob.txt`);
    expect(shared.ok['oc:shareroot']).toBe('team');
    expect(shared.ok['oc:shareid']).toMatch(/.+/);
    expect(shared.ok['oc:permissions']).toMatch(/^S/);
    expect(shared.ok['oc:permissions']).not.toContain('D');
    // A folder: collection, oc:size, the directory type.
    const folder = multistatus(await search('name:"photos"')).at(0)!;
    expect(folder.ok).toMatchObject({ 'd:resourcetype': { 'd:collection': '' }, 'oc:size': '7', 'd:getcontenttype': 'httpd/unix-directory' });
    // The href opens for the caller, as a PROPFIND, and names the same href again; another user cannot open it.
    const opened = await dav(t.app, 'PROPFIND', shared.href, { as: alice, headers: { depth: '0' } });
    expect(opened.statusCode).toBe(207);
    expect(multistatus(opened)[0]!.href).toBe(shared.href);
    expect((await dav(t.app, 'PROPFIND', shared.href, { as: carol, headers: { depth: '0' } })).statusCode).toBe(404);
    // A read-only share stays read-only through the jail.
    expect((await dav(t.app, 'PUT', shared.href, { as: alice, body: 'overwrite' })).statusCode).toBe(403);
  });

  it('scores each hit by how its name matches: whole name, start, word start, elsewhere', async () => {
    const score = async (pattern: string) => Object.fromEntries(multistatus(await search(pattern)).map((h) => [label(h), h.ok['oc:score']]));
    expect(await score('name:"*report*"')).toEqual({ 'alice/docs/Report 2026.pdf': '0.75', 'shares/team/report-from-bob.txt': '0.75', 'project/launch-report.md': '0.5' });
    expect((await score('name:"notes*"'))['alice/docs/notes.txt']).toBe('1');
    expect((await score('name:"*otes*"'))['alice/docs/notes.txt']).toBe('0.25');
    expect(Object.values(await score('mediatype:pdf'))).toEqual(['1']);
  });

  it('filters by media type and modification time as the web app’s filters send them', async () => {
    expect(await found('mediatype:("image")')).toEqual(['alice/photos/beach.jpg', 'alice/photos/city.png']);
    expect(await found('name:"*e*" AND mediatype:("folder" OR "pdf")')).toEqual(['alice/docs/Report 2026.pdf', 'shares/team']);
    expect(await found('mediatype:document', carol)).toEqual(['carol/report-carol.txt']);
    expect(await found('mediatype:file AND NOT mediatype:image AND name:"*o*"')).toEqual([
      'alice/docs/Report 2026.pdf',
      'alice/docs/notes.txt',
      'project/launch-report.md',
      'shares/team/report-from-bob.txt',
    ]);
    expect(await found('mtime>=2026-01-01 mediatype:file')).toEqual(['alice/docs/notes.txt']);
    expect(await found('mtime:2026-01-10')).toEqual(['alice/docs/notes.txt']);
    expect(await found('mtime:"last 7 days"')).toEqual(expect.arrayContaining(['alice/docs', 'alice/photos']));
    expect(await found('mtime:last year AND mediatype:file')).toEqual([]);
    expect(await found('name:"*report*" -name:"*bob*"')).toEqual(['alice/docs/Report 2026.pdf', 'project/launch-report.md']);
    expect(await found('beach.jpg OR city.png')).toEqual(['alice/photos/beach.jpg', 'alice/photos/city.png']);
  });

  it('announces in capabilities exactly the search properties and filter keywords the server understands', async () => {
    const caps = (await ocs(t.app, 'GET', '/cloud/capabilities', { as: alice })).ocs.data.capabilities;
    expect(caps.dav.reports).toEqual(['search-files']);
    expect(caps.files).toMatchObject({ favorites: true, full_text_search: false, tags: false });
    const props = caps.search.property as Record<string, { enabled: boolean; keywords?: string[] }>;
    expect(Object.keys(props).sort()).toEqual(['content', 'mediatype', 'mtime', 'name', 'scope', 'size', 'tag', 'tags', 'type']);
    const sample: Record<string, string> = { name: 'name:"*report*"', mtime: 'mtime:"today"', mediatype: 'mediatype:("pdf")', scope: 'report scope:docs', size: 'size>10', type: 'type:file', tag: 'tag:golden', tags: 'tags:golden', content: 'content:"captain"' };
    for (const [name, p] of Object.entries(props)) {
      const res = await search(sample[name]!);
      expect(res.statusCode, `${name}: ${res.body}`).toBe(p.enabled ? 207 : 400);
    }
    for (const keyword of props.mediatype!.keywords!) expect((await search(`mediatype:("${keyword}")`)).statusCode, keyword).toBe(207);
    for (const keyword of props.mtime!.keywords!) expect((await search(`mtime:"${keyword}"`)).statusCode, keyword).toBe(207);
    expect(props.mtime!.keywords).toContain('last 30 days');
    expect(props.mediatype!.keywords).toContain('spreadsheet');
  });

  it('narrows to one space by its URL, and below a folder by scope:', async () => {
    expect(await found('name:"*report*"', alice, `/remote.php/dav/spaces/${storage}$${project}`)).toEqual(['project/launch-report.md']);
    expect(await found('name:"*report*"', alice, `/dav/spaces/${storage}$${alice.user}/docs`)).toEqual(['alice/docs/Report 2026.pdf']);
    expect(await found('name:"*report*"', alice, '/remote.php/dav/files/alice')).toHaveLength(3);
    const docs = multistatus(await search('name:"docs"')).at(0)!;
    expect(await found(`name:"*" AND scope:${docs.ok['oc:fileid']}`)).toEqual(['alice/docs/Report 2026.pdf', 'alice/docs/notes.txt']);
    // A folder the caller cannot reach narrows to nothing; one above a share they received, to the share.
    const carols = multistatus(await search('name:"*report*"', carol)).at(0)!;
    expect(await found(`name:"*" AND scope:${carols.ok['oc:file-parent']}`)).toEqual([]);
    const bobs = multistatus(await search('name:"*private*"', bob)).at(0)!;
    expect(await found(`name:"*" AND scope:${bobs.ok['oc:file-parent']}`)).toEqual(['shares/team', 'shares/team/report-from-bob.txt']);
    expectDavError(await search('name:"*"', alice, `/remote.php/dav/spaces/${storage}$carol`), 404);
  });

  it('pages with oc:limit, the total still counting every match', async () => {
    const res = await search('name:"*"', alice, undefined, 2);
    expect(multistatus(res)).toHaveLength(2);
    expect(res.headers['content-range']).toMatch(/^rows 0-1\/(\d+)$/);
    expect(Number(/\/(\d+)$/.exec(String(res.headers['content-range']))![1])).toBe(9);
    expect((await search('name:"*nothing*"')).headers['content-range']).toBeUndefined();
  });

  it('stops showing a space at the next request once the membership is removed', async () => {
    const driveId = `${storage}$${project}`;
    expect(await found('launch-report.md')).toEqual(['project/launch-report.md']);
    const removed = await graph(t.app, 'DELETE', `/graph/v1beta1/drives/${driveId}/root/permissions/u:alice`);
    expect(removed.statusCode, removed.body).toBe(204);
    expect(await found('launch-report.md')).toEqual([]);
    expect(await found('name:"*report*"', alice, `/remote.php/dav/spaces/${driveId}`).catch(() => 'refused')).toBe('refused');
  });

  it('refuses bad requests with DAV errors, never a 500', async () => {
    for (const pattern of ['', 'name:"open', '(a', 'tag:important', 'content:"annual"', 'mediatype:weird', 'mtime:soon', 'a OR scope:x', 'scope:other$x!y']) {
      const { message } = expectDavError(await search(pattern), 400);
      expect(message, pattern).not.toBe('');
    }
    expectDavError(await search('a', alice, undefined, 'many'), 400);
    expectDavError(await dav(t.app, 'REPORT', '/remote.php/dav/spaces/', { as: alice, body: '<oc:search-files xmlns:oc="http://owncloud.org/ns"/>' }), 400);
    expectDavError(await dav(t.app, 'REPORT', '/remote.php/dav/spaces/', { as: alice, body: '' }), 400);
    expectDavError(await dav(t.app, 'REPORT', '/remote.php/dav/spaces/', { as: alice, body: '<d:x xmlns:d="DAV:"/>' }), 501);
    expectDavError(await search('a', null), 401);
    expectDavError(await search('a', { user: 'alice', password: 'wrong' }), 401);
  });
});
