import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, buildTestApp, newGroup, newUser, ocs, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/loopback.js';
import { HAVE_CHROMIUM, WITHOUT_CHROMIUM, launchChromium, signInToFiles } from '../helpers/chromium.js';

/**
 * The web app's account and admin screens in Chromium: the admin manages
 * users (create with quota and group, edit, disable and enable, subadmin,
 * delete) and groups (create, delete); a normal user sees none of it, reads,
 * acts on and dismisses notifications, and changes their password. Every
 * step is checked over OCS too. Skipped without /usr/bin/chromium.
 */
const SHOTS = process.env.NIMBUS_SCREENSHOTS;
const SHARES = '/apps/files_sharing/api/v1/shares';
const NOTIFICATIONS = '/apps/notifications/api/v2/notifications';

describe.skipIf(!HAVE_CHROMIUM)(`the admin and account screens in Chromium${WITHOUT_CHROMIUM}`, { timeout: 120_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let alice: { user: string; password: string };
  let bob: { user: string; password: string };
  let context: BrowserContext;
  let page: Page;
  const violations: string[] = [];

  const shot = async (name: string) => {
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  };
  const fresh = async () => {
    await context?.close();
    context = await browser.newContext();
    page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
  };
  const signIn = async (user: string, password: string) => {
    await signInToFiles(page, base, { user, password });
  };
  const userRow = (id: string) => page.locator(`tr[data-user="${id}"]`);
  const carol = async () => (await ocs(t.app, 'GET', '/cloud/users/carol')).ocs.data;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await buildTestApp('sqlite', { PUBLIC_URL: base, SHARE_AUTO_ACCEPT: 'false' });
    await t.app.listen({ port, host: '127.0.0.1' });
    await newGroup(t.app, 'team');
    alice = await newUser(t.app, 'alice', { displayName: 'Alice Liddell' });
    bob = await newUser(t.app, 'bob');
    await newUser(t.app, 'dave');
    await request(`${base}/remote.php/dav/files/bob/Plans`, { method: 'MKCOL', headers: { authorization: `Basic ${Buffer.from(`bob:${bob.password}`).toString('base64')}` } });
    browser = await launchChromium();
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    await fresh();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('the admin creates carol with a quota and a group', async () => {
    await signIn(ADMIN.user, ADMIN.password);
    await page.locator('nav.side').getByRole('link', { name: 'Users' }).click();
    await userRow('alice').waitFor();
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.locator('dialog');
    await dialog.getByLabel('User name').fill('carol');
    await dialog.getByLabel('Display name').fill('Carol');
    await dialog.getByLabel('Email').fill('carol@example.org');
    await dialog.getByLabel('Password').fill('Carol-Secret-Pass-1');
    await dialog.getByLabel('Quota').fill('1 GB');
    await dialog.locator('fieldset', { hasText: 'Groups' }).getByLabel('team').check();
    await shot('admin-01-new-user');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await userRow('carol').waitFor();
    const data = await carol();
    expect(data.quota.quota).toBe(1024 ** 3);
    expect(data.groups).toEqual(['team']);
    expect(data.email).toBe('carol@example.org');
    await expect(userRow('carol').textContent()).resolves.toContain('0 B of 1.0 GB used');
    await shot('admin-02-users');
  });

  it('edits her display name and email, disables and enables her, makes her subadmin of team', async () => {
    await userRow('carol').getByRole('button', { name: 'Edit' }).click();
    const dialog = page.locator('dialog');
    await dialog.getByLabel('Display name').fill('Carol Danvers');
    await dialog.getByLabel('Email').fill('danvers@example.org');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await userRow('carol').getByText('Carol Danvers').waitFor();
    expect(await carol()).toMatchObject({ displayname: 'Carol Danvers', email: 'danvers@example.org' });

    await userRow('carol').getByRole('button', { name: 'Disable' }).click();
    await userRow('carol').getByRole('button', { name: 'Enable' }).waitFor();
    expect((await carol()).enabled).toBe(false);
    await userRow('carol').getByRole('button', { name: 'Enable' }).click();
    await userRow('carol').getByRole('button', { name: 'Disable' }).waitFor();
    expect((await carol()).enabled).toBe(true);

    await userRow('carol').getByRole('button', { name: 'Edit' }).click();
    await dialog.locator('fieldset', { hasText: 'Subadmin of' }).getByLabel('team').check();
    await shot('admin-03-edit-user');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await userRow('carol').getByText('Subadmin of team').waitFor();
    expect((await ocs(t.app, 'GET', '/cloud/users/carol/subadmins')).ocs.data).toEqual(['team']);
  });

  it('creates a group, sees its members, deletes it after typing its name', async () => {
    await page.locator('nav.side').getByRole('link', { name: 'Groups' }).click();
    await page.locator('li[data-group="team"]').getByRole('button', { name: 'team' }).click();
    await page.locator('li[data-group="team"] .members').getByText('carol').waitFor();
    await page.getByRole('button', { name: 'New group' }).click();
    await page.locator('dialog').getByLabel('Group id').fill('temp');
    await page.locator('dialog').getByRole('button', { name: 'Create group' }).click();
    await page.locator('li[data-group="temp"]').waitFor();
    expect((await ocs(t.app, 'GET', '/cloud/groups')).ocs.data.groups).toContain('temp');
    await shot('admin-04-groups');
    await page.locator('li[data-group="temp"]').getByRole('button', { name: 'Delete group' }).click();
    const confirm = page.locator('dialog').getByRole('button', { name: 'Delete group' });
    expect(await confirm.isDisabled()).toBe(true);
    await page.locator('dialog').getByLabel('Type "temp" to confirm').fill('temp');
    await confirm.click();
    await page.locator('li[data-group="temp"]').waitFor({ state: 'detached' });
    expect((await ocs(t.app, 'GET', '/cloud/groups')).ocs.data.groups).not.toContain('temp');
  });

  it('deletes a user after typing their name', async () => {
    await page.locator('nav.side').getByRole('link', { name: 'Users' }).click();
    await userRow('dave').getByRole('button', { name: 'Delete user' }).click();
    await page.locator('dialog').getByLabel('Type "dave" to confirm').fill('dave');
    await page.locator('dialog').getByRole('button', { name: 'Delete user' }).click();
    await userRow('dave').waitFor({ state: 'detached' });
    expect((await ocs(t.app, 'GET', '/cloud/users')).ocs.data.users).not.toContain('dave');
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 760 });
    await page.reload();
    await userRow('carol').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('admin-05-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('a subadmin sees only the users of her groups and creates one in them, without admin-only controls', async () => {
    await fresh();
    await signIn('carol', 'Carol-Secret-Pass-1');
    await page.locator('nav.side').getByRole('link', { name: 'Users' }).click();
    await userRow('carol').waitFor();
    expect(await userRow('alice').count()).toBe(0);
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.locator('dialog');
    expect(await dialog.locator('fieldset', { hasText: 'Subadmin of' }).count()).toBe(0);
    await dialog.getByLabel('User name').fill('erin');
    await dialog.getByLabel('Password').fill('Erin-Secret-Pass-1');
    expect(await dialog.getByRole('button', { name: 'Create user' }).isDisabled()).toBe(true);
    await dialog.locator('fieldset', { hasText: 'Groups' }).getByLabel('team').check();
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await userRow('erin').waitFor();
    expect((await ocs(t.app, 'GET', '/cloud/users/erin')).ocs.data.groups).toEqual(['team']);
    await page.locator('nav.side').getByRole('link', { name: 'Groups' }).click();
    await page.locator('li[data-group="team"]').waitFor();
    expect(await page.getByRole('button', { name: 'New group' }).count()).toBe(0);
    await shot('admin-06-subadmin-groups');
  });

  it('a normal user does not see the admin screens', async () => {
    await fresh();
    await signIn(alice.user, alice.password);
    await page.locator('nav.side').getByRole('link', { name: 'All files' }).waitFor();
    expect(await page.locator('nav.side').getByRole('link', { name: 'Users' }).count()).toBe(0);
    expect(await page.locator('nav.side').getByRole('link', { name: 'Groups' }).count()).toBe(0);
  });

  it('shows an admin message with the unread count, and dismisses it', async () => {
    const sent = await ocs(t.app, 'POST', '/apps/notifications/api/v2/admin_notifications/alice', { body: { shortMessage: 'Maintenance tonight', longMessage: 'The server restarts at 22:00.' } });
    expect(sent.statusCode).toBe(200);
    await page.reload();
    const bell = page.getByRole('button', { name: 'Notifications, 1 unread' });
    await bell.click();
    const panel = page.locator('section.panel');
    await panel.getByText('Maintenance tonight').waitFor();
    await panel.getByText('The server restarts at 22:00.').waitFor();
    await shot('admin-07-notification');
    await panel.getByRole('button', { name: 'Dismiss', exact: true }).click();
    await panel.getByText('No notifications.').waitFor();
    expect((await ocs(t.app, 'GET', NOTIFICATIONS, { as: alice })).ocs.data).toEqual([]);
  });

  it('accepts a pending share from its notification', async () => {
    const res = await ocs(t.app, 'POST', SHARES, { as: bob, body: { path: '/Plans', shareType: 0, shareWith: 'alice' } });
    expect(res.statusCode, res.body).toBe(200);
    expect((await ocs(t.app, 'GET', `${SHARES}/pending`, { as: alice })).ocs.data).toHaveLength(1);
    await page.reload();
    await page.getByRole('button', { name: 'Notifications, 1 unread' }).click();
    const panel = page.locator('section.panel');
    await panel.getByRole('button', { name: 'Decline' }).waitFor();
    await shot('admin-08-share-notification');
    await panel.getByRole('button', { name: 'Accept' }).click();
    await panel.getByText('No notifications.').waitFor();
    expect((await ocs(t.app, 'GET', `${SHARES}/pending`, { as: alice })).ocs.data).toEqual([]);
    const received = (await ocs(t.app, 'GET', `${SHARES}?shared_with_me=true`, { as: alice })).ocs.data;
    expect(received.map((s: { path: string }) => s.path)).toEqual(['/Plans']);
  });

  it('changes her password through the account menu and signs in with the new one', async () => {
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Alice Liddell' }).click();
    await page.getByRole('menuitem', { name: 'Change password' }).click();
    const dialog = page.locator('dialog');
    await dialog.getByLabel('New password', { exact: true }).fill('short');
    await dialog.getByLabel('Repeat the new password').fill('short');
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.locator('.field-error[role=alert]').waitFor();
    await shot('admin-09-password-refused');
    await dialog.getByLabel('New password', { exact: true }).fill('Alice-New-Pass-2026');
    await dialog.getByLabel('Repeat the new password').fill('Alice-New-Pass-2026');
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await Promise.all([page.waitForURL(/\/login\?redirect_url=/), page.getByRole('button', { name: 'Sign in' }).click()]);
    await fresh();
    await signIn('alice', 'Alice-New-Pass-2026');
    await expect(page.locator('.user-menu > button').textContent()).resolves.toBe('Alice Liddell');
    expect(violations).toEqual([]);
  });
});
