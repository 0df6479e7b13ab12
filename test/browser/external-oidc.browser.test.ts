import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, newUser, type TestApp } from '../helpers/app.js';
import { HAVE_CHROMIUM, WITHOUT_CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { freePort, listeningFederated, type ListeningApp } from '../helpers/loopback.js';

const SHOTS = process.env.NIMBUS_SCREENSHOTS;
const CLIENT = { id: 'nimbus-a', secret: 'browser-secret-of-nimbus-a' };

/**
 * "Sign in with <provider>" in Debian's Chromium: A's sign-in page offers
 * B (another Nimbus, its OpenID Connect provider); the button leads to
 * B's sign-in page, and signing in there comes back to A's files app with
 * an account A made from B's claims. Skipped without /usr/bin/chromium.
 */
describe.skipIf(!HAVE_CHROMIUM)(`Sign in with an external provider in Chromium${WITHOUT_CHROMIUM}`, { timeout: 120_000 }, () => {
  let a: TestApp;
  let b: ListeningApp;
  let aBase: string;
  let browser: Browser;

  beforeAll(async () => {
    const port = await freePort();
    aBase = `http://127.0.0.1:${port}`;
    b = await listeningFederated('sqlite', {
      INSTANCE_NAME: 'Nimbus B',
      INSTANCE_COLOR: '#7a3e9d',
      OIDC_CLIENTS: JSON.stringify([{ client_id: CLIENT.id, client_secret: CLIENT.secret, redirect_uris: [`${aBase}/login/oidc/callback`] }]),
    });
    await newUser(b.app, 'alice', { password: 'Alice-At-B-2026', displayName: 'Alice Liddell', email: 'alice@b.example' });
    a = await buildTestApp('sqlite', {
      PUBLIC_URL: aBase,
      OIDC_ISSUER: b.base,
      OIDC_ISSUER_ALLOW_HTTP: 'true',
      OIDC_PROVIDER_NAME: 'Nimbus B',
      OIDC_CLIENT_ID: CLIENT.id,
      OIDC_CLIENT_SECRET: CLIENT.secret,
      OIDC_AUDIENCE: b.base,
      OIDC_AUTOPROVISION: 'true',
    } as never);
    await a.app.listen({ port, host: '127.0.0.1' });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await a?.close();
    await b?.close();
  });

  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  };

  it('offers the provider on the sign-in page and comes back signed in to the files app', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${aBase}/login`);
    const button = page.getByRole('button', { name: 'Sign in with Nimbus B' });
    expect(await button.isVisible()).toBe(true);
    await shot(page, 'external-oidc-1-sign-in');
    await Promise.all([page.waitForURL(`${b.base}/login?**`), button.click()]);
    expect(await page.title()).toContain('Nimbus B');
    await page.fill('input[name=user]', 'alice');
    await page.fill('input[name=password]', 'Alice-At-B-2026');
    await shot(page, 'external-oidc-2-at-provider');
    await Promise.all([page.waitForURL(`${aBase}/apps/files/`, { timeout: 30_000 }), page.click('form[action="/login"] button[type=submit]')]);
    await page.getByText('Alice Liddell').first().waitFor({ timeout: 20_000 });
    await shot(page, 'external-oidc-3-files');
    const cookies = await context.cookies(aBase);
    expect(cookies.find((c) => c.name === 'nimbus_session')?.httpOnly).toBe(true);
    expect(cookies.find((c) => c.name === 'nimbus_oidc_flow')).toBeUndefined();
    await context.close();
  });
});
