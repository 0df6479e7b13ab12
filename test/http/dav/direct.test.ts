import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_MEMBER_RULES } from '../../../src/services/spaces/space-members.service.js';
import { ADMIN, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { type Credentials, dav, expectDavError, FILES, mkcol, multistatus, propfind, put } from './dav-helpers.js';

const VIEWER = 'a8d5fe5e-96e3-418d-825b-534dbdf22b99';
const ROUTE = '/apps/dav/api/v1/direct';
const LINK = /^http:\/\/nimbus\.test\/remote\.php\/direct\/([A-Za-z0-9]{60})$/;
const CONTENT = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

async function fileIdOf(app: FastifyInstance, url: string, as?: Credentials): Promise<number> {
  const [item] = multistatus(await propfind(app, url, ['oc:fileid'], as ? { as } : {}));
  return Number(item!.ok['oc:fileid']);
}

/** Creates a link over OCS v2 and returns its path on this server. */
async function linkTo(app: FastifyInstance, fileId: number, o: { as?: Credentials; expirationTime?: number } = {}): Promise<string> {
  const body: Record<string, unknown> = { fileId };
  if (o.expirationTime !== undefined) body.expirationTime = o.expirationTime;
  const res = await ocs(app, 'POST', ROUTE, { as: o.as, body });
  expect(res.statusCode, res.body).toBe(200);
  const url = res.ocs.data.url as string;
  expect(url).toMatch(LINK);
  return new URL(url).pathname;
}

const anon = (app: FastifyInstance, method: string, url: string, headers: Record<string, string> = {}) => dav(app, method, url, { as: null, headers });

describeEachDb('Direct download links', (kind) => {
  let t: TestApp;
  let bob: Credentials;
  let fileId: number;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    bob = await newUser(t.app, 'bob');
    expect((await put(t.app, `${FILES}/movie.bin`, CONTENT)).statusCode).toBe(201);
    fileId = await fileIdOf(t.app, `${FILES}/movie.bin`);
  });
  afterAll(async () => t?.close());

  describe('creating a link (OCS)', () => {
    it('answers an absolute URL with a 60-character token, in both envelopes', async () => {
      const v2 = await ocs(t.app, 'POST', ROUTE, { body: { fileId } });
      expect(v2.statusCode).toBe(200);
      expect(v2.ocs.meta).toMatchObject({ status: 'ok', statuscode: 200 });
      expect(v2.ocs.data).toEqual({ url: expect.stringMatching(LINK) });

      const v1 = await ocs(t.app, 'POST', ROUTE, { version: 1, body: { fileId: String(fileId), expirationTime: 60 }, json: true });
      expect(v1.statusCode).toBe(200);
      expect(v1.ocs.meta).toMatchObject({ status: 'ok', statuscode: 100 });
      expect(v1.ocs.data.url).toMatch(LINK);
      expect(v1.ocs.data.url).not.toBe(v2.ocs.data.url);

      const xml = await ocs(t.app, 'POST', ROUTE, { format: 'xml', body: { fileId } });
      expect(xml.body).toMatch(/<data>\s*<url>http:\/\/nimbus\.test\/remote\.php\/direct\/[A-Za-z0-9]{60}<\/url>\s*<\/data>/);
    });

    it('stores a digest of the token, never the token, and expires after 24 hours by default', async () => {
      const before = Date.now();
      const path = await linkTo(t.app, fileId);
      const token = path.split('/').pop()!;
      const digest = createHash('sha256').update(token).digest('hex');
      const rows = await t.db.selectFrom('direct_links').selectAll().execute();
      expect(rows.some((r) => r.token_hash === token)).toBe(false);
      const row = rows.find((r) => r.token_hash === digest)!;
      expect(row).toBeDefined();
      expect(row.user_id).toBe(ADMIN.user);
      expect(Number(row.expires_at) - before).toBeGreaterThanOrEqual(86_400_000);
      expect(Number(row.expires_at) - Date.now()).toBeLessThanOrEqual(86_400_000);
    });

    it('is 404 with an empty message for a file the caller cannot read, or that does not exist', async () => {
      for (const id of [fileId, 999_999, 'abc']) {
        const res = await ocs(t.app, 'POST', ROUTE, { as: bob, body: { fileId: id } });
        expect(res.statusCode, String(id)).toBe(404);
        expect(res.ocs.meta).toMatchObject({ status: 'failure', statuscode: 404, message: '' });
      }
      const v1 = await ocs(t.app, 'POST', ROUTE, { version: 1, as: bob, body: { fileId } });
      expect(v1.statusCode).toBe(200);
      expect(v1.ocs.meta.statuscode).toBe(404);
    });

    it('refuses folders and lifetimes outside 1..86400 with 400, checking the file first as Nextcloud', async () => {
      await mkcol(t.app, `${FILES}/folder`);
      const folder = await ocs(t.app, 'POST', ROUTE, { body: { fileId: await fileIdOf(t.app, `${FILES}/folder`) } });
      expect(folder.statusCode).toBe(400);
      expect(folder.ocs.meta.message).toBe('Direct download only works for files');

      for (const expirationTime of [0, -5, 86_401, 'soon']) {
        const res = await ocs(t.app, 'POST', ROUTE, { body: { fileId, expirationTime } });
        expect(res.statusCode, String(expirationTime)).toBe(400);
        expect(res.ocs.meta.message).toBe('Expiration time should be greater than 0 and less than or equal to 86400');
      }
      expect((await ocs(t.app, 'POST', ROUTE, { as: bob, body: { fileId, expirationTime: 0 } })).statusCode).toBe(404);
      expect((await ocs(t.app, 'POST', ROUTE, { body: { fileId, expirationTime: 86_400 } })).statusCode).toBe(200);
    });

    it('needs fileId and a logged-in caller', async () => {
      const missing = await ocs(t.app, 'POST', ROUTE, {});
      expect(missing.statusCode).toBe(400);
      const anonymous = await ocs(t.app, 'POST', ROUTE, { as: null, body: { fileId } });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.ocs.meta.statuscode).toBe(997);
      expect((await ocs(t.app, 'GET', ROUTE)).statusCode).toBe(405);
    });
  });

  describe('downloading (no credentials)', () => {
    let link: string;
    beforeAll(async () => {
      link = await linkTo(t.app, fileId);
    });

    it('streams the file with its headers, and the link can be used again', async () => {
      for (let i = 0; i < 2; i++) {
        const res = await anon(t.app, 'GET', link);
        expect(res.statusCode).toBe(200);
        expect(res.rawPayload.equals(CONTENT)).toBe(true);
        expect(res.headers['content-length']).toBe(String(CONTENT.length));
        expect(res.headers['content-type']).toBe('application/octet-stream');
        expect(res.headers['content-disposition']).toBe(`attachment; filename*=UTF-8''movie.bin; filename="movie.bin"`);
        expect(res.headers.etag).toMatch(/^".+"$/);
        expect(res.headers['last-modified']).toMatch(/GMT$/);
      }
      const viaDav = await dav(t.app, 'GET', `${FILES}/movie.bin`);
      expect((await anon(t.app, 'GET', link)).headers.etag).toBe(viaDav.headers.etag);
    });

    it('ignores credentials sent along, even wrong ones', async () => {
      const res = await anon(t.app, 'GET', link, { authorization: 'Basic bm9ib2R5Om5vcGU=' });
      expect(res.statusCode).toBe(200);
    });

    it('answers HEAD with the headers and no body', async () => {
      const res = await anon(t.app, 'HEAD', link);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-length']).toBe(String(CONTENT.length));
      expect(res.body).toBe('');
    });

    it('honours one Range with 206, and answers 416 past the end', async () => {
      const part = await anon(t.app, 'GET', link, { range: 'bytes=10-19' });
      expect(part.statusCode).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes 10-19/${CONTENT.length}`);
      expect(part.headers['content-length']).toBe('10');
      expect(part.rawPayload.equals(CONTENT.subarray(10, 20))).toBe(true);

      const tail = await anon(t.app, 'GET', link, { range: 'bytes=-5' });
      expect(tail.statusCode).toBe(206);
      expect(tail.rawPayload.equals(CONTENT.subarray(CONTENT.length - 5))).toBe(true);

      const beyond = await anon(t.app, 'GET', link, { range: `bytes=${CONTENT.length}-` });
      expectDavError(beyond, 416, 'Sabre\\DAV\\Exception\\RequestedRangeNotSatisfiable');
      expect(beyond.headers['content-range']).toBe(`bytes */${CONTENT.length}`);
    });

    it('answers 304 to a matching If-None-Match', async () => {
      const { etag } = (await anon(t.app, 'HEAD', link)).headers;
      expect((await anon(t.app, 'GET', link, { 'if-none-match': String(etag) })).statusCode).toBe(304);
    });

    it('refuses every other method with 403, whatever the token', async () => {
      for (const method of ['PUT', 'DELETE', 'POST', 'PROPFIND', 'MKCOL', 'MOVE']) {
        expectDavError(await dav(t.app, method, link, { as: null, body: 'overwrite' }), 403, 'Sabre\\DAV\\Exception\\Forbidden');
        expectDavError(await dav(t.app, method, '/remote.php/direct/unknown', { as: null }), 403);
      }
      expect((await anon(t.app, 'GET', link)).rawPayload.equals(CONTENT)).toBe(true);
    });

    it('answers an unknown token with 404 and a Sabre error body', async () => {
      for (const token of ['x'.repeat(60), 'short', link.split('/').pop()!.toLowerCase() + 'Z']) {
        expectDavError(await anon(t.app, 'GET', `/remote.php/direct/${token}`), 404, 'Sabre\\DAV\\Exception\\NotFound');
      }
      expect((await anon(t.app, 'HEAD', '/remote.php/direct/nothing')).statusCode).toBe(404);
      expectDavError(await anon(t.app, 'GET', '/remote.php/direct/%ZZ'), 400);
    });
  });

  describe('when the link dies', () => {
    it('expires after its expirationTime', async () => {
      const link = await linkTo(t.app, fileId, { expirationTime: 1 });
      expect((await anon(t.app, 'GET', link)).statusCode).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      expectDavError(await anon(t.app, 'GET', link), 404);
    });

    it('stops working when the file is deleted, and not for a new file of the same name', async () => {
      await put(t.app, `${FILES}/gone.txt`, 'soon gone');
      const link = await linkTo(t.app, await fileIdOf(t.app, `${FILES}/gone.txt`));
      expect((await anon(t.app, 'GET', link)).body).toBe('soon gone');
      expect((await dav(t.app, 'DELETE', `${FILES}/gone.txt`)).statusCode).toBe(204);
      expectDavError(await anon(t.app, 'GET', link), 404);
      await put(t.app, `${FILES}/gone.txt`, 'a new file');
      expectDavError(await anon(t.app, 'GET', link), 404);
    });

    it('follows a rename and serves the new content of the same file', async () => {
      await put(t.app, `${FILES}/old-name.txt`, 'v1');
      const link = await linkTo(t.app, await fileIdOf(t.app, `${FILES}/old-name.txt`));
      await dav(t.app, 'MOVE', `${FILES}/old-name.txt`, { headers: { destination: `${FILES}/new-name.txt` } });
      await put(t.app, `${FILES}/new-name.txt`, 'version two');
      const res = await anon(t.app, 'GET', link);
      expect(res.body).toBe('version two');
      expect(res.headers['content-disposition']).toContain('new-name.txt');
    });

    it("stops working when its creator loses access to the file, or is disabled or deleted", async () => {
      const carol = await newUser(t.app, 'carol');
      const created = await t.app.services.spaces.create(ADMIN.user, { name: 'Direct team' });
      const spaceId = created.views[0]!.space.id;
      await t.app.services.spaceMembers.grant(ADMIN.user, spaceId, { grantee: { principalType: 'user', principalId: 'carol' }, roleId: VIEWER }, GRAPH_MEMBER_RULES);
      await put(t.app, `/remote.php/dav/spaces/${spaceId}/team.txt`, 'team file');
      const teamId = await fileIdOf(t.app, `/remote.php/dav/spaces/${spaceId}/team.txt`, carol);
      const revoked = await linkTo(t.app, teamId, { as: carol });
      expect((await anon(t.app, 'GET', revoked)).body).toBe('team file');
      await t.behindTheApp((db) => db.deleteFrom('space_members').where('space_id', '=', spaceId).where('principal_id', '=', 'carol').execute());
      expectDavError(await anon(t.app, 'GET', revoked), 404);

      await put(t.app, '/remote.php/dav/files/bob/mine.txt', 'bob file', { as: bob });
      const bobs = await linkTo(t.app, await fileIdOf(t.app, '/remote.php/dav/files/bob/mine.txt', bob), { as: bob });
      expect((await anon(t.app, 'GET', bobs)).body).toBe('bob file');
      expect((await ocs(t.app, 'PUT', '/cloud/users/bob/disable')).statusCode).toBe(200);
      expectDavError(await anon(t.app, 'GET', bobs), 404);
      expect((await ocs(t.app, 'PUT', '/cloud/users/bob/enable')).statusCode).toBe(200);
      expect((await anon(t.app, 'GET', bobs)).statusCode).toBe(200);
      expect((await ocs(t.app, 'DELETE', '/cloud/users/bob')).statusCode).toBe(200);
      expectDavError(await anon(t.app, 'GET', bobs), 404);
      expect(await t.db.selectFrom('direct_links').selectAll().where('user_id', '=', 'bob').execute()).toEqual([]);
    });

    it('prunes expired links when new ones are made', async () => {
      await linkTo(t.app, fileId, { expirationTime: 1 });
      await new Promise((r) => setTimeout(r, 1100));
      await linkTo(t.app, fileId);
      const now = Date.now();
      const rows = await t.db.selectFrom('direct_links').select('expires_at').execute();
      expect(rows.every((r) => Number(r.expires_at) > now)).toBe(true);
    });
  });
});

describe('Direct download links: guessing', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('sqlite', { LOGIN_MAX_FAILURES: 1 });
  });
  afterAll(async () => t?.close());

  it('counts unknown tokens per address apart from logins, and then refuses every token from it with 429', async () => {
    await put(t.app, `${FILES}/a.txt`, 'abc');
    const path = await linkTo(t.app, await fileIdOf(t.app, `${FILES}/a.txt`));
    for (let i = 0; i < 10; i++) expectDavError(await anon(t.app, 'GET', `/remote.php/direct/${'a'.repeat(59)}${i}`), 404);
    expect((await anon(t.app, 'GET', path)).statusCode).toBe(429);
    expect((await anon(t.app, 'GET', `/remote.php/direct/${'b'.repeat(60)}`)).statusCode).toBe(429);
    // Logins from the same address are not affected.
    expect((await dav(t.app, 'GET', `${FILES}/a.txt`)).statusCode).toBe(200);
    const other = await t.app.inject({ method: 'GET', url: path, remoteAddress: '10.0.0.9' });
    expect(other.statusCode).toBe(200);
    expect(other.body).toBe('abc');
  });
});
