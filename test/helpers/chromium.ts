import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, which the browser suites drive through playwright-core (no browser download). */
export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** Why a browser suite is skipped, for its title. */
export const WITHOUT_CHROMIUM = HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is not installed)`;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launching can take a while on a cold machine; each launch has a fresh temporary profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 45_000 });
}

/** Signs a person in through the sign-in form at the server's start, and waits until the files app opened. */
export async function signInToFiles(page: Page, base: string, who: { user: string; password: string }): Promise<void> {
  await page.goto(`${base}/`);
  await page.fill('input[name=user]', who.user);
  await page.fill('input[name=password]', who.password);
  await Promise.all([page.waitForURL(`${base}/apps/files/`), page.click('button[type=submit]')]);
}
