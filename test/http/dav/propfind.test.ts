import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, buildTestApp, describeEachDb, newUser, type TestApp } from '../../helpers/app.js';
import { dav, expectDavError, FILES, mkcol, multistatus, propfind, put } from './dav-helpers.js';

const NC_PROPS = [
  'd:getlastmodified',
  'd:getetag',
  'd:getcontenttype',
  'd:resourcetype',
  'oc:fileid',
  'oc:id',
  'oc:permissions',
  'oc:size',
  'd:getcontentlength',
  'oc:checksums',
  'oc:owner-id',
  'oc:owner-display-name',
  'nc:has-preview',
  'oc:favorite',
  'oc:share-types',
];

describeEachDb('WebDAV PROPFIND', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    await put(t.app, `${FILES}/test.txt`, 'hello again from the nimbus peer');
    await mkcol(t.app, `${FILES}/docs`);
    await put(t.app, `${FILES}/docs/readme.md`, '# readme');
    await put(t.app, `${FILES}/Nimbus intro.mp4`, 'not really a video');
  });
  afterAll(async () => t?.close());

  it('answers an empty body (allprop) at Depth 1 with the core set of sample 25', async () => {
    const res = await dav(t.app, 'PROPFIND', `${FILES}/`, { depth: '1' });
    expect(res.headers.dav).toBeDefined();
    expect(res.headers.vary).toBe('Brief,Prefer');
    expect(res.body.startsWith('<?xml version="1.0"?>\n<d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">')).toBe(true);
    const items = multistatus(res);
    // Members in code-point order, as Nextcloud lists them (sample 25: upper case first).
    expect(items.map((i) => i.href)).toEqual([`${FILES}/`, `${FILES}/Nimbus%20intro.mp4`, `${FILES}/docs/`, `${FILES}/test.txt`]);
    const root = items[0]!;
    expect(Object.keys(root.ok)).toEqual(['d:getlastmodified', 'd:resourcetype', 'd:quota-used-bytes', 'd:quota-available-bytes', 'd:getetag']);
    expect(root.ok['d:resourcetype']).toEqual({ 'd:collection': '' });
    expect(root.ok['d:quota-available-bytes']).toBe('-3');
    expect(root.ok['d:getetag']).toMatch(/^"[^"]+"$/);
    expect(root.ok['d:getlastmodified']).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    const file = items.find((i) => i.href.endsWith('test.txt'))!;
    expect(Object.keys(file.ok)).toEqual(['d:getlastmodified', 'd:getcontentlength', 'd:resourcetype', 'd:getetag', 'd:getcontenttype']);
    expect(file.ok['d:getcontentlength']).toBe('32');
    expect(file.ok['d:resourcetype']).toBe('');
    expect(file.ok['d:getcontenttype']).toMatch(/^text\/plain/);
    const docs = items.find((i) => i.href.endsWith('docs/'))!;
    expect(docs.ok['d:quota-used-bytes']).toBe('8');
    expect(res.body).toContain('<d:getetag>&quot;');
  });

  it('answers an explicit list as sample 26: found in 200, the rest in 404', async () => {
    const res = await propfind(t.app, `${FILES}/`, NC_PROPS, { depth: '1' });
    const items = multistatus(res);
    const root = items[0]!;
    expect(root.failed[404]).toEqual(['d:getcontenttype', 'd:getcontentlength', 'oc:checksums']);
    expect(root.ok['oc:permissions']).toBe('RGDNVCK');
    expect(root.ok['oc:owner-id']).toBe(ADMIN.user);
    expect(root.ok['oc:owner-display-name']).toBe(ADMIN.user);
    expect(root.ok['nc:has-preview']).toBe('false');
    expect(root.ok['oc:favorite']).toBe('0');
    expect(root.ok['oc:share-types']).toBe('');
    const file = items.find((i) => i.href.endsWith('test.txt'))!;
    expect(file.ok['oc:permissions']).toBe('RGDNVW');
    expect(file.ok['oc:id']).toMatch(new RegExp(`^${String(file.ok['oc:fileid']).padStart(8, '0')}oc[a-z0-9]{10}$`));
    expect(file.ok['oc:size']).toBe('32');
    expect(file.failed[404]).toEqual(['oc:checksums']);
    // The properties keep the order of the request inside each propstat.
    expect(Object.keys(file.ok)).toEqual(NC_PROPS.filter((p) => p !== 'oc:checksums'));
    // The same fileid on every request, and unique per item.
    const ids = new Set(items.map((i) => i.ok['oc:fileid']));
    expect(ids.size).toBe(items.length);
  });

  it('answers Depth 0 on a file as sample 27', async () => {
    const items = multistatus(await dav(t.app, 'PROPFIND', `${FILES}/test.txt`, { depth: '0' }));
    expect(items).toHaveLength(1);
    expect(items[0]!.href).toBe(`${FILES}/test.txt`);
  });

  it('answers a missing path with 404 and the NotFound body of sample 28', async () => {
    const res = await dav(t.app, 'PROPFIND', `${FILES}/nope.txt`, { depth: '0' });
    const err = expectDavError(res, 404, 'Sabre\\DAV\\Exception\\NotFound');
    expect(err.message).toBe('File with name nope.txt could not be located');
    expect(res.headers.dav).toBeDefined();
  });

  it('refuses Depth infinity with 403 and the finite-depth precondition', async () => {
    const res = await dav(t.app, 'PROPFIND', `${FILES}/`, { depth: 'infinity' });
    expectDavError(res, 403, 'Sabre\\DAV\\Exception\\PreconditionFailed');
    expect(res.body).toContain('<d:propfind-finite-depth/>');
  });

  it('treats a missing Depth as 1, as Sabre does', async () => {
    const res = await t.app.inject({ method: 'PROPFIND' as 'GET', url: `${FILES}/docs/`, headers: { authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}` } });
    expect(multistatus(res).map((i) => i.href)).toEqual([`${FILES}/docs/`, `${FILES}/docs/readme.md`]);
  });

  it('refuses malformed XML and a wrong root with 400', async () => {
    expectDavError(await dav(t.app, 'PROPFIND', `${FILES}/`, { depth: '0', body: '<foo>' }), 400, 'Sabre\\DAV\\Exception\\BadRequest');
    expectDavError(await dav(t.app, 'PROPFIND', `${FILES}/`, { depth: '0', body: '<d:propfind xmlns:d="DAV:"><d:prop><x:y xmlns:x=""/></d:prop></d:propfind>' }), 400);
    expectDavError(await dav(t.app, 'PROPFIND', `${FILES}/`, { depth: '0', body: '<d:nope xmlns:d="DAV:"/>' }), 400);
    expectDavError(await dav(t.app, 'PROPFIND', `${FILES}/`, { depth: '0', body: `<d:propfind xmlns:d="DAV:"><d:prop>${'<d:x/>'.repeat(200_000)}</d:prop></d:propfind>` }), 413);
  });

  it('answers propname with every property name, empty', async () => {
    const items = multistatus(await dav(t.app, 'PROPFIND', `${FILES}/test.txt`, { depth: '0', body: '<d:propfind xmlns:d="DAV:"><d:propname/></d:propfind>' }));
    expect(items[0]!.ok['d:getetag']).toBe('');
    expect(items[0]!.ok['oc:fileid']).toBe('');
    expect(items[0]!.ok['d:quota-used-bytes']).toBeUndefined();
  });

  it('drops the 404 propstat for Prefer: return=minimal', async () => {
    const items = multistatus(await propfind(t.app, `${FILES}/`, ['d:getetag', 'd:getcontentlength'], { headers: { prefer: 'return=minimal' } }));
    expect(items[0]!.failed).toEqual({});
  });

  it('has data-fingerprint on the root only, displayname and creationdate everywhere', async () => {
    const items = multistatus(await propfind(t.app, `${FILES}/`, ['oc:data-fingerprint', 'd:displayname', 'd:creationdate', 'oc:privatelink'], { depth: '1' }));
    expect(items[0]!.ok['oc:data-fingerprint']).toBe('');
    const file = items.find((i) => i.href.endsWith('test.txt'))!;
    expect(file.failed[404]).toEqual(['oc:data-fingerprint']);
    expect(file.ok['d:displayname']).toBe('test.txt');
    expect(file.ok['d:creationdate']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(file.ok['oc:privatelink']).toMatch(/^http:\/\/nimbus\.test\/f\/\d+$/);
  });

  it('reports the personal quota as used/available bytes', async () => {
    const bob = await newUser(t.app, 'quota-bob', { quota: '1000' });
    await put(t.app, '/remote.php/dav/files/quota-bob/a.txt', 'x'.repeat(100), { as: bob });
    const items = multistatus(await propfind(t.app, '/remote.php/dav/files/quota-bob/', ['d:quota-used-bytes', 'd:quota-available-bytes'], { as: bob }));
    expect(items[0]!.ok).toEqual({ 'd:quota-used-bytes': '100', 'd:quota-available-bytes': '900' });
  });

  it('propagates etags and sizes to the root after a change below', async () => {
    const before = multistatus(await propfind(t.app, `${FILES}/`, ['d:getetag', 'oc:size']))[0]!.ok;
    await put(t.app, `${FILES}/docs/more.md`, '12345');
    const after = multistatus(await propfind(t.app, `${FILES}/`, ['d:getetag', 'oc:size']))[0]!.ok;
    expect(after['d:getetag']).not.toBe(before['d:getetag']);
    expect(Number(after['oc:size'])).toBe(Number(before['oc:size']) + 5);
  });

  describe('entry points', () => {
    it('serves the legacy /remote.php/webdav with its own hrefs (sample 42)', async () => {
      const items = multistatus(await dav(t.app, 'PROPFIND', '/remote.php/webdav/', { depth: '1' }));
      expect(items[0]!.href).toBe('/remote.php/webdav/');
      expect(items.map((i) => i.href)).toContain('/remote.php/webdav/docs/');
    });

    it('serves spaces by the webDavUrl of /me/drive, with $ raw or encoded, and by the plain id', async () => {
      const drive = await t.app.inject({ method: 'GET', url: '/graph/v1.0/me/drive', headers: { authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}` } });
      const webDavUrl = new URL(JSON.parse(drive.body).root.webDavUrl as string);
      const id = JSON.parse(drive.body).id as string;
      const spaceId = id.split('$')[1]!;
      for (const base of [webDavUrl.pathname, `/dav/spaces/${id.replace('$', '%24')}`, `/remote.php/dav/spaces/${encodeURIComponent(id)}`, `/remote.php/dav/spaces/${spaceId}`]) {
        const items = multistatus(await dav(t.app, 'PROPFIND', `${base}/`, { depth: '1' }));
        expect(items[0]!.href, base).toMatch(/\/$/);
        expect(items.some((i) => i.href.endsWith('/test.txt')), base).toBe(true);
        expect((await dav(t.app, 'GET', `${base}/test.txt`)).body).toBe('hello again from the nimbus peer');
      }
      expectDavError(await dav(t.app, 'PROPFIND', `/dav/spaces/other-storage$${spaceId}/`, { depth: '0' }), 404);
    });

    it('answers the collections above the spaces as bare collections', async () => {
      const items = multistatus(await dav(t.app, 'PROPFIND', '/remote.php/dav/', { depth: '0' }));
      expect(items[0]!.ok['d:resourcetype']).toEqual({ 'd:collection': '' });
    });
  });
});
