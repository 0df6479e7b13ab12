import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, type TestApp } from '../../helpers/app.js';
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
});
