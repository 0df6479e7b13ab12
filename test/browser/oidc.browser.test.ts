import { createServer, type Server } from 'node:http';
import { type Browser } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, newUser, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/loopback.js';
import { HAVE_CHROMIUM, WITHOUT_CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { clientBasic, DESKTOP, pkce } from '../http/oidc/oidc-helpers.js';

/**
 * Signing in as ownCloud Web does it, in Debian's Chromium on a real socket:
 * the authorization request with PKCE for the `web` client, the sign-in
 * page, back to the callback page with the code, the exchange and a Bearer
 * call; and as the ownCloud desktop app does it, with its client id, a
 * loopback listener on a port of its choosing and `prompt=select_account
 * consent`, then Graph, WebDAV and OCS with the token, a refresh, a
 * revocation and a password change that ends the tokens. Skipped without
 * /usr/bin/chromium.
 */
describe.skipIf(!HAVE_CHROMIUM)(`OpenID Connect in Chromium${WITHOUT_CHROMIUM}`, { timeout: 90_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  const callbacks: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await buildTestApp('sqlite', { PUBLIC_URL: base });
    // ownCloud Web's callback page would read the code from its URL; the test reads it from the request.
    t.app.addHook('onRequest', async (request) => {
      if (request.url.startsWith('/oidc-callback.html')) callbacks.push(request.url);
    });
    await t.app.listen({ port, host: '127.0.0.1' });
    await newUser(t.app, 'alice', { password: 'Alice-Secret-2026', displayName: 'Alice Liddell' });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Signs in on the page the authorization request leads to; answers once `arrived` names the redirect's URL. */
  const signInOnPage = async (url: string, arrived: () => string | undefined) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    await page.fill('input[name=user]', 'alice');
    await page.fill('input[name=password]', 'Alice-Secret-2026');
    await page.click('button[type=submit]');
    const deadline = Date.now() + 20_000;
    while (!arrived() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await context.close();
    expect(arrived(), 'the browser reached the redirect URI').toBeTruthy();
    return arrived()!;
  };

  it('plays ownCloud Web (client `web`): sign-in and back to its callback page with a code', async () => {
    const { verifier, challenge } = pkce();
    const redirectUri = `${base}/oidc-callback.html`;
    const auth = `${base}/oidc/auth?${new URLSearchParams({ client_id: 'web', redirect_uri: redirectUri, response_type: 'code', scope: 'openid profile email', code_challenge: challenge, code_challenge_method: 'S256', state: 'web-state' })}`;
    const landed = new URL(await signInOnPage(auth, () => callbacks[0]), base);
    expect(landed.searchParams.get('state')).toBe('web-state');
    const res = await request(`${base}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'web', code: landed.searchParams.get('code')!, redirect_uri: redirectUri, code_verifier: verifier }).toString(),
    });
    expect(res.statusCode).toBe(200);
    const { access_token } = (await res.body.json()) as { access_token: string };
    expect((await request(`${base}/graph/v1.0/me`, { headers: { authorization: `Bearer ${access_token}` } })).statusCode).toBe(200);
  });

  it('plays the ownCloud desktop app: loopback redirect on its own port, Bearer on Graph, WebDAV and OCS, refresh, revocation, password change', async () => {
    // The desktop app listens on 127.0.0.1 on a free port and opens the system browser (owncloud/client's OAuth class).
    const got: string[] = [];
    const loopback: Server = createServer((req, res) => {
      got.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Signed in. You may close this window.</h1>');
    });
    await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
    try {
      const redirectUri = `http://127.0.0.1:${(loopback.address() as { port: number }).port}`;
      const discovery = (await (await request(`${base}/.well-known/openid-configuration`)).body.json()) as Record<string, string>;
      expect(discovery.issuer).toBe(base);
      const { verifier, challenge } = pkce();
      const auth = `${discovery.authorization_endpoint}?${new URLSearchParams({ client_id: DESKTOP.id, redirect_uri: redirectUri, response_type: 'code', scope: 'openid offline_access email profile', prompt: 'select_account consent', code_challenge: challenge, code_challenge_method: 'S256', state: 'desktop-state' })}`;
      const landed = new URL(await signInOnPage(auth, () => got[0]), redirectUri);
      expect(landed.searchParams.get('state')).toBe('desktop-state');
      const tokenCall = (fields: Record<string, string>) => request(discovery.token_endpoint!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: clientBasic(DESKTOP.id, DESKTOP.secret) },
        body: new URLSearchParams(fields).toString(),
      });
      const exchanged = await tokenCall({ grant_type: 'authorization_code', code: landed.searchParams.get('code')!, redirect_uri: redirectUri, code_verifier: verifier });
      expect(exchanged.statusCode).toBe(200);
      const first = (await exchanged.body.json()) as { access_token: string; refresh_token: string };
      expect(first.refresh_token).toBeTruthy();
      const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
      const userinfo = await request(discovery.userinfo_endpoint!, { headers: bearer(first.access_token) });
      expect(((await userinfo.body.json()) as { preferred_username: string }).preferred_username).toBe('alice');
      const drives = await request(`${base}/graph/v1.0/me/drives`, { headers: bearer(first.access_token) });
      expect(drives.statusCode).toBe(200);
      const personal = ((await drives.body.json()) as { value: Array<{ driveType: string; root: { webDavUrl: string } }> }).value.find((d) => d.driveType === 'personal')!;
      const propfind = await request(personal.root.webDavUrl, { method: 'PROPFIND', headers: { ...bearer(first.access_token), depth: '0' } });
      expect(propfind.statusCode).toBe(207);
      await propfind.body.text();
      const user = await request(`${base}/ocs/v2.php/cloud/user?format=json`, { headers: { ...bearer(first.access_token), 'ocs-apirequest': 'true' } });
      expect(((await user.body.json()) as { ocs: { data: { id: string } } }).ocs.data.id).toBe('alice');
      // Refresh (rotated), then revoke the new refresh token: it no longer refreshes.
      const refreshed = await tokenCall({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
      expect(refreshed.statusCode).toBe(200);
      const second = (await refreshed.body.json()) as { access_token: string; refresh_token: string };
      expect(second.refresh_token).not.toBe(first.refresh_token);
      expect((await request(`${base}/graph/v1.0/me`, { headers: bearer(second.access_token) })).statusCode).toBe(200);
      const revoked = await request(discovery.revocation_endpoint!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: clientBasic(DESKTOP.id, DESKTOP.secret) },
        body: new URLSearchParams({ token: second.refresh_token, token_type_hint: 'refresh_token' }).toString(),
      });
      expect(revoked.statusCode).toBe(200);
      await revoked.body.text();
      expect((await tokenCall({ grant_type: 'refresh_token', refresh_token: second.refresh_token })).statusCode).toBe(400);
      // A new sign-in, then a password change: its access and refresh tokens end.
      got.length = 0;
      const again = pkce();
      const auth2 = auth.replace(challenge, again.challenge);
      const landed2 = new URL(await signInOnPage(auth2, () => got[0]), redirectUri);
      const third = (await (await tokenCall({ grant_type: 'authorization_code', code: landed2.searchParams.get('code')!, redirect_uri: redirectUri, code_verifier: again.verifier })).body.json()) as { access_token: string; refresh_token: string };
      expect((await request(`${base}/graph/v1.0/me`, { headers: bearer(third.access_token) })).statusCode).toBe(200);
      const changed = await request(`${base}/graph/v1.0/me/changePassword`, {
        method: 'POST',
        headers: { ...bearer(third.access_token), 'content-type': 'application/json' },
        body: JSON.stringify({ currentPassword: 'Alice-Secret-2026', newPassword: 'Alice-Changed-2026-x' }),
      });
      expect(changed.statusCode).toBe(204);
      await changed.body.text();
      expect((await request(`${base}/graph/v1.0/me`, { headers: bearer(third.access_token) })).statusCode).toBe(401);
      expect((await tokenCall({ grant_type: 'refresh_token', refresh_token: third.refresh_token })).statusCode).toBe(400);
    } finally {
      await new Promise<void>((resolve) => loopback.close(() => resolve()));
    }
  });
});
