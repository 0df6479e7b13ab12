
import { buffer } from 'node:stream/consumers';
import { type Browser, type Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, buildTestApp, newUser, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/loopback.js';
import { readZip } from '../http/web/zip-reader.js';
import { HAVE_CHROMIUM, WITHOUT_CHROMIUM, launchChromium, signInToFiles } from '../helpers/chromium.js';

/**
 * Favourites and folder downloads in the files app, in a real browser: a
 * person stars a folder and a file, finds them on the Favourites screen,
 * opens the folder from there, unstars; and downloads a folder as a ZIP
 * whose entries are the folder's. Each step is checked over WebDAV too.
 * Skipped without /usr/bin/chromium.
 */
const FAVORITES = '<?xml version="1.0"?><oc:filter-files xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><d:getetag/></d:prop><oc:filter-rules><oc:favorite>1</oc:favorite></oc:filter-rules></oc:filter-files>';

describe.skipIf(!HAVE_CHROMIUM)(`favourites and folder downloads in Chromium${WITHOUT_CHROMIUM}`, { timeout: 120_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let alice: { user: string; password: string };
  let page: Page;

  const dav = async (method: string, p: string, body?: string, headers: Record<string, string> = {}) => {
    const res = await request(`${base}/remote.php/dav/files/alice/${p}`, { method: method as 'GET', headers: { authorization: basic(alice.user, alice.password), ...headers }, body });
    return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
  };
  const favoriteHrefs = async () => [...(await dav('REPORT', '', FAVORITES)).body.toString().matchAll(/<d:href>([^<]+)<\/d:href>/g)].map((m) => m[1]);
  const row = (name: string) => page.locator(`.row[data-name="${name}"]`);

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await buildTestApp('sqlite', { PUBLIC_URL: base });
    await t.app.listen({ port, host: '127.0.0.1' });
    alice = await newUser(t.app, 'alice');
    await dav('MKCOL', 'Reports');
    await dav('PUT', 'Reports/q1.txt', 'first quarter');
    await dav('MKCOL', 'Reports/Drafts');
    await dav('PUT', 'Reports/Drafts/q2.txt', 'second');
    await dav('PUT', 'notes.txt', 'notes');
    browser = await launchChromium();
    page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    await signInToFiles(page, base, alice);
    await row('Reports').waitFor();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('stars a folder and a file, and the Favourites screen lists them', async () => {
    await row('Reports').getByRole('button', { name: 'Add to favourites: Reports' }).click();
    await row('Reports').getByRole('button', { name: 'Remove from favourites: Reports' }).waitFor();
    await row('notes.txt').getByRole('button', { name: 'Add to favourites: notes.txt' }).click();
    await row('notes.txt').getByRole('button', { name: 'Remove from favourites: notes.txt' }).waitFor();
    expect(await favoriteHrefs()).toEqual(['/remote.php/dav/files/alice/Reports/', '/remote.php/dav/files/alice/notes.txt']);

    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Favourites' }).click();
    const list = page.getByRole('list', { name: 'Favourites' });
    await list.waitFor();
    await expect(list.locator('li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-name')))).resolves.toEqual(['Reports', 'notes.txt']);
  });

  it('opens a favourite folder in All files, and unstars from the Favourites screen', async () => {
    await page.getByRole('list', { name: 'Favourites' }).getByRole('button', { name: 'Reports', exact: true }).click();
    await row('q1.txt').waitFor();
    expect(new URL(page.url()).searchParams.get('dir')).toBe('/Reports');

    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Favourites' }).click();
    await page.getByRole('button', { name: 'Remove from favourites: notes.txt' }).click();
    await page.locator('ul.favorites li[data-name="notes.txt"]').waitFor({ state: 'detached' });
    expect(await favoriteHrefs()).toEqual(['/remote.php/dav/files/alice/Reports/']);
    // The details aside has the star too.
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'All files' }).click();
    await row('Reports').getByRole('checkbox').check();
    await page.getByRole('complementary', { name: 'Details' }).getByRole('button', { name: 'Remove from favourites: Reports' }).click();
    await row('Reports').getByRole('button', { name: 'Add to favourites: Reports' }).waitFor();
    expect(await favoriteHrefs()).toEqual([]);
  });

  it("opens a file's private link in its folder, the file selected with its details", async () => {
    const ms = (await dav('PROPFIND', 'Reports/Drafts/q2.txt', '<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:privatelink/></d:prop></d:propfind>', { depth: '0' })).body.toString();
    const link = /<oc:privatelink>([^<]+)<\/oc:privatelink>/.exec(ms)![1]!;
    expect(link).toMatch(new RegExp(`^${base}/f/\\d+$`));
    await page.goto(link);
    await page.waitForURL((u) => u.pathname === '/apps/files/' && u.searchParams.get('dir') === '/Reports/Drafts' && u.searchParams.get('openfile') === 'q2.txt');
    await expect(page.getByRole('complementary', { name: 'Details' }).locator('h2').textContent()).resolves.toContain('q2.txt');
    await expect(row('q2.txt').getByRole('checkbox').isChecked()).resolves.toBe(true);
    await page.goto(`${base}/apps/files/?dir=%2F`);
    await row('Reports').getByRole('checkbox').check();
  });

  it('downloads a selected folder as a ZIP of its entries', async () => {
    const [zip] = await Promise.all([page.waitForEvent('download'), page.getByRole('toolbar', { name: 'Actions' }).getByRole('link', { name: 'Download' }).click()]);
    expect(zip.suggestedFilename()).toBe('Reports.zip');
    const entries = readZip(await buffer(await zip.createReadStream()));
    expect(entries.map((e) => [e.name, e.data.toString()])).toEqual([
      ['Reports/', ''],
      ['Reports/Drafts/', ''],
      ['Reports/Drafts/q2.txt', 'second'],
      ['Reports/q1.txt', 'first quarter'],
    ]);
  });
});
