import { buffer } from 'node:stream/consumers';
import { type Browser, type Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, buildTestApp, newUser, ocs, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/loopback.js';
import { HAVE_CHROMIUM, WITHOUT_CHROMIUM, launchChromium, signInToFiles } from '../helpers/chromium.js';

/**
 * The Versions section of a file's details, in a real browser: it lists
 * the earlier contents of the selected file, downloads one, and restores
 * one (the file's content changes, checked over WebDAV, and the replaced
 * content shows up as a version); a read-only recipient gets no Restore.
 * Skipped without /usr/bin/chromium.
 */
describe.skipIf(!HAVE_CHROMIUM)(`file versions in the details pane in Chromium${WITHOUT_CHROMIUM}`, { timeout: 120_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let alice: { user: string; password: string };
  let page: Page;

  const dav = async (method: string, p: string, body?: string, headers: Record<string, string> = {}) => {
    const res = await request(`${base}/remote.php/dav/files/alice/${p}`, { method: method as 'GET', headers: { authorization: basic(alice.user, alice.password), ...headers }, body });
    return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()).toString() };
  };
  const row = (name: string) => page.locator(`.row[data-name="${name}"]`);
  const versions = () => page.getByRole('region', { name: 'Versions' });

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await buildTestApp('sqlite', { PUBLIC_URL: base });
    await t.app.listen({ port, host: '127.0.0.1' });
    alice = await newUser(t.app, 'alice');
    await dav('PUT', 'report.txt', 'the first draft', { 'x-oc-mtime': '1700000000' });
    await dav('PUT', 'report.txt', 'the final text');
    browser = await launchChromium();
    page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    await signInToFiles(page, base, alice);
    await row('report.txt').waitFor();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists the earlier version of the selected file and downloads it', async () => {
    await row('report.txt').getByRole('checkbox').check();
    const items = versions().getByRole('listitem');
    await items.nth(1).waitFor();
    expect(await items.count()).toBe(2);
    // The current content comes first, without a Restore button.
    expect(await items.first().textContent()).toContain('Current version');
    expect(await items.first().getByRole('button').count()).toBe(0);
    expect(await items.nth(1).textContent()).toContain('by alice');
    const [download] = await Promise.all([page.waitForEvent('download'), items.nth(1).getByRole('link', { name: /^Download the version of/ }).click()]);
    expect((await buffer((await download.createReadStream())!)).toString()).toBe('the first draft');
  });

  it('restores it: the file has that content again and the replaced one is now a version', async () => {
    const items = versions().getByRole('listitem');
    await items.nth(1).getByRole('button', { name: /^Restore the version of/ }).click();
    await expect.poll(async () => (await dav('GET', 'report.txt')).body).toBe('the first draft');
    // The list reloads: still one earlier version, now the text that was replaced.
    await expect.poll(async () => (await items.nth(1).textContent()) ?? '').not.toContain('2023');
    const [download] = await Promise.all([page.waitForEvent('download'), items.nth(1).getByRole('link', { name: /^Download the version of/ }).click()]);
    expect((await buffer((await download.createReadStream())!)).toString()).toBe('the final text');
  });

  it('shows a read-only recipient the versions to download, without Restore', async () => {
    const bob = await newUser(t.app, 'bob');
    const shared = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: alice, body: { path: '/report.txt', shareType: 0, shareWith: 'bob', permissions: 1 } });
    expect(shared.statusCode, shared.body).toBe(200);
    const bobPage = await (await browser.newContext()).newPage();
    await signInToFiles(bobPage, base, bob);
    const bobRow = bobPage.locator('.row[data-name="report.txt"]');
    await bobRow.waitFor();
    await bobRow.getByRole('checkbox').check();
    const items = bobPage.getByRole('region', { name: 'Versions' }).getByRole('listitem');
    await items.nth(1).waitFor();
    expect(await items.nth(1).getByRole('link', { name: /^Download the version of/ }).count()).toBe(1);
    expect(await bobPage.getByRole('region', { name: 'Versions' }).getByRole('button', { name: /^Restore/ }).count()).toBe(0);
    await bobPage.context().close();
  });
});
