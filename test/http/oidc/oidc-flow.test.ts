import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { signIn } from '../web/signin-helpers.js';
import { codeFor, DESKTOP, follow, LOOPBACK, token } from './oidc-helpers.js';

describeEachDb('OpenID Connect provider', (kind) => {
  let t: TestApp;
  let alice: { user: string; password: string };
  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice', { email: 'alice@example.com' });
  });
  afterAll(async () => t.close());

  it('publishes discovery at the root with issuer = PUBLIC_URL, code + PKCE S256 only', async () => {
    const res = await t.app.inject({ url: '/.well-known/openid-configuration' });
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect(d.issuer).toBe('http://nimbus.test');
    expect(d.authorization_endpoint).toBe('http://nimbus.test/oidc/auth');
    expect(d.token_endpoint).toBe('http://nimbus.test/oidc/token');
    expect(d.userinfo_endpoint).toBe('http://nimbus.test/oidc/userinfo');
    expect(d.jwks_uri).toBe('http://nimbus.test/oidc/jwks');
    expect(d.end_session_endpoint).toBe('http://nimbus.test/oidc/session/end');
    expect(d.revocation_endpoint).toBe('http://nimbus.test/oidc/token/revocation');
    expect(d.introspection_endpoint).toBe('http://nimbus.test/oidc/token/introspection');
    expect(d.response_types_supported).toEqual(['code']);
    expect(d.code_challenge_methods_supported).toEqual(['S256']);
    expect(d.scopes_supported).toEqual(expect.arrayContaining(['openid', 'offline_access', 'profile', 'email', 'groups']));
    const jwks = (await t.app.inject({ url: '/oidc/jwks' })).json();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it('runs the desktop flow: sign-in page, loopback redirect on any port, code, Bearer on Graph, WebDAV, OCS and userinfo', async () => {
    const b = await signIn(t.app, alice.user, alice.password);
    const { code, verifier, redirectUri } = await codeFor(b, { prompt: 'select_account consent', redirectUri: 'http://127.0.0.1:51234' });
    const res = await token(t.app, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
    expect(res.statusCode, res.body).toBe(200);
    const tokens = res.json();
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.id_token).toBeTruthy();
    const bearer = { authorization: `Bearer ${tokens.access_token}` };

    const drives = await t.app.inject({ url: '/graph/v1.0/me/drives', headers: bearer });
    expect(drives.statusCode, drives.body).toBe(200);
    const personal = drives.json().value.find((d: { driveType: string }) => d.driveType === 'personal');
    const dav = await t.app.inject({ method: 'PROPFIND' as 'GET', url: new URL(personal.root.webDavUrl).pathname, headers: { ...bearer, depth: '0' } });
    expect(dav.statusCode, dav.body).toBe(207);
    const user = await ocs(t.app, 'GET', '/cloud/user', { as: null, headers: bearer });
    expect(user.statusCode).toBe(200);
    expect(user.ocs.data.id).toBe('alice');
    const info = await t.app.inject({ url: '/oidc/userinfo', headers: bearer });
    expect(info.statusCode).toBe(200);
    expect(info.json()).toMatchObject({ sub: 'alice', preferred_username: 'alice', email: 'alice@example.com', groups: [] });
  });

  it('rotates refresh tokens: the new one works, the used one is refused', async () => {
    const b = await signIn(t.app, alice.user, alice.password);
    const { code, verifier } = await codeFor(b);
    const first = (await token(t.app, { grant_type: 'authorization_code', code, redirect_uri: LOOPBACK, code_verifier: verifier })).json();
    const refreshed = await token(t.app, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    const second = refreshed.json();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await t.app.inject({ url: '/graph/v1.0/me', headers: { authorization: `Bearer ${second.access_token}` } })).statusCode).toBe(200);
    const reused = await token(t.app, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(reused.statusCode).toBe(400);
    expect(reused.json().error).toBe('invalid_grant');
  });

  it('refuses a replayed code, a wrong PKCE verifier, a missing verifier and an unregistered redirect URI with the OAuth errors', async () => {
    const b = await signIn(t.app, alice.user, alice.password);
    const one = await codeFor(b);
    const wrong = await token(t.app, { grant_type: 'authorization_code', code: one.code, redirect_uri: LOOPBACK, code_verifier: 'x'.repeat(43) });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toBe('invalid_grant');

    const two = await codeFor(b);
    expect((await token(t.app, { grant_type: 'authorization_code', code: two.code, redirect_uri: LOOPBACK, code_verifier: two.verifier })).statusCode).toBe(200);
    const replay = await token(t.app, { grant_type: 'authorization_code', code: two.code, redirect_uri: LOOPBACK, code_verifier: two.verifier });
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error).toBe('invalid_grant');

    const bad = await b.get(`/oidc/auth?client_id=${DESKTOP.id}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}&response_type=code&scope=openid&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('redirect_uri');
    const plain = await b.get(`/oidc/auth?client_id=${DESKTOP.id}&redirect_uri=${encodeURIComponent(LOOPBACK)}&response_type=code&scope=openid&code_challenge=${'a'.repeat(43)}&code_challenge_method=plain`);
    expect(plain.statusCode).toBe(303);
    expect(new URL(String(plain.headers.location)).searchParams.get('error')).toBe('invalid_request');
    const noPkce = await b.get(`/oidc/auth?client_id=${DESKTOP.id}&redirect_uri=${encodeURIComponent(LOOPBACK)}&response_type=code&scope=openid`);
    expect(new URL(String(noPkce.headers.location)).searchParams.get('error')).toBe('invalid_request');
    const wrongSecret = await token(t.app, { grant_type: 'refresh_token', refresh_token: 'x' }, { id: DESKTOP.id, secret: 'not-the-secret-at-all' });
    expect(wrongSecret.statusCode).toBe(401);
    expect(wrongSecret.json().error).toBe('invalid_client');
  });

  it('sends a browser that is not signed in to the sign-in page and back', async () => {
    const { browser } = await import('../web/signin-helpers.js');
    const { authorizeUrl, pkce } = await import('./oidc-helpers.js');
    const anon = browser(t.app);
    const first = await anon.get(authorizeUrl({ challenge: pkce().challenge }));
    expect(first.statusCode).toBe(303);
    const interaction = String(first.headers.location);
    expect(interaction).toMatch(/^\/oidc\/interaction\/[A-Za-z0-9_-]+$/);
    const toLogin = await anon.get(interaction);
    expect(toLogin.statusCode).toBe(303);
    expect(toLogin.headers.location).toBe(`/login?redirect_url=${encodeURIComponent(interaction)}`);
    // Signed in there, the browser goes on by a refresh, not a redirect of the form: browsers hold a
    // form's redirects to its form-action ('self'), and the provider's last one leaves for the app.
    const { csrfOf } = await import('../web/signin-helpers.js');
    const form = await anon.get(String(toLogin.headers.location));
    const signedIn = await anon.post('/login', { requesttoken: csrfOf(form.body), user: ADMIN.user, password: ADMIN.password, redirect_url: interaction });
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.body).toContain(`<meta http-equiv="refresh" content="0;url=${interaction}">`);
    expect(signedIn.headers['content-security-policy']).toContain("default-src 'none'");
    const { location } = await follow(anon, interaction);
    expect(new URL(location).origin).toBe(LOOPBACK);
    const stale = await browser(t.app).get(interaction);
    expect(stale.statusCode).toBe(400);
  });
});

describe('OpenID Connect off', () => {
  it('serves no provider when OIDC_ENABLED=false', async () => {
    const t = await buildTestApp('sqlite', { OIDC_ENABLED: 'false' });
    try {
      expect((await t.app.inject({ url: '/.well-known/openid-configuration' })).statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });
});

describeEachDb('OpenID Connect: the web client and logout', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(async () => t.close());

  it('runs the flow for `web` (a public client: no secret, PKCE) to its callback page, then RP-initiated logout', async () => {
    const dave = await newUser(t.app, 'dave');
    const b = await signIn(t.app, dave.user, dave.password);
    const { pkce, authorizeUrl } = await import('./oidc-helpers.js');
    const { verifier, challenge } = pkce();
    const redirectUri = 'http://nimbus.test/oidc-callback.html';
    // The callback page is on this server: walk the redirects until one reaches it.
    let res = await b.get(authorizeUrl({ clientId: 'web', redirectUri, scope: 'openid profile email', challenge }));
    for (let i = 0; i < 4 && !String(res.headers.location ?? '').startsWith(redirectUri); i++) {
      expect(res.statusCode, res.body).toBe(303);
      const next = new URL(String(res.headers.location), 'http://nimbus.test');
      res = await b.get(next.pathname + next.search);
    }
    const back = new URL(String(res.headers.location));
    expect(back.origin + back.pathname).toBe(redirectUri);
    const code = back.searchParams.get('code')!;
    const exchanged = await t.app.inject({
      method: 'POST',
      url: '/oidc/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, client_id: 'web' }).toString(),
    });
    expect(exchanged.statusCode, exchanged.body).toBe(200);
    const tokens = exchanged.json();
    expect(tokens.refresh_token).toBeUndefined();
    expect((await t.app.inject({ url: '/graph/v1.0/me/drives', headers: { authorization: `Bearer ${tokens.access_token}` } })).statusCode).toBe(200);

    const logout = await b.get(`/oidc/session/end?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://nimbus.test/' })}`);
    expect(logout.statusCode).toBe(200);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(logout.body)?.[1];
    expect(xsrf).toBeTruthy();
    const confirmed = await b.post('/oidc/session/end/confirm', { xsrf: xsrf!, logout: 'yes' });
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toBe('http://nimbus.test/');
  });
});
