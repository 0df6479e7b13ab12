
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_TYPE_ICONS } from '../../src/domain/file-type-icons.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { HAVE_CHROMIUM, WITHOUT_CHROMIUM, launchChromium } from '../helpers/chromium.js';


/** Every themed icon drawn by Chromium as an <img>: each decodes as a 32×32 SVG; a screenshot of the sheet is left in the temp directory to look at. */
describe.skipIf(!HAVE_CHROMIUM)(`themed icons in Chromium${WITHOUT_CHROMIUM}`, { timeout: 60_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let origin: string;
  beforeAll(async () => {
    t = await buildTestApp('sqlite', { INSTANCE_COLOR: '#00679e' });
    origin = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders every file-type and action icon', async () => {
    const names = [...FILE_TYPE_ICONS.map((n) => `filetypes/${n}`), 'actions/user', 'actions/devices'];
    const page = await browser.newPage({ viewport: { width: 800, height: 440 } });
    const cells = names.map((n) => `<div style="width:84px;text-align:center"><img src="${origin}/index.php/apps/theming/img/core/${n}.svg" width="64" height="64"><br>${n.split('/')[1]}</div>`).join('');
    await page.setContent(`<body style="font:11px sans-serif;display:flex;flex-wrap:wrap;gap:8px;margin:12px">${cells}</body>`);
    await page.waitForFunction(() => [...document.images].every((i) => i.complete));
    const sizes = await page.evaluate(() => [...document.images].map((i) => [i.getAttribute('src'), i.naturalWidth, i.naturalHeight]));
    for (const [src, w, h] of sizes) expect([src, w, h]).toEqual([src, 32, 32]);
    await page.screenshot({ path: path.join(os.tmpdir(), 'nimbus-themed-icons.png') });
  });
});
