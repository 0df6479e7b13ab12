import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { type Credentials, dav, expectDavError, mkcol, put } from './dav-helpers.js';
import { GRAPH_MEMBER_RULES } from '../../../src/services/spaces/space-members.service.js';

const EDITOR = '58c63c02-1d89-4572-916a-870abc5a1b7d';

const TEXT = 'This is the WebDAV interface. It can only be accessed by WebDAV clients such as the Nextcloud desktop sync client.';
const NOT_FOUND = 'Sabre\\DAV\\Exception\\NotFound';

/**
 * GET and HEAD on a collection: Nextcloud's DummyGetResponsePlugin text on
 * its entry points, oCIS's empty 200 on the spaces ones; authorization as
 * for PROPFIND.
 */
describeEachDb('WebDAV: GET and HEAD on a collection', (kind) => {
  let t: TestApp;
  let bob: Credentials;
  let spaceId: string;
  let linkToken: string;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    bob = await newUser(t.app, 'bob');
    await mkcol(t.app, '/remote.php/dav/files/admin/docs');
    await put(t.app, '/remote.php/dav/files/admin/docs/a.txt', 'abc');
    const created = await t.app.services.spaces.create(ADMIN.user, { name: 'Team' });
    spaceId = created.views[0]!.space.id;
    await mkcol(t.app, `/dav/spaces/${spaceId}/inner`);
    const link = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { body: { shareType: 3, path: '/docs' } });
    expect(link.statusCode, link.body).toBe(200);
    linkToken = link.ocs.data.token;
  });
  afterAll(async () => t?.close());

  const expectDummy = (res: Awaited<ReturnType<typeof dav>>, method: 'GET' | 'HEAD') => {
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=UTF-8');
    expect(res.headers['content-length']).toBe(String(TEXT.length));
    expect(res.body).toBe(method === 'GET' ? TEXT : '');
  };
  const expectEmpty = (res: Awaited<ReturnType<typeof dav>>) => {
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-length']).toBe('0');
    expect(res.body).toBe('');
  };

  describe('Nextcloud entry points', () => {
    for (const method of ['GET', 'HEAD'] as const) {
      it(`${method} on the files root and a folder, webdav and dav`, async () => {
        for (const url of ['/remote.php/dav/files/admin/', '/remote.php/dav/files/admin', '/remote.php/dav/files/admin/docs/', '/remote.php/webdav/', '/remote.php/webdav/docs', '/remote.php/dav/']) {
          expectDummy(await dav(t.app, method, url), method);
        }
      });
      it(`${method} on a public link's folder, both Nextcloud public entry points`, async () => {
        expectDummy(await t.app.inject({ method, url: `/public.php/dav/files/${linkToken}/` }), method);
        expectDummy(await t.app.inject({ method, url: '/public.php/webdav/', headers: { authorization: basic(linkToken, '') } }), method);
      });
    }

    it('still serves a file with its bytes', async () => {
      const res = await dav(t.app, 'GET', '/remote.php/dav/files/admin/docs/a.txt');
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('abc');
    });
  });

  describe('oCIS entry points', () => {
    for (const method of ['GET', 'HEAD'] as const) {
      it(`${method} on a space root and a folder, with and without /remote.php`, async () => {
        for (const url of [`/dav/spaces/${spaceId}/`, `/dav/spaces/${spaceId}/inner`, `/remote.php/dav/spaces/${spaceId}/`, `/dav/public-files/${linkToken}/`]) {
          expectEmpty(await dav(t.app, method, url));
        }
      });
    }
  });

  describe('authorization as for PROPFIND', () => {
    it('anonymous is 401, wrong credentials 401', async () => {
      for (const method of ['GET', 'HEAD']) {
        for (const url of ['/remote.php/dav/files/admin/', '/remote.php/webdav/', `/dav/spaces/${spaceId}/`]) {
          const anon = await dav(t.app, method, url, { as: null });
          expect(anon.statusCode, url).toBe(401);
          expect(anon.headers['www-authenticate']).toBeDefined();
          expect((await dav(t.app, method, url, { as: { user: 'admin', password: 'wrong' } })).statusCode).toBe(401);
        }
      }
      expectDavError(await dav(t.app, 'GET', '/remote.php/dav/files/admin/', { as: null }), 401);
    });

    it("someone else's folder and space are 404, a missing folder 404", async () => {
      expectDavError(await dav(t.app, 'GET', '/remote.php/dav/files/admin/', { as: bob }), 404, NOT_FOUND);
      expectDavError(await dav(t.app, 'GET', '/remote.php/dav/files/admin/docs/', { as: bob }), 404, NOT_FOUND);
      expect((await dav(t.app, 'HEAD', '/remote.php/dav/files/admin/', { as: bob })).statusCode).toBe(404);
      expect((await dav(t.app, 'GET', `/dav/spaces/${spaceId}/`, { as: bob })).statusCode).toBe(404);
      expectDavError(await dav(t.app, 'GET', '/remote.php/dav/files/admin/nope/'), 404, NOT_FOUND);
    });

    it('a member of the space reads it', async () => {
      await t.app.services.spaceMembers.grant(ADMIN.user, spaceId, { grantee: { principalType: 'user', principalId: 'bob' }, roleId: EDITOR }, GRAPH_MEMBER_RULES);
      expectEmpty(await dav(t.app, 'GET', `/dav/spaces/${spaceId}/inner`, { as: bob }));
    });

    it('an unknown public link is 404 or 401 as its entry point answers', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/public.php/dav/files/nolinkhere/' })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: '/public.php/webdav/', headers: { authorization: basic('nolinkhere', '') } })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'GET', url: '/public.php/webdav/' })).statusCode).toBe(401);
    });
  });
});
