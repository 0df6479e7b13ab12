import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { GRAPH_MEMBER_RULES } from '../../../src/services/spaces/space-members.service.js';
import { ADMIN, basic, buildTestApp, describeEachDb, newUser, type TestApp } from '../../helpers/app.js';
import { type Credentials, dav, expectDavError, FILES, mkcol, multistatus, propfind, put } from './dav-helpers.js';

const VIEWER = 'a8d5fe5e-96e3-418d-825b-534dbdf22b99';
const EDITOR = '58c63c02-1d89-4572-916a-870abc5a1b7d';

/** node:http sends the path exactly as given (fetch and undici resolve dot segments first). */
function rawRequest(port: number, method: string, path: string, body?: string): Promise<{ statusCode: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { authorization: basic(ADMIN.user, ADMIN.password), depth: '0' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describeEachDb('WebDAV access and path safety', (kind) => {
  let t: TestApp;
  let bob: Credentials;
  let carol: Credentials;
  let space: string;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    bob = await newUser(t.app, 'bob');
    carol = await newUser(t.app, 'carol');
    await put(t.app, '/remote.php/dav/files/bob/secret.txt', 'bob only', { as: bob });
    const created = await t.app.services.spaces.create(ADMIN.user, { name: 'Team' });
    const id = created.views[0]!.space.id;
    space = `/remote.php/dav/spaces/${id}`;
    await t.app.services.spaceMembers.grant(ADMIN.user, id, { grantee: { principalType: 'user', principalId: 'bob' }, roleId: VIEWER }, GRAPH_MEMBER_RULES);
    await t.app.services.spaceMembers.grant(ADMIN.user, id, { grantee: { principalType: 'user', principalId: 'carol' }, roleId: EDITOR }, GRAPH_MEMBER_RULES);
    await put(t.app, `${space}/shared.txt`, 'team file');
  });
  afterAll(async () => t?.close());

  let origin: string | undefined;
  /** inject resolves `..` in URLs before routing; a listening server sees them as the client sent them. */
  const listening = async (): Promise<string> => (origin ??= await t.app.listen({ port: 0, host: '127.0.0.1' }));

  describe("another user's files URL", () => {
    it('is not found for reading and forbidden for writing', async () => {
      expectDavError(await dav(t.app, 'GET', '/remote.php/dav/files/bob/secret.txt'), 404);
      expectDavError(await dav(t.app, 'PROPFIND', '/remote.php/dav/files/bob/', { depth: '1' }), 404);
      expectDavError(await put(t.app, '/remote.php/dav/files/bob/planted.txt', 'x'), 403, 'Sabre\\DAV\\Exception\\Forbidden');
      expectDavError(await mkcol(t.app, '/remote.php/dav/files/bob/dir'), 403);
      expectDavError(await dav(t.app, 'DELETE', '/remote.php/dav/files/bob/secret.txt'), 403);
      expect((await dav(t.app, 'GET', '/remote.php/dav/files/bob/secret.txt', { as: bob })).body).toBe('bob only');
    });

    it('cannot be reached as a Destination either', async () => {
      await put(t.app, `${FILES}/mine.txt`, 'x');
      expectDavError(await dav(t.app, 'COPY', `${FILES}/mine.txt`, { headers: { destination: '/remote.php/dav/files/bob/stolen.txt' } }), 403);
      expectDavError(await dav(t.app, 'MOVE', '/remote.php/dav/files/bob/secret.txt', { headers: { destination: `${FILES}/stolen.txt` } }), 403);
    });

    it('is a different user whatever the case of the name', async () => {
      expectDavError(await dav(t.app, 'GET', '/remote.php/dav/files/Bob/secret.txt', { as: bob }), 404);
    });
  });

  describe('traversal and smuggled separators', () => {
    it.each([
      '/remote.php/dav/files/admin/../bob/secret.txt',
      '/remote.php/dav/files/admin/%2e%2e/bob/secret.txt',
      '/remote.php/dav/files/admin/%2E%2E%2Fbob%2Fsecret.txt',
      '/remote.php/dav/files/admin/.%2e/bob/secret.txt',
      '/remote.php/webdav/..%2F..%2Fetc%2Fpasswd',
      '/remote.php/webdav/a%00b.txt',
      '/remote.php/webdav/./x',
      '/remote.php/webdav/%ZZ',
    ])('refuses %s with 400 over a real socket, which keeps dot segments as sent', async (url) => {
      const port = new URL(await listening()).port;
      for (const method of ['GET', 'PUT', 'PROPFIND', 'DELETE', 'MKCOL']) {
        const res = await rawRequest(Number(port), method, url, method === 'PUT' ? 'x' : undefined);
        const body = res.body;
        expect(res.statusCode, `${method} ${body}`).toBe(400);
        expect(body).toContain('<s:exception>Sabre\\DAV\\Exception\\BadRequest</s:exception>');
      }
    });

    it('keeps the data directory untouched by names that look like paths', async () => {
      expect((await put(t.app, `${FILES}/..%5C..%5Cescape.txt`, 'x')).statusCode).toBeLessThan(500);
      expect((await dav(t.app, 'GET', '/remote.php/dav/files/bob/secret.txt', { as: bob })).body).toBe('bob only');
    });

    it('refuses forbidden names with a 4xx, never 500', async () => {
      for (const name of ['.htaccess', 'a\\b', ' ', 'x'.repeat(300)]) {
        const res = await put(t.app, `${FILES}/${encodeURIComponent(name)}`, 'x');
        expect(res.statusCode, name).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, name).toBeLessThan(500);
      }
    });
  });

  describe('space roles', () => {
    it('lets a Space Viewer read but not write (403)', async () => {
      expect((await dav(t.app, 'GET', `${space}/shared.txt`, { as: bob })).body).toBe('team file');
      const [root] = multistatus(await propfind(t.app, `${space}/`, ['oc:permissions'], { as: bob }));
      expect(root!.ok['oc:permissions']).not.toMatch(/[WCKDNV]/);
      expectDavError(await put(t.app, `${space}/viewer.txt`, 'x', { as: bob }), 403, 'Sabre\\DAV\\Exception\\Forbidden');
      expectDavError(await put(t.app, `${space}/shared.txt`, 'x', { as: bob }), 403);
      expectDavError(await mkcol(t.app, `${space}/viewer-dir`, { as: bob }), 403);
      expectDavError(await dav(t.app, 'DELETE', `${space}/shared.txt`, { as: bob }), 403);
      expectDavError(await dav(t.app, 'MOVE', `${space}/shared.txt`, { as: bob, headers: { destination: `${space}/renamed.txt` } }), 403);
      expectDavError(await dav(t.app, 'LOCK', `${space}/shared.txt`, { as: bob, body: '<d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockinfo>' }), 403);
      const patched = multistatus(await dav(t.app, 'PROPPATCH', `${space}/shared.txt`, { as: bob, body: '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><x xmlns="urn:x">1</x></d:prop></d:set></d:propertyupdate>' }));
      expect(patched[0]!.failed[403]).toEqual(['x1:x']);
      // Copying out of the space into the viewer's own home is fine.
      expect((await dav(t.app, 'COPY', `${space}/shared.txt`, { as: bob, headers: { destination: '/remote.php/dav/files/bob/copied.txt' } })).statusCode).toBe(201);
    });

    it('lets a Space Editor write', async () => {
      expect((await put(t.app, `${space}/carol.txt`, 'x', { as: carol })).statusCode).toBe(201);
      const [file] = multistatus(await propfind(t.app, `${space}/carol.txt`, ['oc:permissions'], { as: carol }));
      expect(file!.ok['oc:permissions']).toContain('W');
    });

    it('hides spaces from non-members', async () => {
      const dave = await newUser(t.app, 'dave');
      expectDavError(await dav(t.app, 'PROPFIND', `${space}/`, { as: dave, depth: '0' }), 404);
      expectDavError(await put(t.app, `${space}/dave.txt`, 'x', { as: dave }), 404);
    });
  });
});
