import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, newGroup, newUser, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/loopback.js';
import { HAVE_CHROMIUM, WITHOUT_CHROMIUM, launchChromium, signInToFiles } from '../helpers/chromium.js';

/**
 * Spaces in the files web app, in Chromium: an admin creates a project
 * space, uploads into it, renames it, describes it, sets its quota, invites
 * bob as an editor; bob sees it and opens it, and is offered no "New space";
 * the admin disables, restores, and deletes a space forever. Every step is
 * checked over Graph or WebDAV as well as on screen. Skipped without
 * /usr/bin/chromium.
 */
const SHOTS = process.env.NIMBUS_SCREENSHOTS;
const GB = 1024 ** 3;

describe.skipIf(!HAVE_CHROMIUM)(`spaces in the files app in Chromium${WITHOUT_CHROMIUM}`, { timeout: 120_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let bob: { user: string; password: string };
  let page: Page;
  let spaceId = '';
  const violations: string[] = [];

  const as = (who: { user: string; password: string }) => ({ authorization: basic(who.user, who.password) });
  const graph = async (method: string, route: string, who = ADMIN) => {
    const res = await request(`${base}/graph/${route}`, { method: method as 'GET', headers: as(who) });
    return { status: res.statusCode, json: (await res.body.json().catch(() => null)) as any };
  };
  const projectSpaces = async (who = ADMIN): Promise<any[]> => (await graph('GET', `v1.0/me/drives?$filter=${encodeURIComponent("driveType eq 'project'")}`, who)).json.value;
  const shot = async (p: Page, name: string) => {
    if (SHOTS) await p.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  };
  const watch = (p: Page) =>
    p.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
  const signIn = async (context: BrowserContext, who: { user: string; password: string }): Promise<Page> => {
    const p = await context.newPage();
    watch(p);
    await signInToFiles(p, base, who);
    return p;
  };
  const card = (p: Page, name: string) => p.locator(`.space-card[data-space="${name}"]`);
  const toSpaces = async (p: Page) => {
    await p.locator('nav.side').getByRole('link', { name: 'Spaces' }).click();
    await p.getByRole('heading', { name: 'Spaces' }).waitFor();
  };

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await buildTestApp('sqlite', { PUBLIC_URL: base, INSTANCE_NAME: 'Nimbus Test Cloud' });
    await t.app.listen({ port, host: '127.0.0.1' });
    bob = await newUser(t.app, 'bob', { displayName: 'Bob Builder' });
    await newGroup(t.app, 'team');
    browser = await launchChromium();
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    page = await signIn(await browser.newContext(), ADMIN);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('creates a space from the Spaces screen and lands in its files', async () => {
    await toSpaces(page);
    await page.getByText('You are not a member of any project space yet.').waitFor();
    await page.getByRole('button', { name: 'New space' }).click();
    const dialog = page.locator('dialog');
    await dialog.getByLabel('Name').fill('Project X');
    await dialog.getByLabel('Description').fill('The launch');
    await shot(page, 'spaces-01-new');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/view=space&space=/);
    const spaces = await projectSpaces();
    expect(spaces.map((d) => d.name)).toEqual(['Project X']);
    expect(spaces[0].description).toBe('The launch');
    spaceId = spaces[0].id;
    expect(new URL(page.url()).searchParams.get('space')).toBe(spaceId);
    await expect(page.locator('nav.crumbs button').first().textContent()).resolves.toBe('Project X');
  });

  it('uploads a file into the space', async () => {
    await page.locator('input[aria-label="Files to upload"]').setInputFiles([{ name: 'plan.txt', mimeType: 'text/plain', buffer: Buffer.from('the plan') }]);
    await page.locator('.row[data-name="plan.txt"]').waitFor();
    const res = await request(`${base}/dav/spaces/${encodeURIComponent(spaceId)}/plan.txt`, { headers: as(ADMIN) });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('the plan');
    await shot(page, 'spaces-02-files');
  });

  it('renames the space, changes its description and sets a quota', async () => {
    await toSpaces(page);
    await card(page, 'Project X').getByRole('button', { name: 'Settings of Project X' }).click();
    const dialog = page.locator('dialog');
    await dialog.getByLabel('Name').fill('Project X 2026');
    await dialog.getByLabel('Description').fill('Launch in spring');
    await dialog.getByLabel('Unlimited').uncheck();
    await dialog.getByLabel('Quota amount').fill('2');
    await dialog.getByLabel('Quota unit').selectOption({ label: 'GB' });
    await shot(page, 'spaces-03-settings');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await card(page, 'Project X 2026').waitFor();
    const [d] = await projectSpaces();
    expect(d).toMatchObject({ name: 'Project X 2026', description: 'Launch in spring', quota: { total: 2 * GB } });
    await expect(card(page, 'Project X 2026').textContent()).resolves.toContain('8 B of 2.0 GB used');
    await expect(card(page, 'Project X 2026').locator('.role-badge').textContent()).resolves.toBe('Can manage');
  });

  it('invites bob as an editor, searching as one types', async () => {
    await card(page, 'Project X 2026').getByRole('button', { name: 'Settings of Project X 2026' }).click();
    const dialog = page.locator('dialog');
    // The tabs work from the keyboard: the first one has the focus, the arrow key moves to Members.
    await dialog.getByRole('tab', { name: 'Details' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(dialog.getByRole('tab', { name: 'Members' }).getAttribute('aria-selected')).resolves.toBe('true');
    await dialog.locator('[data-member="u:admin"]').waitFor();
    const roles = await dialog.getByLabel('Role for the new member').locator('option').allTextContents();
    expect(roles).toEqual(['Can view', 'Can edit', 'Can manage']);
    await dialog.getByRole('combobox', { name: 'Add a person or group' }).pressSequentially('Bob');
    await dialog.getByRole('option', { name: /Bob Builder/ }).click();
    await dialog.getByLabel('Role for the new member').selectOption({ label: 'Can edit' });
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.locator('[data-member="u:bob"]').waitFor();
    await shot(page, 'spaces-04-members');
    const perms = await graph('GET', `v1beta1/drives/${encodeURIComponent(spaceId)}/root/permissions`);
    const editor = perms.json['@libre.graph.permissions.roles.allowedValues'].find((r: any) => r.displayName === 'Can edit').id;
    expect(perms.json.value.find((p: any) => p.id === 'u:bob')).toMatchObject({ roles: [editor], grantedToV2: { user: { id: 'bob', displayName: 'Bob Builder' } } });
    await expect(dialog.getByLabel('Role of Bob Builder').inputValue()).resolves.toBe(editor);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('adds a group, changes its role, and removes it after asking', async () => {
    const member = async (id: string) => (await graph('GET', `v1beta1/drives/${encodeURIComponent(spaceId)}/root/permissions`)).json.value.find((p: any) => p.id === id);
    const roleId = async (name: string) => (await graph('GET', 'v1beta1/roleManagement/permissions/roleDefinitions')).json.find((r: any) => r.displayName === name && r.rolePermissions.some((p: any) => p.condition.includes('Root'))).id;
    await card(page, 'Project X 2026').getByRole('button', { name: 'Settings of Project X 2026' }).click();
    const dialog = page.locator('dialog').first();
    await dialog.getByRole('tab', { name: 'Members' }).click();
    const search = dialog.getByRole('combobox', { name: 'Add a person or group' });
    await search.pressSequentially('tea');
    await dialog.getByRole('option', { name: /team/ }).waitFor();
    await search.press('Enter');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.locator('[data-member="g:team"]').waitFor();
    expect((await member('g:team')).roles).toEqual([await roleId('Can view')]);
    await dialog.getByLabel('Role of team').selectOption({ label: 'Can edit' });
    const editor = await roleId('Can edit');
    await expect.poll(async () => (await member('g:team')).roles).toEqual([editor]);
    await dialog.getByRole('button', { name: 'Remove team' }).click();
    await page.locator('dialog', { hasText: 'Remove team?' }).getByRole('button', { name: 'Remove', exact: true }).click();
    await dialog.locator('[data-member="g:team"]').waitFor({ state: 'detached' });
    expect(await member('g:team')).toBeUndefined();
    expect(await member('u:bob')).toBeDefined();
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('bob, a normal user, sees the space with his role, opens it, and is offered no "New space"', async () => {
    const context = await browser.newContext();
    const bobPage = await signIn(context, bob);
    await toSpaces(bobPage);
    await card(bobPage, 'Project X 2026').waitFor();
    await expect(card(bobPage, 'Project X 2026').locator('.role-badge').textContent()).resolves.toBe('Can edit');
    expect(await bobPage.getByRole('button', { name: 'New space' }).count()).toBe(0);
    expect(await card(bobPage, 'Project X 2026').getByRole('button', { name: /Settings/ }).count()).toBe(0);
    await shot(bobPage, 'spaces-05-bob');
    await card(bobPage, 'Project X 2026').getByRole('link', { name: 'Project X 2026' }).click();
    await bobPage.locator('.row[data-name="plan.txt"]').waitFor();
    await expect(bobPage.locator('nav.crumbs button').first().textContent()).resolves.toBe('Project X 2026');
    // Inside the space the side bar shows the space's storage, not bob's own; back in his files, his own again.
    await expect(bobPage.getByLabel('Storage of Project X 2026').textContent()).resolves.toBe('8 B of 2.0 GB used');
    await bobPage.getByRole('link', { name: 'All files' }).click();
    await bobPage.getByLabel('Your storage').waitFor();
    expect((await projectSpaces(bob)).map((d) => d.name)).toEqual(['Project X 2026']);
    await context.close();
  });

  it('a manager who is no Admin edits the space but is not offered its quota', async () => {
    const mona = await newUser(t.app, 'mona', { displayName: 'Mona Manager' });
    const manager = (await graph('GET', 'v1beta1/roleManagement/permissions/roleDefinitions')).json.find((r: any) => r.displayName === 'Can manage').id;
    const invited = await request(`${base}/graph/v1beta1/drives/${encodeURIComponent(spaceId)}/root/invite`, {
      method: 'POST',
      headers: { ...as(ADMIN), 'content-type': 'application/json' },
      body: JSON.stringify({ recipients: [{ objectId: 'mona', '@libre.graph.recipient.type': 'user' }], roles: [manager] }),
    });
    expect(invited.statusCode).toBe(200);
    await invited.body.dump();
    const context = await browser.newContext();
    const monaPage = await signIn(context, mona);
    await toSpaces(monaPage);
    expect(await monaPage.getByRole('button', { name: 'New space' }).count()).toBe(0);
    await card(monaPage, 'Project X 2026').getByRole('button', { name: 'Settings of Project X 2026' }).click();
    const dialog = monaPage.locator('dialog');
    await dialog.getByText('Only Admins and Space Admins can change the quota.').waitFor();
    expect(await dialog.getByLabel('Unlimited').count()).toBe(0);
    await dialog.getByLabel('Description').fill('Launch in April');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await card(monaPage, 'Project X 2026').getByText('Launch in April').waitFor();
    expect((await projectSpaces(mona))[0]).toMatchObject({ description: 'Launch in April', quota: { total: 2 * GB } });
    await context.close();
  });

  it('disables the space after asking, then restores it', async () => {
    await page.reload();
    await card(page, 'Project X 2026').getByRole('button', { name: 'Settings of Project X 2026' }).click();
    await page.locator('dialog').getByRole('button', { name: 'Disable' }).click();
    await page.locator('dialog', { hasText: 'Disable "Project X 2026"?' }).getByRole('button', { name: 'Disable' }).click();
    const restore = page.getByRole('button', { name: 'Restore Project X 2026' });
    await restore.waitFor();
    await shot(page, 'spaces-06-disabled');
    expect((await projectSpaces())[0].root.deleted).toEqual({ state: 'trashed' });
    expect(await projectSpaces(bob)).toEqual([]);
    await restore.click();
    await card(page, 'Project X 2026').getByRole('link', { name: 'Project X 2026' }).waitFor();
    expect((await projectSpaces())[0].root.deleted).toBeUndefined();
    expect((await projectSpaces(bob)).map((d) => d.name)).toEqual(['Project X 2026']);
  });

  it('deletes a disabled space forever only once its name is typed', async () => {
    const created = await request(`${base}/graph/v1.0/drives`, { method: 'POST', headers: { ...as(ADMIN), 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Scratch' }) });
    const scratch = ((await created.body.json()) as any).id as string;
    expect((await graph('DELETE', `v1.0/drives/${encodeURIComponent(scratch)}`)).status).toBe(204);
    await page.reload();
    await page.getByRole('button', { name: 'Delete Scratch forever' }).click();
    const dialog = page.locator('dialog');
    const confirm = dialog.getByRole('button', { name: 'Delete forever' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel("Type the space's name to confirm").fill('Scratch');
    await confirm.click();
    await page.getByRole('button', { name: 'Delete Scratch forever' }).waitFor({ state: 'detached' });
    expect((await graph('GET', `v1.0/drives/${encodeURIComponent(scratch)}`)).status).toBe(404);
    expect((await projectSpaces()).map((d) => d.name)).toEqual(['Project X 2026']);
    await page.goto(`${base}/apps/files/?view=space&space=${encodeURIComponent(scratch)}`);
    await expect(page.getByRole('alert').textContent()).resolves.toBe('This space does not exist, or you are no longer one of its members.');
    await page.getByRole('link', { name: 'Back to Spaces' }).click();
    await card(page, 'Project X 2026').waitFor();
  });

  it('fits a phone screen, and nothing broke the content security policy', async () => {
    await page.setViewportSize({ width: 390, height: 760 });
    await page.reload();
    await card(page, 'Project X 2026').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'spaces-07-phone');
    await card(page, 'Project X 2026').getByRole('button', { name: 'Settings of Project X 2026' }).click();
    await page.locator('dialog').getByRole('tab', { name: 'Members' }).click();
    await page.locator('dialog [data-member="u:bob"]').waitFor();
    await shot(page, 'spaces-08-phone-members');
    await page.locator('dialog').getByRole('button', { name: 'Close' }).click();
    await card(page, 'Project X 2026').getByRole('link', { name: 'Project X 2026' }).click();
    await page.locator('.row[data-name="plan.txt"]').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await shot(page, 'spaces-09-phone-files');
    expect(violations).toEqual([]);
  });
});
