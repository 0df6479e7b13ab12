import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';

const xml = new XMLParser();

describeEachDb('status.php, ocs-provider and capabilities', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(async () => t.close());

  it('status.php carries the fields clients check', async () => {
    const res = await t.app.inject({ url: '/status.php' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['installed', 'maintenance', 'needsDbUpgrade', 'version', 'versionstring', 'edition', 'productname', 'extendedSupport']);
    expect(body).toMatchObject({ installed: true, maintenance: false, needsDbUpgrade: false, edition: '', productname: 'Nimbus' });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('ocs-provider lists only implemented modules', async () => {
    const res = await t.app.inject({ url: '/ocs-provider/' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      version: 2,
      services: { PROVISIONING: { version: 1, endpoints: { user: '/ocs/v2.php/cloud/users', groups: '/ocs/v2.php/cloud/groups', apps: '/ocs/v2.php/cloud/apps' } } },
    });
  });

  it('anonymous capabilities hold only the public sections', async () => {
    const res = await ocs(t.app, 'GET', '/cloud/capabilities', { as: null, headers: { 'OCS-APIRequest': '' } });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.ocs.data.capabilities)).toEqual(['bruteforce', 'theming']);
    expect(res.ocs.data.version).toMatchObject({ major: 32, edition: '', extendedSupport: false });
    expect(res.ocs.data.capabilities.theming).toMatchObject({ name: 'Nimbus', color: '#1a6fb5', 'color-text': '#ffffff', logo: 'http://nimbus.test/apps/theming/logo?v=1' });
  });

  it('logged-in capabilities: core, sharing off (truthfully), provisioning, policy, theming; v1 envelope', async () => {
    const res = await ocs(t.app, 'GET', '/cloud/capabilities');
    const caps = res.ocs.data.capabilities;
    expect(caps.core).toMatchObject({ pollinterval: 60, 'webdav-root': 'remote.php/webdav' });
    expect(caps.files_sharing).toMatchObject({ api_enabled: false, public: { enabled: false }, resharing: false });
    expect(caps.files_sharing.federation).toMatchObject({ outgoing: false, incoming: false });
    expect(caps.password_policy.minLength).toBe(10);
    expect(caps.provisioning_api.version).toBeTypeOf('string');
    expect(caps.activity).toBeUndefined();
    const v1 = await ocs(t.app, 'GET', '/cloud/capabilities', { version: 1 });
    expect(v1.ocs.meta).toEqual({ status: 'ok', statuscode: 100, message: 'OK', totalitems: '', itemsperpage: '' });
    const x = await ocs(t.app, 'GET', '/cloud/capabilities', { format: 'xml' });
    const parsed = xml.parse(x.body);
    expect(parsed.ocs.data.capabilities.core['webdav-root']).toBe('remote.php/webdav');
  });

  it('the theming logo is an SVG in the instance colour', async () => {
    const res = await t.app.inject({ url: '/apps/theming/logo' });
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(res.body).toContain('#1a6fb5');
  });
});

describeEachDb('OCS auth, CSRF rule, app passwords, throttling', (kind) => {
  let t: TestApp;
  let alice: { user: string; password: string };
  beforeAll(async () => {
    t = await buildTestApp(kind, { LOGIN_MAX_FAILURES: '3' });
    alice = await newUser(t.app, 'alice');
  });
  afterAll(async () => t.close());

  it('wrong password: 401, WWW-Authenticate and the 997 body (sample 40), also on v1', async () => {
    const res = await ocs(t.app, 'GET', '/cloud/users/admin', { as: { user: 'admin', password: 'wrong' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="Authorisation Required"');
    expect(res.body).toBe('{"ocs":{"meta":{"status":"failure","statuscode":997,"message":"Unauthorised"},"data":[]}}');
    const v1 = await ocs(t.app, 'GET', '/cloud/users/admin', { as: { user: 'nobody', password: 'x' }, version: 1 });
    expect(v1.statusCode).toBe(401);
    const ajax = await ocs(t.app, 'GET', '/cloud/users/admin', { as: null, headers: { 'X-Requested-With': 'XMLHttpRequest' } });
    expect(ajax.headers['www-authenticate']).toBe('DummyBasic realm="Authorisation Required"');
  });

  it('UTF-8 credentials work', async () => {
    const u = await newUser(t.app, 'jose', {});
    await ocs(t.app, 'PUT', '/cloud/users/jose', { body: { key: 'password', value: 'contraseña-segura-1' } });
    const res = await ocs(t.app, 'GET', '/cloud/user', { as: { user: u.user, password: 'contraseña-segura-1' } });
    expect(res.statusCode).toBe(200);
  });

  it('Basic without OCS-APIRequest gets the plain 412 CSRF answer (sample 39); capabilities does not need it', async () => {
    const res = await t.app.inject({ url: '/ocs/v2.php/cloud/users/admin?format=json', headers: { authorization: basic(ADMIN.user, ADMIN.password) } });
    expect(res.statusCode).toBe(412);
    expect(res.body).toBe('{"message":"CSRF check failed"}');
    const v1 = await t.app.inject({ url: '/ocs/v1.php/cloud/users/admin', headers: { authorization: basic(ADMIN.user, ADMIN.password) } });
    expect(v1.statusCode).toBe(412);
    const caps = await t.app.inject({ url: '/ocs/v2.php/cloud/capabilities', headers: { authorization: basic(ADMIN.user, ADMIN.password) } });
    expect(caps.statusCode).toBe(200);
  });

  it('app passwords: minted once, usable as Basic password and Bearer token, revocable', async () => {
    const minted = await ocs(t.app, 'GET', '/core/getapppassword', { as: alice });
    expect(minted.statusCode).toBe(200);
    const token: string = minted.ocs.data.apppassword;
    expect(token).toMatch(/^[A-Za-z0-9]{72}$/);

    const viaBasic = await ocs(t.app, 'GET', '/cloud/user', { as: { user: 'alice', password: token } });
    expect(viaBasic.ocs.data.id).toBe('alice');
    // Bearer satisfies the CSRF rule without OCS-APIRequest.
    const viaBearer = await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: `Bearer ${token}` } });
    expect(viaBearer.statusCode).toBe(200);
    expect(viaBearer.json().ocs.data.id).toBe('alice');

    const again = await ocs(t.app, 'GET', '/core/getapppassword', { as: { user: 'alice', password: token } });
    expect(again.statusCode).toBe(403);
    const revokeWithPassword = await ocs(t.app, 'DELETE', '/core/apppassword', { as: alice });
    expect(revokeWithPassword.statusCode).toBe(403);

    const revoke = await ocs(t.app, 'DELETE', '/core/apppassword', { as: { user: 'alice', password: token } });
    expect(revoke.statusCode).toBe(200);
    expect((await ocs(t.app, 'GET', '/cloud/user', { as: { user: 'alice', password: token } })).statusCode).toBe(401);
    const bearerAfter = await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: `Bearer ${token}` } });
    expect(bearerAfter.statusCode).toBe(401);
    expect((await t.app.inject({ url: '/ocs/v2.php/cloud/user', headers: { authorization: 'Bearer not-a-token' } })).statusCode).toBe(401);
  });

  it('a token of another user is not accepted under a different login', async () => {
    const bob = await newUser(t.app, 'bob');
    const token = (await ocs(t.app, 'GET', '/core/getapppassword', { as: bob })).ocs.data.apppassword;
    expect((await ocs(t.app, 'GET', '/cloud/user', { as: { user: 'alice', password: token } })).statusCode).toBe(401);
  });

  it('throttles one login from one address without locking out others', async () => {
    const victim = await newUser(t.app, 'victim');
    const attacker = '10.9.9.9';
    for (let i = 0; i < 3; i++) {
      const r = await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', remoteAddress: attacker, headers: { authorization: basic('victim', 'guess'), 'OCS-APIRequest': 'true' } });
      expect(r.statusCode).toBe(401);
    }
    const blocked = await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', remoteAddress: attacker, headers: { authorization: basic('victim', victim.password), 'OCS-APIRequest': 'true' } });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().ocs.meta.statuscode).toBe(429);
    const blockedV1 = await t.app.inject({ url: '/ocs/v1.php/cloud/user?format=json', remoteAddress: attacker, headers: { authorization: basic('victim', victim.password), 'OCS-APIRequest': 'true' } });
    expect(blockedV1.statusCode).toBe(200);
    expect(blockedV1.json().ocs.meta.statuscode).toBe(429);
    // The victim from their own address, and another account from the attacker's, still work.
    const fromHome = await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', remoteAddress: '10.1.1.1', headers: { authorization: basic('victim', victim.password), 'OCS-APIRequest': 'true' } });
    expect(fromHome.statusCode).toBe(200);
    const other = await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', remoteAddress: attacker, headers: { authorization: basic('alice', alice.password), 'OCS-APIRequest': 'true' } });
    expect(other.statusCode).toBe(200);
  });

  it('unknown OCS routes answer 998 with the reference message (v1 200, v2 404)', async () => {
    const v2 = await ocs(t.app, 'GET', '/cloud/nothing-here');
    expect(v2.statusCode).toBe(404);
    expect(v2.ocs.meta.statuscode).toBe(998);
    expect(v2.ocs.meta.message).toMatch(/^Invalid query, please check the syntax/);
    const v1 = await ocs(t.app, 'GET', '/cloud/nothing-here', { version: 1 });
    expect(v1.statusCode).toBe(200);
    expect(v1.ocs.meta.statuscode).toBe(998);
    const x = await ocs(t.app, 'GET', '/cloud/nothing-here', { format: 'xml' });
    expect(xml.parse(x.body).ocs.meta.statuscode).toBe(998);
  });

  it('a known route asked with another verb answers a bare 405, as Nextcloud does', async () => {
    const res = await ocs(t.app, 'POST', '/cloud/users/admin');
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, PUT, DELETE');
    expect(res.body).toBe('');
    expect((await ocs(t.app, 'PATCH', '/cloud/groups', { version: 1 })).statusCode).toBe(405);
  });

  it('malformed JSON bodies get the envelope with 400, never a 500', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/ocs/v2.php/cloud/groups?format=json',
      headers: { authorization: basic(ADMIN.user, ADMIN.password), 'OCS-APIRequest': 'true', 'content-type': 'application/json' },
      payload: '{"groupid": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().ocs.meta.statuscode).toBe(400);
    const v1 = await t.app.inject({
      method: 'POST',
      url: '/ocs/v1.php/cloud/groups?format=json',
      headers: { authorization: basic(ADMIN.user, ADMIN.password), 'OCS-APIRequest': 'true', 'content-type': 'application/json' },
      payload: '[1,',
    });
    expect(v1.statusCode).toBe(200);
    expect(v1.json().ocs.meta.statuscode).toBe(400);
  });

  it('unreadable content types are ignored like Nextcloud does', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/ocs/v2.php/cloud/groups?format=json&groupid=fromquery',
      headers: { authorization: basic(ADMIN.user, ADMIN.password), 'OCS-APIRequest': 'true', 'content-type': 'text/plain' },
      payload: 'ignored',
    });
    expect(res.statusCode).toBe(200);
  });

  it('every response carries X-Request-Id; a sane incoming id is kept', async () => {
    const res = await t.app.inject({ url: '/status.php', headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers['x-request-id']).toBe('abc-123');
    const fresh = await t.app.inject({ url: '/status.php', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(fresh.headers['x-request-id']).not.toBe('bad id with spaces');
  });

  it('password_policy generate and validate', async () => {
    const gen = await ocs(t.app, 'GET', '/apps/password_policy/api/v1/generate', { as: alice });
    expect(gen.ocs.data.password.length).toBeGreaterThanOrEqual(10);
    const bad = await ocs(t.app, 'POST', '/apps/password_policy/api/v1/validate', { as: alice, body: { password: 'short' } });
    expect(bad.ocs.data).toEqual({ passed: false, reason: 'Password needs to be at least 10 characters long.' });
    const good = await ocs(t.app, 'POST', '/apps/password_policy/api/v1/validate', { as: alice, body: { password: gen.ocs.data.password } });
    expect(good.ocs.data).toEqual({ passed: true, reason: '' });
  });
});

describe('format negotiation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('sqlite');
  });
  afterAll(async () => t.close());

  const get = (headers: Record<string, string>, query = '') =>
    t.app.inject({ url: `/ocs/v2.php/cloud/capabilities${query}`, headers: { authorization: basic(ADMIN.user, ADMIN.password), ...headers } });

  it('reads Accept as Nextcloud does and lets format win', async () => {
    expect((await get({ accept: 'application/json' })).headers['content-type']).toBe('application/json; charset=utf-8');
    expect((await get({ accept: 'application/json; charset=utf-8' })).headers['content-type']).toBe('application/xml; charset=utf-8');
    expect((await get({ accept: '*/*' })).headers['content-type']).toBe('application/xml; charset=utf-8');
    expect((await get({ accept: 'application/json' }, '?format=xml')).headers['content-type']).toBe('application/xml; charset=utf-8');
    expect((await get({}, '?format=json')).headers['content-type']).toBe('application/json; charset=utf-8');
  });
});
