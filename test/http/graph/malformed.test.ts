import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newUser, type TestApp } from '../../helpers/app.js';
import { expectGraphError } from '../../helpers/error-formats.js';
import { contentType, describeRequest, encode, fill, jsonBody, junk, type Method, query, RUNS } from '../../helpers/malformed.js';

/** Query options and body properties the Graph routes read. */
const OPTIONS = ['$filter', '$orderby', '$select', '$expand', '$search', '$top', '$skip', '$count', '$format'];
const FIELDS = ['displayName', 'name', 'description', 'quota', 'total', 'driveType', 'onPremisesSamAccountName', 'mail', 'passwordProfile', 'password', 'accountEnabled', 'preferredLanguage',
  'currentPassword', 'newPassword', '@odata.id', 'members@odata.bind', 'principalId', 'appRoleId', 'resourceId', 'recipients', 'objectId', '@libre.graph.recipient.type', 'roles', 'type',
  'expirationDateTime', 'displayname', 'item', 'parentReference', 'id', 'driveAlias', 'special', 'root', '@libre.graph.quick.link', 'grantedToV2'];

/** OData filter text: pieces of real filters glued together, so the parser sees almost-valid syntax too. */
const filterText = fc.array(fc.oneof(fc.constantFrom("driveType eq 'project'", 'and', 'or', 'not', '(', ')', 'any(', 'm:', "m/id eq 'x'", 'eq', 'ne', "'", "''", 'in', ',', 'contains(', "displayName,'a'", 'memberOf/any', 'userType', '5', 'true', 'null', '2020-01-01T00:00:00Z', '/', 'add'), junk), { maxLength: 8 }).map((parts) => parts.join(' '));

const AUTH = { authorization: basic(ADMIN.user, ADMIN.password) };

/** Bad input on LibreGraph: always the caller's 4xx (or 501 for valid OData it does not implement) in the OData error body. */
describeEachDb('Graph: malformed input', (kind) => {
  let t: TestApp;
  // An admin of its own, made before the property test, which acts as an admin on random ids and may remove or change the first one.
  let nulTester: { user: string; password: string };
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: AUTH });
  beforeAll(async () => {
    t = await buildTestApp(kind);
    nulTester = await newUser(t.app, 'nul-tester', { groups: ['admin'] });
  });
  afterAll(async () => t?.close());

  it('a query option given twice is 400 invalidRequest on every route', async () => {
    const drive = encodeURIComponent(JSON.parse((await get('/graph/v1.0/me/drive')).body).id);
    for (const url of [
      `/graph/v1beta1/drives/${drive}/root/permissions?$select=value&$select=value`,
      `/graph/v1beta1/drives/${drive}/root/permissions?$filter=a&$filter=b`,
      '/graph/v1.0/drives?$filter=a&$filter=b',
      '/graph/v1.0/me/drives?$orderby=name&$orderby=name',
      '/graph/v1beta1/me/drives?$filter=a&$filter=b',
      '/graph/v1.0/users?$search=ab&$search=cd',
      '/graph/v1.0/groups?$filter=a&$filter=b',
      '/graph/v1beta1/roleManagement/permissions/roleDefinitions?x=1&x=2',
      '/graph/v1.0/me?$select=id&$select=id',
      `/graph/v1.0/me/drives/${encodeURIComponent('$filter=driveType eq project&$filter=driveType eq personal')}`,
      `/graph/v1.0/drives/${encodeURIComponent('$orderby=name&$orderby=name')}`,
    ]) {
      const res = await get(url);
      expectGraphError(res, url);
      expect(res.statusCode, url).toBe(400);
      expect(JSON.parse(res.body).error.code, url).toBe('invalidRequest');
    }
  });

  it('a $filter that does not parse is 400 invalidRequest on every filtered list; valid OData it does not implement stays 501', async () => {
    const broken = ["driveType eq 'project' and", 'any(', "driveType eq 'project' or", 'not', "(driveType eq 'x') and (", 'contains(name,', "displayName eq 'x' and", "userType eq 5 and", "memberOf/all(m:m/id eq 'x') and", "memberOf/any(m:", "id eq 'x' eq", ')', 'storage-users-1$x', "'x'", '5', "('a','b')", `${'('.repeat(3000)}id eq 'x'${')'.repeat(3000)}`, `${'not '.repeat(3000)}id eq 'x'`];
    for (const list of ['/graph/v1.0/drives', '/graph/v1.0/me/drives', '/graph/v1beta1/me/drives', '/graph/v1.0/users', '/graph/v1.0/groups']) {
      for (const filter of broken) {
        const url = `${list}?$filter=${encodeURIComponent(filter)}`;
        const res = await get(url);
        expectGraphError(res, url);
        expect(res.statusCode, url).toBe(400);
        expect(JSON.parse(res.body).error.code, url).toBe('invalidRequest');
      }
    }
    const unsupported: Array<[string, string]> = [
      ['/graph/v1.0/drives', "driveType eq 'project' and id eq 'x'"],
      ['/graph/v1.0/me/drives', "memberOf/any(m:m/id eq 'x')"],
      ['/graph/v1.0/users', "displayName eq 'x' and userType eq 'Member'"],
      ['/graph/v1.0/users', "userType eq 5"],
      ['/graph/v1.0/groups', "displayName eq 'x'"],
    ];
    for (const [list, filter] of unsupported) {
      const url = `${list}?$filter=${encodeURIComponent(filter)}`;
      const res = await get(url);
      expectGraphError(res, url, { notImplemented: true });
      expect(res.statusCode, url).toBe(501);
    }
  });

  it('a URL that does not decode, or a path segment past the router limit, is an OData error with the request id', async () => {
    for (const [url, status] of [
      ['/graph/v1.0/drives/%ff', 400],
      ['/graph/v1beta1/%', 400],
      ['/graph/v1.0/users/%zz', 400],
      [`/graph/v1.0/drives/${'x'.repeat(600)}`, 414],
    ] as const) {
      const res = await get(url);
      expectGraphError(res, url);
      expect(res.statusCode, url).toBe(status);
      expect(JSON.parse(res.body).error.code, url).toBe('invalidRequest');
    }
  });

  it('property: any malformed request on any Graph route is a 4xx (or success, or 501 for valid OData), errors in the OData body, with a request id', async () => {
    const fuzzer = await newUser(t.app, 'fuzzer', { groups: ['admin'] });
    const routes = t.app.routeTable.filter((r) => r.url.startsWith('/graph/'));
    const target = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...routes).chain((r) => fill(r.url).map((url) => ({ method: r.method as Method, url }))) },
      { weight: 1, arbitrary: fc.record({ method: fc.constantFrom<Method>('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'SEARCH'), url: fc.constantFrom(...routes.map((r) => r.url), '/graph/v1.0/nothing', '/graph/v2.0/me').chain(fill) }) },
    );
    const options = fc.oneof(query(OPTIONS), fc.array(fc.tuple(fc.constantFrom(...OPTIONS), filterText), { minLength: 1, maxLength: 2 }).map((o) => `?${o.map(([k, v]) => `${k}=${encode(v)}`).join('&')}`));
    const request = fc.record({
      target: fc.tuple(target, options).map(([x, q]) => ({ ...x, url: `${x.url}${q}` })),
      auth: fc.constantFrom('user', 'user', 'user', 'none', 'broken'),
      type: contentType,
      body: fc.oneof(fc.constant(undefined), jsonBody(FIELDS), junk),
      address: fc.ipV4(),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ target: { method, url }, ...r }) => {
        const headers: Record<string, string> = {};
        if (r.auth === 'user') headers.authorization = basic(fuzzer.user, fuzzer.password);
        if (r.auth === 'broken') headers.authorization = 'Bearer';
        if (r.type !== undefined) headers['content-type'] = r.type;
        const payload = method === 'GET' || method === 'HEAD' ? undefined : r.body;
        const res = await t.app.inject({ method, url, headers, payload, remoteAddress: r.address });
        const label = describeRequest({ method, url, headers, payload });
        if (res.statusCode >= 400 && method !== 'HEAD') expectGraphError(res, label, { notImplemented: true });
        else {
          if (res.statusCode !== 501) expect(res.statusCode, `${label}: ${res.statusCode} ${res.body.slice(0, 300)}`).toBeLessThan(500);
          expect(res.headers['x-request-id'], label).toBeTruthy();
        }
      }),
      RUNS,
    );
  });

  it('a NUL character in a path segment, an option or a body is 400 invalidRequest (PostgreSQL cannot store it)', async () => {
    const caller = nulTester;
    for (const [method, url, payload] of [
      ['GET', '/graph/v1.0/users/%00', undefined],
      ['GET', '/graph/v1.0/drives/a%00', undefined],
      ['GET', '/graph/v1.0/users?$search=%22a%00%22', undefined],
      ['POST', '/graph/v1.0/groups', '{"displayName":"x\\u0000"}'],
      ['PATCH', '/graph/v1.0/me', '{"\\u0000":1}'],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: { authorization: basic(caller.user, caller.password), 'content-type': 'application/json' }, payload });
      expectGraphError(res, url);
      expect(res.statusCode, `${method} ${url}`).toBe(400);
      expect(JSON.parse(res.body).error.code).toBe('invalidRequest');
    }
  });

  it('a path below /graph outside the served versions is an OData 404', async () => {
    for (const url of ['/graph', '/graph/v2.0/me', '/graph/beta/users']) {
      const res = await get(url);
      expectGraphError(res, url);
      expect(res.statusCode, url).toBe(404);
    }
  });
});
