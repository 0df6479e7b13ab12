import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { expectError, parseXml } from '../../helpers/ocs-assert.js';
import { ncJson, ncSample } from '../../fixtures/nextcloud/samples.js';

type Creds = { user: string; password: string };

const UNKNOWN_ROUTE = 'Invalid query, please check the syntax. API specifications are here: http://www.freedesktop.org/wiki/Specifications/open-collaboration-services.\n';
const V1_UNAUTHORISED = '{"ocs":{"meta":{"status":"failure","statuscode":997,"message":"Unauthorised","totalitems":"","itemsperpage":""},"data":[]}}';
const APP_PASSWORD = /^[A-Za-z0-9]{72}$/;
/** The reference server's own address in the samples, and ours in tests. */
const sampleUrls = (v: unknown): unknown => JSON.parse(JSON.stringify(v).replaceAll('http://127.0.0.1:8080', 'http://nimbus.test'));

/** Headers of a real client: Basic credentials and the OCS-APIRequest header. */
const client = (c: Creds, extra: Record<string, string> = {}) => ({ authorization: basic(c.user, c.password), 'OCS-APIRequest': 'true', ...extra });

describeEachDb('status.php, ocs-provider and capabilities', (kind) => {
  let t: TestApp;
  let alice: Creds;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice');
  });
  afterAll(async () => t.close());

  it('status.php carries the fields of the reference (sample 01), in its order, for anyone', async () => {
    const sample = ncSample('01-status');
    const ref = JSON.parse(sample.body);
    for (const headers of [{}, { authorization: basic('alice', 'wrong') }]) {
      const res = await t.app.inject({ url: '/status.php', headers });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(sample.headers['access-control-allow-origin']);
      expect(res.headers['content-type']).toMatch(/^application\/json\b/);
      const body = res.json();
      expect(Object.keys(body)).toEqual(Object.keys(ref));
      for (const key of Object.keys(ref)) expect(typeof body[key], key).toBe(typeof ref[key]);
      expect(body).toMatchObject({ installed: true, maintenance: false, needsDbUpgrade: false, edition: '', productname: 'Nimbus', extendedSupport: false });
      expect(body.version).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(body.version.startsWith(`${body.versionstring}.`)).toBe(true);
      // A current Nextcloud major, so clients enable their modern code paths.
      expect(Number(body.versionstring.split('.')[0])).toBeGreaterThanOrEqual(30);
    }
  });

  it('ocs-provider lists only the implemented modules (PROVISIONING, PRIVATE_DATA, SHARING, FEDERATED_SHARING, ACTIVITY), with CORS', async () => {
    for (const url of ['/ocs-provider/', '/ocs-provider/index.php']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.json()).toEqual({
        version: 2,
        services: {
          PROVISIONING: { version: 1, endpoints: { user: '/ocs/v2.php/cloud/users', groups: '/ocs/v2.php/cloud/groups', apps: '/ocs/v2.php/cloud/apps' } },
          // Seed 004's service definition, word for word.
          PRIVATE_DATA: {
            version: 1,
            endpoints: { store: '/ocs/v2.php/privatedata/setattribute', read: '/ocs/v2.php/privatedata/getattribute', delete: '/ocs/v2.php/privatedata/deleteattribute' },
          },
          SHARING: { version: 1, endpoints: { share: '/ocs/v2.php/apps/files_sharing/api/v1/shares' } },
          // Seed 004's FEDERATED_SHARING definition, word for word.
          FEDERATED_SHARING: { version: 1, endpoints: { share: '/ocs/v2.php/cloud/shares', webdav: '/public.php/webdav/' } },
          ACTIVITY: { version: 1, endpoints: { list: '/ocs/v2.php/cloud/activity' } },
        },
      });
    }
  });

  it('anonymous capabilities hold only the public sections, shaped like sample 05', async () => {
    const ref = ncJson('05-capabilities-noauth-json').ocs.data;
    // Public: no credentials and no OCS-APIRequest header needed.
    const res = await t.app.inject({ url: '/ocs/v2.php/cloud/capabilities?format=json' });
    expect(res.statusCode).toBe(200);
    const { meta, data } = res.json().ocs;
    expect(meta).toEqual({ status: 'ok', statuscode: 200, message: 'OK' });
    expect(Object.keys(data)).toEqual(['version', 'capabilities']);
    expect(Object.keys(data.version)).toEqual(Object.keys(ref.version));
    expect(data.version).toMatchObject({ major: 32, edition: '', extendedSupport: false });
    expect(data.version.string).toBe(`${data.version.major}.${data.version.minor}.${data.version.micro}`);
    // Nextcloud also has app_api here; Nimbus has no such module.
    expect(Object.keys(data.capabilities)).toEqual(['bruteforce', 'theming']);
    expect(data.capabilities.bruteforce).toEqual(ref.capabilities.bruteforce);
    expect(Object.keys(data.capabilities.theming)).toEqual(Object.keys(ref.capabilities.theming));
    expect(data.capabilities.theming).toMatchObject({
      name: 'Nimbus',
      productName: 'Nimbus',
      url: 'http://nimbus.test',
      slogan: 'Your files, your server',
      color: '#1a6fb5',
      'color-text': '#ffffff',
      logo: 'http://nimbus.test/apps/theming/logo?v=1',
      logoheader: 'http://nimbus.test/apps/theming/logo?v=1',
      favicon: 'http://nimbus.test/apps/theming/logo?v=1',
    });
    for (const key of Object.keys(ref.capabilities.theming)) {
      expect(typeof data.capabilities.theming[key], key).toBe(typeof ref.capabilities.theming[key]);
    }
  });

  it('logged-in capabilities: core, files, dav, sharing, password policy and provisioning like sample 02, theming', async () => {
    const ref = ncJson('02-capabilities-json').ocs.data.capabilities;
    const res = await ocs(t.app, 'GET', '/cloud/capabilities', { as: alice });
    expect(res.statusCode).toBe(200);
    const caps = res.ocs.data.capabilities;
    // `search` is oCIS's (search-files.test.ts checks it).
    expect(Object.keys(caps).sort()).toEqual(['activity', 'bruteforce', 'core', 'dav', 'files', 'files_sharing', 'notifications', 'password_policy', 'provisioning_api', 'search', 'theming', 'user_status']);
    expect(caps.core).toEqual({
      pollinterval: ref.core.pollinterval,
      'webdav-root': ref.core['webdav-root'],
      'mod-rewrite-working': true,
      user: { language: '', locale: '', timezone: 'UTC' },
    });
    // Sharing as sample 02 with the default settings, except what is not offered: mail.
    const { sharebymail: _mail, ...sharingRef } = ref.files_sharing;
    expect(caps.files_sharing).toEqual({
      ...sharingRef,
      federation: { outgoing: true, incoming: true, expire_date: { enabled: false }, expire_date_supported: { enabled: true } },
    });
    // The file-name rules are Nextcloud's defaults, which the server enforces. Keys other apps add there
    // (trash bin, versions, comments, editors, converters) are absent: those features do not exist here.
    // tus_support and the favourites/full-text/tags flags are oCIS's keys (not in Nextcloud's sample);
    // test/http/dav/tus.test.ts and search-files.test.ts check them.
    const ocisOnly = new Set(['tus_support', 'favorites', 'full_text_search', 'tags']);
    for (const [key, value] of Object.entries(caps.files)) if (!ocisOnly.has(key)) expect(value, key).toEqual(ref.files[key]);
    expect(Object.keys(caps.files)).toEqual(expect.arrayContaining(['forbidden_filenames', 'forbidden_filename_characters', 'forbidden_filename_extensions', 'bigfilechunking', 'chunked_upload']));
    // `reports` is oCIS's (search-files.test.ts).
    expect(caps.dav).toEqual({ chunking: ref.dav.chunking, public_shares_chunking: false, bulkupload: ref.dav.bulkupload, reports: ['search-files'] });
    expect(caps.password_policy).toEqual(sampleUrls(ref.password_policy));
    expect(Object.keys(caps.password_policy)).toEqual(Object.keys(ref.password_policy));
    expect(caps.provisioning_api).toEqual(ref.provisioning_api);
    // Sample 02 also lists `previews`, which is not implemented here.
    expect(caps.activity).toEqual({ apiv2: ref.activity.apiv2.filter((f: string) => f !== 'previews') });
    expect(caps.bruteforce).toEqual(ref.bruteforce);
    expect(Object.keys(caps.theming)).toEqual(Object.keys(ref.theming));
    // Sample 02's keys, with what is served: no icons, web actions, user status, exists, test push, push devices or CLI.
    expect(Object.keys(caps.notifications)).toEqual(Object.keys(ref.notifications));
    expect(caps.notifications).toEqual({
      'ocs-endpoints': ref.notifications['ocs-endpoints'].filter((e: string) => !['icons', 'action-web', 'user-status', 'exists', 'test-push'].includes(e)),
      push: [],
      'admin-notifications': ['ocs'],
    });
  });

  it('admins and plain users get the same capabilities; Bearer works too', async () => {
    const asAlice = await ocs(t.app, 'GET', '/cloud/capabilities', { as: alice });
    const asAdmin = await ocs(t.app, 'GET', '/cloud/capabilities');
    expect(Object.keys(asAdmin.ocs.data.capabilities)).toEqual(Object.keys(asAlice.ocs.data.capabilities));
    const token = (await ocs(t.app, 'GET', '/core/getapppassword', { as: alice })).ocs.data.apppassword;
    const bearer = await t.app.inject({ url: '/ocs/v2.php/cloud/capabilities?format=json', headers: { authorization: `Bearer ${token}` } });
    expect(bearer.json().ocs.data).toEqual(asAlice.ocs.data);
  });

  it('v1 and v2 carry the same data in their own envelopes, JSON and XML', async () => {
    const v1 = await ocs(t.app, 'GET', '/cloud/capabilities', { as: alice, version: 1 });
    const v2 = await ocs(t.app, 'GET', '/cloud/capabilities', { as: alice, version: 2 });
    expect(v1.statusCode).toBe(200);
    expect(v1.ocs.meta).toEqual(ncJson('04-capabilities-v1-json').ocs.meta);
    expect(v2.ocs.meta).toEqual(ncJson('02-capabilities-json').ocs.meta);
    expect(v1.ocs.data).toEqual(v2.ocs.data);

    const x = await ocs(t.app, 'GET', '/cloud/capabilities', { as: alice, format: 'xml' });
    expect(x.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(x.body).toContain('    <webdav-root>remote.php/webdav</webdav-root>\n');
    expect(x.body).toContain('    <mod-rewrite-working>1</mod-rewrite-working>\n');
    expect(x.body).toContain('    <api_enabled>1</api_enabled>\n');
    expect(x.body).toContain('    <allow-listed></allow-listed>\n');
    const doc = parseXml(x.body).ocs;
    expect(doc.meta.statuscode).toBe('200');
    expect(doc.data.capabilities.core.pollinterval).toBe('60');
    expect(doc.data.capabilities.password_policy.api.generate).toBe('http://nimbus.test/ocs/v2.php/apps/password_policy/api/v1/generate');
    expect(doc.data.version.extendedSupport).toBe('');
    const x1 = parseXml((await ocs(t.app, 'GET', '/cloud/capabilities', { as: alice, version: 1, format: 'xml' })).body).ocs;
    expect(x1.meta).toEqual({ status: 'ok', statuscode: '100', message: 'OK', totalitems: '', itemsperpage: '' });
  });

  it('sends an ETag of the payload, as Nextcloud does', async () => {
    const a = await ocs(t.app, 'GET', '/cloud/capabilities', { as: alice });
    const b = await ocs(t.app, 'GET', '/cloud/capabilities', { as: alice, version: 1, format: 'xml' });
    const anon = await ocs(t.app, 'GET', '/cloud/capabilities', { as: null });
    expect(a.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(b.headers.etag).toBe(a.headers.etag);
    expect(anon.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(anon.headers.etag).not.toBe(a.headers.etag);
  });

  it('refuses wrong credentials even on this public route (no fallback to anonymous)', async () => {
    const res = await t.app.inject({ url: '/ocs/v2.php/cloud/capabilities?format=json', remoteAddress: '198.51.100.7', headers: { authorization: basic('alice', 'wrong') } });
    expect(res.statusCode).toBe(401);
    expect(res.json().ocs.meta.statuscode).toBe(997);
  });

  it('the theming logo is an SVG in the instance colour', async () => {
    const res = await t.app.inject({ url: '/apps/theming/logo' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(res.body).toContain('#1a6fb5');
  });
});

describeEachDb('OCS authentication, CSRF rule and app passwords', (kind) => {
  let t: TestApp;
  let alice: Creds;
  let bob: Creds;
  beforeAll(async () => {
    t = await buildTestApp(kind, { LOGIN_MAX_FAILURES: '3' });
    alice = await newUser(t.app, 'alice');
    bob = await newUser(t.app, 'bob');
  });
  afterAll(async () => t.close());

  /** A raw request; failing logins get their own address so they never throttle other tests. */
  const send = (o: InjectOptions) => t.app.inject(o);

  it('wrong password: HTTP 401, WWW-Authenticate and the 997 body of sample 40, byte for byte', async () => {
    const sample = ncSample('40-ocs-bad-password-json');
    const res = await send({ url: '/ocs/v2.php/cloud/users/admin?format=json', remoteAddress: '192.0.2.40', headers: client({ user: 'admin', password: 'wrong' }) });
    expect(res.statusCode).toBe(sample.status);
    expect(res.headers['www-authenticate']).toBe(sample.headers['www-authenticate']);
    expect(res.headers['content-type']).toBe(sample.headers['content-type']);
    expect(res.body).toBe(sample.body);
  });

  it('wrong password on v1 is HTTP 401 too; an unknown login answers exactly the same', async () => {
    const v1 = await send({ url: '/ocs/v1.php/cloud/user?format=json', remoteAddress: '192.0.2.41', headers: client({ user: 'alice', password: 'wrong' }) });
    expect(v1.statusCode).toBe(401);
    expect(v1.body).toBe(V1_UNAUTHORISED);
    const ghost = await send({ url: '/ocs/v1.php/cloud/user?format=json', remoteAddress: '192.0.2.41', headers: client({ user: 'ghost', password: 'wrong' }) });
    expect(ghost.statusCode).toBe(401);
    expect(ghost.body).toBe(v1.body);
    expect(ghost.headers['www-authenticate']).toBe(v1.headers['www-authenticate']);
  });

  it('a refused login is rendered by the entry point: format parameter only, Accept ignored', async () => {
    const headers = client({ user: 'alice', password: 'wrong' }, { accept: 'application/json' });
    const res = await send({ url: '/ocs/v2.php/cloud/user', remoteAddress: '192.0.2.42', headers });
    expect(res.statusCode).toBe(401);
    // ApiHelper::respond's content type for XML.
    expect(res.headers['content-type']).toBe('text/xml; charset=UTF-8');
    expect(parseXml(res.body).ocs.meta).toEqual({ status: 'failure', statuscode: '997', message: 'Unauthorised' });
  });

  it('X-Requested-With: XMLHttpRequest turns the challenge into DummyBasic', async () => {
    const wrong = await send({
      url: '/ocs/v2.php/cloud/user?format=json',
      remoteAddress: '192.0.2.43',
      headers: client({ user: 'alice', password: 'wrong' }, { 'X-Requested-With': 'XMLHttpRequest' }),
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('DummyBasic realm="Authorisation Required"');
    const anon = await ocs(t.app, 'GET', '/cloud/user', { as: null, headers: { 'X-Requested-With': 'XMLHttpRequest' } });
    expect(anon.headers['www-authenticate']).toBe('DummyBasic realm="Authorisation Required"');
  });

  it('no credentials on a private route: 997 "Current user is not logged in", which honours Accept', async () => {
    await expectError(t.app, 'GET', '/cloud/user', { as: null }, 997, 401, 'Current user is not logged in');
    const anon = await ocs(t.app, 'GET', '/cloud/user', { as: null });
    expect(anon.headers['www-authenticate']).toBe('Basic realm="Authorisation Required"');
    const accept = await send({ url: '/ocs/v2.php/cloud/user', headers: { 'OCS-APIRequest': 'true', accept: 'application/json' } });
    expect(accept.statusCode).toBe(401);
    expect(accept.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(accept.json().ocs.meta.message).toBe('Current user is not logged in');
  });

  it('a malformed Authorization header is refused with 997', async () => {
    for (const authorization of ['Basic !!!', `Basic ${Buffer.from('nocolon').toString('base64')}`, 'Bearer', 'Negotiate abc']) {
      const res = await send({ url: '/ocs/v2.php/cloud/user?format=json', remoteAddress: '192.0.2.44', headers: { authorization, 'OCS-APIRequest': 'true' } });
      expect(res.statusCode, authorization).toBe(401);
      expect(res.json().ocs.meta).toEqual({ status: 'failure', statuscode: 997, message: 'Unauthorised' });
    }
  });

  it('UTF-8 credentials work; the same password in ISO-8859-1 does not', async () => {
    // User ids are ASCII in Nextcloud; passwords are not.
    await newUser(t.app, 'jose');
    expect((await ocs(t.app, 'PUT', '/cloud/users/jose', { body: { key: 'password', value: 'contraseña-segura-1' } })).statusCode).toBe(200);
    const utf8 = await ocs(t.app, 'GET', '/cloud/user', { as: { user: 'jose', password: 'contraseña-segura-1' } });
    expect(utf8.statusCode).toBe(200);
    expect(utf8.ocs.data.id).toBe('jose');
    const latin1 = Buffer.from('jose:contraseña-segura-1', 'latin1').toString('base64');
    const res = await send({ url: '/ocs/v2.php/cloud/user?format=json', remoteAddress: '192.0.2.45', headers: { authorization: `Basic ${latin1}`, 'OCS-APIRequest': 'true' } });
    expect(res.statusCode).toBe(401);
  });

  it('a disabled user cannot authenticate by password, app password or Bearer, even right after a login', async () => {
    const carl = await newUser(t.app, 'carl');
    const token = (await ocs(t.app, 'GET', '/core/getapppassword', { as: carl })).ocs.data.apppassword;
    // Logged in just now: the successful check is remembered.
    expect((await ocs(t.app, 'GET', '/cloud/user', { as: carl })).statusCode).toBe(200);
    expect((await ocs(t.app, 'PUT', '/cloud/users/carl/disable')).statusCode).toBe(200);
    try {
      const asCarl = (password: string) => send({ url: '/ocs/v2.php/cloud/user?format=json', remoteAddress: '192.0.2.46', headers: client({ user: 'carl', password }) });
      for (const password of [carl.password, token]) {
        const res = await asCarl(password);
        expect(res.statusCode).toBe(401);
        expect(res.json().ocs.meta).toEqual({ status: 'failure', statuscode: 997, message: 'Unauthorised' });
      }
      const bearer = await send({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: `Bearer ${token}` } });
      expect(bearer.statusCode).toBe(401);
    } finally {
      expect((await ocs(t.app, 'PUT', '/cloud/users/carl/enable')).statusCode).toBe(200);
    }
    expect((await ocs(t.app, 'GET', '/cloud/user', { as: carl })).statusCode).toBe(200);
    expect((await send({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
  });

  it('a password change ends the remembered login at once', async () => {
    const dora = await newUser(t.app, 'dora');
    expect((await ocs(t.app, 'GET', '/cloud/user', { as: dora })).statusCode).toBe(200);
    expect((await ocs(t.app, 'PUT', '/cloud/users/dora', { body: { key: 'password', value: 'Dora-New-Secret-99' } })).statusCode).toBe(200);
    const old = await send({ url: '/ocs/v2.php/cloud/user?format=json', remoteAddress: '192.0.2.47', headers: client(dora) });
    expect(old.statusCode).toBe(401);
    expect((await ocs(t.app, 'GET', '/cloud/user', { as: { user: 'dora', password: 'Dora-New-Secret-99' } })).statusCode).toBe(200);
  });

  // ---- CSRF rule ------------------------------------------------------------

  it('Basic without OCS-APIRequest: HTTP 412 and the plain JSON of sample 39, on v1 and v2', async () => {
    const sample = ncSample('39-ocs-no-ocs-header-json');
    for (const url of ['/ocs/v2.php/cloud/users/admin?format=json', '/ocs/v1.php/cloud/users/admin?format=json', '/ocs/v2.php/cloud/users/admin']) {
      const res = await send({ url, headers: { authorization: basic(ADMIN.user, ADMIN.password) } });
      expect(res.statusCode, url).toBe(sample.status);
      expect(res.headers['content-type']).toBe(sample.headers['content-type']);
      expect(res.body).toBe(sample.body);
    }
    // Nothing happens on a refused write.
    const post = await send({
      method: 'POST',
      url: '/ocs/v2.php/cloud/groups?format=json',
      headers: { authorization: basic(ADMIN.user, ADMIN.password), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'groupid=csrf-victim',
    });
    expect(post.statusCode).toBe(412);
    expect((await ocs(t.app, 'GET', '/cloud/groups?search=csrf')).ocs.data.groups).toEqual([]);
  });

  it('any non-empty OCS-APIRequest value passes (recent Nextcloud); an empty one does not', async () => {
    const get = (value: string) => send({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: basic('alice', alice.password), 'OCS-APIRequest': value } });
    expect((await get('true')).statusCode).toBe(200);
    expect((await get('1')).statusCode).toBe(200);
    expect((await get('')).statusCode).toBe(412);
  });

  it('an app password sent as Basic still needs the header; a Bearer token does not', async () => {
    const token = (await ocs(t.app, 'GET', '/core/getapppassword', { as: alice })).ocs.data.apppassword;
    const viaBasic = await send({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: basic('alice', token) } });
    expect(viaBasic.statusCode).toBe(412);
    const viaBearer = await send({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: `Bearer ${token}` } });
    expect(viaBearer.statusCode).toBe(200);
    expect(viaBearer.json().ocs.data.id).toBe('alice');
  });

  it('cloud/capabilities needs no header; anonymous callers and wrong passwords are answered before the CSRF rule', async () => {
    const caps = await send({ url: '/ocs/v2.php/cloud/capabilities?format=json', headers: { authorization: basic('alice', alice.password) } });
    expect(caps.statusCode).toBe(200);
    expect(caps.json().ocs.data.capabilities).toHaveProperty('core');
    const anon = await send({ url: '/ocs/v2.php/cloud/user?format=json' });
    expect(anon.statusCode).toBe(401);
    expect(anon.json().ocs.meta.statuscode).toBe(997);
    const wrong = await send({ url: '/ocs/v2.php/cloud/user?format=json', remoteAddress: '192.0.2.48', headers: { authorization: basic('alice', 'wrong') } });
    expect(wrong.statusCode).toBe(401);
  });

  // ---- App passwords --------------------------------------------------------

  it('GET core/getapppassword mints a fresh 72-character alphanumeric token per call, v1 and v2, JSON and XML', async () => {
    const v2 = await ocs(t.app, 'GET', '/core/getapppassword', { as: bob });
    expect(v2.statusCode).toBe(200);
    expect(Object.keys(v2.ocs.data)).toEqual(['apppassword']);
    expect(v2.ocs.data.apppassword).toMatch(APP_PASSWORD);
    const v1 = await ocs(t.app, 'GET', '/core/getapppassword', { as: bob, version: 1 });
    expect(v1.ocs.meta.statuscode).toBe(100);
    expect(v1.ocs.data.apppassword).toMatch(APP_PASSWORD);
    const x = await ocs(t.app, 'GET', '/core/getapppassword', { as: bob, format: 'xml' });
    const token = parseXml(x.body).ocs.data.apppassword;
    expect(token).toMatch(APP_PASSWORD);
    expect(new Set([v2.ocs.data.apppassword, v1.ocs.data.apppassword, token]).size).toBe(3);
  });

  it('the token works as a Basic password and as a Bearer token, for its own user only', async () => {
    const token = (await ocs(t.app, 'GET', '/core/getapppassword', { as: bob })).ocs.data.apppassword;
    expect((await ocs(t.app, 'GET', '/cloud/user', { as: { user: 'bob', password: token } })).ocs.data.id).toBe('bob');
    const bearer = await send({ url: '/ocs/v1.php/cloud/user?format=json', headers: { authorization: `Bearer ${token}` } });
    expect(bearer.json().ocs.data.id).toBe('bob');
    const wrongUser = await send({ url: '/ocs/v2.php/cloud/user?format=json', remoteAddress: '192.0.2.49', headers: client({ user: 'alice', password: token }) });
    expect(wrongUser.statusCode).toBe(401);
  });

  it('an unknown or malformed Bearer token is 997', async () => {
    for (const token of ['not-a-token', 'A'.repeat(72), `${'a'.repeat(71)}!`]) {
      const res = await send({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(401);
      expect(res.json().ocs.meta).toEqual({ status: 'failure', statuscode: 997, message: 'Unauthorised' });
    }
  });

  it('getapppassword: 403 when asked with an app password (Basic or Bearer), 997 anonymous', async () => {
    const token = (await ocs(t.app, 'GET', '/core/getapppassword', { as: bob })).ocs.data.apppassword;
    await expectError(t.app, 'GET', '/core/getapppassword', { as: { user: 'bob', password: token } }, 403, 403, 'You cannot request an new apppassword with an apppassword');
    const bearer = await send({ url: '/ocs/v2.php/core/getapppassword?format=json', headers: { authorization: `Bearer ${token}` } });
    expect(bearer.statusCode).toBe(403);
    await expectError(t.app, 'GET', '/core/getapppassword', { as: null }, 997, 401);
  });

  it('DELETE core/apppassword revokes the token in use (then 401), and is 403 with a real password', async () => {
    const keep = (await ocs(t.app, 'GET', '/core/getapppassword', { as: bob })).ocs.data.apppassword;
    const drop = (await ocs(t.app, 'GET', '/core/getapppassword', { as: bob })).ocs.data.apppassword;
    const drop2 = (await ocs(t.app, 'GET', '/core/getapppassword', { as: bob })).ocs.data.apppassword;

    await expectError(t.app, 'DELETE', '/core/apppassword', { as: bob }, 403, 403, 'no app password in use');
    await expectError(t.app, 'DELETE', '/core/apppassword', { as: null }, 997, 401);

    // Used once, so the login is remembered; revocation must end it anyway.
    expect((await ocs(t.app, 'GET', '/cloud/user', { as: { user: 'bob', password: drop } })).statusCode).toBe(200);
    const revoke = await ocs(t.app, 'DELETE', '/core/apppassword', { as: { user: 'bob', password: drop }, version: 1 });
    expect(revoke.body).toBe('{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK","totalitems":"","itemsperpage":""},"data":[]}}');
    const basicAfter = await send({ url: '/ocs/v2.php/cloud/user?format=json', remoteAddress: '192.0.2.50', headers: client({ user: 'bob', password: drop }) });
    expect(basicAfter.statusCode).toBe(401);
    expect((await send({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: `Bearer ${drop}` } })).statusCode).toBe(401);

    // Revoking through Bearer works the same way.
    const viaBearer = await send({ method: 'DELETE', url: '/ocs/v2.php/core/apppassword?format=json', headers: { authorization: `Bearer ${drop2}` } });
    expect(viaBearer.statusCode).toBe(200);
    expect((await send({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: `Bearer ${drop2}` } })).statusCode).toBe(401);

    // Other tokens of the same user are untouched.
    expect((await send({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: `Bearer ${keep}` } })).statusCode).toBe(200);
  });
});

describeEachDb('OCS login throttling', (kind) => {
  let t: TestApp;
  let alice: Creds;
  beforeAll(async () => {
    t = await buildTestApp(kind, { LOGIN_MAX_FAILURES: '3' });
    alice = await newUser(t.app, 'alice');
  });
  afterAll(async () => t.close());

  const login = (c: Creds, remoteAddress: string, version: 1 | 2 = 2, format = 'json') =>
    t.app.inject({ url: `/ocs/v${version}.php/cloud/user${format === 'json' ? '?format=json' : ''}`, remoteAddress, headers: client(c) });
  const fail = async (user: string, remoteAddress: string, times: number) => {
    for (let i = 0; i < times; i++) expect((await login({ user, password: `guess-${i}` }, remoteAddress)).statusCode).toBe(401);
  };

  it('after LOGIN_MAX_FAILURES failures, even the right password gets 429 (v2 HTTP 429, v1 HTTP 200 + statuscode 429)', async () => {
    const victim = await newUser(t.app, 'victim');
    await fail('victim', '10.9.9.9', 3);
    const v2 = await login(victim, '10.9.9.9');
    expect(v2.statusCode).toBe(429);
    expect(v2.body).toBe('{"ocs":{"meta":{"status":"failure","statuscode":429,"message":"Reached maximum delay"},"data":[]}}');
    const v1 = await login(victim, '10.9.9.9', 1);
    expect(v1.statusCode).toBe(200);
    expect(v1.json().ocs.meta).toEqual({ status: 'failure', statuscode: 429, message: 'Reached maximum delay', totalitems: '', itemsperpage: '' });
    const x = await login(victim, '10.9.9.9', 2, 'xml');
    expect(x.statusCode).toBe(429);
    expect(parseXml(x.body).ocs.meta.statuscode).toBe('429');
    // Wrong guesses are refused the same way, so a hit cannot be told from a miss.
    expect((await login({ user: 'victim', password: 'guess-x' }, '10.9.9.9')).body).toBe(v2.body);
  });

  it('guesses sent all at once are checked at most LOGIN_MAX_FAILURES times; the rest get 429 before any hash', async () => {
    await newUser(t.app, 'parallel');
    const answers = await Promise.all(Array.from({ length: 15 }, (_, i) => login({ user: 'parallel', password: `guess-${i}` }, '10.9.3.3')));
    const codes = answers.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(3);
    expect(codes.filter((c) => c === 429)).toHaveLength(12);
  });

  it('a client sending the right password on many connections at once is let in on all of them', async () => {
    const sync = await newUser(t.app, 'syncclient');
    const answers = await Promise.all(Array.from({ length: 20 }, () => login(sync, '10.9.4.4')));
    expect(answers.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
  });

  it('another login from the same address and the same login from another address still work', async () => {
    const victim = await newUser(t.app, 'victim2');
    await fail('victim2', '10.8.8.8', 3);
    expect((await login(victim, '10.8.8.8')).statusCode).toBe(429);
    expect((await login(victim, '10.1.1.1')).statusCode).toBe(200);
    expect((await login(alice, '10.8.8.8')).statusCode).toBe(200);
  });

  it('a recently successful login is no way around the limit', async () => {
    const victim = await newUser(t.app, 'victim3');
    // The victim's own client logs in from home; the check is remembered for a while.
    expect((await login(victim, '10.2.2.2')).statusCode).toBe(200);
    await fail('victim3', '10.7.7.7', 3);
    expect((await login(victim, '10.7.7.7')).statusCode).toBe(429);
    expect((await login(victim, '10.2.2.2')).statusCode).toBe(200);
  });

  it('failures below the limit are forgotten after a successful login', async () => {
    const u = await newUser(t.app, 'forgetful');
    await fail('forgetful', '10.6.6.6', 2);
    expect((await login(u, '10.6.6.6')).statusCode).toBe(200);
    await fail('forgetful', '10.6.6.6', 2);
    expect((await login(u, '10.6.6.6')).statusCode).toBe(200);
  });

  it('unknown logins are throttled like real ones (no user enumeration)', async () => {
    await fail('nobody-here', '10.5.5.5', 3);
    await fail('victim4', '10.5.5.6', 3);
    const unknown = await login({ user: 'nobody-here', password: 'x' }, '10.5.5.5');
    const known = await login({ user: 'victim4', password: 'x' }, '10.5.5.6');
    expect(unknown.statusCode).toBe(429);
    expect(known.statusCode).toBe(429);
    expect(unknown.body).toBe(known.body);
  });

  it('IPv6 callers are counted per /64, however the address is written', async () => {
    const v6 = await newUser(t.app, 'sixer');
    await fail('sixer', '2001:db8:0:1::a', 1);
    await fail('sixer', '2001:db8:0:1:0:0:0:b', 1);
    await fail('sixer', '2001:DB8:0000:0001::c', 1);
    expect((await login(v6, '2001:db8:0:1::d')).statusCode).toBe(429);
    expect((await login(v6, '2001:db8::1:ffff:ffff:ffff:ffff')).statusCode).toBe(429);
    expect((await login(v6, '2001:db8:0:2::1')).statusCode).toBe(200);
  });

  it('one address spraying many logins is stopped for every login there', async () => {
    for (let i = 0; i < 30; i++) expect((await login({ user: `spray${i}`, password: 'x' }, '10.4.4.4')).statusCode).toBe(401);
    expect((await login(alice, '10.4.4.4')).statusCode).toBe(429);
    expect((await login(alice, '10.4.4.5')).statusCode).toBe(200);
  });

  it('Bearer tokens are not subject to the login limit', async () => {
    const token = (await ocs(t.app, 'GET', '/core/getapppassword', { as: alice })).ocs.data.apppassword;
    const res = await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', remoteAddress: '10.4.4.4', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
  });
});

describeEachDb('OCS entry point: unknown routes, bad bodies, request ids, password_policy', (kind) => {
  let t: TestApp;
  let alice: Creds;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice');
  });
  afterAll(async () => t.close());

  it('an unknown OCS route answers 998 with Nextcloud\'s message (v1 HTTP 200, v2 HTTP 404)', async () => {
    const v2 = await ocs(t.app, 'GET', '/cloud/nothing-here');
    expect(v2.statusCode).toBe(404);
    expect(v2.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(v2.body).toBe(JSON.stringify({ ocs: { meta: { status: 'failure', statuscode: 998, message: UNKNOWN_ROUTE }, data: [] } }));
    const v1 = await ocs(t.app, 'GET', '/cloud/nothing-here', { version: 1 });
    expect(v1.statusCode).toBe(200);
    expect(v1.ocs.meta).toEqual({ status: 'failure', statuscode: 998, message: UNKNOWN_ROUTE, totalitems: '', itemsperpage: '' });
    for (const version of [1, 2] as const) {
      const x = await ocs(t.app, 'GET', '/apps/nope/api/v1/x', { version, format: 'xml' });
      expect(x.statusCode).toBe(version === 1 ? 200 : 404);
      expect(x.headers['content-type']).toBe('text/xml; charset=UTF-8');
      expect(parseXml(x.body).ocs.meta.statuscode).toBe('998');
      expect(x.body).toContain('  <message>Invalid query, please check the syntax. API specifications are here: http://www.freedesktop.org/wiki/Specifications/open-collaboration-services.\n</message>');
    }
  });

  it('unknown routes: Accept is ignored, anonymous callers get 998 too, wrong credentials 997', async () => {
    const accept = await t.app.inject({ url: '/ocs/v2.php/cloud/nothing-here', headers: { accept: 'application/json' } });
    expect(accept.statusCode).toBe(404);
    expect(accept.headers['content-type']).toBe('text/xml; charset=UTF-8');
    expect((await ocs(t.app, 'GET', '/cloud/nothing-here', { as: null })).ocs.meta.statuscode).toBe(998);
    const wrong = await t.app.inject({ url: '/ocs/v2.php/cloud/nothing-here?format=json', remoteAddress: '192.0.2.60', headers: client({ user: 'alice', password: 'wrong' }) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().ocs.meta.statuscode).toBe(997);
  });

  it('a known route asked with another verb answers a bare 405 with Allow', async () => {
    const res = await ocs(t.app, 'POST', '/cloud/users/admin');
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, PUT, DELETE');
    expect(res.body).toBe('');
    expect((await ocs(t.app, 'PATCH', '/cloud/groups', { version: 1 })).statusCode).toBe(405);
    expect((await ocs(t.app, 'PUT', '/cloud/capabilities', { as: null })).statusCode).toBe(405);
  });

  it('a malformed JSON body gets the envelope with statuscode 400, never a 500', async () => {
    const post = (version: 1 | 2, payload: string, format = 'json') =>
      t.app.inject({
        method: 'POST',
        url: `/ocs/v${version}.php/cloud/groups${format === 'json' ? '?format=json' : ''}`,
        headers: { ...client(ADMIN), 'content-type': 'application/json' },
        payload,
      });
    const v2 = await post(2, '{"groupid": ');
    expect(v2.statusCode).toBe(400);
    expect(v2.json().ocs.meta).toMatchObject({ status: 'failure', statuscode: 400 });
    expect(v2.json().ocs.data).toEqual([]);
    const v1 = await post(1, '[1,');
    expect(v1.statusCode).toBe(200);
    expect(v1.json().ocs.meta).toMatchObject({ status: 'failure', statuscode: 400, totalitems: '' });
    const x = await post(2, 'not json at all', 'xml');
    expect(x.statusCode).toBe(400);
    expect(parseXml(x.body).ocs.meta.statuscode).toBe('400');
    expect((await ocs(t.app, 'GET', '/cloud/groups?search=groupid')).ocs.data.groups).toEqual([]);
  });

  it('an empty body sent as JSON is no body at all, as for Nextcloud', async () => {
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/ocs/v2.php/cloud/groups/nope?format=json',
      headers: { ...client(ADMIN), 'content-type': 'application/json' },
    });
    expect(res.json().ocs.meta.statuscode).toBe(101);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/ocs/v2.php/cloud/groups?format=json&groupid=emptybody',
      headers: { ...client(ADMIN), 'content-type': 'application/json; charset=utf-8' },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('a body over the size limit is an envelope too (413)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/ocs/v2.php/cloud/groups?format=json',
      headers: { ...client(ADMIN), 'content-type': 'application/json' },
      payload: JSON.stringify({ groupid: 'big', pad: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().ocs.meta.statuscode).toBe(413);
  });

  it('unreadable content types are ignored, like Nextcloud does', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/ocs/v2.php/cloud/groups?format=json&groupid=fromquery',
      headers: { ...client(ADMIN), 'content-type': 'text/plain' },
      payload: 'ignored',
    });
    expect(res.statusCode).toBe(200);
    expect((await ocs(t.app, 'GET', '/cloud/groups?search=fromquery')).ocs.data.groups).toEqual(['fromquery']);
  });

  it('the format parameter may come in the body, and wins there', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/ocs/v2.php/cloud/groups?format=xml',
      headers: { ...client(ADMIN), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'groupid=formatted&format=json',
    });
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json().ocs.meta.statuscode).toBe(200);
  });

  it('every answer carries X-Request-Id; a sane incoming id is kept', async () => {
    const answers = [
      await t.app.inject({ url: '/status.php' }),
      await ocs(t.app, 'GET', '/cloud/user', { as: alice }),
      await ocs(t.app, 'GET', '/cloud/user', { as: null }),
      await ocs(t.app, 'GET', '/cloud/nothing-here'),
      await t.app.inject({ url: '/ocs/v2.php/cloud/user', headers: { authorization: basic('alice', alice.password) } }),
      await t.app.inject({ url: '/ocs/v2.php/cloud/user', remoteAddress: '192.0.2.61', headers: client({ user: 'alice', password: 'wrong' }) }),
    ];
    const ids = answers.map((r) => r.headers['x-request-id']);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await t.app.inject({ url: '/status.php', headers: { 'x-request-id': 'abc-123' } })).headers['x-request-id']).toBe('abc-123');
    const fresh = await t.app.inject({ url: '/status.php', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(fresh.headers['x-request-id']).not.toBe('bad id with spaces');
  });

  // ---- password_policy -------------------------------------------------------

  it('password_policy generate: a password the policy accepts, on v1 and v2, JSON and XML', async () => {
    const v2 = await ocs(t.app, 'GET', '/apps/password_policy/api/v1/generate', { as: alice });
    expect(v2.statusCode).toBe(200);
    expect(Object.keys(v2.ocs.data)).toEqual(['password']);
    const pw: string = v2.ocs.data.password;
    expect(pw.length).toBeGreaterThanOrEqual(10);
    const check = await ocs(t.app, 'POST', '/apps/password_policy/api/v1/validate', { as: alice, body: { password: pw } });
    expect(check.ocs.data).toEqual({ passed: true });
    const v1 = await ocs(t.app, 'GET', '/apps/password_policy/api/v1/generate', { as: alice, version: 1 });
    expect(v1.ocs.meta.statuscode).toBe(100);
    expect(v1.ocs.data.password).not.toBe(pw);
    const x = parseXml((await ocs(t.app, 'GET', '/apps/password_policy/api/v1/generate', { as: alice, format: 'xml' })).body);
    expect(x.ocs.data.password.length).toBeGreaterThanOrEqual(10);
  });

  it('password_policy validate: {passed:true} alone, or {passed:false, reason} with the hints', async () => {
    const validate = async (password: string, o: { json?: boolean; version?: 1 | 2 } = {}) =>
      (await ocs(t.app, 'POST', '/apps/password_policy/api/v1/validate', { as: alice, body: { password }, ...o })).ocs.data;
    expect(await validate('short')).toEqual({ passed: false, reason: 'Password needs to be at least 10 characters long.' });
    expect(await validate('1234567890')).toEqual({ passed: false, reason: 'Password is among the 1,000,000 most common ones. Please make it unique.' });
    expect(await validate('Correct-Horse-Battery', { json: true })).toEqual({ passed: true });
    expect(await validate('Correct-Horse-Battery', { version: 1 })).toEqual({ passed: true });
    expect(await validate('')).toMatchObject({ passed: false });
    const x = await ocs(t.app, 'POST', '/apps/password_policy/api/v1/validate', { as: alice, body: { password: 'short' }, format: 'xml' });
    expect(x.body).toContain(' <data>\n  <passed></passed>\n  <reason>Password needs to be at least 10 characters long.</reason>\n </data>');
    const ok = await ocs(t.app, 'POST', '/apps/password_policy/api/v1/validate', { as: alice, body: { password: 'Correct-Horse-Battery' }, format: 'xml' });
    expect(ok.body).toContain(' <data>\n  <passed>1</passed>\n </data>');
  });

  it('password_policy: any logged-in user, 997 anonymous, CSRF rule applies', async () => {
    await expectError(t.app, 'GET', '/apps/password_policy/api/v1/generate', { as: null }, 997, 401);
    await expectError(t.app, 'POST', '/apps/password_policy/api/v1/validate', { as: null, body: { password: 'x' } }, 997, 401);
    const noHeader = await t.app.inject({ url: '/ocs/v2.php/apps/password_policy/api/v1/generate?format=json', headers: { authorization: basic('alice', alice.password) } });
    expect(noHeader.statusCode).toBe(412);
  });
});

describe('OCS with REQUIRE_OCS_APIREQUEST=false', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('sqlite', { REQUIRE_OCS_APIREQUEST: 'false' });
  });
  afterAll(async () => t.close());

  it('lets Basic callers in without the header, like ownCloud classic', async () => {
    const res = await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: basic(ADMIN.user, ADMIN.password) } });
    expect(res.statusCode).toBe(200);
    expect(res.json().ocs.data.id).toBe(ADMIN.user);
  });
});

describe('format negotiation over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('sqlite');
  });
  afterAll(async () => t.close());

  const get = (headers: Record<string, string>, query = '') =>
    t.app.inject({ url: `/ocs/v2.php/cloud/capabilities${query}`, headers: { authorization: basic(ADMIN.user, ADMIN.password), ...headers } });

  it('reads Accept as Nextcloud does and lets the format parameter win', async () => {
    const json = 'application/json; charset=utf-8';
    const xml = 'application/xml; charset=utf-8';
    expect((await get({})).headers['content-type']).toBe(xml);
    expect((await get({ accept: 'application/json' })).headers['content-type']).toBe(json);
    expect((await get({ accept: 'text/html, application/json' })).headers['content-type']).toBe(json);
    expect((await get({ accept: 'application/json; charset=utf-8' })).headers['content-type']).toBe(xml);
    expect((await get({ accept: 'application/json;q=0.9' })).headers['content-type']).toBe(xml);
    expect((await get({ accept: '*/*' })).headers['content-type']).toBe(xml);
    expect((await get({ accept: 'application/json' }, '?format=xml')).headers['content-type']).toBe(xml);
    expect((await get({ accept: 'application/xml' }, '?format=json')).headers['content-type']).toBe(json);
    expect((await get({}, '?format=json')).headers['content-type']).toBe(json);
  });
});
