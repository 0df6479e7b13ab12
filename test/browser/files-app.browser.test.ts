import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, buildTestApp, newUser, ocs, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/loopback.js';
import { HAVE_CHROMIUM, WITHOUT_CHROMIUM, launchChromium, signInToFiles } from '../helpers/chromium.js';

/**
 * The files web app in a real browser (Debian's Chromium through
 * playwright-core, the app on a real socket): a person signs in, makes a
 * folder, uploads (over tus, as the server announces it; resumable-upload.browser.test.ts
 * covers dropped connections and the PUT path without tus), renames,
 * moves, downloads, deletes, meets a name conflict and a full quota, signs
 * out. Each step is checked over WebDAV too, not only on screen. Skipped
 * without /usr/bin/chromium.
 */
const SHOTS = process.env.NIMBUS_SCREENSHOTS;

describe.skipIf(!HAVE_CHROMIUM)(`the files app in Chromium${WITHOUT_CHROMIUM}`, { timeout: 120_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let alice: { user: string; password: string };
  let page: Page;
  const violations: string[] = [];

  const dav = async (method: string, p: string, headers: Record<string, string> = {}) => {
    const res = await request(`${base}/remote.php/dav/files/alice/${p}`, { method: method as 'GET', headers: { authorization: basic(alice.user, alice.password), ...headers } });
    return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
  };
  const shot = async (name: string) => {
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  };
  const row = (name: string) => page.locator(`.row[data-name="${name}"]`);

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await buildTestApp('sqlite', { PUBLIC_URL: base, INSTANCE_NAME: 'Nimbus Test Cloud' });
    await t.app.listen({ port, host: '127.0.0.1' });
    alice = await newUser(t.app, 'alice', { displayName: 'Alice Liddell' });
    await request(`${base}/remote.php/dav/files/alice/welcome.txt`, { method: 'PUT', headers: { authorization: basic(alice.user, alice.password) }, body: 'hello' });
    browser = await launchChromium();
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    const context = await browser.newContext({ acceptDownloads: true });
    page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('signs in and lands in the files, sorted folders first', async () => {
    await signInToFiles(page, base, alice);
    await expect(row('welcome.txt').textContent()).resolves.toContain('5 B');
    await expect(page.locator('.top .brand').textContent()).resolves.toBe('Nimbus Test Cloud');
    await expect(page.locator('.user-menu > button').textContent()).resolves.toBe('Alice Liddell');
    await shot('files-01-signed-in');
  });

  it('makes a folder, refusing a name that exists before asking the server', async () => {
    await page.getByRole('button', { name: 'New folder' }).click();
    await page.locator('dialog').getByLabel('Name').fill('welcome.txt');
    await expect(page.locator('dialog .field-error').textContent()).resolves.toContain('already exists');
    await page.locator('dialog').getByLabel('Name').fill('Reports');
    await page.getByRole('button', { name: 'Create' }).click();
    await row('Reports').waitFor();
    expect((await dav('PROPFIND', 'Reports', { depth: '0' })).status).toBe(207);
  });

  it('uploads a small file and a 30 MB one in chunks, with progress', async () => {
    const big = Buffer.alloc(30 * 1024 * 1024, 7);
    big.write('the start', 0);
    big.write('the end', big.length - 7);
    // Paths, not buffers: a 30 MB buffer crosses the DevTools protocol as base64, which took over 30 s on a loaded machine.
    // Chromium reads the files while it uploads them, so they stay until the uploads have finished.
    const dir = mkdtempSync(path.join(tmpdir(), 'nimbus-upload-'));
    try {
      writeFileSync(path.join(dir, 'small.txt'), 'small file');
      writeFileSync(path.join(dir, 'big.bin'), big);
      await page.locator('input[aria-label="Files to upload"]').setInputFiles([path.join(dir, 'small.txt'), path.join(dir, 'big.bin')]);
      await page.locator('.uploads progress[aria-label="Overall progress"]').waitFor();
      await page.locator('.uploads-head strong', { hasText: 'Uploads finished' }).waitFor({ timeout: 60_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await shot('files-02-uploaded');
    await row('big.bin').waitFor();
    expect((await dav('GET', 'small.txt')).body.toString()).toBe('small file');
    const got = await dav('GET', 'big.bin');
    expect(got.body.length).toBe(big.length);
    expect(got.body.equals(big)).toBe(true);
    await expect(row('big.bin').textContent()).resolves.toContain('30.0 MB');
  });

  it('asks on a name conflict: keep both makes a second file', async () => {
    await page.locator('input[aria-label="Files to upload"]').setInputFiles([{ name: 'small.txt', mimeType: 'text/plain', buffer: Buffer.from('second') }]);
    await page.getByRole('button', { name: 'Keep both' }).click();
    await row('small (2).txt').waitFor();
    expect((await dav('GET', 'small (2).txt')).body.toString()).toBe('second');
    expect((await dav('GET', 'small.txt')).body.toString()).toBe('small file');
  });

  it('shows a thumbnail for an uploaded picture, and the type icon for other files', async () => {
    const picture = await sharp({ create: { width: 120, height: 80, channels: 3, background: { r: 250, g: 120, b: 0 } } }).png().toBuffer();
    await page.locator('input[aria-label="Files to upload"]').setInputFiles([{ name: 'sunset.png', mimeType: 'image/png', buffer: picture }]);
    const thumb = row('sunset.png').locator('img.thumbnail');
    await thumb.waitFor();
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(64);
    expect(await row('welcome.txt').locator('img.thumbnail').count()).toBe(0);
    await shot('files-thumbnail');
  });

  it('shows a grid of large thumbnails, remembered after a reload, and goes back to the list', async () => {
    const tile = (name: string) => page.locator(`.tile[data-name="${name}"]`);
    await page.getByRole('button', { name: 'Grid view' }).click();
    const thumb = tile('sunset.png').locator('img.thumbnail');
    await thumb.waitFor();
    // Asked cropped (a=0) at twice its drawn 144 px; the 120 × 80 source is not enlarged past itself.
    expect(await thumb.getAttribute('src')).toMatch(/preview=1&x=288&y=288&a=0&c=/);
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 64)).toBe(true);
    expect(await tile('welcome.txt').locator('img.thumbnail').count()).toBe(0);
    expect(await row('sunset.png').count()).toBe(0);
    await shot('files-grid');

    await page.reload();
    await tile('sunset.png').waitFor();
    await tile('sunset.png').getByRole('checkbox').check();
    await expect(page.locator('aside.details h2').textContent()).resolves.toContain('sunset.png');
    await tile('Reports').getByRole('button', { name: 'Reports', exact: true }).click();
    await page.waitForURL(`${base}/apps/files/?dir=%2FReports`);
    await page.goBack();
    await tile('sunset.png').waitFor();

    await page.getByRole('button', { name: 'List view' }).click();
    await row('sunset.png').waitFor();
    expect(await page.locator('.tile').count()).toBe(0);
  });

  it('renames, moves into a folder, downloads the same bytes, and deletes after asking', async () => {
    await row('small (2).txt').getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.locator('dialog').getByLabel('Name').fill('second.txt');
    await page.getByRole('button', { name: 'Rename', exact: true }).last().click();
    await row('second.txt').waitFor();
    expect((await dav('GET', 'second.txt')).status).toBe(200);

    await row('second.txt').getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Move', exact: true }).click();
    await page.locator('dialog').getByRole('button', { name: 'Reports' }).click();
    await page.getByRole('button', { name: 'Move here' }).click();
    await row('second.txt').waitFor({ state: 'detached' });
    expect((await dav('GET', 'Reports/second.txt')).body.toString()).toBe('second');

    await row('Reports').getByRole('button', { name: 'Reports', exact: true }).click();
    await page.waitForURL(`${base}/apps/files/?dir=%2FReports`);
    const [download] = await Promise.all([page.waitForEvent('download'), row('second.txt').getByRole('link', { name: 'second.txt' }).click()]);
    expect(readFileSync((await download.path())!).toString()).toBe('second');
    await shot('files-03-folder');

    await row('second.txt').getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Delete' }).click();
    await expect(page.locator('dialog').textContent()).resolves.toContain('go to the trash');
    await page.locator('dialog').getByRole('button', { name: 'Move to trash' }).click();
    await row('second.txt').waitFor({ state: 'detached' });
    expect((await dav('GET', 'Reports/second.txt')).status).toBe(404);
    await page.goBack();
    await row('Reports').waitFor();
  });

  it('says in words when there is no room left, never raw XML', async () => {
    await ocs(t.app, 'PUT', '/cloud/users/alice', { body: { key: 'quota', value: '31 MB' } });
    await page.locator('input[aria-label="Files to upload"]').setInputFiles([{ name: 'too-much.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(2 * 1024 * 1024, 1) }]);
    const failed = page.locator('.uploads li.failed .upload-state');
    await failed.waitFor();
    await expect(failed.textContent()).resolves.toBe('There is not enough free space to upload this file.');
    await shot('files-04-quota');
    expect((await dav('GET', 'too-much.bin')).status).toBe(404);
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 760 });
    await page.reload();
    await row('welcome.txt').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('files-05-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('signs out from the user menu, and the app asks to sign in again', async () => {
    await page.getByRole('button', { name: 'Alice Liddell' }).click();
    await Promise.all([page.waitForURL(`${base}/login`), page.getByRole('menuitem', { name: 'Sign out' }).click()]);
    await page.goto(`${base}/apps/files/`);
    expect(page.url()).toBe(`${base}/login?redirect_url=%2Fapps%2Ffiles%2F`);
    expect(violations).toEqual([]);
  });
});
