import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { expectDavError } from '../../helpers/error-formats.js';
import { contentType, describeRequest, encode, headerValue, junk, type Method, query, RUNS, segment, xmlBody } from '../../helpers/malformed.js';
import { dav, FILES } from './dav-helpers.js';

/** Request headers DAV methods read. */
const HEADERS = ['depth', 'destination', 'overwrite', 'if', 'lock-token', 'timeout', 'range', 'if-range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since',
  'oc-checksum', 'x-oc-mtime', 'oc-total-length', 'oc-chunked', 'x-nc-nickname', 'brief', 'prefer', 'accept', 'x-requested-with'];

/** Bad input on WebDAV: always the caller's 4xx (or 501 for what is not implemented) with Sabre's <d:error> body. */
describeEachDb('WebDAV: malformed input', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(async () => t?.close());

  it('a query parameter given twice is 400 BadRequest', async () => {
    for (const method of ['PROPFIND', 'GET', 'PUT']) {
      const res = await dav(t.app, method, `${FILES}/?a=1&a=2`, { body: method === 'PUT' ? 'x' : undefined });
      expectDavError(res, method, { method });
      expect(res.statusCode, method).toBe(400);
    }
  });

  it('XML nested thousands of levels deep is 400 BadRequest in PROPFIND, PROPPATCH and LOCK; ordinary nesting still parses', async () => {
    const deep = (root: string, inner: string) => `<?xml version="1.0"?><d:${root} xmlns:d="DAV:">${inner}${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</d:${root}>`;
    const bodies: Array<[string, string]> = [
      ['PROPFIND', deep('propfind', '')],
      ['PROPPATCH', deep('propertyupdate', '')],
      ['LOCK', deep('lockinfo', '')],
      ['PROPPATCH', `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><x:p xmlns:x="urn:x">${'<x:a>'.repeat(5000)}${'</x:a>'.repeat(5000)}</x:p></d:prop></d:set></d:propertyupdate>`],
    ];
    for (const [method, body] of bodies) {
      const res = await dav(t.app, method, `${FILES}/`, { body, headers: { 'content-type': 'application/xml' } });
      expectDavError(res, method, { method });
      expect(res.statusCode, method).toBe(400);
      expect(res.body).toContain('Sabre\\DAV\\Exception\\BadRequest');
    }
    const nested = `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><x:p xmlns:x="urn:x">${'<x:a>'.repeat(20)}v${'</x:a>'.repeat(20)}</x:p></d:prop></d:set></d:propertyupdate>`;
    expect((await dav(t.app, 'PROPPATCH', `${FILES}/`, { body: nested, headers: { 'content-type': 'application/xml' } })).statusCode).toBe(207);
  });

  it('a URL that does not decode, or a path segment past the router limit, is a DAV error with the request id', async () => {
    for (const [url, status] of [
      [`${FILES}/%ff`, 400],
      ['/dav/spaces/%', 400],
      ['/public.php/webdav/%zz', 400],
      ['/remote.php/direct/%ff', 400],
      [`/remote.php/direct/${'x'.repeat(600)}`, 414],
    ] as const) {
      for (const method of ['PROPFIND', 'GET', 'HEAD']) {
        const res = await dav(t.app, method, url);
        expectDavError(res, `${method} ${url}`, { method });
        expect(res.statusCode, url).toBe(status);
      }
    }
  });

  it('methods without a handler are 501 NotImplemented (as Sabre answers them), known ones not allowed here 405, both with Allow', async () => {
    await dav(t.app, 'PUT', `${FILES}/there.txt`, { body: 'x' });
    const spaces = await t.app.inject({ method: 'GET', url: '/graph/v1.0/me/drive', headers: { authorization: basic(ADMIN.user, ADMIN.password) } });
    const space = `/dav/spaces/${encodeURIComponent(JSON.parse(spaces.body).id)}`;
    const urls = [`${FILES}/`, `${FILES}/there.txt`, `${FILES}/missing`, '/remote.php/webdav/', `${space}/there.txt`, '/remote.php/dav/'];
    for (const method of ['SEARCH', 'TRACE', 'ACL', 'BIND', 'UNBIND', 'REBIND', 'MKCALENDAR', 'M-SEARCH', 'PURGE', 'LINK', 'UNLINK', 'MERGE', 'CHECKOUT', 'MKACTIVITY', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'SOURCE']) {
      for (const url of urls) {
        // SEARCH is served on the DAV root (search.test.ts): there a body that is no search request is a 400.
        if (method === 'SEARCH' && url === '/remote.php/dav/') continue;
        const res = await dav(t.app, method, url, { body: method === 'TRACE' ? undefined : '<?xml version="1.0"?><d:x xmlns:d="DAV:"/>', headers: { 'content-type': 'application/xml' } });
        expectDavError(res, `${method} ${url}`, { notImplemented: true });
        expect(res.statusCode, `${method} ${url}`).toBe(501);
        expect(res.body).toContain('Sabre\\DAV\\Exception\\NotImplemented');
        expect(res.body).toContain(`There was no plugin in the system that was willing to handle this ${method} method.`);
        expect(String(res.headers.allow), `${method} ${url}`).toContain('PROPFIND');
      }
    }
    // REPORT is served on the personal entry points (report.test.ts); elsewhere it has no handler either.
    for (const url of [`${space}/there.txt`, '/remote.php/dav/']) expect((await dav(t.app, 'REPORT', url, { body: '<?xml version="1.0"?><d:x xmlns:d="DAV:"/>' })).statusCode, url).toBe(501);
    const notSearch = await dav(t.app, 'SEARCH', '/remote.php/dav/', { body: '<?xml version="1.0"?><d:x xmlns:d="DAV:"/>' });
    expectDavError(notSearch, 'SEARCH /remote.php/dav/');
    expect(notSearch.statusCode).toBe(400);
    const missing = await dav(t.app, 'SEARCH', `${FILES}/missing`);
    expect(missing.headers.allow).toContain('MKCOL');
    const there = await dav(t.app, 'SEARCH', `${FILES}/there.txt`);
    expect(there.headers.allow).not.toContain('MKCOL');
    for (const method of ['POST', 'PATCH']) {
      const res = await dav(t.app, method, `${FILES}/missing`, { body: 'x' });
      expectDavError(res, method);
      expect(res.statusCode).toBe(405);
      expect(res.headers.allow).toContain('MKCOL');
    }
    // A direct link refuses every method but GET and HEAD alike; other paths below it are DAV 404s.
    for (const method of ['REPORT', 'TRACE', 'SEARCH', 'PROPFIND']) {
      const res = await dav(t.app, method, '/remote.php/direct/some-token', { as: null });
      expectDavError(res, `${method} direct`);
      expect(res.statusCode, method).toBe(403);
    }
    for (const url of ['/remote.php/direct', '/remote.php/direct/', '/remote.php/direct/a/b']) {
      const res = await dav(t.app, 'GET', url, { as: null });
      expectDavError(res, url);
      expect(res.statusCode, url).toBe(404);
    }
    // Unauthenticated, the login is asked for first, as Sabre's auth plugin runs before any method.
    expect((await dav(t.app, 'REPORT', `${FILES}/`, { as: null })).statusCode).toBe(401);
  });

  it('characters XML forbids (NUL, other C0 controls) in a body are 400, and NUL in a path too', async () => {
    for (const ch of ['\u0000', '\u0001', '\u001f', '\uffff']) {
      const body = `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:x"><d:set><d:prop><x:a>v${ch}w</x:a></d:prop></d:set></d:propertyupdate>`;
      const res = await dav(t.app, 'PROPPATCH', `${FILES}/`, { body, headers: { 'content-type': 'application/xml' } });
      expectDavError(res, JSON.stringify(ch));
      expect(res.statusCode).toBe(400);
    }
    const nul = await dav(t.app, 'PROPFIND', `${FILES}/a%00b`);
    expectDavError(nul, 'NUL path');
    expect(nul.statusCode).toBe(400);
  });

  it('property: any malformed request on any WebDAV entry point is a 4xx (or success, or 501 for a method without a handler) with Sabre\'s error body and a request id', async () => {
    const fuzzer = await newUser(t.app, 'fuzzer');
    await dav(t.app, 'MKCOL', '/remote.php/dav/files/fuzzer/dir', { as: fuzzer });
    await dav(t.app, 'PUT', '/remote.php/dav/files/fuzzer/dir/f.txt', { as: fuzzer, body: 'hello' });
    const link = (await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: fuzzer, body: { path: '/dir', shareType: 3, permissions: 15 } })).ocs.data.token as string;
    const drive = await t.app.inject({ method: 'GET', url: '/graph/v1.0/me/drive', headers: { authorization: basic(fuzzer.user, fuzzer.password) } });
    const bases = ['/remote.php/dav/files/fuzzer', '/remote.php/webdav', `/dav/spaces/${encodeURIComponent(JSON.parse(drive.body).id)}`, `/public.php/dav/files/${link}`, `/dav/public-files/${link}`, '/public.php/webdav',
      '/remote.php/dav/uploads/fuzzer/up1', '/remote.php/dav', '/dav/spaces', '/remote.php/dav/files/admin', '/remote.php/direct'];
    const path = fc.tuple(fc.constantFrom(...bases), fc.array(fc.oneof(fc.constantFrom('dir', 'f.txt', 'new', '.file', '1'), segment), { maxLength: 3 })).map(([b, segs]) => [b, ...segs].join('/'));
    const destination = fc.oneof(path.map((p) => `http://nimbus.test${p}`), path, headerValue);
    const header = fc.oneof(fc.constantFrom(...HEADERS).chain((name) => fc.tuple(fc.constant(name), name === 'destination' ? destination : headerValue)));
    const methods = http.METHODS.filter((m) => m !== 'CONNECT' && m !== 'QUERY') as Method[];
    const request = fc.record({
      method: fc.oneof({ weight: 4, arbitrary: fc.constantFrom<Method>('PROPFIND', 'PROPPATCH', 'GET', 'HEAD', 'PUT', 'MKCOL', 'DELETE', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'OPTIONS') }, { weight: 1, arbitrary: fc.constantFrom(...methods) }),
      url: fc.tuple(path, query(['downloadStartSecret', 'x'])).map(([p, q]) => `${p}${q}`),
      auth: fc.constantFrom('user', 'user', 'user', 'none', 'wrong', 'broken', 'link'),
      headers: fc.array(header, { maxLength: 4 }),
      type: contentType,
      body: fc.oneof(fc.constant(undefined), xmlBody, junk),
      address: fc.ipV4(),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = Object.fromEntries(r.headers);
        if (r.auth === 'user') headers.authorization = basic(fuzzer.user, fuzzer.password);
        if (r.auth === 'wrong') headers.authorization = basic(fuzzer.user, 'wrong');
        if (r.auth === 'broken') headers.authorization = `Basic ${encode('x')}=`;
        if (r.auth === 'link') headers.authorization = basic(link, '');
        if (r.type !== undefined) headers['content-type'] = r.type;
        const payload = r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body;
        const res = await t.app.inject({ method: r.method, url: r.url, headers, payload, remoteAddress: r.address });
        const label = describeRequest({ method: r.method, url: r.url, headers, payload });
        if (res.statusCode >= 400) expectDavError(res, label, { method: r.method, notImplemented: true });
        else {
          expect(res.statusCode, `${label}: ${res.statusCode} ${res.body.slice(0, 300)}`).toBeLessThan(500);
          expect(res.headers['x-request-id'], label).toBeTruthy();
        }
      }),
      RUNS,
    );
  });
});
