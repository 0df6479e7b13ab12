import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newUser, type TestApp } from '../../helpers/app.js';
import { dav, expectDavError, FILES, multistatus, propfind, put } from './dav-helpers.js';

const patch = (body: string) => `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:x="urn:example">${body}</d:propertyupdate>`;

describeEachDb('WebDAV PROPPATCH', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    await put(t.app, `${FILES}/p.txt`, 'x');
  });
  afterAll(async () => t?.close());

  it('stores dead properties, returns them, and removes them', async () => {
    const res = await dav(t.app, 'PROPPATCH', `${FILES}/p.txt`, {
      body: patch('<d:set><d:prop><x:color>blue</x:color><x:tree><x:leaf a="1">v &amp; w</x:leaf></x:tree></d:prop></d:set>'),
    });
    const [r] = multistatus(res);
    expect(r!.href).toBe(`${FILES}/p.txt`);
    expect(r!.propstats).toHaveLength(1);
    expect(r!.propstats[0]!.status).toBe(200);
    expect(res.body).toContain('<x1:color xmlns:x1="urn:example"/>');

    const got = await dav(t.app, 'PROPFIND', `${FILES}/p.txt`, {
      depth: '0',
      body: '<d:propfind xmlns:d="DAV:" xmlns:x="urn:example"><d:prop><x:color/><x:tree/><x:absent/></d:prop></d:propfind>',
    });
    expect(got.body).toContain('<x1:color xmlns:x1="urn:example">blue</x1:color>');
    expect(got.body).toContain('<x1:tree xmlns:x1="urn:example"><leaf xmlns="urn:example" a="1">v &amp; w</leaf></x1:tree>');
    expect(multistatus(got)[0]!.failed[404]).toEqual(['x1:absent']);

    // allprop carries dead properties too.
    expect((await dav(t.app, 'PROPFIND', `${FILES}/p.txt`, { depth: '0' })).body).toContain('>blue</x1:color>');

    await dav(t.app, 'PROPPATCH', `${FILES}/p.txt`, { body: patch('<d:remove><d:prop><x:color/></d:prop></d:remove>') });
    expect(multistatus(await dav(t.app, 'PROPFIND', `${FILES}/p.txt`, { depth: '0', body: '<d:propfind xmlns:d="DAV:" xmlns:x="urn:example"><d:prop><x:color/></d:prop></d:propfind>' }))[0]!.failed[404]).toEqual(['x1:color']);
  });

  it('applies instructions in document order', async () => {
    await dav(t.app, 'PROPPATCH', `${FILES}/p.txt`, {
      body: patch('<d:remove><d:prop><x:o/></d:prop></d:remove><d:set><d:prop><x:o>1</x:o></d:prop></d:set><d:set><d:prop><x:o>2</x:o></d:prop></d:set>'),
    });
    expect((await dav(t.app, 'PROPFIND', `${FILES}/p.txt`, { depth: '0', body: '<d:propfind xmlns:d="DAV:" xmlns:x="urn:example"><d:prop><x:o/></d:prop></d:propfind>' })).body).toContain('>2</x1:o>');
  });

  it('refuses protected properties with 403 and fails the rest with 424, storing nothing', async () => {
    const res = await dav(t.app, 'PROPPATCH', `${FILES}/p.txt`, {
      body: patch('<d:set><d:prop><d:getcontentlength>9</d:getcontentlength><oc:fileid>1</oc:fileid><x:fine>yes</x:fine></d:prop></d:set>'),
    });
    const [r] = multistatus(res);
    expect(r!.failed[403]).toEqual(['d:getcontentlength', 'oc:fileid']);
    expect(r!.failed[424]).toEqual(['x1:fine']);
    expect((await dav(t.app, 'PROPFIND', `${FILES}/p.txt`, { depth: '0', body: '<d:propfind xmlns:d="DAV:" xmlns:x="urn:example"><d:prop><x:fine/></d:prop></d:propfind>' })).body).not.toContain('yes');
  });

  it('keeps favorites per user', async () => {
    const res = await dav(t.app, 'PROPPATCH', `${FILES}/p.txt`, { body: patch('<d:set><d:prop><oc:favorite>1</oc:favorite></d:prop></d:set>') });
    expect(multistatus(res)[0]!.propstats[0]!.status).toBe(200);
    expect(multistatus(await propfind(t.app, `${FILES}/p.txt`, ['oc:favorite']))[0]!.ok['oc:favorite']).toBe('1');
    await dav(t.app, 'PROPPATCH', `${FILES}/p.txt`, { body: patch('<d:set><d:prop><oc:favorite>0</oc:favorite></d:prop></d:set>') });
    expect(multistatus(await propfind(t.app, `${FILES}/p.txt`, ['oc:favorite']))[0]!.ok['oc:favorite']).toBe('0');
  });

  it('answers a missing resource with 404 and a bad body with 400', async () => {
    expectDavError(await dav(t.app, 'PROPPATCH', `${FILES}/missing.txt`, { body: patch('') }), 404);
    expectDavError(await dav(t.app, 'PROPPATCH', `${FILES}/p.txt`, { body: '<d:propfind xmlns:d="DAV:"/>' }), 400);
    expectDavError(await dav(t.app, 'PROPPATCH', `${FILES}/p.txt`, { body: '<unclosed' }), 400);
  });

  it('keeps dead properties on MOVE', async () => {
    await put(t.app, `${FILES}/m1.txt`, 'x');
    await dav(t.app, 'PROPPATCH', `${FILES}/m1.txt`, { body: patch('<d:set><d:prop><x:kept>yes</x:kept></d:prop></d:set>') });
    expect((await dav(t.app, 'MOVE', `${FILES}/m1.txt`, { headers: { destination: `${FILES}/m2.txt` } })).statusCode).toBe(201);
    expect((await dav(t.app, 'PROPFIND', `${FILES}/m2.txt`, { depth: '0', body: '<d:propfind xmlns:d="DAV:" xmlns:x="urn:example"><d:prop><x:kept/></d:prop></d:propfind>' })).body).toContain('>yes</x1:kept>');
  });

  it("does not let one user's favorites show for another", async () => {
    const bob = await newUser(t.app, 'fav-bob');
    await put(t.app, '/remote.php/dav/files/fav-bob/b.txt', 'x', { as: bob });
    await dav(t.app, 'PROPPATCH', '/remote.php/dav/files/fav-bob/b.txt', { as: bob, body: patch('<d:set><d:prop><oc:favorite>1</oc:favorite></d:prop></d:set>') });
    expect(multistatus(await propfind(t.app, '/remote.php/dav/files/fav-bob/b.txt', ['oc:favorite'], { as: bob }))[0]!.ok['oc:favorite']).toBe('1');
    // A favorite is not a property anyone lists through allprop.
    expect((await dav(t.app, 'PROPFIND', '/remote.php/dav/files/fav-bob/b.txt', { as: bob, depth: '0' })).body).not.toContain('favorite');
  });
});
