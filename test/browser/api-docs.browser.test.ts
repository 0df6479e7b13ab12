import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { HAVE_CHROMIUM, WITHOUT_CHROMIUM, launchChromium } from '../helpers/chromium.js';

/** The API reference at /api/docs as a person opens it: Swagger UI served by Nimbus itself, under its own CSP, listing the operations of each file. */
describe.skipIf(!HAVE_CHROMIUM)(`API reference in Chromium${WITHOUT_CHROMIUM}`, { timeout: 90_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let origin: string;
  beforeAll(async () => {
    t = await buildTestApp('sqlite');
    origin = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** The operations Swagger UI shows for the selected file: "METHOD path". */
  const operations = (page: Page) =>
    page.$$eval('.opblock-summary', (els) => els.map((e) => `${e.querySelector('.opblock-summary-method')?.textContent?.trim()} ${e.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? e.querySelector('.opblock-summary-path')?.textContent?.trim()}`));

  it('loads without outside requests or CSP violations and lists the OCS, Graph and WebDAV operations', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const outside: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) outside.push(r.url());
    });
    const show = async (title: string, expected: string[]) => {
      await page.goto(`${origin}/api/docs?urls.primaryName=${encodeURIComponent(title)}`);
      await page.waitForSelector('.opblock-summary', { timeout: 30_000 });
      await expect.poll(async () => (await page.textContent('.info .title')) ?? '', { timeout: 10_000 }).toContain(title);
      const ops = await operations(page);
      for (const op of expected) expect(ops, title).toContain(op);
      return ops;
    };
    const ocsOps = await show('Nimbus OCS API', ['GET /ocs/{version}/cloud/users', 'POST /ocs/{version}/apps/files_sharing/api/v1/shares']);
    expect(ocsOps.length).toBeGreaterThan(30);
    await show('Nimbus LibreGraph drives (spaces) and space members', ['GET /{graphVersion}/me/drives', 'POST /{graphVersion}/drives']);
    // Swagger UI lists the methods OpenAPI knows; WebDAV's own (PROPFIND…) are in the file, not on the page.
    await show('Nimbus WebDAV entry points', ['PUT /remote.php/dav/*', 'DELETE /remote.php/dav/*', 'GET /remote.php/webdav']);
    await show('Nimbus operations (health, readiness, metrics, API reference)', ['GET /healthz', 'GET /readyz', 'GET /metrics']);
    expect(outside).toEqual([]);
    expect(problems.filter((p) => /Content Security Policy|Refused/.test(p))).toEqual([]);
  });
});
