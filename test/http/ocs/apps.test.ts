import { afterAll, beforeAll, expect, it } from 'vitest';
import { basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';

describeEachDb('OCS cloud/apps', (kind) => {
  let t: TestApp;
  let alice: { user: string; password: string };
  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice');
  });
  afterAll(async () => t.close());

  it('lists the server modules, filtered by state; 101 for a bad filter', async () => {
    expect((await ocs(t.app, 'GET', '/cloud/apps')).ocs.data.apps).toEqual(['provisioning_api', 'theming', 'password_policy']);
    expect((await ocs(t.app, 'GET', '/cloud/apps?filter=disabled')).ocs.data.apps).toEqual([]);
    expect((await ocs(t.app, 'GET', '/cloud/apps?filter=enabled')).ocs.data.apps).toHaveLength(3);
    const bad = await ocs(t.app, 'GET', '/cloud/apps?filter=everything');
    expect(bad.statusCode).toBe(400);
    expect(bad.ocs.meta.statuscode).toBe(101);
  });

  it('shows app info; 998 for an unknown app', async () => {
    const info = await ocs(t.app, 'GET', '/cloud/apps/theming');
    expect(info.ocs.data).toMatchObject({ id: 'theming', name: 'Theming', active: true });
    const unknown = await ocs(t.app, 'GET', '/cloud/apps/nope');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.ocs.meta.statuscode).toBe(998);
    expect((await ocs(t.app, 'GET', '/cloud/apps/nope', { version: 1 })).statusCode).toBe(200);
  });

  it('is admin only', async () => {
    for (const [method, url] of [
      ['GET', '/cloud/apps'],
      ['GET', '/cloud/apps/theming'],
      ['POST', '/cloud/apps/theming'],
      ['DELETE', '/cloud/apps/theming'],
    ] as const) {
      const res = await ocs(t.app, method, url, { as: alice });
      expect(res.statusCode).toBe(403);
      expect(res.ocs.meta.message).toBe('Logged in account must be an admin');
    }
    expect((await ocs(t.app, 'GET', '/cloud/apps', { as: null })).statusCode).toBe(401);
  });

  it('disabling theming removes its capability and its logo; enabling brings them back', async () => {
    expect((await t.app.inject({ url: '/apps/theming/logo' })).statusCode).toBe(200);
    expect((await ocs(t.app, 'DELETE', '/cloud/apps/theming')).statusCode).toBe(200);
    expect((await ocs(t.app, 'GET', '/cloud/apps?filter=disabled')).ocs.data.apps).toEqual(['theming']);
    const caps = await ocs(t.app, 'GET', '/cloud/capabilities');
    expect(caps.ocs.data.capabilities.theming).toBeUndefined();
    expect((await t.app.inject({ url: '/apps/theming/logo' })).statusCode).toBe(404);
    expect((await ocs(t.app, 'POST', '/cloud/apps/theming')).statusCode).toBe(200);
    expect((await ocs(t.app, 'GET', '/cloud/capabilities')).ocs.data.capabilities.theming.name).toBe('Nimbus');
  });

  it('disabling password_policy turns off its routes, capability and enforcement', async () => {
    const weak = { userid: 'weakling', password: 'short' };
    expect((await ocs(t.app, 'POST', '/cloud/users', { body: weak })).ocs.meta.statuscode).toBe(107);
    expect((await ocs(t.app, 'GET', '/apps/password_policy/api/v1/generate')).statusCode).toBe(200);

    expect((await ocs(t.app, 'DELETE', '/cloud/apps/password_policy')).statusCode).toBe(200);
    expect((await ocs(t.app, 'GET', '/cloud/capabilities')).ocs.data.capabilities.password_policy).toBeUndefined();
    const gone = await ocs(t.app, 'GET', '/apps/password_policy/api/v1/generate');
    expect(gone.statusCode).toBe(404);
    expect(gone.ocs.meta.statuscode).toBe(998);
    expect((await ocs(t.app, 'POST', '/cloud/users', { body: weak })).statusCode).toBe(200);
    const login = await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: basic('weakling', 'short'), 'OCS-APIRequest': 'true' } });
    expect(login.statusCode).toBe(200);

    expect((await ocs(t.app, 'POST', '/cloud/apps/password_policy')).statusCode).toBe(200);
    expect((await ocs(t.app, 'GET', '/apps/password_policy/api/v1/generate')).statusCode).toBe(200);
  });

  it('provisioning_api cannot be disabled', async () => {
    const res = await ocs(t.app, 'DELETE', '/cloud/apps/provisioning_api');
    expect(res.statusCode).toBe(403);
    expect((await ocs(t.app, 'GET', '/cloud/users')).statusCode).toBe(200);
  });
});
