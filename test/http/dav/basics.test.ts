import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, buildTestApp, describeEachDb, type TestApp } from '../../helpers/app.js';
import { dav, expectDavError, FILES, mkcol, put } from './dav-helpers.js';

const OC_ID = /^\d{8}oc[a-z0-9]{10}$/;

describeEachDb('WebDAV basics', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(async () => t?.close());

  describe('OPTIONS', () => {
    it('announces the DAV classes and methods as sample 29 (with locking)', async () => {
      const res = await dav(t.app, 'OPTIONS', `${FILES}/`);
      expect(res.statusCode).toBe(200);
      expect(res.headers.dav).toBe('1, 2, 3, extended-mkcol, nextcloud-checksum-update');
      expect(res.headers.allow).toBe('OPTIONS, GET, HEAD, DELETE, PROPFIND, PUT, PROPPATCH, COPY, MOVE, REPORT, LOCK, UNLOCK');
      expect(res.headers['ms-author-via']).toBe('DAV');
      expect(res.headers['accept-ranges']).toBe('bytes');
      expect(res.body).toBe('');
    });

    it('adds MKCOL on an unmapped URL', async () => {
      const res = await dav(t.app, 'OPTIONS', `${FILES}/nothing-here`);
      expect(res.headers.allow).toContain('MKCOL');
    });

    it('needs no credentials on the DAV roots, and does elsewhere', async () => {
      for (const url of ['/remote.php/dav/', '/remote.php/webdav/', '/dav/spaces/']) {
        expect((await dav(t.app, 'OPTIONS', url, { as: null })).statusCode, url).toBe(200);
      }
      expectDavError(await dav(t.app, 'OPTIONS', `${FILES}/x`, { as: null }), 401);
    });
  });

  describe('authentication', () => {
    it('refuses anonymous callers with 401, NotAuthenticated and a Basic challenge (sample 41)', async () => {
      for (const method of ['PROPFIND', 'GET', 'PUT', 'MKCOL', 'DELETE', 'LOCK']) {
        const res = await dav(t.app, method, `${FILES}/x`, { as: null });
        const err = expectDavError(res, 401, 'Sabre\\DAV\\Exception\\NotAuthenticated');
        expect(err.message).toBe('No public access to this resource.');
        expect(res.headers['www-authenticate']).toBe('Basic realm="Nimbus", charset="UTF-8"');
      }
    });

    it('refuses a wrong password with 401', async () => {
      const res = await dav(t.app, 'PROPFIND', `${FILES}/`, { as: { user: ADMIN.user, password: 'wrong' } });
      expectDavError(res, 401, 'Sabre\\DAV\\Exception\\NotAuthenticated');
      expect(res.headers['www-authenticate']).toBe('Basic realm="Nimbus", charset="UTF-8"');
    });

    it('answers HEAD errors without a body', async () => {
      const res = await dav(t.app, 'HEAD', `${FILES}/nope.txt`);
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe('');
    });
  });

  describe('PUT', () => {
    it('creates with 201 and the validators of sample 20, then overwrites with 204 (sample 21)', async () => {
      const created = await put(t.app, `${FILES}/test.txt`, 'hello from nimbus');
      expect(created.statusCode).toBe(201);
      expect(created.body).toBe('');
      expect(created.headers.etag).toMatch(/^"[^"]+"$/);
      expect(created.headers['oc-etag']).toBe(created.headers.etag);
      expect(created.headers['oc-fileid']).toMatch(OC_ID);

      const again = await put(t.app, `${FILES}/test.txt`, 'hello again from nimbus');
      expect(again.statusCode).toBe(204);
      expect(again.headers.etag).not.toBe(created.headers.etag);
      expect(again.headers['oc-fileid']).toBe(created.headers['oc-fileid']);
    });

    it('honours X-OC-MTime and says so', async () => {
      const res = await put(t.app, `${FILES}/mtime.txt`, 'x', { headers: { 'x-oc-mtime': '1700000000' } });
      expect(res.statusCode).toBe(201);
      expect(res.headers['x-oc-mtime']).toBe('accepted');
      const get = await dav(t.app, 'HEAD', `${FILES}/mtime.txt`);
      expect(get.headers['last-modified']).toBe(new Date(1700000000_000).toUTCString());
      expectDavError(await put(t.app, `${FILES}/mtime.txt`, 'x', { headers: { 'x-oc-mtime': 'yesterday' } }), 400, 'Sabre\\DAV\\Exception\\BadRequest');
    });

    it('streams a body sent without a length', async () => {
      const body = Readable.from([Buffer.alloc(70_000, 1), Buffer.alloc(70_000, 2)]);
      // inject sends no framing header for a stream; a real client sends chunked.
      const res = await dav(t.app, 'PUT', `${FILES}/streamed.bin`, { body, headers: { 'transfer-encoding': 'chunked' } });
      expect(res.statusCode).toBe(201);
      const get = await dav(t.app, 'GET', `${FILES}/streamed.bin`);
      expect(get.rawPayload.length).toBe(140_000);
      expect(get.rawPayload[69_999]).toBe(1);
      expect(get.rawPayload[70_000]).toBe(2);
    });

    it('takes any Content-Type, even one Fastify cannot parse', async () => {
      for (const ct of ['application/json', 'text/plain; charset=utf-8', 'garbage', 'multipart/form-data; boundary=x']) {
        const res = await put(t.app, `${FILES}/typed.txt`, '{not json', { headers: { 'content-type': ct } });
        expect([201, 204], ct).toContain(res.statusCode);
      }
      expect((await dav(t.app, 'GET', `${FILES}/typed.txt`)).body).toBe('{not json');
    });

    it('verifies OC-Checksum and reports it on GET', async () => {
      const ok = await put(t.app, `${FILES}/sum.txt`, 'abc', { headers: { 'oc-checksum': 'SHA1:a9993e364706816aba3e25717850c26c9cd0d89d' } });
      expect(ok.statusCode).toBe(201);
      const get = await dav(t.app, 'GET', `${FILES}/sum.txt`);
      expect(get.headers['oc-checksum']).toBe('SHA1:a9993e364706816aba3e25717850c26c9cd0d89d');
      const bad = await put(t.app, `${FILES}/sum-bad.txt`, 'abc', { headers: { 'oc-checksum': 'SHA1:0000000000000000000000000000000000000000' } });
      expect(bad.statusCode).toBe(400);
      expect((await dav(t.app, 'HEAD', `${FILES}/sum-bad.txt`)).statusCode).toBe(404);
    });

    it('answers If-Match / If-None-Match with 412', async () => {
      const first = await put(t.app, `${FILES}/cond.txt`, 'one');
      expectDavError(await put(t.app, `${FILES}/cond.txt`, 'two', { headers: { 'if-none-match': '*' } }), 412, 'Sabre\\DAV\\Exception\\PreconditionFailed');
      expectDavError(await put(t.app, `${FILES}/cond.txt`, 'two', { headers: { 'if-match': '"stale"' } }), 412);
      expect((await put(t.app, `${FILES}/cond.txt`, 'two', { headers: { 'if-match': first.headers.etag as string } })).statusCode).toBe(204);
      expectDavError(await put(t.app, `${FILES}/cond-new.txt`, 'x', { headers: { 'if-match': '*' } }), 412);
      expect((await put(t.app, `${FILES}/cond-new.txt`, 'x', { headers: { 'if-none-match': '*' } })).statusCode).toBe(201);
    });

    it('refuses a missing parent with 409 and a folder with 405', async () => {
      expectDavError(await put(t.app, `${FILES}/no/such/parent.txt`, 'x'), 409, 'Sabre\\DAV\\Exception\\Conflict');
      expect((await mkcol(t.app, `${FILES}/a-folder`)).statusCode).toBe(201);
      const res = await put(t.app, `${FILES}/a-folder`, 'x');
      expectDavError(res, 405, 'Sabre\\DAV\\Exception\\MethodNotAllowed');
      expect(res.headers.allow).toBeDefined();
      expectDavError(await put(t.app, `${FILES}/`, 'x'), 405);
    });
  });

  describe('GET and HEAD', () => {
    let etag: string;
    beforeAll(async () => {
      await put(t.app, `${FILES}/read me.txt`, '0123456789');
      etag = (await dav(t.app, 'HEAD', `${FILES}/read%20me.txt`)).headers.etag as string;
    });

    it('sends the body with the headers of sample 24', async () => {
      const res = await dav(t.app, 'GET', `${FILES}/read%20me.txt`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('0123456789');
      expect(res.headers['content-length']).toBe('10');
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.headers.etag).toBe(etag);
      expect(res.headers['oc-etag']).toBe(etag);
      expect(new Date(res.headers['last-modified'] as string).getTime()).toBeGreaterThan(0);
      expect(res.headers['content-disposition']).toBe(`attachment; filename*=UTF-8''read%20me.txt; filename="read%20me.txt"`);
      expect(res.headers['accept-ranges']).toBe('bytes');
    });

    it('answers HEAD with the headers and no body', async () => {
      const res = await dav(t.app, 'HEAD', `${FILES}/read%20me.txt`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('');
      expect(res.headers['content-length']).toBe('10');
      expect(res.headers.etag).toBe(etag);
    });

    it('serves ranges with 206 and refuses impossible ones with 416', async () => {
      const part = await dav(t.app, 'GET', `${FILES}/read%20me.txt`, { headers: { range: 'bytes=2-4' } });
      expect(part.statusCode).toBe(206);
      expect(part.body).toBe('234');
      expect(part.headers['content-range']).toBe('bytes 2-4/10');
      expect(part.headers['content-length']).toBe('3');
      expect((await dav(t.app, 'GET', `${FILES}/read%20me.txt`, { headers: { range: 'bytes=-3' } })).body).toBe('789');
      expect((await dav(t.app, 'GET', `${FILES}/read%20me.txt`, { headers: { range: 'bytes=7-' } })).body).toBe('789');
      const bad = await dav(t.app, 'GET', `${FILES}/read%20me.txt`, { headers: { range: 'bytes=10-' } });
      expectDavError(bad, 416, 'Sabre\\DAV\\Exception\\RequestedRangeNotSatisfiable');
      expect(bad.headers['content-range']).toBe('bytes */10');
      const stale = await dav(t.app, 'GET', `${FILES}/read%20me.txt`, { headers: { range: 'bytes=2-4', 'if-range': '"other"' } });
      expect(stale.statusCode).toBe(200);
      expect(stale.body).toBe('0123456789');
    });

    it('answers 304 to a matching If-None-Match or a recent If-Modified-Since, 412 to a failed If-Match', async () => {
      const inm = await dav(t.app, 'GET', `${FILES}/read%20me.txt`, { headers: { 'if-none-match': etag } });
      expect(inm.statusCode).toBe(304);
      expect(inm.body).toBe('');
      expect(inm.headers.etag).toBe(etag);
      expect((await dav(t.app, 'GET', `${FILES}/read%20me.txt`, { headers: { 'if-none-match': '"other"' } })).statusCode).toBe(200);
      const future = new Date(Date.now() + 60_000).toUTCString();
      expect((await dav(t.app, 'GET', `${FILES}/read%20me.txt`, { headers: { 'if-modified-since': future } })).statusCode).toBe(304);
      expect((await dav(t.app, 'GET', `${FILES}/read%20me.txt`, { headers: { 'if-modified-since': 'Thu, 01 Jan 1998 00:00:00 GMT' } })).statusCode).toBe(200);
      expectDavError(await dav(t.app, 'GET', `${FILES}/read%20me.txt`, { headers: { 'if-match': '"other"' } }), 412);
    });

    it('answers a folder with the DAV interface text and refuses a missing file', async () => {
      expect((await dav(t.app, 'GET', `${FILES}/`)).body).toMatch(/^This is the WebDAV interface/);
      const missing = expectDavError(await dav(t.app, 'GET', `${FILES}/nope.txt`), 404, 'Sabre\\DAV\\Exception\\NotFound');
      expect(missing.message).toContain('nope.txt');
    });

    it('names non-ASCII files in Content-Disposition', async () => {
      await put(t.app, `${FILES}/%C3%BCber%20%E2%82%AC.txt`, 'x');
      const res = await dav(t.app, 'GET', `${FILES}/%C3%BCber%20%E2%82%AC.txt`);
      expect(res.headers['content-disposition']).toBe(`attachment; filename*=UTF-8''%C3%BCber%20%E2%82%AC.txt; filename="%C3%BCber%20%E2%82%AC.txt"`);
    });
  });

  describe('MKCOL and DELETE', () => {
    it('creates a folder with 201 and OC-FileId (sample 22)', async () => {
      const res = await mkcol(t.app, `${FILES}/docs`);
      expect(res.statusCode).toBe(201);
      expect(res.headers['oc-fileid']).toMatch(OC_ID);
    });

    it('refuses an existing resource with 405, a missing parent with 409 and a body with 415', async () => {
      expectDavError(await mkcol(t.app, `${FILES}/docs`), 405, 'Sabre\\DAV\\Exception\\MethodNotAllowed');
      await put(t.app, `${FILES}/plain.txt`, 'x');
      expectDavError(await mkcol(t.app, `${FILES}/plain.txt`), 405);
      expectDavError(await mkcol(t.app, `${FILES}/missing/child`), 409, 'Sabre\\DAV\\Exception\\Conflict');
      expectDavError(await mkcol(t.app, `${FILES}/with-body`, { body: '<x/>', headers: { 'content-type': 'application/xml' } }), 415, 'Sabre\\DAV\\Exception\\UnsupportedMediaType');
      expect((await dav(t.app, 'HEAD', `${FILES}/with-body`)).statusCode).toBe(404);
    });

    it('deletes files and folders with their content, 204, then 404', async () => {
      await mkcol(t.app, `${FILES}/gone`);
      await put(t.app, `${FILES}/gone/inner.txt`, 'x');
      expect((await dav(t.app, 'DELETE', `${FILES}/gone`)).statusCode).toBe(204);
      expect((await dav(t.app, 'HEAD', `${FILES}/gone/inner.txt`)).statusCode).toBe(404);
      expectDavError(await dav(t.app, 'DELETE', `${FILES}/gone`), 404, 'Sabre\\DAV\\Exception\\NotFound');
      expectDavError(await dav(t.app, 'DELETE', `${FILES}/`), 403, 'Sabre\\DAV\\Exception\\Forbidden');
    });
  });
});
