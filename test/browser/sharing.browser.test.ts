import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, buildTestApp, newUser, ocs, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/loopback.js';
import { HAVE_CHROMIUM, WITHOUT_CHROMIUM, launchChromium, signInToFiles } from '../helpers/chromium.js';

/**
 * Sharing in the files web app, in a real browser (Debian's Chromium through
 * playwright-core, the app on a real socket): alice shares a folder with bob
 * found by the sharee search, changes his rights, makes a password-protected
 * public link that hides the download, copies it and removes it; bob, whose
 * shares wait for his answer, accepts it from "Shared with me". Every step
 * is checked over OCS or WebDAV too. Skipped without /usr/bin/chromium.
 */
const SHOTS = process.env.NIMBUS_SCREENSHOTS;
const LINK_PASSWORD = 'Link-Pass-Word-77';
const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);

describe.skipIf(!HAVE_CHROMIUM)(`sharing in the files app in Chromium${WITHOUT_CHROMIUM}`, { timeout: 120_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let alice: { user: string; password: string };
  let bob: { user: string; password: string };
  let page: Page;
  const violations: string[] = [];

  const watch = (p: Page) =>
    p.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
  const shot = async (p: Page, name: string) => {
    if (SHOTS) await p.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  };
  const row = (p: Page, name: string) => p.locator(`.row[data-name="${name}"]`);
  /** alice's shares of /Project, as the OCS API reports them. */
  const aliceShares = async () => (await ocs(t.app, 'GET', '/apps/files_sharing/api/v1/shares?path=/Project', { as: alice })).ocs.data as Array<Record<string, any>>;

  async function signIn(who: { user: string; password: string }): Promise<Page> {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const p = await context.newPage();
    watch(p);
    await signInToFiles(p, base, who);
    return p;
  }

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await buildTestApp('sqlite', { PUBLIC_URL: base, SHARE_AUTO_ACCEPT: 'false' });
    await t.app.listen({ port, host: '127.0.0.1' });
    alice = await newUser(t.app, 'alice', { displayName: 'Alice Liddell' });
    bob = await newUser(t.app, 'bob', { displayName: 'Bob Builder' });
    const auth = { authorization: basic(alice.user, alice.password) };
    await request(`${base}/remote.php/dav/files/alice/Project`, { method: 'MKCOL', headers: auth });
    await request(`${base}/remote.php/dav/files/alice/Project/plan.txt`, { method: 'PUT', headers: auth, body: 'the plan' });
    browser = await launchChromium();
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    page = await signIn(alice);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('finds bob by the sharee search and shares a folder with him, with edit rights', async () => {
    await row(page, 'Project').getByRole('checkbox').check();
    await page.getByRole('toolbar').getByRole('button', { name: 'Share' }).click();
    const search = page.getByRole('combobox', { name: 'Share with people or groups' });
    await expect(search.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.getByLabel('New shares').selectOption('edit');
    await search.pressSequentially('bo');
    const option = page.getByRole('option', { name: /Bob Builder/ });
    await option.waitFor();
    await shot(page, 'sharing-01-search');
    await search.press('Enter');
    const bobRow = page.locator('.share-row[data-share="bob"]');
    await bobRow.waitFor();
    const [share] = (await aliceShares()).filter((s) => s.share_type === 0);
    expect(share).toMatchObject({ share_with: 'bob', permissions: 15 });
    await expect(bobRow.getByLabel('Permissions for Bob Builder').inputValue()).resolves.toBe('edit');
  });

  it('changes bob to view only', async () => {
    await page.getByLabel('Permissions for Bob Builder').selectOption('view');
    await expect.poll(async () => (await aliceShares()).find((s) => s.share_type === 0)?.permissions).toBe(1);
    await shot(page, 'sharing-02-view-only');
  });

  it('creates a public link, protects it with a password and hides the download', async () => {
    await page.getByRole('button', { name: 'Create public link' }).click();
    const link = page.locator('.link-row');
    await link.waitFor();
    await link.getByRole('button', { name: 'Link settings' }).click();
    await link.getByLabel('Password (optional)').fill(LINK_PASSWORD);
    await link.getByLabel('Hide download').check();
    await link.getByLabel('Label').fill('For the client');
    await link.getByLabel(/Expires on/).fill(inAWeek);
    await link.getByRole('button', { name: 'Save' }).click();
    await link.getByText('For the client').waitFor();
    await expect.poll(async () => (await aliceShares()).find((s) => s.share_type === 3)).toMatchObject({ hide_download: 1, password: '***redacted***', label: 'For the client', permissions: 1, expiration: `${inAWeek} 00:00:00` });
    // The details follow: the folder now says it is shared.
    await expect.poll(() => page.locator('.details dd').nth(3).textContent()).toBe('Yes');
    await shot(page, 'sharing-03-link');
  });

  it('the link asks a fresh browser for its password', async () => {
    const url = (await aliceShares()).find((s) => s.share_type === 3)!.url as string;
    const context = await browser.newContext();
    const stranger = await context.newPage();
    watch(stranger);
    await stranger.goto(url);
    await expect(stranger.locator('h1').textContent()).resolves.toBe('This share is password-protected');
    await context.close();
  });

  it('copies the link to the clipboard and says so', async () => {
    const url = (await aliceShares()).find((s) => s.share_type === 3)!.url as string;
    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.locator('.link-row [role=status]', { hasText: 'Copied' }).waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(url);
  });

  it('turns the link into a file drop', async () => {
    const link = page.locator('.link-row');
    await link.getByRole('button', { name: 'Link settings' }).click();
    await link.getByLabel('Anyone with the link').selectOption('drop');
    await shot(page, 'sharing-04-link-settings');
    await link.getByRole('button', { name: 'Save' }).click();
    await link.getByText('File drop (upload only)').waitFor();
    await expect.poll(async () => (await aliceShares()).find((s) => s.share_type === 3)?.permissions).toBe(4);
  });

  it('removes the link after asking', async () => {
    await page.getByRole('button', { name: /Remove link/ }).click();
    await shot(page, 'sharing-04-remove-link');
    await page.locator('dialog').getByRole('button', { name: 'Remove link' }).click();
    await page.locator('.link-row').waitFor({ state: 'detached' });
    expect((await aliceShares()).filter((s) => s.share_type === 3)).toEqual([]);
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 760 });
    await page.locator('.sharing').scrollIntoViewIfNeeded();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'sharing-05-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('bob accepts the pending share from Shared with me, and then has the folder; he declines another', async () => {
    await request(`${base}/remote.php/dav/files/alice/Archive`, { method: 'MKCOL', headers: { authorization: basic(alice.user, alice.password) } });
    await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: alice, body: { path: '/Archive', shareType: 0, shareWith: 'bob', permissions: 1 } });
    const bobPage = await signIn(bob);
    await bobPage.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Shared with me' }).click();
    const accept = bobPage.getByRole('button', { name: 'Accept Project' });
    await accept.waitFor();
    await bobPage.getByRole('button', { name: 'Decline Project' }).waitFor();
    await shot(bobPage, 'sharing-06-pending');
    await accept.click();
    const opened = bobPage.getByRole('link', { name: '/Project' });
    await opened.waitFor();
    await shot(bobPage, 'sharing-07-accepted');
    const received = (await ocs(t.app, 'GET', '/apps/files_sharing/api/v1/shares?shared_with_me=true', { as: bob })).ocs.data as Array<Record<string, any>>;
    expect(received.map((s) => [s.path, s.state])).toEqual([['/Project', 0]]);
    const got = await request(`${base}/remote.php/dav/files/bob/Project/plan.txt`, { headers: { authorization: basic(bob.user, bob.password) } });
    expect(got.statusCode).toBe(200);
    expect(await got.body.text()).toBe('the plan');

    await bobPage.getByRole('button', { name: 'Decline Archive' }).click();
    // Declined, it stays on the screen under "Declined", to accept after all, as in Nextcloud.
    await bobPage.getByRole('region', { name: 'Declined' }).getByRole('button', { name: 'Accept Archive' }).waitFor();
    await expect(bobPage.getByRole('button', { name: 'Decline Archive' }).count()).resolves.toBe(0);
    await shot(bobPage, 'sharing-07b-declined');
    const declined = (await ocs(t.app, 'GET', '/apps/files_sharing/api/v1/shares/pending', { as: bob })).ocs.data as Array<Record<string, any>>;
    expect(declined.map((s) => [s.path, s.state])).toEqual([['/Archive', 2]]);
    expect((await request(`${base}/remote.php/dav/files/bob/Archive`, { method: 'PROPFIND', headers: { authorization: basic(bob.user, bob.password), depth: '0' } })).statusCode).toBe(404);

    await opened.click();
    await row(bobPage, 'plan.txt').waitFor();
    await bobPage.context().close();
  });

  it('Shared by me lists alice\'s share with bob', async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Shared by me' }).click();
    const item = page.locator('.share-row', { hasText: '/Project' });
    await item.waitFor();
    await expect(item.textContent()).resolves.toContain('View only');
    await shot(page, 'sharing-08-shared-by-me');
    await item.getByRole('link', { name: '/Project' }).click();
    await row(page, 'Project').waitFor();
  });

  it('stops sharing with bob after asking', async () => {
    await row(page, 'Project').getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Remove share with Bob Builder' }).click();
    await page.locator('dialog').getByRole('button', { name: 'Remove share' }).click();
    await page.locator('.share-row[data-share="bob"]').waitFor({ state: 'detached' });
    expect(await aliceShares()).toEqual([]);
    expect((await request(`${base}/remote.php/dav/files/bob/Project`, { method: 'PROPFIND', headers: { authorization: basic(bob.user, bob.password), depth: '0' } })).statusCode).toBe(404);
    expect(violations).toEqual([]);
  });
});

describe.skipIf(!HAVE_CHROMIUM)(`sharing when link passwords are enforced${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium)'}`, { timeout: 90_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await buildTestApp('sqlite', { PUBLIC_URL: base, SHARE_LINK_ENFORCE_PASSWORD: 'true' });
    await t.app.listen({ port, host: '127.0.0.1' });
    await newUser(t.app, 'carol');
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('says in words that a link needs a password, then makes one with the password given', async () => {
    const carol = { user: 'carol', password: 'Pw-carol-Secret-123' };
    await request(`${base}/remote.php/dav/files/carol/notes.txt`, { method: 'PUT', headers: { authorization: basic(carol.user, carol.password) }, body: 'notes' });
    const page = await (await browser.newContext()).newPage();
    await signInToFiles(page, base, carol);
    await page.locator('.row[data-name="notes.txt"]').getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Create public link' }).click();
    await expect(page.locator('.sharing [role=alert]').textContent()).resolves.toBe('Passwords are enforced for link and mail shares');
    await page.getByLabel('Password for the new link').fill(LINK_PASSWORD);
    await page.getByRole('button', { name: 'Create link with this password' }).click();
    await page.locator('.link-row').waitFor();
    await expect(page.locator('.sharing [role=alert]').count()).resolves.toBe(0);
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'sharing-09-enforced.png') });
    const links = (await ocs(t.app, 'GET', '/apps/files_sharing/api/v1/shares?path=/notes.txt', { as: carol })).ocs.data as Array<Record<string, any>>;
    expect(links.map((l) => [l.share_type, l.password])).toEqual([[3, '***redacted***']]);
  });
});
