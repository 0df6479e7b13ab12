import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, buildTestApp, newUser, ocs, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/loopback.js';
import { HAVE_CHROMIUM, WITHOUT_CHROMIUM, launchChromium, signInToFiles } from '../helpers/chromium.js';

const SHOTS = process.env.NIMBUS_SCREENSHOTS;

/**
 * The search box of the files app in Chromium: a name typed in the top bar
 * finds files anywhere in the person's files and in a share they received
 * (WebDAV SEARCH), never another person's; a result's folder opens in All
 * files. Skipped without /usr/bin/chromium.
 */
describe.skipIf(!HAVE_CHROMIUM)(`searching files in Chromium${WITHOUT_CHROMIUM}`, { timeout: 120_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let page: Page;
  let alice: { user: string; password: string };
  const violations: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await buildTestApp('sqlite', { PUBLIC_URL: base });
    await t.app.listen({ port, host: '127.0.0.1' });
    alice = await newUser(t.app, 'alice', { displayName: 'Alice Liddell' });
    const bob = await newUser(t.app, 'bob');
    const put = async (who: { user: string; password: string }, p: string, method = 'PUT', body?: string) => {
      const res = await request(`${base}/remote.php/dav/files/${who.user}/${p}`, { method: method as 'PUT', headers: { authorization: basic(who.user, who.password) }, body });
      await res.body.dump();
    };
    await put(alice, 'Projects', 'MKCOL');
    await put(alice, 'Projects/budget-2026.ods', 'PUT', 'numbers');
    await put(alice, 'holiday.txt', 'PUT', 'sun');
    await put(bob, 'Shared', 'MKCOL');
    await put(bob, 'Shared/budget-bob.txt', 'PUT', 'bob');
    await put(bob, 'budget-secret.txt', 'PUT', 'not for alice');
    await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: bob, body: { path: '/Shared', shareType: 0, shareWith: 'alice', permissions: 1 } });
    browser = await launchChromium();
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    page = await (await browser.newContext()).newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await signInToFiles(page, base, alice);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('finds a name in a subfolder and in a received share, and nothing of anyone else', async () => {
    const box = page.getByRole('searchbox', { name: 'Search files' });
    await box.fill('budget');
    await box.press('Enter');
    const results = page.locator('ul[aria-label="Search results"] li');
    await results.first().waitFor();
    expect((await results.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-name')))).sort()).toEqual(['budget-2026.ods', 'budget-bob.txt']);
    expect(new URL(page.url()).searchParams.get('q')).toBe('budget');
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'search.png') });
  });

  it('opens the folder of a result in All files', async () => {
    await page.getByRole('button', { name: 'Open the folder of budget-2026.ods' }).click();
    await page.locator('.row[data-name="budget-2026.ods"]').waitFor();
    expect(new URL(page.url()).searchParams.get('dir')).toBe('/Projects');
  });

  it('says so when nothing matches, and broke no content security rule', async () => {
    const box = page.getByRole('searchbox', { name: 'Search files' });
    await box.fill('nothing-like-this');
    await box.press('Enter');
    await page.getByText('Nothing in your files has a name with that in it.').waitFor();
    expect(violations).toEqual([]);
  });
});
