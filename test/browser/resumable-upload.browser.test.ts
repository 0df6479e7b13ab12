import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page, type Response, type Route } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, buildTestApp, newUser, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/loopback.js';
import { HAVE_CHROMIUM, WITHOUT_CHROMIUM, launchChromium, signInToFiles } from '../helpers/chromium.js';

/**
 * The files app uploads over tus when the server announces it, and an upload
 * survives a dropped connection and a reload of the page: it continues from
 * the offset the server reports instead of sending the file again. The
 * server's sockets count the bytes it received, so "resumed, not restarted"
 * is measured, not assumed. Skipped without /usr/bin/chromium.
 */
const SHOTS = process.env.NIMBUS_SCREENSHOTS;
const MB = 1024 * 1024;

describe.skipIf(!HAVE_CHROMIUM)(`resumable uploads in the files app in Chromium${WITHOUT_CHROMIUM}`, { timeout: 180_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let base: string;
  let alice: { user: string; password: string };
  let page: Page;
  let dir: string;
  const sockets = new Set<Socket>();
  /** Bytes the server has read from every connection so far (headers included). */
  const received = () => [...sockets].reduce((n, s) => n + s.bytesRead, 0);

  const get = async (p: string) => {
    const res = await request(`${base}/remote.php/dav/files/alice/${p}`, { headers: { authorization: basic(alice.user, alice.password) } });
    return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
  };
  const shot = async (name: string) => {
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  };
  const bigFile = (name: string, size: number, seed: number): { file: string; bytes: Buffer } => {
    const bytes = Buffer.alloc(size);
    // Not one repeated byte: a resume at the wrong offset would show.
    for (let i = 0; i < size; i += 4) bytes.writeUInt32LE((i * 2654435761 + seed) >>> 0, i);
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return { file, bytes };
  };
  const isData = (r: { url(): string }) => new URL(r.url()).pathname.startsWith('/data/');
  const patchAnswered = () => page.waitForResponse((r) => isData(r) && r.request().method() === 'PATCH' && r.status() === 204, { timeout: 60_000 });
  const input = () => page.locator('input[aria-label="Files to upload"]');
  const finished = () => page.locator('.uploads-head strong', { hasText: 'Uploads finished' }).waitFor({ timeout: 90_000 });

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await buildTestApp('sqlite', { PUBLIC_URL: base });
    t.app.server.on('connection', (s: Socket) => sockets.add(s));
    await t.app.listen({ port, host: '127.0.0.1' });
    alice = await newUser(t.app, 'alice');
    dir = mkdtempSync(path.join(tmpdir(), 'nimbus-tus-'));
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
    await signInToFiles(page, base, alice);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('announces tus, and the app creates the upload by POST on the folder and sends PATCHes', async () => {
    const caps = await request(`${base}/ocs/v2.php/cloud/capabilities?format=json`, { headers: { authorization: basic(alice.user, alice.password), 'ocs-apirequest': 'true' } });
    const tus = ((await caps.body.json()) as { ocs: { data: { capabilities: { files: { tus_support: { max_chunk_size: number } } } } } }).ocs.data.capabilities.files.tus_support;
    expect(tus.max_chunk_size).toBeGreaterThan(0);
    const methods: string[] = [];
    const log = (r: { method(): string; url(): string }) => methods.push(`${r.method()} ${new URL(r.url()).pathname.replace(/\/data\/\w+/, '/data/{id}')}`);
    page.on('request', log);
    const { file, bytes } = bigFile('plain.bin', 12 * MB, 1);
    await input().setInputFiles(file);
    await finished();
    page.off('request', log);
    expect(methods).toContain('POST /remote.php/dav/files/alice/');
    expect(methods).toContain('PATCH /data/{id}');
    expect(methods.some((m) => m.startsWith('PUT ') || m.startsWith('MKCOL '))).toBe(false);
    expect((await get('plain.bin')).body.equals(bytes)).toBe(true);
    // The finished upload's URL is forgotten: nothing is left to resume.
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tus::')))).toEqual([]);
  });

  it('waits while offline, says so, and resumes from the server offset once the network is back', async () => {
    const size = 60 * MB;
    const { file, bytes } = bigFile('offline.bin', size, 2);
    const resumedAt: number[] = [];
    const heads = (r: Response) => {
      if (isData(r) && r.request().method() === 'HEAD') resumedAt.push(Number(r.headers()['upload-offset']));
    };
    page.on('response', heads);
    const before = received();
    const firstChunk = patchAnswered();
    await input().setInputFiles(file);
    await firstChunk;
    await context.setOffline(true);
    const note = page.locator('.uploads .upload-note');
    await expect.poll(() => note.textContent(), { timeout: 30_000 }).toMatch(/offline|Connection lost/i);
    await page.locator('.uploads .upload-note', { hasText: 'You are offline. The upload continues when the connection is back.' }).waitFor({ timeout: 30_000 });
    await shot('upload-offline');
    await context.setOffline(false);
    await finished();
    await shot('upload-resumed');
    page.off('response', heads);

    expect((await page.locator('.uploads li .upload-state').last().textContent())).toBe('Done');
    const got = await get('offline.bin');
    expect(got.body.length).toBe(size);
    expect(got.body.equals(bytes)).toBe(true);
    // It resumed (a HEAD learnt an offset past the first chunk) rather than starting again.
    expect(resumedAt.length).toBeGreaterThan(0);
    expect(Math.max(...resumedAt)).toBeGreaterThanOrEqual(10_000_000);
    const sent = received() - before;
    expect(sent).toBeGreaterThanOrEqual(size);
    expect(sent).toBeLessThan(2 * size);
  });

  it('keeps trying while the server cannot be reached (as during a restart), then resumes', async () => {
    const size = 40 * MB;
    const { file, bytes } = bigFile('unreachable.bin', size, 6);
    const before = received();
    const firstChunk = patchAnswered();
    await input().setInputFiles(file);
    await firstChunk;
    // Every request to the upload now fails as a refused connection does, while the browser stays online.
    const down = (route: Route) => route.abort('connectionrefused');
    await page.route('**/data/*', down);
    await page.locator('.uploads .upload-note', { hasText: /Cannot reach the server\. Trying again in \d+ s…/ }).waitFor({ timeout: 60_000 });
    await shot('upload-unreachable');
    const resumedAt: number[] = [];
    const heads = (r: Response) => {
      if (isData(r) && r.request().method() === 'HEAD') resumedAt.push(Number(r.headers()['upload-offset']));
    };
    page.on('response', heads);
    await page.unroute('**/data/*', down);
    await finished();
    page.off('response', heads);
    expect(resumedAt[0]).toBeGreaterThanOrEqual(10_000_000);
    expect((await get('unreachable.bin')).body.equals(bytes)).toBe(true);
    expect(received() - before).toBeLessThan(2 * size);
  });

  it('resumes after the page is reloaded mid-upload when the same file is chosen again', async () => {
    const size = 60 * MB;
    const { file, bytes } = bigFile('reload.bin', size, 3);
    const before = received();
    const firstChunk = patchAnswered();
    await input().setInputFiles(file);
    await firstChunk;
    await page.reload();
    // The upload's URL waits in localStorage under the file's fingerprint.
    expect((await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tus::')))).length).toBe(1);
    await page.locator('.row[data-name="offline.bin"]').waitFor();

    const methods: string[] = [];
    const resumedAt: number[] = [];
    const log = (r: { method(): string; url(): string }) => methods.push(r.method());
    const heads = (r: Response) => {
      if (isData(r) && r.request().method() === 'HEAD') resumedAt.push(Number(r.headers()['upload-offset']));
    };
    page.on('request', log);
    page.on('response', heads);
    await input().setInputFiles(file);
    await finished();
    page.off('request', log);
    page.off('response', heads);

    expect(methods).not.toContain('POST');
    expect(resumedAt[0]).toBeGreaterThanOrEqual(10_000_000);
    const got = await get('reload.bin');
    expect(got.body.equals(bytes)).toBe(true);
    const sent = received() - before;
    expect(sent).toBeLessThan(2 * size);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tus::')))).toEqual([]);
  });

  it('a cancelled upload ends on the server and leaves no file', async () => {
    const { file } = bigFile('cancelled.bin', 60 * MB, 4);
    const created = page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 201, { timeout: 30_000 });
    const firstChunk = patchAnswered();
    // The PATCH cut by the cancel may still hold the upload on the server (423): tus-js-client asks again until it is gone.
    const terminated = page.waitForResponse((r) => isData(r) && r.request().method() === 'DELETE' && r.status() === 204, { timeout: 30_000 });
    await input().setInputFiles(file);
    const location = (await created).headers()['location']!;
    await firstChunk;
    await page.getByRole('button', { name: 'Cancel cancelled.bin' }).click();
    await terminated;
    await expect(page.locator('.uploads li.cancelled .upload-state').textContent()).resolves.toBe('Cancelled');
    expect((await get('cancelled.bin')).status).toBe(404);
    const gone = await request(location, { method: 'HEAD', headers: { authorization: basic(alice.user, alice.password), 'tus-resumable': '1.0.0' } });
    expect(gone.statusCode).toBe(404);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tus::')))).toEqual([]);
  });

  it('uploads with PUT and Nextcloud chunking when the server does not announce tus', async () => {
    // The same app, told capabilities without tus_support: the path for servers that do not speak it.
    const other = await browser.newContext();
    const without = await other.newPage();
    try {
      await without.route('**/ocs/v2.php/cloud/capabilities*', async (route) => {
        const res = await route.fetch();
        const json = (await res.json()) as { ocs: { data: { capabilities: { files: Record<string, unknown> } } } };
        delete json.ocs.data.capabilities.files.tus_support;
        await route.fulfill({ response: res, json });
      });
      await signInToFiles(without, base, alice);
      const methods: string[] = [];
      without.on('request', (r) => methods.push(r.method()));
      const { file, bytes } = bigFile('chunked.bin', 12 * MB, 5);
      await without.locator('input[aria-label="Files to upload"]').setInputFiles(file);
      await without.locator('.uploads-head strong', { hasText: 'Uploads finished' }).waitFor({ timeout: 90_000 });
      expect(methods).toContain('MKCOL');
      expect(methods).toContain('MOVE');
      expect(methods).not.toContain('PATCH');
      expect((await get('chunked.bin')).body.equals(bytes)).toBe(true);
    } finally {
      await other.close();
    }
  });
});
