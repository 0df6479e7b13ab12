import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';

const MIB = 1024 * 1024;

/** The page: the web app's way of sending a file (slices of the File, XHR PUTs, a few at once), to a server that reads and drops the bytes. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>sink</title><input type="file" aria-label="File"><script>
window.send = async (chunkSize, parallel) => {
  const file = document.querySelector('input').files[0];
  const count = Math.ceil(file.size / chunkSize);
  let next = 0;
  const put = (blob) => new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', '/sink');
    xhr.upload.onprogress = () => {};
    xhr.onload = () => resolve();
    xhr.onerror = () => reject(new Error('PUT failed'));
    xhr.send(blob);
  });
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, async () => {
    while (next < count) { const i = next++; await put(file.slice(i * chunkSize, Math.min(file.size, (i + 1) * chunkSize))); }
  }));
  return (performance.now() - started) / 1000;
};
</script>`;

/** The web app's chunk size for a file of this size (web/src/api/uploads.ts: 1/50 of the file in whole MiB, 10–100 MiB). */
export const appChunkSize = (size: number): number => Math.min(100 * MIB, Math.max(10 * MIB, Math.ceil(size / 50 / MIB) * MIB));

/**
 * Chromium's own ceiling for this upload on this machine: the same file,
 * chunks and parallelism as the web app, into a local server that only
 * reads the bytes. No server can receive faster than the browser sends,
 * so this says how much of the gap to curl is the browser's.
 */
export async function chromiumUploadCeiling(browser: Browser, file: string, size: number, parallel: number): Promise<number> {
  const sink = createServer((req, res) => {
    if (req.method === 'PUT') {
      req.resume();
      req.on('end', () => res.end());
      return;
    }
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(PAGE);
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${(sink.address() as AddressInfo).port}/`);
    await page.locator('input').setInputFiles(file);
    return await page.evaluate(([chunk, n]) => (window as unknown as { send(c: number, p: number): Promise<number> }).send(chunk!, n!), [appChunkSize(size), parallel]);
  } finally {
    await context.close();
    await new Promise<void>((resolve) => sink.close(() => resolve()));
  }
}
