import { Readable } from 'node:stream';
import { Pool } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../helpers/app.js';
import { dav, mkcol, put } from '../http/dav/dav-helpers.js';

const PW = 'Socket-Link-Pass-1';

describeEachDb('a public link over a real socket', (kind) => {
  let t: TestApp;
  let pool: Pool;
  let token: string;
  const alice = { user: 'alice', password: '' };

  beforeAll(async () => {
    t = await buildTestApp(kind);
    Object.assign(alice, await newUser(t.app, 'alice'));
    await put(t.app, '/remote.php/dav/files/alice/secret.txt', 'not for the public', { as: alice });
    await mkcol(t.app, '/remote.php/dav/files/alice/shared', { as: alice });
    await put(t.app, '/remote.php/dav/files/alice/shared/big.bin', Buffer.alloc(3 * 1024 * 1024, 7), { as: alice });
    const link = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: alice, body: { path: '/shared', shareType: 3, permissions: 15, password: PW } });
    expect(link.statusCode, link.body).toBe(200);
    token = link.ocs.data.token;
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const addr = t.app.server.address();
    if (!addr || typeof addr !== 'object') throw new Error('not listening on a TCP port');
    pool = new Pool(`http://127.0.0.1:${addr.port}`, { connections: 2 });
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
  });

  it('lists, streams up and down, and refuses raw dot segments the client did not resolve', async () => {
    const base = `/public.php/dav/files/${token}`;
    const auth = { authorization: basic('anonymous', PW) };

    const denied = await pool.request({ method: 'PROPFIND', path: `${base}/`, headers: { depth: '1' } });
    expect(denied.statusCode).toBe(401);
    expect(denied.headers['www-authenticate']).toBe('Basic realm="Nimbus", charset="UTF-8"');
    await denied.body.text();

    // An upload of unknown length (chunked) through the link lands in the owner's folder.
    const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(16 * 1024, i));
    const up = await pool.request({ method: 'PUT', path: `${base}/streamed.bin`, headers: auth, body: Readable.from(chunks) });
    expect(up.statusCode).toBe(201);
    await up.body.text();
    const owner = await dav(t.app, 'GET', '/remote.php/dav/files/alice/shared/streamed.bin', { as: alice });
    expect(owner.rawPayload.equals(Buffer.concat(chunks))).toBe(true);

    const list = await pool.request({ method: 'PROPFIND', path: `${base}/`, headers: { ...auth, depth: '1' } });
    expect(list.statusCode).toBe(207);
    const xml = await list.body.text();
    expect([...xml.matchAll(/<d:href>([^<]+)<\/d:href>/g)].map((m) => m[1])).toEqual([`${base}/`, `${base}/big.bin`, `${base}/streamed.bin`]);

    const down = await pool.request({ method: 'GET', path: `${base}/big.bin`, headers: auth });
    expect(down.statusCode).toBe(200);
    expect(down.headers['content-length']).toBe(String(3 * 1024 * 1024));
    const bytes = Buffer.from(await down.body.arrayBuffer());
    expect(bytes.length).toBe(3 * 1024 * 1024);
    expect(bytes.every((b) => b === 7)).toBe(true);

    // Sent exactly as written: the server itself must refuse what a browser would have resolved.
    for (const path of [`${base}/../../files/alice/secret.txt`, `${base}/%2e%2e/%2e%2e/files/alice/secret.txt`, `/public.php/webdav/../../remote.php/dav/files/alice/secret.txt`]) {
      const res = await pool.request({ method: 'GET', path, headers: { ...auth, authorization: path.startsWith('/public.php/webdav') ? basic(token, PW) : auth.authorization } });
      const body = await res.body.text();
      expect(res.statusCode, `${path}: ${body}`).toBe(400);
      expect(body).toContain('<s:exception>Sabre\\DAV\\Exception\\BadRequest</s:exception>');
      expect(body).not.toContain('not for the public');
    }

    // The legacy entry point with the token as the Basic user, over the same connection pool.
    const legacy = await pool.request({ method: 'GET', path: '/public.php/webdav/big.bin', headers: { authorization: basic(token, PW), range: 'bytes=0-9' } });
    expect(legacy.statusCode).toBe(206);
    expect(Buffer.from(await legacy.body.arrayBuffer())).toEqual(Buffer.alloc(10, 7));
  });
});
