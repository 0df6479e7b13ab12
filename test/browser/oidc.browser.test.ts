import { type Browser } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, newUser, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/loopback.js';
import { HAVE_CHROMIUM, WITHOUT_CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { pkce } from '../http/oidc/oidc-helpers.js';

/**
 * Signing in as ownCloud Web does it, in Debian's Chromium on a real socket:
 * the authorization request with PKCE for the `web` client, the sign-in
 * page, back to the callback page with the code, the exchange and a Bearer
 * call. Skipped without /usr/bin/chromium.
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
});
