import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { expectError, expectXmlError, parseXml } from '../../helpers/ocs-assert.js';

type Creds = { user: string; password: string };

const ALL_APPS = ['provisioning_api', 'theming', 'password_policy', 'activity', 'notifications'];
const UNKNOWN_ROUTE = 'Invalid query, please check the syntax. API specifications are here: http://www.freedesktop.org/wiki/Specifications/open-collaboration-services.\n';

describeEachDb('OCS cloud/apps', (kind) => {
  let t: TestApp;
  let alice: Creds;
  let sub: Creds;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    await newGroup(t.app, 'staff');
    alice = await newUser(t.app, 'alice', { groups: ['staff'] });
    sub = await newUser(t.app, 'sub');
    await ocs(t.app, 'POST', '/cloud/users/sub/subadmins', { body: { groupid: 'staff' } });
  });
  afterAll(async () => t.close());

  const setApp = async (app: string, on: boolean) => {
    const res = await ocs(t.app, on ? 'POST' : 'DELETE', `/cloud/apps/${app}`);
    expect(res.statusCode, res.body).toBe(200);
  };
  const capabilities = async (as?: Creds | null) => (await ocs(t.app, 'GET', '/cloud/capabilities', { as })).ocs.data.capabilities;

  it('GET cloud/apps lists the server modules, v1 and v2, JSON and XML', async () => {
    const v2 = await ocs(t.app, 'GET', '/cloud/apps');
    expect(v2.body).toBe(`{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":{"apps":${JSON.stringify(ALL_APPS)}}}}`);
    const v1 = await ocs(t.app, 'GET', '/cloud/apps', { version: 1 });
    expect(v1.ocs.meta.statuscode).toBe(100);
    expect(v1.ocs.data.apps).toEqual(ALL_APPS);
    const x = parseXml((await ocs(t.app, 'GET', '/cloud/apps', { format: 'xml' })).body);
    expect(x.ocs.data.apps.element).toEqual(ALL_APPS);
  });

  it('GET cloud/apps?filter=enabled|disabled; 101 for any other filter', async () => {
    expect((await ocs(t.app, 'GET', '/cloud/apps?filter=enabled')).ocs.data.apps).toEqual(ALL_APPS);
    const disabled = await ocs(t.app, 'GET', '/cloud/apps?filter=disabled');
    expect(disabled.body).toBe('{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":{"apps":[]}}}');
    await expectError(t.app, 'GET', '/cloud/apps?filter=everything', {}, 101, 400);
    await expectXmlError(t.app, 'GET', '/cloud/apps?filter=everything', {}, 101, 400);
  });

  it('GET cloud/apps/{id} describes the app; 998 for an unknown app', async () => {
    const info = await ocs(t.app, 'GET', '/cloud/apps/theming');
    expect(info.ocs.data).toMatchObject({ id: 'theming', name: 'Theming', 'always-enabled': false, active: true });
    expect(info.ocs.data.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Array.isArray(info.ocs.data.category)).toBe(true);
    const core = await ocs(t.app, 'GET', '/cloud/apps/provisioning_api', { version: 1 });
    expect(core.ocs.meta.statuscode).toBe(100);
    expect(core.ocs.data).toMatchObject({ id: 'provisioning_api', 'always-enabled': true, active: true });
    const x = parseXml((await ocs(t.app, 'GET', '/cloud/apps/password_policy', { format: 'xml' })).body);
    expect(x.ocs.data).toMatchObject({ id: 'password_policy', active: '1', 'always-enabled': '' });
    await expectError(t.app, 'GET', '/cloud/apps/nope', {}, 998, 404, 'The request app was not found');
    await expectXmlError(t.app, 'GET', '/cloud/apps/nope', {}, 998, 404);
  });

  it('enable/disable of an unknown app is 998; repeating a toggle is harmless', async () => {
    await expectError(t.app, 'POST', '/cloud/apps/nope', {}, 998, 404);
    await expectError(t.app, 'DELETE', '/cloud/apps/nope', {}, 998, 404);
    const again = await ocs(t.app, 'POST', '/cloud/apps/theming', { version: 1 });
    expect(again.body).toBe('{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK","totalitems":"","itemsperpage":""},"data":[]}}');
    expect((await ocs(t.app, 'POST', '/cloud/apps/provisioning_api')).statusCode).toBe(200);
  });

  it('is admin only: subadmins and plain users 403, anonymous 997, nothing changes', async () => {
    for (const [method, url] of [
      ['GET', '/cloud/apps'],
      ['GET', '/cloud/apps/theming'],
      ['POST', '/cloud/apps/theming'],
      ['DELETE', '/cloud/apps/theming'],
    ] as const) {
      for (const as of [alice, sub]) await expectError(t.app, method, url, { as }, 403, 403, 'Logged in account must be an admin');
      await expectError(t.app, method, url, { as: null }, 997, 401);
    }
    await expectXmlError(t.app, 'DELETE', '/cloud/apps/theming', { as: alice }, 403, 403);
    expect((await ocs(t.app, 'GET', '/cloud/apps?filter=disabled')).ocs.data.apps).toEqual([]);
  });

  it('disabling theming removes its capability (anonymous and logged in) and its logo; enabling restores both', async () => {
    expect((await t.app.inject({ url: '/apps/theming/logo' })).statusCode).toBe(200);
    expect(await capabilities(null)).toHaveProperty('theming');

    await setApp('theming', false);
    try {
      expect((await ocs(t.app, 'GET', '/cloud/apps?filter=disabled')).ocs.data.apps).toEqual(['theming']);
      expect((await ocs(t.app, 'GET', '/cloud/apps?filter=enabled')).ocs.data.apps).toEqual(['provisioning_api', 'password_policy', 'activity', 'notifications']);
      expect((await ocs(t.app, 'GET', '/cloud/apps/theming')).ocs.data.active).toBe(false);
      expect(Object.keys(await capabilities(null))).toEqual(['bruteforce']);
      const caps = await capabilities(alice);
      expect(caps).not.toHaveProperty('theming');
      expect(caps).toHaveProperty('core');
      const v1 = await ocs(t.app, 'GET', '/cloud/capabilities', { version: 1, format: 'xml' });
      expect(v1.body).not.toContain('<theming>');
      const logo = await t.app.inject({ url: '/apps/theming/logo' });
      expect(logo.statusCode).toBe(404);
    } finally {
      await setApp('theming', true);
    }
    expect((await capabilities(alice)).theming).toMatchObject({ name: 'Nimbus' });
    expect((await capabilities(null)).theming).toMatchObject({ name: 'Nimbus' });
    expect((await t.app.inject({ url: '/apps/theming/logo' })).statusCode).toBe(200);
  });

  it('disabling password_policy: capability gone, its routes answer like unknown routes, weak passwords pass', async () => {
    const weak = { userid: 'weakling', password: 'short' };
    await expectError(t.app, 'POST', '/cloud/users', { body: weak }, 107, 400);
    const gen = await ocs(t.app, 'GET', '/apps/password_policy/api/v1/generate', { as: alice });
    expect(gen.statusCode).toBe(200);
    expect(await capabilities(alice)).toHaveProperty('password_policy');

    await setApp('password_policy', false);
    try {
      expect(await capabilities(alice)).not.toHaveProperty('password_policy');
      for (const version of [1, 2] as const) {
        for (const format of ['json', 'xml'] as const) {
          const nowhere = await ocs(t.app, 'GET', '/apps/nowhere/api/v1/generate', { as: alice, version, format });
          for (const [method, url] of [
            ['GET', '/apps/password_policy/api/v1/generate'],
            ['POST', '/apps/password_policy/api/v1/validate'],
          ] as const) {
            const res = await ocs(t.app, method, url, { as: alice, version, format, body: method === 'POST' ? { password: 'x' } : undefined });
            expect(res.statusCode, `${method} ${url} v${version} ${format}`).toBe(version === 1 ? 200 : 404);
            expect(res.headers['content-type']).toBe(nowhere.headers['content-type']);
            expect(res.body).toBe(nowhere.body);
          }
        }
      }
      const gone = await ocs(t.app, 'GET', '/apps/password_policy/api/v1/generate', { as: alice });
      expect(gone.ocs.meta).toEqual({ status: 'failure', statuscode: 998, message: UNKNOWN_ROUTE });
      // Anonymous callers see the unknown route too, not a 997.
      expect((await ocs(t.app, 'GET', '/apps/password_policy/api/v1/generate', { as: null })).ocs.meta.statuscode).toBe(998);
      // Wrong credentials are refused first, as on any unknown route.
      const badCreds = await ocs(t.app, 'GET', '/apps/password_policy/api/v1/generate', { as: { user: 'alice', password: 'wrong' } });
      expect(badCreds.statusCode).toBe(401);
      expect(badCreds.ocs.meta.statuscode).toBe(997);
      expect((await ocs(t.app, 'GET', '/apps/nowhere', { as: { user: 'alice', password: 'wrong' } })).statusCode).toBe(401);

      // No enforcement: weak passwords are accepted on create and on change, and work.
      expect((await ocs(t.app, 'POST', '/cloud/users', { body: weak })).statusCode).toBe(200);
      expect((await ocs(t.app, 'GET', '/cloud/user', { as: { user: 'weakling', password: 'short' } })).ocs.data.id).toBe('weakling');
      expect((await ocs(t.app, 'PUT', '/cloud/users/weakling', { body: { key: 'password', value: 'abc' } })).statusCode).toBe(200);
      const login = await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: basic('weakling', 'abc'), 'OCS-APIRequest': 'true' } });
      expect(login.statusCode).toBe(200);
    } finally {
      await setApp('password_policy', true);
    }
    expect(await capabilities(alice)).toHaveProperty('password_policy');
    expect((await ocs(t.app, 'GET', '/apps/password_policy/api/v1/generate', { as: alice })).statusCode).toBe(200);
    await expectError(t.app, 'POST', '/cloud/users', { body: { userid: 'weakling2', password: 'short' } }, 107, 400);
    await expectError(t.app, 'PUT', '/cloud/users/weakling', { body: { key: 'password', value: 'abc' } }, 107, 400);
  });

  it('provisioning_api cannot be disabled', async () => {
    await expectError(t.app, 'DELETE', '/cloud/apps/provisioning_api', {}, 403, 403, "provisioning_api can't be disabled.");
    await expectXmlError(t.app, 'DELETE', '/cloud/apps/provisioning_api', {}, 403, 403);
    expect((await ocs(t.app, 'GET', '/cloud/apps?filter=enabled')).ocs.data.apps).toContain('provisioning_api');
    expect((await ocs(t.app, 'GET', '/cloud/users')).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/ocs-provider/' })).json().services).toHaveProperty('PROVISIONING');
    expect((await ocs(t.app, 'GET', '/cloud/user', { as: { user: ADMIN.user, password: ADMIN.password } })).statusCode).toBe(200);
  });
});
