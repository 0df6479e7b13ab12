import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import sharp from 'sharp';

/**
 * Takes the README's screenshots of the web app: a fresh server on its own
 * temporary data, a few users, files, a share and a space made over the
 * public APIs, then Chromium (Debian's, through playwright-core) signs in
 * and photographs the screens into docs/screenshots/. Run: npm run screenshots.
 */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');
const OUT = path.join(ROOT, 'docs/screenshots');
const ADMIN = { user: 'admin', password: 'Screens-Admin-Pass-1' };
const ALICE = { user: 'alice', password: 'Screens-Alice-Pass-1' };

/** A picture for the photos folder, so its thumbnails show something: a sky-to-ground gradient, JPEG or PNG by name. */
async function picture(name: string): Promise<Buffer> {
  const width = 1200;
  const height = 800;
  const raw = Buffer.alloc(width * height * 3);
  const warm = name.includes('hills');
  for (let y = 0; y < height; y++) {
    const t = y / height;
    const ground = t > 0.62;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const wave = Math.sin(x / 90) * 12;
      raw[i] = ground ? (warm ? 120 + wave : 30) : warm ? 250 - t * 90 : 90 + t * 80;
      raw[i + 1] = ground ? (warm ? 150 + wave : 80 + wave) : warm ? 180 - t * 60 : 150 + t * 60;
      raw[i + 2] = ground ? (warm ? 60 : 140 + wave) : warm ? 120 + t * 40 : 230 - t * 30;
    }
  }
  const image = sharp(raw, { raw: { width, height, channels: 3 } });
  return name.endsWith('.png') ? image.png().toBuffer() : image.jpeg({ quality: 85 }).toBuffer();
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

const auth = (who: { user: string; password: string }) => `Basic ${Buffer.from(`${who.user}:${who.password}`).toString('base64')}`;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-screens-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: base, DATA_DIR: dataDir, DATABASE_URL: '', ADMIN_USER: ADMIN.user, ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  try {
    for (let i = 0; ; i++) {
      const up = await fetch(`${base}/status.php`).then((r) => r.ok).catch(() => false);
      if (up) break;
      if (i > 100) throw new Error('the server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const api = async (method: string, url: string, who: typeof ADMIN, body?: string | Uint8Array, headers: Record<string, string> = {}) => {
      const res = await fetch(`${base}${url}`, { method, headers: { authorization: auth(who), 'OCS-APIRequest': 'true', ...headers }, body: (body ?? null) as BodyInit | null });
      if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
      return res;
    };
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    await api('POST', '/ocs/v2.php/cloud/users', ADMIN, new URLSearchParams({ userid: 'alice', password: ALICE.password, displayName: 'Alice Liddell', email: 'alice@example.org' }).toString(), form);
    await api('POST', '/ocs/v2.php/cloud/users', ADMIN, new URLSearchParams({ userid: 'bob', password: 'Screens-Bob-Pass-1', displayName: 'Bob Builder' }).toString(), form);
    const dav = (p: string) => `/remote.php/dav/files/alice/${p}`;
    for (const folder of ['Documents', 'Photos', 'Projects', 'Projects/Launch']) await api('MKCOL', dav(folder), ALICE);
    const files: Array<[string, number]> = [['Documents/Budget 2027.xlsx', 48_213], ['Documents/Minutes.odt', 18_004], ['Projects/Launch/plan.pdf', 912_000], ['Photos/harbour.jpg', 2_400_000], ['Photos/hills.png', 1_300_000], ['Readme.md', 2_100], ['notes.txt', 640]];
    for (const [name, size] of files) await api('PUT', dav(name), ALICE, /\.(jpg|png)$/.test(name) ? await picture(name) : Buffer.alloc(size, 32));
    await api('POST', '/ocs/v2.php/apps/files_sharing/api/v1/shares', ALICE, new URLSearchParams({ path: '/Projects', shareType: '0', shareWith: 'bob', permissions: '15' }).toString(), form);
    await api('POST', '/ocs/v2.php/apps/files_sharing/api/v1/shares', ALICE, new URLSearchParams({ path: '/Projects', shareType: '3', label: 'For the client' }).toString(), form);
    const space = await (await api('POST', '/graph/v1.0/drives', ADMIN, JSON.stringify({ name: 'Marketing', description: 'Campaigns and assets', quota: { total: 10 * 1024 ** 3 } }), { 'content-type': 'application/json' })).json() as { id: string };
    await api('POST', `/graph/v1beta1/drives/${encodeURIComponent(space.id)}/root/invite`, ADMIN, JSON.stringify({ recipients: [{ objectId: 'alice' }], roles: ['58c63c02-1d89-4572-916a-870abc5a1b7d'] }), { 'content-type': 'application/json' });

    mkdirSync(OUT, { recursive: true });
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const page: Page = await (await browser.newContext({ viewport: { width: 1280, height: 760 } })).newPage();
      await page.goto(`${base}/login`);
      await page.screenshot({ path: path.join(OUT, 'sign-in.png') });
      await page.fill('input[name=user]', ALICE.user);
      await page.fill('input[name=password]', ALICE.password);
      await Promise.all([page.waitForURL(`${base}/apps/files/`), page.click('button[type=submit]')]);
      await page.locator('.row[data-name="Readme.md"]').waitFor();
      await page.screenshot({ path: path.join(OUT, 'files.png') });
      await page.locator('.row[data-name="Projects"]').getByRole('checkbox').check();
      await page.getByRole('button', { name: 'Share', exact: true }).click();
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(OUT, 'sharing.png') });
      await page.goto(`${base}/apps/files/?view=spaces`);
      await page.getByText('Marketing').first().waitFor();
      await page.screenshot({ path: path.join(OUT, 'spaces.png') });
      await page.goto(`${base}/apps/files/?dir=%2FPhotos`);
      await page.getByRole('button', { name: 'Grid view' }).click();
      await page.locator('.tile[data-name="hills.png"] img.thumbnail').waitFor();
      await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('img.thumbnail')).every((img) => img.complete && img.naturalWidth > 0));
      await page.screenshot({ path: path.join(OUT, 'grid.png') });
      await page.getByRole('button', { name: 'List view' }).click();
      await page.setViewportSize({ width: 390, height: 760 });
      await page.goto(`${base}/apps/files/?dir=%2FPhotos`);
      await page.locator('.row[data-name="hills.png"] img.thumbnail').waitFor();
      // Thumbnails load lazily: the picture is taken once every one is drawn.
      await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('img.thumbnail')).every((img) => img.complete && img.naturalWidth > 0));
      await page.screenshot({ path: path.join(OUT, 'phone.png') });
    } finally {
      await browser.close();
    }
    console.log(`screenshots written to ${path.relative(process.cwd(), OUT) || '.'}`);
  } finally {
    server.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
