import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, type TestApp } from '../../helpers/app.js';
import { expectHtmlPage } from '../../helpers/error-formats.js';
import { contentType, describeRequest, formBody, headerValue, junk, type Method, query, RUNS, segment } from '../../helpers/malformed.js';
import { mkcol, put } from '../dav/dav-helpers.js';
import { multipart, newLink, web } from './web-helpers.js';

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

  it('a multipart upload that is no form, or is cut off, is a 400 page and stores nothing', async () => {
    const drop = (await newLink(t, { path: '/docs', permissions: 4 })).token;
    const page = await web(t, `/s/${drop}`);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    const csrf = /name="requesttoken" value="([^"]+)"/.exec(page.body)![1]!;
    const start = (name: string) => `--b\r\nContent-Disposition: form-data; name="requesttoken"\r\n\r\n${csrf}\r\n--b\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\n\r\n`;
    for (const [type, payload] of [
      ['multipart/form-data', ''],
      ['multipart/form-data; boundary=b', '0'],
      ['multipart/form-data; boundary=b', `${start('cut.txt')}abc`],
      // The first file is whole and kept, as each file is stored when its part ends; the second is cut off.
      ['multipart/form-data; boundary=b', `${start('whole.txt')}abc\r\n--b\r\nContent-Disposition: form-data; name="files"; filename="cut2.txt"\r\n\r\nx`],
    ]) {
      const res = await t.app.inject({ method: 'POST', url: `/s/${drop}/upload`, headers: { 'content-type': type!, cookie }, payload });
      expectHtmlPage(res, JSON.stringify(payload));
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const listing = await t.app.inject({ method: 'PROPFIND', url: '/remote.php/dav/files/admin/docs', headers: { authorization: basic(ADMIN.user, ADMIN.password), depth: '1' } });
    expect(listing.body).not.toMatch(/cut2?\.txt/);
  });

  it('property: any malformed request below /s is a 4xx (or success) as an HTML page, with a request id', async () => {
    await put(t.app, '/remote.php/dav/files/admin/docs/a.txt', 'alpha');
    const tokens = [
      token,
      (await newLink(t, { path: '/docs', permissions: 4 })).token,
      (await newLink(t, { path: '/docs', password: 'Link-Pass-Word-9' })).token,
      (await newLink(t, { path: '/docs/a.txt', hideDownload: 1 })).token,
      'nonexistent',
    ];
    // A browser's session for the file drop, so some uploads pass the request token check and reach the files layer.
    const page = await web(t, `/s/${tokens[1]}`);
    const session = { cookie: String(page.headers['set-cookie']).split(';')[0]!, csrf: /name="requesttoken" value="([^"]+)"/.exec(page.body)![1]! };
    const tokenPart = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...tokens) }, { weight: 1, arbitrary: segment });
    const tail = fc.constantFrom('', '/download', '/authenticate', '/upload', '/x', '/download/x');
    const url = fc.oneof(
      fc.tuple(tokenPart, tail, query(['path', 'files', 'x'])).map(([tok, end, q]) => `/s/${tok}${end}${q}`),
      query(['path', 'nickname']).map((q) => `/s/${tokens[1]}/upload${q}`),
    );
    const parts = fc.array(
      fc.oneof(
        fc.record({ name: fc.constantFrom('requesttoken', 'nickname', 'replace', 'path', 'x'), value: junk.map((v) => v.replace(/\r|\n/g, '')) }),
        fc.record({ name: fc.constantFrom('files', 'x'), filename: junk.map((v) => v.replace(/["\r\n]/g, '')), content: junk }),
      ),
      { maxLength: 3 },
    );
    const request = fc.record({
      method: fc.constantFrom<Method>('GET', 'GET', 'HEAD', 'POST', 'POST', 'PUT', 'DELETE', 'OPTIONS'),
      url,
      body: fc.oneof(
        fc.constant(undefined),
        formBody(['password', 'requesttoken', 'path']).map((payload) => ({ payload, type: 'application/x-www-form-urlencoded' as string | undefined })),
        fc.tuple(fc.boolean(), parts).map(([valid, p]) => {
          const mp = multipart(valid ? [{ name: 'requesttoken', value: session.csrf }, ...p] : p);
          return { payload: mp.payload.toString('latin1'), type: mp.headers['content-type'], session: valid };
        }),
        fc.tuple(junk, contentType).map(([payload, type]) => ({ payload, type })),
      ),
      headers: fc.array(fc.tuple(fc.constantFrom('cookie', 'range', 'if-none-match', 'if-modified-since', 'if-range', 'accept-language', 'referer'), headerValue), { maxLength: 3 }),
      address: fc.ipV4(),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = Object.fromEntries(r.headers);
        if (r.body?.type !== undefined) headers['content-type'] = r.body.type;
        if (r.body && 'session' in r.body && r.body.session) headers.cookie = session.cookie;
        const payload = r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body?.payload;
        const res = await t.app.inject({ method: r.method, url: r.url, headers, payload: payload === undefined ? undefined : Buffer.from(payload, 'latin1'), remoteAddress: r.address });
        const label = describeRequest({ method: r.method, url: r.url, headers, payload });
        if (res.statusCode >= 400 && r.method !== 'HEAD') expectHtmlPage(res, label);
        else {
          expect(res.statusCode, `${label}: ${res.statusCode} ${res.body.slice(0, 300)}`).toBeLessThan(500);
          expect(res.headers['x-request-id'], label).toBeTruthy();
        }
      }),
      RUNS,
    );
  });
});
