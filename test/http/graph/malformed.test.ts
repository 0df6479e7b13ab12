import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, type TestApp } from '../../helpers/app.js';
import { expectGraphError } from '../../helpers/error-formats.js';

const AUTH = { authorization: basic(ADMIN.user, ADMIN.password) };

/** Bad input on LibreGraph: always the caller's 4xx (or 501 for valid OData it does not implement) in the OData error body. */
describeEachDb('Graph: malformed input', (kind) => {
  let t: TestApp;
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: AUTH });
  beforeAll(async () => {
    t = await buildTestApp(kind);
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
});
