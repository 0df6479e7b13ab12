import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';
import { Pool } from 'undici';
import { basic, type Check, type Credentials, type Scenario, type ServerHandle } from '../lib.js';
import { chromiumUploadCeiling } from './web-upload-ceiling.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VIEWPORT = { width: 1280, height: 800 };
const MIB = 1024 * 1024;
/** Timed navigations per listing; the median is reported, with the spread. */
const RUNS = 7;
/** Rows a virtualized table may keep in the DOM at once: a screen and its overscan, far from 10,000. */
const MAX_ROWS = 200;
/** Peak JS heap of the tab while it uploads: chunks are slices of the File, never read into the heap. */
const MAX_HEAP = 100e6;
/** Growth of the renderer's RSS during the upload: far below the file, so the file is streamed, not held. */
const MAX_RENDERER_GROWTH = 200e6;
const UPLOAD_MIB = (() => {
  const raw = process.env.BENCH_WEB_UPLOAD_MIB ?? '';
  if (raw === '') return 1024;
  const mib = Number(raw);
  if (!Number.isInteger(mib) || mib < 0) throw new Error('BENCH_WEB_UPLOAD_MIB must be a whole number of MiB');
  return mib;
})();

const here = path.dirname(fileURLToPath(import.meta.url));
/** Compiled to dist/bench/scenarios/; the web app is built next to it, into dist/web. */
const WEB_BUILD = path.resolve(here, '../../web/index.html');

const names = (count: number) => Array.from({ length: count }, (_, i) => `file-${String(i).padStart(String(count - 1).length, '0')}.txt`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} ms`;
const ms = (x: number) => `${x.toFixed(0)} ms`;
const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;

/** MKCOL and PUTs over one undici pool, 8 at a time: seeding is not what is measured, so it only has to be quick. */
async function seed(pool: Pool, auth: string, root: string, folder: string, files: string[]): Promise<void> {
  const mk = await pool.request({ path: `${root}/${folder}`, method: 'MKCOL', headers: { authorization: auth } });
  await mk.body.dump();
  if (mk.statusCode !== 201) throw new Error(`MKCOL ${folder}: ${mk.statusCode}`);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < files.length) {
        const name = files[next++]!;
        const res = await pool.request({ path: `${root}/${folder}/${name}`, method: 'PUT', headers: { authorization: auth }, body: `content of ${name}` });
        await res.body.dump();
        if (res.statusCode !== 201) throw new Error(`PUT ${folder}/${name}: ${res.statusCode}`);
      }
    }),
  );
}

async function signIn(page: Page, base: string, who: Credentials): Promise<void> {
  await page.goto(`${base}/`);
  await page.fill('input[name=user]', who.user);
  await page.fill('input[name=password]', who.password);
  await Promise.all([page.waitForURL(`${base}/apps/files/`), page.click('button[type=submit]')]);
  await page.locator('.table[aria-label="Files"]').waitFor();
}

const rowsInDom = (page: Page) => page.locator('.rows .row').count();
const row = (page: Page, name: string) => page.locator(`.rows .row[data-name="${name}"]`);

/** Navigation to the folder until `name`'s row is drawn, in ms. */
async function timeListing(page: Page, base: string, folder: string, name: string): Promise<number> {
  await page.goto('about:blank');
  const start = performance.now();
  await page.goto(`${base}/apps/files/?dir=/${folder}`);
  await row(page, name).waitFor({ timeout: 60_000 });
  return performance.now() - start;
}

/**
 * The files web app in Chromium (playwright-core, Debian's /usr/bin/chromium),
 * on a server of its own, signed in through the sign-in form:
 *
 * - listing: `page.goto('/apps/files/?dir=/thousand')` (a full page load, from
 *   about:blank) until the last row of the first screen is drawn, median of
 *   7, against the same PROPFIND the app sent, sent alone with undici;
 * - virtualized: a folder of 10,000 entries, rows in the DOM after load and
 *   after scrolling to the end, and that the end shows the last entry;
 * - upload: a 1 GiB file through the app's file input (by path, so the bytes
 *   never cross the automation protocol) until the app says it finished,
 *   against `curl -T` of the same file to the same server (before and after,
 *   the faster counts), with the tab's JS heap and renderer RSS sampled, and
 *   against Chromium's own ceiling: the same chunks sent into a server that
 *   drops them (web-upload-ceiling.ts), which no server can beat.
 *
 * Goals: 1,000 entries listed ≤ 1 s; 10,000 keep < 200 rows in the DOM and
 * the end is reachable; the upload ≥ 50% of curl's throughput with a JS heap
 * peak < 100 MB and renderer RSS growing < 200 MB.
 */
export const webScenario: Scenario = {
  name: 'web',
  async run({ admin, startNimbus }) {
    if (!existsSync(CHROMIUM)) return { results: [], notes: [`web: skipped, ${CHROMIUM} is not installed (Debian's chromium package)`] };
    if (!existsSync(WEB_BUILD)) return { results: [], notes: ['web: skipped, the web app is not built (npm run build builds dist/web; npm run bench does it first)'] };
    const server = await startNimbus();
    let browser: Browser | undefined;
    const pool = new Pool(server.base, { connections: 8 });
    try {
      const auth = basic(admin);
      const root = `/remote.php/dav/files/${encodeURIComponent(admin.user)}`;
      const thousand = names(1000);
      const tenThousand = names(10_000);
      const seedStart = performance.now();
      await seed(pool, auth, root, 'thousand', thousand);
      const seed1k = performance.now() - seedStart;
      await seed(pool, auth, root, 'tenthousand', tenThousand);
      const seed10k = performance.now() - seedStart - seed1k;
      const notes = [`web: seeded 1,000 files in ${ms(seed1k)} and 10,000 in ${ms(seed10k)} (8 PUTs at a time; not measured as a goal)`];
      const checks: Check[] = [];

      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000 });
      const context = await browser.newContext({ viewport: VIEWPORT });
      const page = await context.newPage();
      await signIn(page, server.base, admin);

      checks.push(...(await listing(page, server, pool, auth, root, thousand, notes)));
      checks.push(...(await virtualized(page, server.base, tenThousand, notes)));
      if (UPLOAD_MIB > 0) checks.push(...(await upload(browser, page, server.base, admin, UPLOAD_MIB, notes)));
      else notes.push('web: the upload comparison with curl -T was skipped (BENCH_WEB_UPLOAD_MIB=0)');
      return { results: [], checks: () => checks, notes };
    } finally {
      await browser?.close();
      await pool.close();
      await server.stop();
    }
  },
};

async function listing(page: Page, server: ServerHandle, pool: Pool, auth: string, root: string, files: string[], notes: string[]): Promise<Check[]> {
  // The first load finds how many rows the first screen shows and what the app asks the server.
  let sent: { body: string; headers: Record<string, string> } | undefined;
  const watch = (r: import('playwright-core').Request) => {
    if (r.method() === 'PROPFIND' && r.url().includes('/thousand')) sent = { body: r.postData() ?? '', headers: r.headers() };
  };
  page.on('request', watch);
  await page.goto(`${server.base}/apps/files/?dir=/thousand`);
  await row(page, files[0]!).waitFor();
  page.off('request', watch);
  if (!sent) throw new Error('web: the app sent no PROPFIND for the folder');
  const onScreen = await page.locator('.rows').evaluate((el) => Math.floor(el.clientHeight / 48));
  const lastOnScreen = files[Math.min(files.length, onScreen) - 1]!;

  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await timeListing(page, server.base, 'thousand', lastOnScreen));
  const inApp: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.goto(`${server.base}/apps/files/`);
    await page.locator('.rows .row[data-name="thousand"]').waitFor();
    const start = performance.now();
    await page.locator('.rows .row[data-name="thousand"] button.link').click();
    await row(page, lastOnScreen).waitFor();
    inApp.push(performance.now() - start);
  }

  // The same request alone: what the server and the wire cost, so the ratio is what the page adds.
  const propfind: number[] = [];
  const headers = { authorization: auth, depth: '1', 'content-type': sent.headers['content-type'] ?? 'application/xml' };
  for (let i = 0; i < RUNS + 3; i++) {
    const start = performance.now();
    const res = await pool.request({ path: `${root}/thousand`, method: 'PROPFIND', headers, body: sent.body });
    await res.body.text();
    if (res.statusCode !== 207) throw new Error(`PROPFIND answered ${res.statusCode}`);
    if (i >= 3) propfind.push(performance.now() - start);
  }
  const t = median(times);
  const p = median(propfind);
  notes.push(
    `web listing of 1,000 entries (page.goto until row ${onScreen}, the first screen's last, is drawn; ${RUNS} runs): median ${ms(t)} (${spread(times)}); ` +
      `clicking the folder in the app: median ${ms(median(inApp))} (${spread(inApp)}); the app's PROPFIND alone: median ${ms(p)} (${spread(propfind)}), ` +
      `so the page takes ${(t / p).toFixed(1)}x the PROPFIND`,
  );
  return [{ name: 'web: 1,000 entries listed and drawn ≤ 1 s after navigation', met: t <= 1000, detail: `median ${ms(t)}, ${spread(times)}; PROPFIND alone ${ms(p)}, ratio ${(t / p).toFixed(1)}x` }];
}

async function virtualized(page: Page, base: string, files: string[], notes: string[]): Promise<Check[]> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) times.push(await timeListing(page, base, 'tenthousand', files[0]!));
  const afterLoad = await rowsInDom(page);
  let most = afterLoad;
  const last = files[files.length - 1]!;
  // Scroll down in steps, as a wheel would, counting the rows at each step, then jump to the very end.
  const box = page.locator('.rows');
  const height = await box.evaluate((el) => el.scrollHeight);
  for (let top = 0; top < height; top += height / 20) {
    await box.evaluate((el, y) => { el.scrollTop = y; }, top);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
    most = Math.max(most, await rowsInDom(page));
  }
  const scrollStart = performance.now();
  await box.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await row(page, last).waitFor({ timeout: 10_000 });
  const scrollMs = performance.now() - scrollStart;
  const atEnd = await rowsInDom(page);
  most = Math.max(most, atEnd);
  const lastVisible = await row(page, last).evaluate((el) => {
    const r = el.getBoundingClientRect();
    const b = el.closest('.rows')!.getBoundingClientRect();
    return r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
  });
  notes.push(
    `web virtualized 10,000 entries: first screen drawn in median ${ms(median(times))} (${spread(times)}); rows in the DOM: ${afterLoad} after load, ` +
      `${atEnd} at the end, at most ${most} while scrolling; the end reached in ${ms(scrollMs)}, last entry ${lastVisible ? 'visible' : 'NOT visible'}`,
  );
  return [
    { name: `web: 10,000 entries keep < ${MAX_ROWS} rows in the DOM while scrolling`, met: most < MAX_ROWS, detail: `${afterLoad} after load, at most ${most}, ${atEnd} at the end` },
    { name: 'web: scrolling to the end of 10,000 entries shows the last one', met: lastVisible, detail: `${last} ${lastVisible ? 'visible' : 'not visible'} after ${ms(scrollMs)}` },
  ];
}

function rssOf(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

function curlPut(file: string, url: string, who: Credentials): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const curl = spawn('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-u', `${who.user}:${who.password}`, '-T', file, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    curl.stdout.on('data', (c: Buffer) => (out += c.toString()));
    curl.on('error', reject);
    curl.on('exit', (code) => (code === 0 && (out === '201' || out === '204') ? resolve((performance.now() - start) / 1000) : reject(new Error(`curl -T: exit ${code}, HTTP ${out}`))));
  });
}

async function upload(browser: Browser, page: Page, base: string, who: Credentials, mib: number, notes: string[]): Promise<Check[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-bench-web-'));
  try {
    const size = mib * MIB;
    const file = path.join(dir, 'upload.bin');
    const block = randomBytes(MIB);
    const fh = await open(file, 'w');
    for (let i = 0; i < mib; i++) await fh.write(block);
    await fh.close();
    const url = (name: string) => `${base}/remote.php/dav/files/${encodeURIComponent(who.user)}/${name}`;
    const remove = (name: string) => fetch(url(name), { method: 'DELETE', headers: { authorization: basic(who) } }).then((r) => r.body?.cancel());

    const curlBefore = await curlPut(file, url('curl.bin'), who);
    await remove('curl.bin');

    await page.goto(`${base}/apps/files/`);
    await page.locator('.table[aria-label="Files"]').waitFor();
    const cdp: CDPSession = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const browserCdp = await browser.newBrowserCDPSession();
    const { processInfo } = (await browserCdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
    const renderers = processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
    const all = processInfo.map((p) => p.id);
    const heapNow = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
    };
    const rendererRss = () => Math.max(0, ...renderers.map(rssOf));
    const totalRss = () => all.reduce((n, pid) => n + rssOf(pid), 0);
    const heapBefore = await heapNow();
    const rendererBefore = rendererRss();
    const totalBefore = totalRss();
    let heapPeak = heapBefore;
    let rendererPeak = rendererBefore;
    let totalPeak = totalBefore;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        heapPeak = Math.max(heapPeak, await heapNow().catch(() => 0));
        rendererPeak = Math.max(rendererPeak, rendererRss());
        totalPeak = Math.max(totalPeak, totalRss());
        await new Promise((r) => setTimeout(r, 200));
      }
    })();

    // Where the time goes: the chunk requests (first sent to last answered: tus PATCHes, as the app uploads when the
    // server announces tus, or chunking v2 PUTs) and, for chunking, the final MOVE that assembles them.
    const spans = { chunks: [Infinity, 0], move: [Infinity, 0], count: 0 };
    const span = (r: import('playwright-core').Request) => {
      const at = new URL(r.url()).pathname;
      if (at.startsWith('/data/')) return r.method() === 'PATCH' ? spans.chunks : undefined;
      return !at.includes('/remote.php/dav/uploads/') ? undefined : r.method() === 'PUT' ? spans.chunks : r.method() === 'MOVE' ? spans.move : undefined;
    };
    const sent = (r: import('playwright-core').Request) => {
      const s = span(r);
      if (s) s[0] = Math.min(s[0]!, performance.now());
      if (s === spans.chunks) spans.count++;
    };
    const track = (r: import('playwright-core').Response) => {
      const s = span(r.request());
      if (s) s[1] = Math.max(s[1]!, performance.now());
    };
    page.on('request', sent);
    page.on('response', track);
    const start = performance.now();
    await page.locator('input[aria-label="Files to upload"]').setInputFiles(file);
    await page.locator('.uploads-head strong', { hasText: 'Uploads finished' }).waitFor({ timeout: 30 * 60_000 });
    const webSeconds = (performance.now() - start) / 1000;
    sampling = false;
    await sampler;
    page.off('request', sent);
    page.off('response', track);
    const took = (span: number[]) => (span[1]! > span[0]! ? `${((span[1]! - span[0]!) / 1000).toFixed(1)} s` : 'none');
    const failed = await page.locator('.uploads li.failed').count();
    if (failed) throw new Error(`web upload failed: ${await page.locator('.uploads li.failed .upload-state').textContent()}`);
    const head = await fetch(url('upload.bin'), { method: 'HEAD', headers: { authorization: basic(who) } });
    if (Number(head.headers.get('content-length')) !== size) throw new Error(`web upload stored ${head.headers.get('content-length')} of ${size} bytes`);
    await remove('upload.bin');

    const curlAfter = await curlPut(file, url('curl.bin'), who);
    await remove('curl.bin');
    const curlSeconds = Math.min(curlBefore, curlAfter);
    // As many chunks at once as the server announces (capabilities files.chunked_upload.max_parallel_count), as the app does.
    const ceilingSeconds = await chromiumUploadCeiling(browser, file, size, 5);
    const rate = (s: number) => size / 1e6 / s;
    const ratio = rate(webSeconds) / rate(curlSeconds);
    const growth = rendererPeak - rendererBefore;
    notes.push(
      `web upload of ${mib} MiB through the file input: ${webSeconds.toFixed(1)} s, ${rate(webSeconds).toFixed(0)} MB/s; curl -T of the same file ` +
        `${rate(curlBefore).toFixed(0)} MB/s before, ${rate(curlAfter).toFixed(0)} MB/s after (the faster counts): ${(ratio * 100).toFixed(0)}% of curl; ` +
        `${spans.count} chunk requests (tus PATCHes or chunking PUTs) over ${took(spans.chunks)}, the assembling MOVE ${took(spans.move)}. ` +
        `Chromium's own ceiling, the same chunks into a server that drops them: ${rate(ceilingSeconds).toFixed(0)} MB/s (the app reaches ${((ceilingSeconds / webSeconds) * 100).toFixed(0)}% of it; curl is ${(ceilingSeconds / curlSeconds).toFixed(1)}x it). ` +
        `Tab memory: JS heap ${mb(heapBefore)} before, peak ${mb(heapPeak)}; renderer RSS ${mb(rendererBefore)} before, peak ${mb(rendererPeak)}; ` +
        `all Chromium processes ${mb(totalBefore)} before, peak ${mb(totalPeak)}`,
    );
    return [
      { name: `web: ${mib} MiB upload ≥ 50% of curl -T throughput`, met: ratio >= 0.5, detail: `${rate(webSeconds).toFixed(0)} vs ${rate(curlSeconds).toFixed(0)} MB/s, ${(ratio * 100).toFixed(0)}%` },
      { name: `web: JS heap peak < ${mb(MAX_HEAP)} while uploading ${mib} MiB`, met: heapPeak < MAX_HEAP, detail: `peak ${mb(heapPeak)}` },
      { name: `web: renderer RSS grows < ${mb(MAX_RENDERER_GROWTH)} while uploading ${mib} MiB`, met: growth < MAX_RENDERER_GROWTH, detail: `${mb(rendererBefore)} → peak ${mb(rendererPeak)}` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
