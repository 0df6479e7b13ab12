import { createHash } from 'node:crypto';
import { Pool } from 'undici';
import { basic, type Check, load, type Scenario } from '../lib.js';

const FILES = Number(process.env.BENCH_SEARCH_FILES ?? 100_000);
const FOLDERS = 1000;
const PER_REQUEST = 200;
const BOUNDARY = 'bench_search_boundary_42';

const body = (files: Array<{ path: string; content: Buffer }>): Buffer => {
  const chunks: Buffer[] = [];
  for (const f of files) {
    const md5 = createHash('md5').update(f.content).digest('hex');
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nX-File-Path: ${f.path}\r\nX-File-MD5: ${md5}\r\nContent-Length: ${f.content.length}\r\n\r\n`), f.content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
};

const searchBody = (user: string, literal: string) => `<?xml version="1.0"?>
<d:searchrequest xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:basicsearch>
<d:select><d:prop><d:displayname/><oc:fileid/><d:getcontentlength/></d:prop></d:select>
<d:from><d:scope><d:href>/files/${user}</d:href><d:depth>infinity</d:depth></d:scope></d:from>
<d:where><d:like><d:prop><d:displayname/></d:prop><d:literal>${literal}</d:literal></d:like></d:where>
<d:limit><d:nresults>50</d:nresults></d:limit></d:basicsearch></d:searchrequest>`;

/**
 * Search: 100,000 files in 1,000 folders (seeded by bulk upload, timed but
 * not a goal; BENCH_SEARCH_FILES changes the count), then WebDAV SEARCH for
 * a name substring that matches a few files, one request at a time.
 *
 * Goal: p99 < 100 ms.
 */
export const searchScenario: Scenario = {
  name: 'search',
  async run({ nimbus, admin }) {
    const auth = basic(admin);
    const root = `/remote.php/dav/files/${encodeURIComponent(admin.user)}`;
    const pool = new Pool(nimbus.base, { connections: 4 });
    try {
      const seedStart = performance.now();
      for (let d = 0; d < FOLDERS; d++) {
        const res = await pool.request({ path: `${root}/folder-${d}`, method: 'MKCOL', headers: { authorization: auth } });
        await res.body.dump();
      }
      const perFolder = Math.ceil(FILES / FOLDERS);
      const batches: Array<Array<{ path: string; content: Buffer }>> = [];
      let batch: Array<{ path: string; content: Buffer }> = [];
      for (let i = 0; i < FILES; i++) {
        batch.push({ path: `/folder-${Math.floor(i / perFolder)}/document-${i}.txt`, content: Buffer.from(`file ${i}`) });
        if (batch.length === PER_REQUEST) (batches.push(batch), (batch = []));
      }
      if (batch.length) batches.push(batch);
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < batches.length) {
            const b = batches[next++]!;
            const res = await pool.request({ path: '/remote.php/dav/bulk', method: 'POST', headers: { authorization: auth, 'content-type': `multipart/related; boundary=${BOUNDARY}` }, body: body(b) });
            const text = await res.body.text();
            if (res.statusCode !== 200 || text.includes('"error":true')) throw new Error(`bulk: ${res.statusCode} ${text.slice(0, 200)}`);
          }
        }),
      );
      const seedSeconds = (performance.now() - seedStart) / 1000;
      // Matches document-4242.txt, document-14242.txt, …: a handful of hits among all files.
      const result = await load({
        name: `SEARCH name like %-4242% over ${FILES} files`,
        url: `${nimbus.base}/remote.php/dav/`,
        method: 'SEARCH',
        headers: { authorization: auth, 'content-type': 'text/xml' },
        body: searchBody(admin.user, '%-4242%'),
        connections: 1,
      });
      const checks: Check[] = [{ name: `name search over ${FILES} files p99 < 100 ms`, met: result.non2xx === 0 && result.p99 < 100, detail: `p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms` }];
      return { results: [result], checks: () => checks, notes: [`search: seeded ${FILES} files in ${FOLDERS} folders by bulk upload in ${seedSeconds.toFixed(0)} s`] };
    } finally {
      await pool.close();
    }
  },
};
