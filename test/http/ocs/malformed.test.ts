import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { expectOcsFormat } from '../../helpers/error-formats.js';
import { contentType, describeRequest, fill, formBody, headerValue, jsonBody, junk, type Method, query, RUNS } from '../../helpers/malformed.js';

/** Parameter names the OCS routes read, so the fuzzer reaches their checks rather than only the router. */
const PARAMS = ['format', 'search', 'limit', 'offset', 'key', 'value', 'userid', 'password', 'groupid', 'displayname', 'displayName', 'email', 'quota', 'groups', 'subadmin', 'language',
  'shareType', 'shareWith', 'path', 'permissions', 'expireDate', 'note', 'label', 'publicUpload', 'password', 'sendPasswordByTalk', 'reshares', 'subfiles', 'shared_with_me', 'include_tags', 'hideDownload', 'attributes',
  'state', 'since', 'object_type', 'object_id', 'sort', 'lookup', 'itemType', 'perPage', 'page', 'fileId', 'remote', 'token', 'name', 'owner', 'ownerFederatedId', 'sharedBy', 'sharedByFederatedId', 'providerId', 'shareID', 'notification', 'type'];

const AUTH = { authorization: basic(ADMIN.user, ADMIN.password), 'OCS-APIRequest': 'true' };

/** Bad input on the OCS API: always the caller's 4xx in the envelope, never a server error. */
describeEachDb('OCS: malformed input', (kind) => {
  let t: TestApp;
  // An admin of its own, made before the property test, which acts as an admin on random ids and may remove or change the first one.
  let nulTester: { user: string; password: string };
  beforeAll(async () => {
    t = await buildTestApp(kind);
    nulTester = await newUser(t.app, 'nul-tester', { groups: ['admin'] });
  });
  afterAll(async () => t?.close());

  it('a query parameter given twice is 400 in the envelope on both versions; PHP list syntax stays a list', async () => {
    for (const query of ['search=a&search=b', 'limit=1&limit=2', 'format=json&format=json']) {
      const v2 = await t.app.inject({ method: 'GET', url: `/ocs/v2.php/cloud/users?${query}`, headers: { ...AUTH, accept: 'application/json' } });
      expectOcsFormat(v2, query);
      expect(v2.statusCode, query).toBe(400);
      expect(JSON.parse(v2.body).ocs.meta).toMatchObject({ status: 'failure', statuscode: 400 });
      const v1 = await t.app.inject({ method: 'GET', url: `/ocs/v1.php/cloud/users?${query}`, headers: { ...AUTH, accept: 'application/json' } });
      expectOcsFormat(v1, query);
      expect(JSON.parse(v1.body).ocs.meta).toMatchObject({ status: 'failure', statuscode: 400 });
    }
    const list = await t.app.inject({
      method: 'POST',
      url: '/ocs/v2.php/cloud/users?format=json&groups[]=admin&groups[]=admin',
      headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'userid=listed&password=Listed-Pass-123',
    });
    expect(list.statusCode, list.body).toBe(200);
  });

  it('a URL that does not decode, or a path segment past the router limit, is answered in the envelope with the request id', async () => {
    for (const [url, status, code] of [
      ['/ocs/v2.php/cloud/users/%ff?format=json', 400, 400],
      ['/ocs/v2.php/cloud/%?format=json', 400, 400],
      ['/ocs/v1.php/cloud/users/%E0%A4%A?format=json', 200, 400],
      [`/ocs/v2.php/cloud/users/${'x'.repeat(600)}?format=json`, 414, 414],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url, headers: AUTH });
      expectOcsFormat(res, url);
      expect(res.statusCode, url).toBe(status);
      expect(JSON.parse(res.body).ocs.meta, url).toMatchObject({ status: 'failure', statuscode: code });
    }
    const xml = await t.app.inject({ method: 'GET', url: '/ocs/v2.php/cloud/users/%ff', headers: { ...AUTH, 'x-request-id': 'client-chosen-1' } });
    expectOcsFormat(xml, 'xml');
    expect(xml.headers['x-request-id']).toBe('client-chosen-1');
    expect(xml.body).toContain('<statuscode>400</statuscode>');
  });

  it('property: any malformed request on any OCS route is a 4xx (or success) in the envelope, with a request id', async () => {
    // A user of its own: the fuzz may change passwords or delete users, and must not lock itself out of the other tests.
    const fuzzer = await newUser(t.app, 'fuzzer', { groups: ['admin'] });
    const routes = t.app.routeTable.filter((r) => r.url.startsWith('/ocs/'));
    // Mostly a served route with its own method, so the handlers' checks are reached; sometimes any method or no route at all.
    const target = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...routes).chain((r) => fill(r.url).map((url) => ({ method: r.method as Method, url }))) },
      { weight: 1, arbitrary: fc.record({ method: fc.constantFrom<Method>('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'REPORT'), url: fc.constantFrom(...routes.map((r) => r.url), '/ocs/v2.php/no/such/route', '/ocs/v1.php').chain(fill) }) },
    );
    const request = fc.record({
      target: fc.tuple(target, query(PARAMS)).map(([x, q]) => ({ ...x, url: `${x.url}${q}` })),
      auth: fc.constantFrom('user', 'user', 'user', 'none', 'wrong', 'broken'),
      type: contentType,
      accept: fc.option(fc.oneof(fc.constantFrom('application/json', 'application/xml', 'json', '*/*'), headerValue)),
      csrf: fc.option(headerValue),
      body: fc.oneof(fc.constant(undefined), formBody(PARAMS), jsonBody(PARAMS), junk),
      address: fc.ipV4(),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ target: { method, url }, ...r }) => {
        const headers: Record<string, string> = {};
        if (r.auth === 'user') headers.authorization = basic(fuzzer.user, fuzzer.password);
        if (r.auth === 'wrong') headers.authorization = basic('fuzzer', 'not-the-password');
        if (r.auth === 'broken') headers.authorization = 'Basic !!!';
        if (r.type !== undefined) headers['content-type'] = r.type;
        if (r.accept !== null) headers.accept = r.accept;
        headers['ocs-apirequest'] = r.csrf ?? 'true';
        const payload = method === 'GET' || method === 'HEAD' ? undefined : r.body;
        const res = await t.app.inject({ method, url, headers, payload, remoteAddress: r.address });
        const label = describeRequest({ method, url, headers, payload });
        if (method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304) {
          expect(res.statusCode, label).toBeLessThan(500);
          expect(res.headers['x-request-id'], label).toBeTruthy();
        } else expectOcsFormat(res, label);
      }),
      RUNS,
    );
    // Accounts may have been changed by now (the fuzz is an admin); the server still serves.
    expect((await ocs(t.app, 'GET', '/cloud/capabilities', { as: null })).statusCode).toBe(200);
  });

  it('a NUL character in a path segment, a parameter or a body is 400 in the envelope (PostgreSQL cannot store it)', async () => {
    const caller = nulTester;
    const cases: Array<[string, string, string | undefined, string | undefined]> = [
      ['GET', '/ocs/v2.php/cloud/users/a%00b?format=json', undefined, undefined],
      ['GET', '/ocs/v2.php/cloud/groups/%00?format=json', undefined, undefined],
      ['GET', '/ocs/v2.php/cloud/users?search=%00&format=json', undefined, undefined],
      ['POST', '/ocs/v2.php/cloud/groups?format=json', 'application/x-www-form-urlencoded', 'groupid=a%00'],
      ['POST', '/ocs/v2.php/cloud/groups?format=json', 'application/json', '{"groupid":"a\\u0000"}'],
      ['PUT', '/ocs/v2.php/cloud/users/nul-tester?format=json', 'application/json', '{"key":"displayname","value":["x\\u0000"]}'],
    ];
    for (const [method, url, type, payload] of cases) {
      const res = await t.app.inject({ method: method as 'GET', url, headers: { authorization: basic(caller.user, caller.password), 'OCS-APIRequest': 'true', ...(type ? { 'content-type': type } : {}) }, payload });
      expectOcsFormat(res, url);
      expect(res.statusCode, `${method} ${url} ${payload}`).toBe(400);
      expect(JSON.parse(res.body).ocs.meta.message).toContain('NUL character');
    }
  });
});
