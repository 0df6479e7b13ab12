
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { dav, mkcol, put } from '../http/dav/dav-helpers.js';
import { newLink } from '../http/web/web-helpers.js';
import { readZip } from '../http/web/zip-reader.js';
import { HAVE_CHROMIUM, WITHOUT_CHROMIUM, launchChromium } from '../helpers/chromium.js';

/**
 * The share page in a real browser: Debian's Chromium driven by
 * playwright-core against the app listening on a real socket. Without
 * /usr/bin/chromium (CI installs it when it can) the suite is skipped.
 */
const PW = 'Browser-Pass-Word-4';

describe.skipIf(!HAVE_CHROMIUM)(`share page in Chromium${WITHOUT_CHROMIUM}`, { timeout: 60_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  const violations: string[] = [];

  beforeAll(async () => {
    t = await buildTestApp('sqlite', { INSTANCE_COLOR: '#0082c9' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    await mkcol(t.app, '/remote.php/dav/files/admin/docs');
    await put(t.app, '/remote.php/dav/files/admin/docs/a.txt', 'alpha');
    await mkcol(t.app, '/remote.php/dav/files/admin/docs/sub');
    await put(t.app, '/remote.php/dav/files/admin/docs/sub/b.txt', 'bravo!');
    await mkcol(t.app, '/remote.php/dav/files/admin/inbox');
    // Launching Chromium can take a while on a cold machine; a fresh temporary profile each run.
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    // The page must work under its own Content-Security-Policy: anything it blocks is a bug.
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    return page;
  }

  it('opens a protected folder link with its password and downloads the folder and a file', async () => {
    const { token } = await newLink(t, { path: '/docs', password: PW });
    const page = await newPage();
    await page.goto(`${base}/s/${token}`);
    await expect(page.locator('h1').textContent()).resolves.toBe('This share is password-protected');
    await page.fill('input[type=password]', 'not the password');
    await Promise.all([page.waitForURL(`${base}/s/${token}/authenticate`), page.click('button[type=submit]')]);
    await expect(page.locator('.error').textContent()).resolves.toContain('The password is wrong');
    await page.fill('input[type=password]', PW);
    await Promise.all([page.waitForURL(`${base}/s/${token}`), page.click('button[type=submit]')]);
    await expect(page.locator('h1').textContent()).resolves.toBe('docs');
    await expect(page.locator('table').textContent()).resolves.toContain('a.txt');
    // The inline style is allowed by its hash: the header really is styled, in the instance's theming colour.
    await expect(page.locator('header').evaluate((el) => getComputedStyle(el).backgroundColor)).resolves.toBe('rgb(0, 130, 201)');

    const [zip] = await Promise.all([page.waitForEvent('download'), page.click('text=Download folder (zip)')]);
    expect(zip.suggestedFilename()).toBe('docs.zip');
    const entries = readZip(await buffer(await zip.createReadStream()));
    expect(entries.map((e) => [e.name, e.data.toString()])).toEqual([
      ['docs/', ''],
      ['docs/sub/', ''],
      ['docs/sub/b.txt', 'bravo!'],
      ['docs/a.txt', 'alpha'],
    ]);

    await Promise.all([page.waitForURL(`${base}/s/${token}?path=%2Fsub`), page.click('text=sub/')]);
    const [file] = await Promise.all([page.waitForEvent('download'), page.click('text=b.txt')]);
    expect(file.suggestedFilename()).toBe('b.txt');
    expect((await buffer(await file.createReadStream())).toString()).toBe('bravo!');
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('uploads a file through the upload box of an upload-only link', async () => {
    const { token } = await newLink(t, { path: '/inbox', permissions: 4 });
    const page = await newPage();
    await page.goto(`${base}/s/${token}`);
    await expect(page.locator('table').count()).resolves.toBe(0);
    await page.setInputFiles('input[type=file]', { name: 'from-browser.txt', mimeType: 'text/plain', buffer: Buffer.from('sent by Chromium\n') });
    await Promise.all([page.waitForURL(`${base}/s/${token}?uploaded=1`), page.click('button[type=submit]')]);
    await expect(page.locator('.ok').textContent()).resolves.toBe('1 file was uploaded.');
    const stored = await dav(t.app, 'GET', '/remote.php/dav/files/admin/inbox/from-browser.txt');
    expect(stored.statusCode).toBe(200);
    expect(stored.body).toBe('sent by Chromium\n');
    expect(violations).toEqual([]);
    await page.context().close();
  });
});
