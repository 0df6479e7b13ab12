import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, type TestApp } from '../../helpers/app.js';
import { expectDavError } from '../../helpers/error-formats.js';
import { dav, FILES } from './dav-helpers.js';

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
    for (const method of ['REPORT', 'SEARCH', 'TRACE', 'ACL', 'BIND', 'UNBIND', 'REBIND', 'MKCALENDAR', 'M-SEARCH', 'PURGE', 'LINK', 'UNLINK', 'MERGE', 'CHECKOUT', 'MKACTIVITY', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'SOURCE']) {
      for (const url of urls) {
        const res = await dav(t.app, method, url, { body: method === 'TRACE' ? undefined : '<?xml version="1.0"?><d:x xmlns:d="DAV:"/>', headers: { 'content-type': 'application/xml' } });
        expectDavError(res, `${method} ${url}`, { notImplemented: true });
        expect(res.statusCode, `${method} ${url}`).toBe(501);
        expect(res.body).toContain('Sabre\\DAV\\Exception\\NotImplemented');
        expect(res.body).toContain(`There was no plugin in the system that was willing to handle this ${method} method.`);
        expect(String(res.headers.allow), `${method} ${url}`).toContain('PROPFIND');
      }
    }
    const missing = await dav(t.app, 'REPORT', `${FILES}/missing`);
    expect(missing.headers.allow).toContain('MKCOL');
    const there = await dav(t.app, 'REPORT', `${FILES}/there.txt`);
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
});
