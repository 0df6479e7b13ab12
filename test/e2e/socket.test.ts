import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, type TestApp } from '../helpers/app.js';

describeEachDb('a real listening server over a socket', (kind) => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const addr = t.app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => t.close());

  const ocsHeaders = (user: string, password: string) => ({ authorization: basic(user, password), 'ocs-apirequest': 'true' });

  it('serves status.php', async () => {
    const res = await request(`${base}/status.php`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(((await res.body.json()) as { installed: boolean }).installed).toBe(true);
  });

  it('creates a user over a form body, who then logs in, reads capabilities and uses an app password', async () => {
    const created = await request(`${base}/ocs/v2.php/cloud/users?format=json`, {
      method: 'POST',
      headers: { ...ocsHeaders(ADMIN.user, ADMIN.password), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'userid=carol&password=Carol-Socket-Pass-1&groups%5B%5D=admin',
    });
    expect(created.statusCode).toBe(200);
    expect(await created.body.json()).toEqual({ ocs: { meta: { status: 'ok', statuscode: 200, message: 'OK' }, data: { id: 'carol' } } });

    const caps = await request(`${base}/ocs/v1.php/cloud/capabilities?format=json`, { headers: ocsHeaders('carol', 'Carol-Socket-Pass-1') });
    const capsBody = (await caps.body.json()) as { ocs: { meta: { statuscode: number }; data: { capabilities: Record<string, unknown> } } };
    expect(capsBody.ocs.meta.statuscode).toBe(100);
    expect(capsBody.ocs.data.capabilities.core).toBeDefined();

    const minted = await request(`${base}/ocs/v2.php/core/getapppassword?format=json`, { headers: ocsHeaders('carol', 'Carol-Socket-Pass-1') });
    const token = ((await minted.body.json()) as { ocs: { data: { apppassword: string } } }).ocs.data.apppassword;
    const me = await request(`${base}/ocs/v2.php/cloud/user?format=json`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.statusCode).toBe(200);
    expect(((await me.body.json()) as { ocs: { data: { id: string; groups: string[] } } }).ocs.data).toMatchObject({ id: 'carol', groups: ['admin'] });
  });

  it('answers wrong credentials with 401 over the wire', async () => {
    const res = await request(`${base}/ocs/v2.php/cloud/user`, { headers: ocsHeaders('carol', 'nope') });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="Authorisation Required"');
    await res.body.text();
  });
});
