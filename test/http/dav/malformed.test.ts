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
});
