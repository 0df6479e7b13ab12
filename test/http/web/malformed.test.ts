import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, type TestApp } from '../../helpers/app.js';
import { expectHtmlPage } from '../../helpers/error-formats.js';
import { mkcol } from '../dav/dav-helpers.js';
import { newLink, web } from './web-helpers.js';

/** Bad input on the public share page: always the caller's 4xx as an HTML page. */
describeEachDb('share page: malformed input', (kind) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    await mkcol(t.app, '/remote.php/dav/files/admin/docs');
    token = (await newLink(t, { path: '/docs', permissions: 15 })).token;
  });
  afterAll(async () => t?.close());

  it('a query parameter given twice is 400 as a page', async () => {
    for (const url of [`/s/${token}?path=a&path=b`, `/s/${token}?x=1&x=2`, `/s/${token}/download?files=a&files=b`]) {
      const res = await web(t, url);
      expectHtmlPage(res, url);
      expect(res.statusCode, url).toBe(400);
    }
  });

  it('a URL that does not decode, or a path segment past the router limit, is a page with the request id', async () => {
    for (const [url, status] of [
      ['/s/%ff', 400],
      [`/s/${token}/%`, 400],
      [`/s/${'x'.repeat(600)}`, 414],
    ] as const) {
      const res = await web(t, url);
      expectHtmlPage(res, url);
      expect(res.statusCode, url).toBe(status);
    }
  });

  it('a path below /s that is no page is a 404 page, another method on a page a 405 page with Allow', async () => {
    for (const url of ['/s', '/s/', `/s/${token}/nothing`, `/s/${token}/download/more`, '/s/a/b/c']) {
      const res = await web(t, url);
      expectHtmlPage(res, url);
      expect(res.statusCode, url).toBe(404);
    }
    for (const method of ['PUT', 'DELETE', 'PATCH', 'PROPFIND', 'REPORT'] as const) {
      const res = await t.app.inject({ method, url: `/s/${token}` });
      expectHtmlPage(res, method);
      expect(res.statusCode, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
  });

  it('a NUL character in the path, the query or a form is 400 as a page', async () => {
    for (const [url, payload] of [['/s/%00', undefined], [`/s/${token}?path=%00`, undefined], [`/s/${token}/authenticate`, 'password=a%00']] as const) {
      const res = await web(t, url, payload ? { method: 'POST', payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {});
      expectHtmlPage(res, url);
      expect(res.statusCode, url).toBe(400);
    }
  });
});
