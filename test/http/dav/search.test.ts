import { afterAll, beforeAll, expect, it } from 'vitest';
import { basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { dav, expectDavError, multistatus } from './dav-helpers.js';

type Who = { user: string; password: string };

const where = (condition: string, extra = '', scope = '/files/alice', props = '<d:displayname/><oc:fileid/>') => `<?xml version="1.0" encoding="UTF-8"?>
<d:searchrequest xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
 <d:basicsearch>
  <d:select><d:prop>${props}</d:prop></d:select>
  <d:from><d:scope><d:href>${scope}</d:href><d:depth>infinity</d:depth></d:scope></d:from>
  <d:where>${condition}</d:where>
  ${extra}
 </d:basicsearch>
</d:searchrequest>`;

const like = (prop: string, literal: string) => `<d:like><d:prop>${prop}</d:prop><d:literal>${literal}</d:literal></d:like>`;

describeEachDb('WebDAV SEARCH (RFC 5323 basicsearch, as Nextcloud)', (kind) => {
  let t: TestApp;
  let alice: Who;
  let bob: Who;
  let carol: Who;
  const home = (who: Who, p: string) => `/remote.php/dav/files/${who.user}/${p.split('/').map(encodeURIComponent).join('/')}`;
  const put = (who: Who, p: string, body: string, mtime: number) => dav(t.app, 'PUT', home(who, p), { as: who, body, headers: { 'x-oc-mtime': String(mtime) } });
  const search = (body: string, as: Who | null = alice, url = '/remote.php/dav/') => dav(t.app, 'SEARCH', url, { as, body, headers: { 'content-type': 'text/xml' } });
  const names = async (body: string, as: Who = alice) => {
    const res = await search(body, as);
    expect(res.statusCode, res.body).toBe(207);
    return multistatus(res).map((r) => decodeURIComponent(r.href.replace(`/remote.php/dav/files/${as.user}/`, '')));
  };

  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice');
    bob = await newUser(t.app, 'bob');
    carol = await newUser(t.app, 'carol');
    for (const d of ['docs', 'photos', 'docs/old']) await dav(t.app, 'MKCOL', home(alice, d), { as: alice });
    await put(alice, 'docs/Report 2026.pdf', 'x'.repeat(3000), 1_700_000_100);
    await put(alice, 'docs/notes.txt', 'notes', 1_700_000_200);
    await put(alice, 'docs/old/report-2020.txt', 'old report', 1_600_000_000);
    await put(alice, 'photos/beach.jpg', 'jpeg bytes', 1_700_000_300);
    await put(alice, 'photos/city.png', 'png bytes', 1_700_000_400);
    await put(alice, '100%_done.txt', 'wildcards in the name', 1_700_000_500);
    await dav(t.app, 'PROPPATCH', home(alice, 'photos/city.png'), { as: alice, body: '<d:propertyupdate xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:set><d:prop><oc:favorite>1</oc:favorite></d:prop></d:set></d:propertyupdate>' });
    await dav(t.app, 'MKCOL', home(bob, 'team'), { as: bob });
    await put(bob, 'team/report-from-bob.txt', 'bob', 1_700_000_600);
    await put(bob, 'private-report.txt', 'not shared', 1_700_000_700);
    const share = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: bob, body: { path: '/team', shareType: 0, shareWith: 'alice', permissions: 1 } });
    expect(share.statusCode).toBe(200);
    await put(carol, 'report-carol.txt', 'carol', 1_700_000_800);
  });
  afterAll(async () => t?.close());

  it('finds by name anywhere in the home, received shares under their mount, never another user’s file', async () => {
    const found = await names(where(like('<d:displayname/>', '%report%')));
    expect(found.sort()).toEqual(['docs/Report 2026.pdf', 'docs/old/report-2020.txt', 'team/report-from-bob.txt']);
    expect(await names(where(like('<d:displayname/>', '%team%')))).toEqual(['team/']);
    expect(await names(where(like('<d:displayname/>', '%team%'), '', '/files/carol'), carol)).toEqual([]);
  });

  it('answers the selected properties as PROPFIND does', async () => {
    const res = await search(where(like('<d:displayname/>', 'notes.txt'), '', '/files/alice', '<d:getcontentlength/><d:getcontenttype/><oc:fileid/><oc:permissions/>'));
    const [hit] = multistatus(res);
    expect(hit!.ok).toMatchObject({ 'd:getcontentlength': '5', 'd:getcontenttype': 'text/plain', 'oc:permissions': 'RGDNVW' });
    expect(hit!.ok['oc:fileid']).toMatch(/^\d+$/);
  });

  it('compares types, dates and sizes, combines with and/or/not, sorts and pages as the apps ask', async () => {
    const images = where(like('<d:getcontenttype/>', 'image/%'), '<d:orderby><d:order><d:prop><d:getlastmodified/></d:prop><d:descending/></d:order></d:orderby>');
    expect(await names(images)).toEqual(['photos/city.png', 'photos/beach.jpg']);
    const paged = where(like('<d:getcontenttype/>', 'image/%'), '<d:orderby><d:order><d:prop><d:getlastmodified/></d:prop><d:descending/></d:order></d:orderby><d:limit><d:nresults>1</d:nresults><nc:firstresult>1</nc:firstresult></d:limit>');
    expect(await names(paged)).toEqual(['photos/beach.jpg']);
    const recent = where(`<d:and><d:gt><d:prop><d:getlastmodified/></d:prop><d:literal>1700000250</d:literal></d:gt><d:not><d:is-collection/></d:not></d:and>`);
    expect((await names(recent)).sort()).toEqual(['100%_done.txt', 'photos/beach.jpg', 'photos/city.png', 'team/report-from-bob.txt']);
    const big = where(`<d:or><d:gte><d:prop><oc:size/></d:prop><d:literal>3000</d:literal></d:gte><d:eq><d:prop><d:displayname/></d:prop><d:literal>notes.txt</d:literal></d:eq></d:or>`);
    expect((await names(big)).sort()).toEqual(['docs/', 'docs/Report 2026.pdf', 'docs/notes.txt']);
    const httpDate = where(`<d:lt><d:prop><d:getlastmodified/></d:prop><d:literal>${new Date(1_650_000_000_000).toUTCString()}</d:literal></d:lt>`);
    expect(await names(httpDate)).toEqual(['docs/old/report-2020.txt']);
  });

  it('finds favourites, and keeps % and _ in a literal as wildcards as Nextcloud does', async () => {
    expect(await names(where('<d:eq><d:prop><oc:favorite/></d:prop><d:literal>1</d:literal></d:eq>'))).toEqual(['photos/city.png']);
    expect(await names(where(like('<d:displayname/>', '100\\%\\_done.txt')))).toEqual(['100%_done.txt']);
  });

  it('searches below a folder of the scope, at depth 1 or all the way down', async () => {
    expect((await names(where(like('<d:displayname/>', '%'), '', '/files/alice/docs'))).sort()).toEqual(['docs/Report 2026.pdf', 'docs/notes.txt', 'docs/old/', 'docs/old/report-2020.txt']);
    const shallow = where(like('<d:displayname/>', '%'), '', '/files/alice/docs').replace('<d:depth>infinity</d:depth>', '<d:depth>1</d:depth>');
    expect((await names(shallow)).sort()).toEqual(['docs/Report 2026.pdf', 'docs/notes.txt', 'docs/old/']);
    expect(await names(where(like('<d:displayname/>', '%report%'), '', '/files/alice/team'))).toEqual(['team/report-from-bob.txt']);
  });

  it('refuses what it cannot answer with DAV errors, never a 500', async () => {
    expectDavError(await search(''), 400);
    expectDavError(await search('<d:searchrequest xmlns:d="DAV:"><d:basicsearch>'), 400);
    expectDavError(await search('<d:propfind xmlns:d="DAV:"/>'), 400);
    expectDavError(await search(where(like('<d:displayname/>', '%'), '', '/files/bob')), 400);
    expectDavError(await search(where(like('<d:displayname/>', '%'), '', '/files/alice/nothing-here')), 404);
    expectDavError(await search(where(like('<oc:owner-id/>', '%'))), 501);
    expectDavError(await search(where('<d:contains>report</d:contains>')), 501);
    expectDavError(await search(where(like('<oc:size/>', '1%'))), 501);
    expectDavError(await search(where('<d:gt><d:prop><oc:size/></d:prop><d:literal>big</d:literal></d:gt>')), 400);
    expectDavError(await search(where('<d:gt><d:prop><d:getlastmodified/></d:prop><d:literal>yesterday-ish</d:literal></d:gt>')), 400);
    let deep = '<d:is-collection/>';
    for (let i = 0; i < 20; i++) deep = `<d:not>${deep}</d:not>`;
    expectDavError(await search(where(deep)), 400);
    expectDavError(await search(where(like('<d:displayname/>', '%')), null), 401);
    expectDavError(await search(where(like('<d:displayname/>', '%')), { user: 'alice', password: 'wrong' }), 401);
    expectDavError(await search(where(like('<d:displayname/>', '%')), alice, '/remote.php/dav/files/alice/'), 501);
    expect((await t.app.inject({ method: 'SEARCH' as 'GET', url: '/remote.php/dav/', headers: { authorization: basic(alice.user, alice.password) }, payload: where(like('<d:displayname/>', '%')) })).statusCode).toBe(207);
  });
});
