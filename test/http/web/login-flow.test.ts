import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, buildTestApp, describeEachDb, newUser, type TestApp } from '../../helpers/app.js';
import { browser, csrfOf, FORM, signIn } from './signin-helpers.js';
import { expectPage } from './web-helpers.js';

const DESKTOP_UA = 'Mozilla/5.0 (Linux) mirall/3.7.4stable-Debian (build 20230208) (Nextcloud, debian-6.1.0-13-amd64 ClientArchitecture: x86_64 OsArchitecture: x86_64)';

describeEachDb('Login Flow v2 and v1', (kind) => {
  let t: TestApp;
  let alice: { user: string; password: string };
  beforeAll(async () => {
    t = await buildTestApp(kind, { LOGIN_MAX_FAILURES: '2' });
    alice = await newUser(t.app, 'alice');
  });
  afterAll(async () => t.close());

  const start = async (path = '/index.php/login/v2') => {
    const res = await t.app.inject({ method: 'POST', url: path, headers: { 'user-agent': DESKTOP_UA } });
    expect(res.statusCode).toBe(200);
    return res.json() as { poll: { token: string; endpoint: string }; login: string };
  };
  const poll = (token: string, remoteAddress = '10.30.0.1') =>
    t.app.inject({ method: 'POST', url: '/login/v2/poll', remoteAddress, headers: FORM, payload: `token=${encodeURIComponent(token)}` });
  const loginPathOf = (flow: { login: string }) => new URL(flow.login).pathname;

  describe('v2', () => {
    it('starts with the poll endpoint and the login URL on PUBLIC_URL, on both paths', async () => {
      for (const path of ['/index.php/login/v2', '/login/v2']) {
        const flow = await start(path);
        expect(flow.poll.endpoint).toBe('http://nimbus.test/login/v2/poll');
        expect(flow.poll.token).toMatch(/^[A-Za-z0-9]{128}$/);
        expect(flow.login).toMatch(/^http:\/\/nimbus\.test\/login\/v2\/flow\/[A-Za-z0-9]{128}$/);
      }
    });

    it('is polled with 404 until granted, then once with the credentials, then 404 again', async () => {
      const flow = await start();
      const pending = await poll(flow.poll.token);
      expect(pending.statusCode).toBe(404);
      expect(pending.body).toBe('[]');

      // The browser: the login URL sends it to sign in, then back to the grant page.
      const anon = browser(t.app);
      const first = await anon.get(loginPathOf(flow));
      expect(first.statusCode).toBe(303);
      expect(first.headers.location).toBe(`/login?redirect_url=${encodeURIComponent(loginPathOf(flow))}`);
      const b = await signIn(t.app, alice.user, alice.password);
      const grantPage = expectPage(await b.get(loginPathOf(flow)), 200);
      expect(grantPage).toContain('wants access to your account');
      expect(grantPage).toContain('mirall/3.7.4stable-Debian');
      expect((await poll(flow.poll.token)).statusCode).toBe(404);

      const granted = await b.post('/login/v2/grant', { requesttoken: csrfOf(grantPage), token: loginPathOf(flow).split('/').pop()! });
      expect(expectPage(granted, 200)).toContain('Account connected');
      const creds = await poll(flow.poll.token);
      expect(creds.statusCode).toBe(200);
      const body = creds.json();
      expect(Object.keys(body)).toEqual(['server', 'loginName', 'appPassword']);
      expect(body.server).toBe('http://nimbus.test');
      expect(body.loginName).toBe('alice');
      expect(body.appPassword).toMatch(/^[A-Za-z0-9]{72}$/);
      expect((await poll(flow.poll.token)).statusCode).toBe(404);

      // The app password works over WebDAV and OCS, and is listed under the client's name.
      const dav = await t.app.inject({ method: 'PROPFIND', url: '/remote.php/dav/files/alice/', headers: { authorization: basic('alice', body.appPassword), depth: '0' } });
      expect(dav.statusCode).toBe(207);
      const ocs = await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: basic('alice', body.appPassword), 'OCS-APIRequest': 'true' } });
      expect(ocs.json().ocs.data.id).toBe('alice');
      expect((await b.get('/account/devices')).body).toContain('mirall/3.7.4stable-Debian');
    });

    it('keeps the app password out of the database in the clear', async () => {
      const flow = await start();
      const b = await signIn(t.app, alice.user, alice.password);
      const token = loginPathOf(flow).split('/').pop()!;
      await b.post('/login/v2/grant', { requesttoken: b.csrf, token });
      const rows = await t.db.selectFrom('login_flows').selectAll().execute();
      const row = rows.find((r) => r.login_name === 'alice' && r.sealed_password !== null)!;
      expect(row.sealed_password).not.toMatch(/^[A-Za-z0-9]{72}$/);
      expect(row.poll_hash).not.toBe(flow.poll.token);
      const creds = (await poll(flow.poll.token)).json();
      expect(JSON.stringify(rows)).not.toContain(creds.appPassword);
    });

    it('refuses a grant without the session CSRF token, a second grant, and a grant by a browser that is not signed in', async () => {
      const flow = await start();
      const token = loginPathOf(flow).split('/').pop()!;
      const b = await signIn(t.app, alice.user, alice.password);
      expect((await b.post('/login/v2/grant', { requesttoken: 'forged', token })).statusCode).toBe(403);
      expect((await browser(t.app).post('/login/v2/grant', { requesttoken: 'x', token })).headers.location).toBe('/login');
      expect((await b.post('/login/v2/grant', { requesttoken: b.csrf, token })).statusCode).toBe(200);
      expect((await b.post('/login/v2/grant', { requesttoken: b.csrf, token })).statusCode).toBe(404);
      expect((await b.get(loginPathOf(flow))).statusCode).toBe(404);
    });

    it('expires after 20 minutes: the page says so and the poll finds nothing', async () => {
      const flow = await start();
      await t.behindTheApp((db) => db.updateTable('login_flows').set({ expires_at: Date.now() - 1 }).execute());
      const b = await signIn(t.app, alice.user, alice.password);
      expect(expectPage(await b.get(loginPathOf(flow)), 404)).toContain('invalid or has expired');
      expect((await poll(flow.poll.token)).statusCode).toBe(404);
    });

    it('counts unknown poll tokens against the address and refuses it past the limit', async () => {
      const address = '10.31.0.9';
      for (let i = 0; i < 20; i++) expect((await poll(`guess-${i}`, address)).statusCode).toBe(404);
      expect((await poll('guess-x', address)).statusCode).toBe(429);
      const flow = await start();
      expect((await poll(flow.poll.token, '10.31.0.10')).statusCode).toBe(404);
    });

    it('answers a bad login token with the expired page and bad poll bodies with 404', async () => {
      const b = await signIn(t.app, alice.user, alice.password);
      expect((await b.get('/login/v2/flow/short')).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'POST', url: '/login/v2/poll', headers: { 'content-type': 'application/json' }, payload: '{"token":["a"]}' })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'POST', url: '/login/v2/poll', headers: FORM, payload: '' })).statusCode).toBe(404);
    });
  });

  describe('v1', () => {
    it('needs the OCS-APIRequest header, then signs in, grants and redirects to nc://login with the credentials', async () => {
      expect(expectPage(await t.app.inject({ url: '/index.php/login/flow' }), 400)).toContain('opened by your Nextcloud app');
      const b = await signIn(t.app, alice.user, alice.password);
      const startRes = await b.get('/index.php/login/flow', { 'OCS-APIRequest': 'true', 'user-agent': 'Nextcloud-android/3.26' });
      expect(startRes.statusCode).toBe(303);
      const page = expectPage(await b.get(startRes.headers.location as string), 200);
      expect(page).toContain('Nextcloud-android/3.26');
      const token = String(startRes.headers.location).split('/').pop()!;
      const res = await b.post('/login/v1/grant', { requesttoken: csrfOf(page), token });
      expect(res.statusCode).toBe(303);
      const m = /^nc:\/\/login\/server:([^&]+)&user:([^&]+)&password:([A-Za-z0-9]{72})$/.exec(String(res.headers.location));
      expect(m).not.toBeNull();
      expect(decodeURIComponent(m![1]!)).toBe('http://nimbus.test');
      expect(decodeURIComponent(m![2]!)).toBe('alice');
      const ocs = await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: basic('alice', m![3]!), 'OCS-APIRequest': 'true' } });
      expect(ocs.statusCode).toBe(200);
      // A v1 flow is used up by its grant; a v2 grant route does not take it.
      expect((await b.post('/login/v1/grant', { requesttoken: csrfOf(page), token })).statusCode).toBe(404);
    });
  });
});
