import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, buildTestApp, describeEachDb, type TestApp } from '../../helpers/app.js';
import { dav, expectDavError, FILES, mkcol, multistatus, put } from './dav-helpers.js';

describeEachDb('WebDAV COPY and MOVE', (kind) => {
  let t: TestApp;
  let projectBase: string;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    const created = await t.app.services.spaces.create(ADMIN.user, { name: 'Project X' });
    projectBase = `/remote.php/dav/spaces/${created.views[0]!.space.id}`;
  });
  afterAll(async () => t?.close());

  const get = async (url: string) => (await dav(t.app, 'GET', url)).body;
  const exists = async (url: string) => (await dav(t.app, 'PROPFIND', url, { depth: '0' })).statusCode === 207;

  describe('COPY', () => {
    it('copies a file: 201 new, 204 overwritten, 412 with Overwrite: F', async () => {
      await put(t.app, `${FILES}/src.txt`, 'source');
      const first = await dav(t.app, 'COPY', `${FILES}/src.txt`, { headers: { destination: `${FILES}/dst.txt` } });
      expect(first.statusCode).toBe(201);
      expect(await get(`${FILES}/dst.txt`)).toBe('source');
      await put(t.app, `${FILES}/src.txt`, 'changed');
      expectDavError(await dav(t.app, 'COPY', `${FILES}/src.txt`, { headers: { destination: `${FILES}/dst.txt`, overwrite: 'F' } }), 412, 'Sabre\\DAV\\Exception\\PreconditionFailed');
      expect(await get(`${FILES}/dst.txt`)).toBe('source');
      expect((await dav(t.app, 'COPY', `${FILES}/src.txt`, { headers: { destination: `${FILES}/dst.txt`, overwrite: 'T' } })).statusCode).toBe(204);
      expect(await get(`${FILES}/dst.txt`)).toBe('changed');
      expect(await get(`${FILES}/src.txt`)).toBe('changed');
    });

    it('accepts an absolute Destination URL', async () => {
      const res = await dav(t.app, 'COPY', `${FILES}/src.txt`, { headers: { destination: `http://nimbus.test${FILES}/abs%20copy.txt` } });
      expect(res.statusCode).toBe(201);
      expect(await get(`${FILES}/abs%20copy.txt`)).toBe('changed');
    });

    it('copies a folder deeply, or only itself at Depth 0', async () => {
      await mkcol(t.app, `${FILES}/tree`);
      await mkcol(t.app, `${FILES}/tree/sub`);
      await put(t.app, `${FILES}/tree/sub/leaf.txt`, 'leaf');
      expect((await dav(t.app, 'COPY', `${FILES}/tree`, { headers: { destination: `${FILES}/tree2` } })).statusCode).toBe(201);
      expect(await get(`${FILES}/tree2/sub/leaf.txt`)).toBe('leaf');
      expect((await dav(t.app, 'COPY', `${FILES}/tree`, { headers: { destination: `${FILES}/shallow`, depth: '0' } })).statusCode).toBe(201);
      expect(multistatus(await dav(t.app, 'PROPFIND', `${FILES}/shallow`, { depth: '1' }))).toHaveLength(1);
      expectDavError(await dav(t.app, 'COPY', `${FILES}/tree`, { headers: { destination: `${FILES}/d1`, depth: '1' } }), 400);
    });

    it('refuses a missing destination parent (409), a missing source (404), no Destination (400), itself (403), inside itself (409)', async () => {
      expectDavError(await dav(t.app, 'COPY', `${FILES}/src.txt`, { headers: { destination: `${FILES}/nope/x.txt` } }), 409, 'Sabre\\DAV\\Exception\\Conflict');
      expectDavError(await dav(t.app, 'COPY', `${FILES}/missing.txt`, { headers: { destination: `${FILES}/x.txt` } }), 404);
      expectDavError(await dav(t.app, 'COPY', `${FILES}/src.txt`), 400, 'Sabre\\DAV\\Exception\\BadRequest');
      expectDavError(await dav(t.app, 'COPY', `${FILES}/src.txt`, { headers: { destination: `${FILES}/src.txt` } }), 403);
      expectDavError(await dav(t.app, 'COPY', `${FILES}/tree`, { headers: { destination: `${FILES}/tree/sub/again` } }), 409);
      expectDavError(await dav(t.app, 'COPY', `${FILES}/src.txt`, { headers: { destination: '/ocs/v2.php/x' } }), 403);
      expectDavError(await dav(t.app, 'COPY', `${FILES}/src.txt`, { headers: { destination: `${FILES}/x.txt`, overwrite: 'maybe' } }), 400);
      expectDavError(await dav(t.app, 'COPY', `${FILES}/src.txt`, { headers: { destination: `${FILES}/../x.txt` } }), 400);
    });

    it('copies across spaces', async () => {
      expect((await dav(t.app, 'COPY', `${FILES}/src.txt`, { headers: { destination: `${projectBase}/from-home.txt` } })).statusCode).toBe(201);
      expect(await get(`${projectBase}/from-home.txt`)).toBe('changed');
    });
  });

  describe('MOVE', () => {
    it('moves a file: 201, the source gone, the file id kept', async () => {
      await put(t.app, `${FILES}/mv.txt`, 'moving');
      const before = await dav(t.app, 'PROPFIND', `${FILES}/mv.txt`, { depth: '0', body: '<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:fileid/></d:prop></d:propfind>' });
      const res = await dav(t.app, 'MOVE', `${FILES}/mv.txt`, { headers: { destination: `${FILES}/moved.txt` } });
      expect(res.statusCode).toBe(201);
      expect(await exists(`${FILES}/mv.txt`)).toBe(false);
      const after = await dav(t.app, 'PROPFIND', `${FILES}/moved.txt`, { depth: '0', body: '<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:fileid/></d:prop></d:propfind>' });
      expect(multistatus(after)[0]!.ok['oc:fileid']).toBe(multistatus(before)[0]!.ok['oc:fileid']);
    });

    it('overwrites with 204 and refuses Overwrite: F with 412', async () => {
      await put(t.app, `${FILES}/a.txt`, 'a');
      await put(t.app, `${FILES}/b.txt`, 'b');
      expectDavError(await dav(t.app, 'MOVE', `${FILES}/a.txt`, { headers: { destination: `${FILES}/b.txt`, overwrite: 'F' } }), 412);
      expect((await dav(t.app, 'MOVE', `${FILES}/a.txt`, { headers: { destination: `${FILES}/b.txt` } })).statusCode).toBe(204);
      expect(await get(`${FILES}/b.txt`)).toBe('a');
    });

    it('moves folders with their content, and renames in place', async () => {
      await mkcol(t.app, `${FILES}/mvdir`);
      await put(t.app, `${FILES}/mvdir/in.txt`, 'in');
      expect((await dav(t.app, 'MOVE', `${FILES}/mvdir`, { headers: { destination: `${FILES}/mvdir2/` } })).statusCode).toBe(201);
      expect(await get(`${FILES}/mvdir2/in.txt`)).toBe('in');
      expectDavError(await dav(t.app, 'MOVE', `${FILES}/mvdir2`, { headers: { destination: `${FILES}/mvdir2/inside` } }), 409);
    });

    it('moves across spaces', async () => {
      await put(t.app, `${FILES}/travel.txt`, 'travel');
      expect((await dav(t.app, 'MOVE', `${FILES}/travel.txt`, { headers: { destination: `${projectBase}/travel.txt` } })).statusCode).toBe(201);
      expect(await get(`${projectBase}/travel.txt`)).toBe('travel');
      expect(await exists(`${FILES}/travel.txt`)).toBe(false);
    });

    it('refuses to move a space root', async () => {
      expectDavError(await dav(t.app, 'MOVE', `${FILES}/`, { headers: { destination: `${FILES}/x` } }), 403);
    });
  });
});
