import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { basic, type Check, load, type Scenario } from '../lib.js';

/** A 12-megapixel photo (4000 × 3000) with noise, so JPEG cannot make it trivially small: a phone camera's picture. */
async function photo(): Promise<Buffer> {
  const width = 4000;
  const height = 3000;
  const noise = randomBytes(width * height * 3);
  return sharp(noise, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

const MAKE_RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Previews: a 256 px preview of a 12-megapixel JPEG made from scratch (each
 * run a new copy of the photo, so nothing is cached; median of 5), and the
 * cached preview served under load against a 1 KB GET of the same run.
 *
 * Goals: made ≤ 300 ms; cached ≥ 0.8× the 1 KB GET's req/s.
 */
export const previewsScenario: Scenario = {
  name: 'previews',
  async run({ nimbus, admin }) {
    const auth = basic(admin);
    const files = `/remote.php/dav/files/${encodeURIComponent(admin.user)}`;
    const put = async (name: string, body: Buffer): Promise<number> => {
      const res = await fetch(`${nimbus.base}${files}/${name}`, { method: 'PUT', headers: { authorization: auth }, body: new Uint8Array(body) });
      await res.arrayBuffer();
      if (res.status !== 201 && res.status !== 204) throw new Error(`PUT ${name}: ${res.status}`);
      return parseInt(res.headers.get('oc-fileid') ?? '', 10);
    };
    const jpeg = await photo();
    const made: number[] = [];
    let lastId = 0;
    for (let i = 0; i < MAKE_RUNS; i++) {
      // A new blob each time: the preview cannot come from the cache of an earlier run.
      lastId = await put(`photo-${i}.jpg`, Buffer.concat([jpeg, Buffer.from([i])]));
      const started = performance.now();
      const res = await fetch(`${nimbus.base}/index.php/core/preview?fileId=${lastId}&x=256&y=256&a=1`, { headers: { authorization: auth } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`preview: ${res.status}`);
      made.push(performance.now() - started);
    }
    await put('small.bin', randomBytes(1024));
    const headers = { authorization: auth };
    const small = await load({ name: 'GET 1 KB (baseline)', url: `${nimbus.base}${files}/small.bin`, headers });
    const cached = await load({ name: 'GET cached 256 px preview', url: `${nimbus.base}/index.php/core/preview?fileId=${lastId}&x=256&y=256&a=1`, headers });
    const makeMs = median(made);
    const checks: Check[] = [
      { name: '256 px preview of a 12-megapixel JPEG made ≤ 300 ms', met: makeMs <= 300, detail: `median ${makeMs.toFixed(0)} ms (${made.map((m) => m.toFixed(0)).join(', ')})` },
      {
        name: 'cached preview ≥ 0.8x the req/s of a 1 KB GET',
        met: cached.non2xx === 0 && cached.reqPerSec >= 0.8 * small.reqPerSec,
        detail: `${Math.round(cached.reqPerSec)} vs ${Math.round(small.reqPerSec)} req/s (${(cached.reqPerSec / Math.max(small.reqPerSec, 1)).toFixed(2)}x)`,
      },
    ];
    return { results: [small, cached], checks: () => checks, notes: [`previews: the photo is ${(jpeg.length / 1e6).toFixed(1)} MB of JPEG, 4000 × 3000`] };
  },
};
