import { type Browser, type Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, buildTestApp, newUser, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/loopback.js';
import { HAVE_CHROMIUM, WITHOUT_CHROMIUM, launchChromium, signInToFiles } from '../helpers/chromium.js';

/**
 * The Deleted files screen in a real browser: a person deletes from All
 * files (told it goes to the trash), finds the items there, restores one,
 * deletes one for good and empties the rest. Each step is checked over
 * WebDAV. Skipped without /usr/bin/chromium.
 */
describe.skipIf(!HAVE_CHROMIUM)(`the trash in Chromium${WITHOUT_CHROMIUM}`, { timeout: 120_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let alice: { user: string; password: string };
  let page: Page;

  const dav = async (method: string, url: string, body?: string, headers: Record<string, string> = {}) => {
    const res = await request(`${base}${url}`, { method: method as 'GET', headers: { authorization: basic(alice.user, alice.password), ...headers }, body });
    return { status: res.statusCode, body: await res.body.text() };
  };
  const files = (p: string) => `/remote.php/dav/files/alice/${p}`;
  const trashNames = async () => [...(await dav('PROPFIND', '/remote.php/dav/trashbin/alice/trash', undefined, { depth: '1' })).body.matchAll(/<nc:trashbin-filename>([^<]+)</g)].map((m) => m[1]).sort();
  const row = (name: string) => page.locator(`.row[data-name="${name}"]`);
  const trashRow = (name: string) => page.locator(`ul.trash li[data-name="${name}"]`);
  const views = () => page.getByRole('navigation', { name: 'Views' });

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await buildTestApp('sqlite', { PUBLIC_URL: base });
    await t.app.listen({ port, host: '127.0.0.1' });
    alice = await newUser(t.app, 'alice');
    await dav('MKCOL', files('Reports'));
    await dav('PUT', files('Reports/q1.txt'), 'first quarter');
    await dav('PUT', files('notes.txt'), 'notes');
    await dav('PUT', files('draft.txt'), 'draft');
    await dav('PUT', files('scratch.txt'), 'scratch');
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    await signInToFiles(page, base, alice);
    await row('Reports').waitFor();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('deletes into the trash and lists what was deleted, from where', async () => {
    for (const name of ['Reports', 'notes.txt', 'draft.txt', 'scratch.txt']) {
      await row(name).getByRole('checkbox').check();
      await page.getByRole('button', { name: 'Delete' }).click();
      await expect(page.locator('dialog').textContent()).resolves.toContain('go to the trash');
      await page.locator('dialog').getByRole('button', { name: 'Move to trash' }).click();
      await row(name).waitFor({ state: 'detached' });
    }
    expect(await trashNames()).toEqual(['Reports', 'draft.txt', 'notes.txt', 'scratch.txt']);

    await views().getByRole('link', { name: 'Deleted files' }).click();
    const list = page.getByRole('list', { name: 'Deleted files' });
    await list.waitFor();
    const names = await list.locator('li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-name')).sort());
    expect(names).toEqual(['Reports', 'draft.txt', 'notes.txt', 'scratch.txt']);
  });

  it('restores an item to where it was', async () => {
    await trashRow('Reports').getByRole('button', { name: 'Restore Reports' }).click();
    await trashRow('Reports').waitFor({ state: 'detached' });
    expect((await dav('GET', files('Reports/q1.txt'))).body).toBe('first quarter');
    await views().getByRole('link', { name: 'All files' }).click();
    await row('Reports').waitFor();
    await views().getByRole('link', { name: 'Deleted files' }).click();
    await trashRow('notes.txt').waitFor();
  });

  it('deletes one item for good, then empties the trash', async () => {
    await trashRow('notes.txt').getByRole('button', { name: 'Delete notes.txt for good' }).click();
    await page.locator('dialog').getByRole('button', { name: 'Delete for good' }).click();
    await trashRow('notes.txt').waitFor({ state: 'detached' });
    expect(await trashNames()).toEqual(['draft.txt', 'scratch.txt']);

    await page.getByRole('button', { name: 'Empty trash' }).click();
    await page.locator('dialog').getByRole('button', { name: 'Empty trash' }).click();
    await page.getByText('The trash is empty.').waitFor();
    expect(await trashNames()).toEqual([]);
    expect((await dav('GET', files('draft.txt'))).status).toBe(404);
  });
});
