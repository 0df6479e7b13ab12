import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { basic, describeEachDb } from '../helpers/app.js';
import { compiledServerForFile, until } from './server-process.js';
import { ADMIN, ProcessGroup } from './shared-database.js';

/**
 * TUS across processes: a server SIGKILLed in the middle of a PATCH, the
 * upload resumed with HEAD on another process of the same instance (shared
 * database and data directory) at the offset that was stored, and finished
 * there to a file identical to the source. Nothing is visible before.
 */

const MB = 1024 * 1024;
const SOURCE = randomBytes(24 * MB);
const AUTH = basic(ADMIN.user, ADMIN.password);

const build = compiledServerForFile();

describeEachDb('TUS upload resumed after its process was killed', (kind) => {
  let group: ProcessGroup;
  beforeAll(async () => {
    group = await ProcessGroup.start(build.entry, kind, 2);
  }, 120_000);
  afterAll(async () => group?.close());

  it('resumes at the stored offset on another process and ends identical', async () => {
    const [first, second] = group.servers as [(typeof group.servers)[0], (typeof group.servers)[0]];
    const created = await request(`${first.base}/remote.php/dav/files/admin/`, {
      method: 'POST',
      headers: { authorization: AUTH, 'tus-resumable': '1.0.0', 'upload-length': String(SOURCE.length), 'upload-metadata': `filename ${Buffer.from('resumed.bin').toString('base64')}` },
    });
    await created.body.text();
    expect(created.statusCode).toBe(201);
    const at = new URL(created.headers.location as string).pathname;
    const offsetOn = async (base: string): Promise<number> => {
      const res = await request(`${base}${at}`, { method: 'HEAD', headers: { authorization: AUTH, 'tus-resumable': '1.0.0' } });
      await res.body.text();
      expect(res.statusCode).toBe(200);
      return Number(res.headers['upload-offset']);
    };

    // The whole file in one PATCH, sent 1 MB at a time, killed once a part of it is stored.
    const url = new URL(`${first.base}${at}`);
    const req = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'PATCH',
      headers: { authorization: AUTH, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'content-length': String(SOURCE.length) },
    });
    req.on('error', () => undefined);
    let sent = 0;
    const sendMore = () => {
      if (sent >= SOURCE.length - MB) return; // never the last megabyte: the kill must come first
      req.write(SOURCE.subarray(sent, sent + MB));
      sent += MB;
      setTimeout(sendMore, 20);
    };
    sendMore();
    await until('part of the PATCH stored', async () => ((await offsetOn(second.base)) >= 6 * MB ? true : undefined), 30_000, 20);
    await first.kill();
    req.destroy();

    const missing = await request(`${second.base}/remote.php/dav/files/admin/resumed.bin`, { method: 'GET', headers: { authorization: AUTH } });
    await missing.body.text();
    expect(missing.statusCode).toBe(404);

    const offset = await offsetOn(second.base);
    expect(offset).toBeGreaterThanOrEqual(6 * MB);
    expect(offset).toBeLessThan(SOURCE.length);
    const rest = await request(`${second.base}${at}`, {
      method: 'PATCH',
      headers: { authorization: AUTH, 'tus-resumable': '1.0.0', 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
      body: SOURCE.subarray(offset),
    });
    await rest.body.text();
    expect(rest.statusCode, group.output()).toBe(204);
    expect(rest.headers['oc-fileid']).toBeDefined();

    const got = await request(`${second.base}/remote.php/dav/files/admin/resumed.bin`, { method: 'GET', headers: { authorization: AUTH } });
    const bytes = Buffer.from(await got.body.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(SOURCE).digest('hex'));
  }, 120_000);
});
