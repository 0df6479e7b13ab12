import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { browser, csrfOf, signIn } from './signin-helpers.js';
import { expectPage } from './web-helpers.js';

describeEachDb('web sign-in and sessions', (kind) => {
  let t: TestApp;
  let alice: { user: string; password: string };
  beforeAll(async () => {
    t = await buildTestApp(kind, { LOGIN_MAX_FAILURES: '3' });
    alice = await newUser(t.app, 'alice', { email: 'alice@example.com' });
  });
  afterAll(async () => t.close());

  describe('the sign-in page', () => {
    it('/ sends a browser without a session to the sign-in page, and one with a session to the files app; the account page says who is signed in', async () => {
      const anon = await t.app.inject({ url: '/' });
      expect(anon.statusCode).toBe(303);
      expect(anon.headers.location).toBe('/login');
      const b = await signIn(t.app, alice.user, alice.password);
      const signed = await b.get('/');
      expect(signed.statusCode).toBe(303);
      expect(signed.headers.location).toBe('/apps/files/');
      const start = expectPage(await b.get('/account'), 200);
      expect(start).toContain('You are signed in as alice');
      expect(start).toContain('Devices &amp; sessions');
    });

    it('is a page without script, in the theming name, that may not be framed, with a CSRF field', async () => {
      for (const url of ['/login', '/index.php/login']) {
        const res = await t.app.inject({ url });
        const page = expectPage(res, 200);
        expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
        expect(page).toContain('<title>Sign in - Nimbus</title>');
        expect(page).not.toContain('<script');
        csrfOf(page);
      }
    });

    it('signs in by user id or by email, with a session cookie that is HttpOnly and SameSite=Lax, and follows a redirect on this server only', async () => {
      const byId = await signIn(t.app, 'ALICE', alice.password);
      expect(byId.jar.get('nimbus_session')).toMatch(/^[A-Za-z0-9]{64}$/);
      const b = browser(t.app);
      const page = await b.get('/login?redirect_url=%2Faccount%2Fdevices');
      const res = await b.post('/login', { requesttoken: csrfOf(page.body), user: 'alice@example.com', password: alice.password, redirect_url: '/account/devices' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/account/devices');
      const cookie = [res.headers['set-cookie']].flat().map(String).find((c) => c.startsWith('nimbus_session='))!;
      expect(cookie).toMatch(/; Path=\/; HttpOnly; SameSite=Lax$/);
      for (const evil of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
        const other = browser(t.app);
        const p = await other.get('/login');
        const r = await other.post('/login', { requesttoken: csrfOf(p.body), user: 'alice', password: alice.password, redirect_url: evil });
        expect(r.headers.location, evil).toBe('/apps/files/');
      }
    });

    it('"stay signed in" keeps the cookie past the browser, as long as a remembered session may live', async () => {
      const b = browser(t.app);
      const p = await b.get('/login');
      const res = await b.post('/login', { requesttoken: csrfOf(p.body), user: 'alice', password: alice.password, remember: '1' });
      const cookie = [res.headers['set-cookie']].flat().map(String).find((c) => c.startsWith('nimbus_session='))!;
      expect(cookie).toContain('; Max-Age=1296000');
    });

    it('refuses wrong credentials with the error on the page, and a form without its CSRF token', async () => {
      const b = browser(t.app, '10.21.0.1');
      const p = await b.get('/login');
      const wrong = await b.post('/login', { requesttoken: csrfOf(p.body), user: 'alice', password: 'wrong-password' });
      expect(expectPage(wrong, 401)).toContain('Wrong login or password.');
      expect(b.jar.get('nimbus_session')).toBeUndefined();
      const forged = await browser(t.app).post('/login', { requesttoken: 'forged', user: 'alice', password: alice.password });
      expect(expectPage(forged, 403)).toContain('The form has expired');
      expect(forged.headers['set-cookie']?.toString() ?? '').not.toContain('nimbus_session');
    });

    it('counts failures in the same throttle as Basic auth, and a throttled sign-in says so', async () => {
      const victim = await newUser(t.app, 'victim');
      const address = '10.22.0.1';
      for (let i = 0; i < 2; i++) {
        const basicTry = await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', remoteAddress: address, headers: { authorization: basic('victim', `guess-${i}`), 'OCS-APIRequest': 'true' } });
        expect(basicTry.statusCode).toBe(401);
      }
      const b = browser(t.app, address);
      const p = await b.get('/login');
      expect((await b.post('/login', { requesttoken: csrfOf(p.body), user: 'victim', password: 'guess-form' })).statusCode).toBe(401);
      const throttled = await b.post('/login', { requesttoken: csrfOf(p.body), user: 'victim', password: victim.password });
      expect(expectPage(throttled, 429)).toContain('too many failed sign-in attempts');
      // Another address is not affected.
      await signIn(t.app, 'victim', victim.password, { remoteAddress: '10.22.0.2' });
    });

    it('opens no session for a disabled account, nor with an app password', async () => {
      const dora = await newUser(t.app, 'dora');
      const token = (await ocs(t.app, 'GET', '/core/getapppassword', { as: dora })).ocs.data.apppassword as string;
      const b = browser(t.app, '10.23.0.1');
      const p = await b.get('/login');
      expect((await b.post('/login', { requesttoken: csrfOf(p.body), user: 'dora', password: token })).statusCode).toBe(401);
      expect((await ocs(t.app, 'PUT', '/cloud/users/dora/disable')).statusCode).toBe(200);
      expect((await b.post('/login', { requesttoken: csrfOf(p.body), user: 'dora', password: dora.password })).statusCode).toBe(401);
    });
  });

  describe('a session on the APIs', () => {
    it('authenticates reads with the cookie alone on OCS, WebDAV and Graph', async () => {
      const b = await signIn(t.app, alice.user, alice.password);
      const me = await b.get('/ocs/v2.php/cloud/user?format=json');
      expect(me.statusCode).toBe(200);
      expect(me.json().ocs.data.id).toBe('alice');
      expect((await t.app.inject({ method: 'PROPFIND', url: '/remote.php/dav/files/alice/', headers: { ...b.jar.header(), depth: '0' } })).statusCode).toBe(207);
      expect((await b.get('/graph/v1.0/me')).json().id).toBe('alice');
    });

    it('takes unsafe calls only with the session CSRF token: 412 in each family format without it', async () => {
      const b = await signIn(t.app, alice.user, alice.password);
      const cookie = b.jar.header();
      const mkcol = await t.app.inject({ method: 'MKCOL', url: '/remote.php/dav/files/alice/csrf-folder', headers: cookie });
      expect(mkcol.statusCode).toBe(412);
      expect(mkcol.body).toContain('<s:message>CSRF check failed</s:message>');
      const graph = await t.app.inject({ method: 'POST', url: '/graph/v1.0/drives', headers: { ...cookie, 'content-type': 'application/json' }, payload: '{"name":"x"}' });
      expect(graph.statusCode).toBe(412);
      expect(graph.json().error.code).toBe('preconditionFailed');
      const ocsPost = await t.app.inject({ method: 'POST', url: '/ocs/v2.php/privatedata/setattribute/app/key?format=json', headers: { ...cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'value=1' });
      expect(ocsPost.statusCode).toBe(412);
      expect(ocsPost.json()).toEqual({ message: 'CSRF check failed' });
      const wrong = await t.app.inject({ method: 'MKCOL', url: '/remote.php/dav/files/alice/csrf-folder', headers: { ...cookie, requesttoken: 'x'.repeat(64) } });
      expect(wrong.statusCode).toBe(412);

      const ok = await t.app.inject({ method: 'MKCOL', url: '/remote.php/dav/files/alice/csrf-folder', headers: { ...cookie, requesttoken: b.csrf } });
      expect(ok.statusCode).toBe(201);
      // OCS takes its own header as proof too, as Nextcloud does.
      const viaHeader = await t.app.inject({ method: 'POST', url: '/ocs/v2.php/privatedata/setattribute/app/key?format=json', headers: { ...cookie, 'OCS-APIRequest': 'true', 'content-type': 'application/x-www-form-urlencoded' }, payload: 'value=1' });
      expect(viaHeader.statusCode).toBe(200);
    });

    it('lets Authorization win over a session cookie', async () => {
      const b = await signIn(t.app, alice.user, alice.password);
      const res = await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', headers: { ...b.jar.header(), authorization: basic(ADMIN.user, ADMIN.password), 'OCS-APIRequest': 'true' } });
      expect(res.json().ocs.data.id).toBe('admin');
    });
  });

  describe('the end of a session', () => {
    it('sign-out needs the session CSRF token and ends the session everywhere', async () => {
      const b = await signIn(t.app, alice.user, alice.password);
      const cookie = b.jar.header();
      const forged = await b.post('/logout', { requesttoken: 'forged' });
      expect(forged.statusCode).toBe(403);
      expect((await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', headers: cookie })).statusCode).toBe(200);
      const out = await b.post('/logout', { requesttoken: b.csrf });
      expect(out.statusCode).toBe(303);
      expect(out.headers.location).toBe('/login');
      expect(b.jar.get('nimbus_session')).toBeUndefined();
      // The old cookie, replayed, opens nothing.
      expect((await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', headers: cookie })).statusCode).toBe(401);
      expect((await t.app.inject({ url: '/account', headers: cookie })).headers.location).toBe('/login?redirect_url=%2Faccount');
    });

    it('a password change or a disabled account ends every session of that user at the next request', async () => {
      const erin = await newUser(t.app, 'erin');
      const one = await signIn(t.app, 'erin', erin.password);
      const two = await signIn(t.app, 'erin', erin.password);
      expect((await one.get('/ocs/v2.php/cloud/user?format=json')).statusCode).toBe(200);
      expect((await ocs(t.app, 'PUT', '/cloud/users/erin', { body: { key: 'password', value: 'Erin-New-Pass-2026' } })).statusCode).toBe(200);
      expect((await one.get('/ocs/v2.php/cloud/user?format=json')).statusCode).toBe(401);
      expect((await two.get('/graph/v1.0/me')).statusCode).toBe(401);

      const three = await signIn(t.app, 'erin', 'Erin-New-Pass-2026');
      expect((await ocs(t.app, 'PUT', '/cloud/users/erin/disable')).statusCode).toBe(200);
      expect((await three.get('/ocs/v2.php/cloud/user?format=json')).statusCode).toBe(401);
    });

    it('a session ends after its idle lifetime, and in any case at its absolute end', async () => {
      const fred = await newUser(t.app, 'fred');
      const idle = await signIn(t.app, 'fred', fred.password);
      const absolute = await signIn(t.app, 'fred', fred.password, { userAgent: 'second' });
      const day = 24 * 3600 * 1000;
      await t.behindTheApp((db) => db.updateTable('sessions').set({ last_used_at: Date.now() - day - 1000 }).where('name', '!=', 'second').where('user_id', '=', 'fred').execute());
      await t.behindTheApp((db) => db.updateTable('sessions').set({ expires_at: Date.now() - 1000 }).where('name', '=', 'second').execute());
      expect((await idle.get('/ocs/v2.php/cloud/user?format=json')).statusCode).toBe(401);
      expect((await absolute.get('/ocs/v2.php/cloud/user?format=json')).statusCode).toBe(401);
    });
  });

  describe('devices and sessions', () => {
    it('lists the browser sessions and app passwords; revoking one stops it at its next request', async () => {
      const gina = await newUser(t.app, 'gina');
      const laptop = await signIn(t.app, 'gina', gina.password, { userAgent: 'Firefox on Linux' });
      const phone = await signIn(t.app, 'gina', gina.password, { userAgent: 'Safari on iPhone' });
      const token = (await t.app.inject({ url: '/ocs/v2.php/core/getapppassword?format=json', headers: { authorization: basic('gina', gina.password), 'OCS-APIRequest': 'true', 'user-agent': 'Nextcloud desktop' } })).json().ocs.data.apppassword as string;
      const page = expectPage(await laptop.get('/account/devices'), 200);
      expect(page).toContain('>Firefox on Linux</span> <strong>(this browser)</strong>');
      expect(page).toContain('Safari on iPhone');
      expect(page).toContain('Nextcloud desktop');
      const ids = [...page.matchAll(/name="kind" value="(\w+)"><input type="hidden" name="id" value="(\w+)">/g)].map((m) => ({ kind: m[1]!, id: m[2]! }));
      expect(ids).toHaveLength(3);
      const csrf = csrfOf(page);

      // The phone's session (second in the list) and the app password (last).
      const phoneRow = /<tr><td><span title="Safari on iPhone">.*?name="id" value="(\w+)"/s.exec(page)![1]!;
      const revoked = await laptop.post('/account/devices/revoke', { requesttoken: csrf, kind: 'session', id: phoneRow });
      expect(revoked.statusCode).toBe(303);
      expect((await phone.get('/ocs/v2.php/cloud/user?format=json')).statusCode).toBe(401);
      const appRow = ids.find((i) => i.kind === 'appPassword')!;
      await laptop.post('/account/devices/revoke', { requesttoken: csrf, kind: 'appPassword', id: appRow.id });
      expect((await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);

      // Someone else's device is not found; a forged form is refused.
      const alices = await signIn(t.app, alice.user, alice.password);
      const own = /name="id" value="(\w+)"/.exec((await laptop.get('/account/devices')).body)![1]!;
      expect((await alices.post('/account/devices/revoke', { requesttoken: alices.csrf, kind: 'session', id: own })).statusCode).toBe(404);
      expect((await laptop.post('/account/devices/revoke', { requesttoken: 'forged', kind: 'session', id: own })).statusCode).toBe(403);

      // Revoking this browser's own session signs it out.
      const self = await laptop.post('/account/devices/revoke', { requesttoken: csrf, kind: 'session', id: own });
      expect(self.headers.location).toBe('/login');
      expect((await laptop.get('/ocs/v2.php/cloud/user?format=json')).statusCode).toBe(401);
    });

    it('creates an app password shown once, with its nc:// link and a QR code, that works as a client password', async () => {
      const b = await signIn(t.app, alice.user, alice.password);
      const res = await b.post('/account/devices/app-password', { requesttoken: b.csrf, name: 'My phone' });
      const page = expectPage(res, 200);
      const password = /<p class="secret" id="app-password">([A-Za-z0-9]{72})<\/p>/.exec(page)![1]!;
      expect(page).toContain(`nc://login/server:${encodeURIComponent('http://nimbus.test')}&#38;user:alice&#38;password:${password}`);
      expect(page).toMatch(/<div class="qr" role="img"[^>]*><svg /);
      const dav = await t.app.inject({ method: 'PROPFIND', url: '/remote.php/dav/files/alice/', headers: { authorization: basic('alice', password), depth: '0' } });
      expect(dav.statusCode).toBe(207);
      expect(expectPage(await b.get('/account/devices'), 200)).toContain('My phone');
      expect((await b.post('/account/devices/app-password', { requesttoken: b.csrf, name: '' })).statusCode).toBe(400);
      expect((await b.post('/account/devices/app-password', { requesttoken: 'forged', name: 'x' })).statusCode).toBe(403);
    });

    it('sends a browser without a session to sign in first', async () => {
      const res = await t.app.inject({ url: '/account/devices' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/login?redirect_url=%2Faccount%2Fdevices');
      expect((await t.app.inject({ method: 'POST', url: '/account/devices/revoke' })).statusCode).toBe(303);
    });
  });

  it('/index.php/204 answers 204 with an empty body; /csrftoken is 401 without a session', async () => {
    for (const url of ['/index.php/204', '/204']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
    }
    expect((await t.app.inject({ url: '/index.php/csrftoken' })).statusCode).toBe(401);
  });
});

describe('session cookies behind https', () => {
  it('are Secure when PUBLIC_URL is https, and scoped to its path', async () => {
    const t = await buildTestApp('sqlite', { PUBLIC_URL: 'https://cloud.example.com/nimbus' });
    try {
      const b = browser(t.app);
      const page = await b.get('/login');
      expect(page.body).toContain('action="/nimbus/login"');
      const res = await b.post('/login', { requesttoken: csrfOf(page.body), user: ADMIN.user, password: ADMIN.password });
      const cookie = [res.headers['set-cookie']].flat().map(String).find((c) => c.startsWith('nimbus_session='))!;
      expect(cookie).toContain('; Path=/nimbus/; HttpOnly; SameSite=Lax; Secure');
      expect(res.headers.location).toBe('/nimbus/apps/files/');
    } finally {
      await t.close();
    }
  });
});
