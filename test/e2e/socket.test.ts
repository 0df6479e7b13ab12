import { XMLParser } from 'fast-xml-parser';
import { Pool, request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, type TestApp } from '../helpers/app.js';

const xml = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'element' });

interface Envelope<T = any> {
  ocs: { meta: { status: string; statuscode: number; message: string; totalitems?: string; itemsperpage?: string }; data: T };
}

describeEachDb('a real listening server over a socket', (kind) => {
  let t: TestApp;
  let base: string;
  let pool: Pool;
  const carol = { user: 'carol', password: 'Carol-Sócket-Pass-1' };

  beforeAll(async () => {
    t = await buildTestApp(kind);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const addr = t.app.server.address();
    if (!addr || typeof addr !== 'object') throw new Error('not listening on a TCP port');
    base = `http://127.0.0.1:${addr.port}`;
    pool = new Pool(base, { connections: 4 });
  });
  afterAll(async () => {
    await pool?.close();
    await t.close();
  });

  const ocsHeaders = (c: { user: string; password: string }) => ({ authorization: basic(c.user, c.password), 'ocs-apirequest': 'true' });

  it('serves status.php with CORS and a request id', async () => {
    const res = await request(`${base}/status.php`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-request-id']).toBeTruthy();
    const body = (await res.body.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ installed: true, maintenance: false, needsDbUpgrade: false, productname: 'Nimbus' });
  });

  it('serves the provider list and anonymous capabilities', async () => {
    const provider = await request(`${base}/ocs-provider/`);
    expect(((await provider.body.json()) as { services: object }).services).toHaveProperty('PROVISIONING');
    const caps = await request(`${base}/ocs/v2.php/cloud/capabilities?format=json`);
    expect(caps.statusCode).toBe(200);
    const body = (await caps.body.json()) as Envelope<{ capabilities: object }>;
    expect(Object.keys(body.ocs.data.capabilities)).toEqual(['bruteforce', 'theming']);
  });

  it('creates a user over a form body; they log in with a UTF-8 password and read their capabilities', async () => {
    const created = await request(`${base}/ocs/v2.php/cloud/users?format=json`, {
      method: 'POST',
      headers: { ...ocsHeaders(ADMIN), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ userid: carol.user, password: carol.password, 'groups[]': 'admin' }).toString(),
    });
    expect(created.statusCode).toBe(200);
    expect(await created.body.json()).toEqual({ ocs: { meta: { status: 'ok', statuscode: 200, message: 'OK' }, data: { id: 'carol' } } });

    const me = await request(`${base}/ocs/v1.php/cloud/user?format=json`, { headers: ocsHeaders(carol) });
    expect(me.statusCode).toBe(200);
    const meBody = (await me.body.json()) as Envelope<{ id: string; groups: string[] }>;
    expect(meBody.ocs.meta.statuscode).toBe(100);
    expect(meBody.ocs.data).toMatchObject({ id: 'carol', groups: ['admin'] });

    const caps = await request(`${base}/ocs/v1.php/cloud/capabilities?format=json`, { headers: ocsHeaders(carol) });
    const capsBody = (await caps.body.json()) as Envelope<{ capabilities: Record<string, any> }>;
    expect(capsBody.ocs.meta).toEqual({ status: 'ok', statuscode: 100, message: 'OK', totalitems: '', itemsperpage: '' });
    expect(capsBody.ocs.data.capabilities.core.pollinterval).toBe(60);
    expect(capsBody.ocs.data.capabilities.files_sharing.api_enabled).toBe(true);
    expect(caps.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);

    const capsXml = await request(`${base}/ocs/v2.php/cloud/capabilities`, { headers: ocsHeaders(carol) });
    expect(capsXml.headers['content-type']).toBe('application/xml; charset=utf-8');
    const doc = xml.parse(await capsXml.body.text());
    expect(doc.ocs.meta.statuscode).toBe('200');
    expect(doc.ocs.data.capabilities.password_policy.minLength).toBe('10');
  });

  it('creates a group over a JSON body and reads it back as XML', async () => {
    const res = await request(`${base}/ocs/v2.php/cloud/groups?format=json`, {
      method: 'POST',
      headers: { ...ocsHeaders(ADMIN), 'content-type': 'application/json' },
      body: JSON.stringify({ groupid: 'socketeers', displayname: 'Socket People' }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    const list = await request(`${base}/ocs/v2.php/cloud/groups?search=socket`, { headers: ocsHeaders(ADMIN) });
    expect(await list.body.text()).toContain('<element>socketeers</element>');
  });

  it('an app password works as a Bearer token without the CSRF header, and is revoked through it', async () => {
    const minted = await request(`${base}/ocs/v2.php/core/getapppassword?format=json`, { headers: ocsHeaders(carol) });
    expect(minted.statusCode).toBe(200);
    const token = ((await minted.body.json()) as Envelope<{ apppassword: string }>).ocs.data.apppassword;
    expect(token).toMatch(/^[A-Za-z0-9]{72}$/);

    const me = await request(`${base}/ocs/v2.php/cloud/user?format=json`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.statusCode).toBe(200);
    expect(((await me.body.json()) as Envelope<{ id: string }>).ocs.data.id).toBe('carol');
    const asPassword = await request(`${base}/ocs/v2.php/cloud/user?format=json`, { headers: ocsHeaders({ user: 'carol', password: token }) });
    expect(asPassword.statusCode).toBe(200);
    await asPassword.body.text();

    const revoke = await request(`${base}/ocs/v2.php/core/apppassword?format=json`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(revoke.statusCode).toBe(200);
    await revoke.body.text();
    const after = await request(`${base}/ocs/v2.php/cloud/user?format=json`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.statusCode).toBe(401);
    await after.body.text();
  });

  it('answers wrong credentials with 401 and the CSRF rule with 412 over the wire', async () => {
    const wrong = await request(`${base}/ocs/v2.php/cloud/user?format=json`, { headers: ocsHeaders({ user: 'carol', password: 'nope' }) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Basic realm="Authorisation Required"');
    expect(await wrong.body.text()).toBe('{"ocs":{"meta":{"status":"failure","statuscode":997,"message":"Unauthorised"},"data":[]}}');

    const csrf = await request(`${base}/ocs/v2.php/cloud/user?format=json`, { headers: { authorization: basic(carol.user, carol.password) } });
    expect(csrf.statusCode).toBe(412);
    expect(await csrf.body.text()).toBe('{"message":"CSRF check failed"}');
  });

  it('serves many concurrent requests over kept-alive connections', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        pool
          .request({ path: i % 2 ? '/ocs/v2.php/cloud/user?format=json' : '/ocs/v1.php/cloud/groups?format=json', method: 'GET', headers: ocsHeaders(carol) })
          .then(async (r) => ({ status: r.statusCode, id: r.headers['x-request-id'], body: (await r.body.json()) as Envelope })),
      ),
    );
    for (const [i, r] of results.entries()) {
      expect(r.status).toBe(200);
      expect(r.body.ocs.meta.statuscode).toBe(i % 2 ? 200 : 100);
    }
    expect(new Set(results.map((r) => r.id)).size).toBe(results.length);
  });
});
