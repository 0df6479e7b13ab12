import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { dav, mkcol } from '../dav/dav-helpers.js';
import { multipart, type Part } from './web-helpers.js';

/**
 * Refused uploads over a real socket: once the form is being parsed, the
 * server must still read the rest of a large body, or the browser stays
 * blocked sending it and never sees the error page.
 */
describe('share page uploads over a socket', () => {
  let t: TestApp;
  let pool: Pool;
  let token: string;
  let cookie: string;
  let csrf: string;
  const carol = { user: 'carol', password: '' };
  beforeAll(async () => {
    t = await buildTestApp('sqlite');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    // Its own pool, closed before the app: idle keep-alive sockets would hold the server open.
    pool = new Pool(`http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`, { connections: 1 });
    Object.assign(carol, await newUser(t.app, 'carol', { quota: '1 KB' }));
    await mkcol(t.app, '/remote.php/dav/files/carol/in', { as: carol });
    token = (await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: carol, body: { path: '/in', shareType: 3, permissions: 4 } })).ocs.data.token;
    const page = await pool.request({ method: 'GET', path: `/s/${token}` });
    const html = await page.body.text();
    cookie = String(page.headers['set-cookie']).split(';')[0]!;
    csrf = /name="requesttoken" value="([^"]+)"/.exec(html)![1]!;
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
  });

  const big = (name: string): Part => ({ name: 'files', filename: name, content: Buffer.alloc(16 * 1024 * 1024, 1) });

  it.each([
    ['past the quota, with more files behind', () => [{ name: 'requesttoken', value: csrf }, big('a.bin'), big('b.bin')], 507],
    ['without the request token', () => [big('a.bin')], 403],
    ['with a forbidden name', () => [{ name: 'requesttoken', value: csrf }, big('a.part')], 400],
  ] as Array<[string, () => Part[], number]>)('%s: the error page arrives and the same connection serves the next request', async (_what, parts, status) => {
    const mp = multipart(parts());
    const res = await pool.request({ method: 'POST', path: `/s/${token}/upload`, headers: { ...mp.headers, cookie }, body: mp.payload, headersTimeout: 10_000, bodyTimeout: 10_000 });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    await res.body.text();
    const next = await pool.request({ method: 'GET', path: `/s/${token}`, headersTimeout: 10_000 });
    expect(next.statusCode).toBe(200);
    await next.body.text();
    expect((await dav(t.app, 'PROPFIND', '/remote.php/dav/files/carol/in', { as: carol, depth: '1' })).body).not.toMatch(/[ab]\.(bin|part)/);
  });
});
