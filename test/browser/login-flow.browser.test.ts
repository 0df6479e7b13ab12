import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, buildTestApp, newUser, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/loopback.js';
import { HAVE_CHROMIUM, WITHOUT_CHROMIUM, launchChromium } from '../helpers/chromium.js';

/**
 * Signing in as the Nextcloud desktop app does it, in a real browser:
 * Debian's Chromium through playwright-core against the app on a real
 * socket. The test plays the client's side (start the flow with its
 * User-Agent, open the login URL, poll, use the app password) and a
 * person's side in the browser. Skipped without /usr/bin/chromium.
 */
const DESKTOP_UA = 'Mozilla/5.0 (Linux) mirall/3.7.4stable-Debian (build 20230208) (Nextcloud, debian-6.1.0-13-amd64 ClientArchitecture: x86_64 OsArchitecture: x86_64)';
/** Where the screenshots of these pages go (looked at by a person; not committed). */
const SHOTS = process.env.NIMBUS_SCREENSHOTS;

describe.skipIf(!HAVE_CHROMIUM)(`sign-in and Login Flow in Chromium${WITHOUT_CHROMIUM}`, { timeout: 90_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let alice: { user: string; password: string };
  const violations: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await buildTestApp('sqlite', { PUBLIC_URL: base, INSTANCE_NAME: 'Nimbus Test Cloud' });
    await t.app.listen({ port, host: '127.0.0.1' });
    alice = await newUser(t.app, 'alice', { displayName: 'Alice Liddell' });
    browser = await launchChromium();
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    return page;
  }
  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  };
  const poll = async (token: string) => {
    const res = await request(`${base}/index.php/login/v2/poll`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': DESKTOP_UA }, body: `token=${token}` });
    return { status: res.statusCode, body: await res.body.text() };
  };

  it('plays the Nextcloud desktop: start the flow, sign in and grant in the browser, poll, then use the app password', async () => {
    const started = await request(`${base}/index.php/login/v2`, { method: 'POST', headers: { 'user-agent': DESKTOP_UA } });
    expect(started.statusCode).toBe(200);
    const flow = (await started.body.json()) as { poll: { token: string; endpoint: string }; login: string };
    expect((await poll(flow.poll.token)).status).toBe(404);

    const page = await newPage();
    await page.goto(flow.login);
    // No session yet: the sign-in page, which comes back to the flow.
    await expect(page.locator('h1').textContent()).resolves.toBe('Sign in to Nimbus Test Cloud');
    await shot(page, 'sign-in');
    await page.fill('input[name=user]', 'alice');
    await page.fill('input[name=password]', 'not the password');
    await Promise.all([page.waitForURL(`${base}/login`), page.click('button[type=submit]')]);
    await expect(page.locator('.error').textContent()).resolves.toBe('Wrong login or password.');
    await shot(page, 'sign-in-wrong');
    await page.fill('input[name=password]', alice.password);
    await Promise.all([page.waitForURL(flow.login), page.click('button[type=submit]')]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Account access');
    await expect(page.locator('main').textContent()).resolves.toContain('mirall/3.7.4stable-Debian');
    await expect(page.locator('main').textContent()).resolves.toContain('Alice Liddell');
    await shot(page, 'grant');
    expect((await poll(flow.poll.token)).status).toBe(404);
    await Promise.all([page.waitForURL(`${base}/login/v2/grant`), page.click('button:has-text("Grant access")')]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Account connected');
    await shot(page, 'granted');

    const creds = await poll(flow.poll.token);
    expect(creds.status).toBe(200);
    const { server, loginName, appPassword } = JSON.parse(creds.body) as { server: string; loginName: string; appPassword: string };
    expect(server).toBe(base);
    expect(loginName).toBe('alice');
    expect((await poll(flow.poll.token)).status).toBe(404);

    // The desktop's next calls, with the app password.
    const auth = { authorization: basic(loginName, appPassword), 'user-agent': DESKTOP_UA };
    const user = await request(`${server}/ocs/v2.php/cloud/user?format=json`, { headers: { ...auth, 'OCS-APIRequest': 'true' } });
    expect(user.statusCode).toBe(200);
    expect(((await user.body.json()) as { ocs: { data: { id: string } } }).ocs.data.id).toBe('alice');
    const put = await request(`${server}/remote.php/dav/files/alice/from-desktop.txt`, { method: 'PUT', headers: auth, body: 'synced' });
    expect(put.statusCode).toBe(201);
    await put.body.dump();
    const propfind = await request(`${server}/remote.php/dav/files/alice/`, { method: 'PROPFIND', headers: { ...auth, depth: '1' } });
    expect(propfind.statusCode).toBe(207);
    expect(await propfind.body.text()).toContain('from-desktop.txt');

    // The browser lists the new device, and signing out ends the session.
    await page.goto(`${base}/account/devices`);
    await expect(page.locator('table').textContent()).resolves.toContain('mirall/3.7.4stable-Debian');
    await shot(page, 'devices');
    await page.fill('input[name=name]', 'Phone');
    await Promise.all([page.waitForURL(`${base}/account/devices/app-password`), page.click('button:has-text("Create new app password")')]);
    const shown = await page.locator('#app-password').textContent();
    expect(shown).toMatch(/^[A-Za-z0-9]{72}$/);
    await expect(page.locator('.qr svg').count()).resolves.toBe(1);
    await shot(page, 'app-password');
    const withIt = await request(`${base}/ocs/v2.php/cloud/user?format=json`, { headers: { authorization: basic('alice', shown!), 'OCS-APIRequest': 'true' } });
    expect(withIt.statusCode).toBe(200);
    await withIt.body.dump();
    await page.goto(`${base}/account`);
    await Promise.all([page.waitForURL(`${base}/login`), page.click('button:has-text("Sign out")')]);
    await page.goto(`${base}/account/devices`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Sign in to Nimbus Test Cloud');
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('plays an older app on Login Flow v1, up to the nc:// redirect', async () => {
    const page = await newPage();
    await page.setExtraHTTPHeaders({ 'OCS-APIRequest': 'true' });
    await page.goto(`${base}/index.php/login/flow`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Sign in to Nimbus Test Cloud');
    await page.fill('input[name=user]', 'alice');
    await page.fill('input[name=password]', alice.password);
    await Promise.all([page.waitForURL(/\/login\/v1\/flow\//), page.click('button[type=submit]')]);
    // The webview hands nc:// links to its app; here the grant's answer is read where the browser would leave.
    const granted = page.waitForResponse((res) => res.url().endsWith('/login/v1/grant'));
    await page.click('button:has-text("Grant access")').catch(() => undefined);
    const res = await granted;
    expect(res.status()).toBe(303);
    const m = /^nc:\/\/login\/server:([^&]+)&user:([^&]+)&password:([A-Za-z0-9]{72})$/.exec(res.headers().location ?? '');
    expect(m).not.toBeNull();
    expect(decodeURIComponent(m![1]!)).toBe(base);
    const check = await request(`${base}/ocs/v2.php/cloud/user?format=json`, { headers: { authorization: basic('alice', m![3]!), 'OCS-APIRequest': 'true' } });
    expect(check.statusCode).toBe(200);
    await check.body.dump();
    await page.context().close();
  });

  it('says an expired login token is invalid', async () => {
    const started = await request(`${base}/index.php/login/v2`, { method: 'POST', headers: { 'user-agent': DESKTOP_UA } });
    const flow = (await started.body.json()) as { login: string };
    await t.behindTheApp((db) => db.updateTable('login_flows').set({ expires_at: Date.now() - 1 }).execute());
    const page = await newPage();
    const answer = await page.goto(flow.login);
    expect(answer?.status()).toBe(404);
    await expect(page.locator('main').textContent()).resolves.toContain('invalid or has expired');
    await page.context().close();
  });
});
