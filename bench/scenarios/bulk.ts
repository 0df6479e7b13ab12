import { createHash, randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import { basic, type Check, type Scenario } from '../lib.js';

const FILES = 1000;
/** As the desktop client batches them: up to 100 files a request (bulkUploadMaxCount in its configuration). */
const PER_REQUEST = 100;
const BOUNDARY = 'bench_boundary_0123456789abcdef';

function bulkBody(files: Array<{ path: string; body: Buffer }>): Buffer {
  const chunks: Buffer[] = [];
  for (const f of files) {
    const md5 = createHash('md5').update(f.body).digest('hex');
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nX-File-Path: ${f.path}\r\nX-File-MD5: ${md5}\r\nX-File-Mtime: 1700000000\r\nContent-Length: ${f.body.length}\r\n\r\n`), f.body, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

/**
 * Bulk upload: 1,000 files of 1 KB into a fresh folder, once by single PUTs
 * (4 at a time, as the desktop client's parallel jobs) and once by bulk
 * requests of 100 files (4 at a time), each timed whole.
 *
 * Goal: bulk ≥ 3x faster.
 */
export const bulkScenario: Scenario = {
  name: 'bulk',
  async run({ nimbus, admin }) {
    const auth = basic(admin);
    const root = `/remote.php/dav/files/${encodeURIComponent(admin.user)}`;
    const pool = new Pool(nimbus.base, { connections: 4 });
    try {
      const bodies = Array.from({ length: FILES }, () => randomBytes(1024));
      const request = async (method: string, path: string, body?: Buffer, headers: Record<string, string> = {}) => {
        const res = await pool.request({ path, method: method as 'PUT', headers: { authorization: auth, ...headers }, body });
        const text = await res.body.text();
        if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`);
        return text;
      };
      const inParallel = async (count: number, fn: (i: number) => Promise<void>) => {
        let next = 0;
        await Promise.all(Array.from({ length: 4 }, async () => {
          while (next < count) await fn(next++);
        }));
      };
      await request('MKCOL', `${root}/singles`);
      await request('MKCOL', `${root}/bulk`);
      let started = performance.now();
      await inParallel(FILES, (i) => request('PUT', `${root}/singles/f-${i}.bin`, bodies[i]).then(() => undefined));
      const singleMs = performance.now() - started;
      started = performance.now();
      await inParallel(FILES / PER_REQUEST, async (batch) => {
        const files = bodies.slice(batch * PER_REQUEST, (batch + 1) * PER_REQUEST).map((body, j) => ({ path: `/bulk/f-${batch * PER_REQUEST + j}.bin`, body }));
        const answer = JSON.parse(await request('POST', '/remote.php/dav/bulk', bulkBody(files), { 'content-type': `multipart/related; boundary=${BOUNDARY}` })) as Record<string, { error: boolean }>;
        if (Object.values(answer).some((r) => r.error)) throw new Error('bulk: a file failed');
      });
      const bulkMs = performance.now() - started;
      const checks: Check[] = [
        { name: `bulk upload of ${FILES} × 1 KB ≥ 3x faster than single PUTs`, met: singleMs >= 3 * bulkMs, detail: `${bulkMs.toFixed(0)} ms vs ${singleMs.toFixed(0)} ms (${(singleMs / bulkMs).toFixed(1)}x)` },
      ];
      return {
        results: [],
        checks: () => checks,
        notes: [`bulk: ${FILES} files of 1 KB by single PUTs in ${singleMs.toFixed(0)} ms (${((FILES / singleMs) * 1000).toFixed(0)} files/s), by bulk in ${bulkMs.toFixed(0)} ms (${((FILES / bulkMs) * 1000).toFixed(0)} files/s)`],
      };
    } finally {
      await pool.close();
    }
  },
};
