import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { dav, expectDavError, FILES, put } from './dav-helpers.js';

interface PartSpec {
  path: string;
  body: Buffer | string;
  md5?: string;
  mtime?: string;
  length?: number;
}

const BOUNDARY = 'boundary_bf38b9b4b10a303a28ed075624db3978';

/** A bulk body as the desktop client writes it (src/libsync/putmultifilejob.cpp): one part per file. */
function bulkBody(parts: PartSpec[], end = true): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const body = Buffer.from(p.body);
    const md5 = p.md5 ?? createHash('md5').update(body).digest('hex');
    const headers = [`X-File-Path: ${p.path}`, `X-File-MD5: ${md5}`, `X-File-Mtime: ${p.mtime ?? '1700000000'}`, `Content-Length: ${p.length ?? body.length}`, 'Content-Type: application/octet-stream'];
    chunks.push(Buffer.from(`--${BOUNDARY}\r\n${headers.join('\r\n')}\r\n\r\n`), body, Buffer.from('\r\n'));
  }
  if (end) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

describeEachDb('Nextcloud bulk upload (POST /remote.php/dav/bulk)', (kind) => {
  let t: TestApp;
  let erin: { user: string; password: string };
  beforeAll(async () => {
    t = await buildTestApp(kind);
    erin = await newUser(t.app, 'erin', { quota: '100' });
    await dav(t.app, 'MKCOL', `${FILES}/bulk`);
  });
  afterAll(async () => t?.close());

  const post = (body: Buffer, as: { user: string; password: string } | null = ADMIN, contentType = `multipart/related; boundary="${BOUNDARY}"`) =>
    t.app.inject({ method: 'POST', url: '/remote.php/dav/bulk', headers: { 'content-type': contentType, ...(as ? { authorization: basic(as.user, as.password) } : {}) }, payload: body });

  it('writes every file of the body, each with its mtime, and answers etag, fileid and permissions per path', async () => {
    const res = await post(bulkBody([{ path: '/bulk/a.txt', body: 'alpha' }, { path: '/bulk/b.txt', body: 'bravo', mtime: '1600000000' }, { path: '/bulk/empty.txt', body: '' }]));
    expect(res.statusCode).toBe(200);
    const answer = res.json() as Record<string, { error: boolean; etag: string; fileid: string; permissions: string }>;
    expect(Object.keys(answer)).toEqual(['/bulk/a.txt', '/bulk/b.txt', '/bulk/empty.txt']);
    for (const r of Object.values(answer)) expect(r).toMatchObject({ error: false, etag: expect.stringMatching(/^[^"]+$/), fileid: expect.stringMatching(/^\d{8}oc/), permissions: 'RGDNVW' });
    expect((await dav(t.app, 'GET', `${FILES}/bulk/a.txt`)).body).toBe('alpha');
    const b = await dav(t.app, 'GET', `${FILES}/bulk/b.txt`);
    expect(b.body).toBe('bravo');
    expect(b.headers['last-modified']).toBe(new Date(1600000000_000).toUTCString());
    expect(b.headers.etag).toBe(`"${answer['/bulk/b.txt']!.etag}"`);
    expect((await dav(t.app, 'GET', `${FILES}/bulk/empty.txt`)).body).toBe('');
  });

  it('overwrites files that exist', async () => {
    await put(t.app, `${FILES}/bulk/over.txt`, 'old');
    const res = await post(bulkBody([{ path: '/bulk/over.txt', body: 'new content' }]));
    expect(res.json()['/bulk/over.txt'].error).toBe(false);
    expect((await dav(t.app, 'GET', `${FILES}/bulk/over.txt`)).body).toBe('new content');
  });

  it('fails one bad part among good ones and writes the others', async () => {
    const res = await post(
      bulkBody([
        { path: '/bulk/good-1.txt', body: 'one' },
        { path: '/bulk/wrong-md5.txt', body: 'two', md5: '0'.repeat(32) },
        { path: '/nowhere/file.txt', body: 'three' },
        { path: '/bulk', body: 'a folder is there' },
        { path: '/bulk/../escape.txt', body: 'four' },
        { path: '/bulk/good-2.txt', body: 'five' },
      ]),
    );
    expect(res.statusCode).toBe(200);
    const answer = res.json() as Record<string, { error: boolean; message?: string }>;
    expect(answer['/bulk/good-1.txt']!.error).toBe(false);
    expect(answer['/bulk/good-2.txt']!.error).toBe(false);
    for (const bad of ['/bulk/wrong-md5.txt', '/nowhere/file.txt', '/bulk', '/bulk/../escape.txt']) expect(answer[bad], bad).toMatchObject({ error: true, message: expect.any(String) });
    expect((await dav(t.app, 'GET', `${FILES}/bulk/good-2.txt`)).body).toBe('five');
    expectDavError(await dav(t.app, 'GET', `${FILES}/bulk/wrong-md5.txt`), 404);
  });

  it('keeps the quota: a file past it fails, the ones that fit are written', async () => {
    const res = await post(bulkBody([{ path: '/fits.txt', body: 'x'.repeat(60) }, { path: '/too-much.txt', body: 'y'.repeat(60) }]), erin);
    const answer = res.json() as Record<string, { error: boolean }>;
    expect(answer['/fits.txt']!.error).toBe(false);
    expect(answer['/too-much.txt']!.error).toBe(true);
    const quota = await ocs(t.app, 'GET', '/cloud/users/erin', { as: erin });
    expect(quota.ocs.data.quota.used).toBe(60);
  });

  it('writes into a received share with its permissions, and not into a read-only one', async () => {
    const frank = await newUser(t.app, 'frank');
    await dav(t.app, 'MKCOL', `${FILES}/for-frank`);
    await dav(t.app, 'MKCOL', `${FILES}/read-only`);
    await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { body: { path: '/for-frank', shareType: 0, shareWith: 'frank', permissions: 15 } });
    await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { body: { path: '/read-only', shareType: 0, shareWith: 'frank', permissions: 1 } });
    const res = await post(bulkBody([{ path: '/for-frank/from-frank.txt', body: 'hi' }, { path: '/read-only/nope.txt', body: 'no' }]), frank);
    const answer = res.json() as Record<string, { error: boolean; permissions?: string }>;
    expect(answer['/for-frank/from-frank.txt']).toMatchObject({ error: false, permissions: expect.stringContaining('S') });
    expect(answer['/read-only/nope.txt']!.error).toBe(true);
    expect((await dav(t.app, 'GET', `${FILES}/for-frank/from-frank.txt`)).body).toBe('hi');
  });

  it('stops at a body that is not a bulk upload with 400 and what was written so far', async () => {
    const broken = Buffer.concat([bulkBody([{ path: '/bulk/before.txt', body: 'kept' }], false), Buffer.from('--wrong-boundary\r\n\r\n')]);
    const res = await post(broken);
    expect(res.statusCode).toBe(400);
    expect(res.json()['/bulk/before.txt'].error).toBe(false);
    const truncated = bulkBody([{ path: '/bulk/short.txt', body: 'abc', length: 50 }], false);
    expect((await post(truncated)).statusCode).toBe(400);
    expectDavError(await dav(t.app, 'GET', `${FILES}/bulk/short.txt`), 404);
    const noMd5 = Buffer.from(`--${BOUNDARY}\r\nX-File-Path: /bulk/x.txt\r\nContent-Length: 1\r\n\r\nx\r\n--${BOUNDARY}--\r\n`);
    expect((await post(noMd5)).statusCode).toBe(400);
    expectDavError(await post(bulkBody([]), ADMIN, 'multipart/form-data; boundary=x'), 400);
    expectDavError(await post(bulkBody([]), ADMIN, 'application/octet-stream'), 400);
  });

  it('needs a signed-in caller and answers only POST as a bulk upload', async () => {
    expectDavError(await post(bulkBody([{ path: '/bulk/anon.txt', body: 'x' }]), null), 401);
    expectDavError(await post(bulkBody([{ path: '/bulk/anon.txt', body: 'x' }]), { user: 'admin', password: 'wrong' }), 401);
    expect((await t.app.inject({ method: 'POST', url: '/remote.php/dav/bulkx', headers: { authorization: basic(ADMIN.user, ADMIN.password) } })).statusCode).toBe(405);
  });

  it('announces dav.bulkupload in capabilities', async () => {
    const caps = await ocs(t.app, 'GET', '/cloud/capabilities');
    expect(caps.ocs.data.capabilities.dav.bulkupload).toBe('1.0');
  });
});
