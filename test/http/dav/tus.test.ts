import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { tusStaged } from '../../helpers/tus-staged.js';
import { type Credentials, dav, expectDavError, FILES, mkcol, put } from './dav-helpers.js';

const SHARES = '/apps/files_sharing/api/v1/shares';
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const OFFSET_TYPE = 'application/offset+octet-stream';

/** POST a TUS creation on a collection; answers the response and the upload's path (from its absolute Location). */
async function create(t: TestApp, collection: string, name: string, length: number, o: { as?: Credentials | null; body?: Buffer; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = {
    'tus-resumable': '1.0.0',
    'upload-length': String(length),
    'upload-metadata': `filename ${b64(name)}`,
    ...(o.body ? { 'content-type': OFFSET_TYPE } : {}),
    ...(o.headers ?? {}),
  };
  const res = await dav(t.app, 'POST', collection, { as: o.as, headers, body: o.body });
  const location = res.headers.location as string | undefined;
  return { res, at: location ? new URL(location).pathname : '' };
}

const patch = (t: TestApp, at: string, offset: number, body: Buffer | string, o: { as?: Credentials | null; headers?: Record<string, string> } = {}): Promise<LightMyRequestResponse> =>
  dav(t.app, 'PATCH', at, { as: o.as, body, headers: { 'tus-resumable': '1.0.0', 'upload-offset': String(offset), 'content-type': OFFSET_TYPE, ...(o.headers ?? {}) } });
const head = (t: TestApp, at: string, as?: Credentials | null) => dav(t.app, 'HEAD', at, { as, headers: { 'tus-resumable': '1.0.0' } });
/** HEAD answers carry no body: only the status tells. */
const headStatus = async (t: TestApp, at: string, as?: Credentials | null): Promise<number> => (await head(t, at, as)).statusCode;

describeEachDb('TUS resumable uploads (as oCIS serves them)', (kind) => {
  let t: TestApp;
  let bob: Credentials;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    bob = await newUser(t.app, 'bob');
  });
  afterAll(async () => t?.close());

  it('announces tus_support in capabilities and the Tus headers on OPTIONS', async () => {
    const caps = await ocs(t.app, 'GET', '/cloud/capabilities');
    expect(caps.ocs.data.capabilities.files.tus_support).toEqual({ version: '1.0.0', resumable: '1.0.0', extension: 'creation,creation-with-upload', http_method_override: '', max_chunk_size: 10000000 });
    const opt = await dav(t.app, 'OPTIONS', `${FILES}/`);
    expect(opt.headers['tus-version']).toBe('1.0.0');
    expect(opt.headers['tus-extension']).toContain('creation-with-upload');
    const dataOpt = await dav(t.app, 'OPTIONS', '/data/whatever', { as: null });
    expect(dataOpt.statusCode).toBe(204);
    expect(dataOpt.headers['tus-checksum-algorithm']).toBe('md5,sha1,adler32');
  });

  for (const [label, collection] of [
    ['files', `${FILES}/`],
    ['spaces', '/dav/spaces/admin/'],
    ['remote spaces', '/remote.php/dav/spaces/admin/'],
  ] as const) {
    it(`creates, resumes with HEAD and completes with PATCH on ${label}`, async () => {
      const content = Buffer.from(`hello tus over ${label}, in three parts`);
      const name = `tus-${label.replace(' ', '-')}.txt`;
      const { res, at } = await create(t, collection, name, content.length, { headers: { 'upload-metadata': `filename ${b64(name)},mtime ${b64('1700000000')}` } });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.headers.location).toMatch(/^http:\/\/nimbus\.test\/data\/[A-Za-z0-9]{43}$/);
      expect(res.headers['tus-resumable']).toBe('1.0.0');
      expect(Number(res.headers['upload-expires'])).toBeGreaterThan(Date.now() / 1000);
      const p1 = await patch(t, at, 0, content.subarray(0, 10));
      expect(p1.statusCode).toBe(204);
      expect(p1.headers['upload-offset']).toBe('10');
      // Nothing is visible before the last byte.
      expect((await dav(t.app, 'HEAD', `${FILES}/${name}`)).statusCode).toBe(404);
      const h = await head(t, at);
      expect(h.statusCode).toBe(200);
      expect(h.headers['upload-offset']).toBe('10');
      expect(h.headers['upload-length']).toBe(String(content.length));
      expect(h.headers['cache-control']).toBe('no-store');
      const p2 = await patch(t, at, 10, content.subarray(10));
      expect(p2.statusCode).toBe(204);
      expect(p2.headers['upload-offset']).toBe(String(content.length));
      expect(p2.headers['oc-fileid']).toMatch(/^\d{8}oc/);
      expect(p2.headers.etag).toMatch(/^"[^"]+"$/);
      expect(p2.headers['oc-etag']).toBe(p2.headers.etag);
      const got = await dav(t.app, 'GET', `${FILES}/${name}`);
      expect(got.rawPayload.equals(content)).toBe(true);
      expect(got.headers.etag).toBe(p2.headers.etag);
      expect(got.headers['last-modified']).toBe(new Date(1700000000_000).toUTCString());
      // The upload is gone once committed.
      expect(await headStatus(t, at)).toBe(404);
    });
  }

  it('creation-with-upload commits a complete file at once, and an overwrite keeps a version', async () => {
    await put(t.app, `${FILES}/cwu.txt`, 'old');
    const { res } = await create(t, `${FILES}/`, 'cwu.txt', 7, { body: Buffer.from('new one') });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['upload-offset']).toBe('7');
    expect(res.headers['oc-fileid']).toMatch(/^\d{8}oc/);
    expect((await dav(t.app, 'GET', `${FILES}/cwu.txt`)).body).toBe('new one');
    const versions = await dav(t.app, 'PROPFIND', `/remote.php/dav/versions/admin/versions/${Number.parseInt(res.headers['oc-fileid'] as string, 10)}`, { depth: '1' });
    expect(versions.statusCode).toBe(207);
    expect(versions.body).toContain('<d:getcontentlength>3</d:getcontentlength>');
    // A partial first part leaves the rest to PATCH; an empty file completes with no body at all.
    const partial = await create(t, `${FILES}/`, 'partial.txt', 6, { body: Buffer.from('abc') });
    expect(partial.res.headers['upload-offset']).toBe('3');
    expect((await patch(t, partial.at, 3, 'def')).statusCode).toBe(204);
    expect((await dav(t.app, 'GET', `${FILES}/partial.txt`)).body).toBe('abcdef');
    const empty = await create(t, `${FILES}/`, 'empty.txt', 0);
    expect(empty.res.statusCode).toBe(201);
    expect(empty.res.headers['oc-fileid']).toBeDefined();
    expect((await dav(t.app, 'GET', `${FILES}/empty.txt`)).body).toBe('');
  });

  it('checks the per-request Upload-Checksum (460 on mismatch, nothing kept) and the whole-file checksum', async () => {
    const { at } = await create(t, `${FILES}/`, 'sum.txt', 8);
    const bad = await patch(t, at, 0, 'abcd', { headers: { 'upload-checksum': `sha1 ${createHash('sha1').update('xxxx').digest('base64')}` } });
    expectDavError(bad, 460);
    expect((await head(t, at)).headers['upload-offset']).toBe('0');
    for (const [algo, part, offset] of [['sha1', 'abcd', 0], ['md5', 'efgh', 4]] as const) {
      const ok = await patch(t, at, offset, part, { headers: { 'upload-checksum': `${algo} ${createHash(algo).update(part).digest('base64')}` } });
      expect(ok.statusCode).toBe(204);
    }
    expectDavError(await patch(t, at, 0, 'x', { headers: { 'upload-checksum': 'crc64 AAAA' } }), 404);
    const adler = await create(t, `${FILES}/`, 'adler.txt', 9);
    // Adler-32 of "Wikipedia" is 0x11E60398 (RFC 1950's example string).
    const good = await patch(t, adler.at, 0, 'Wikipedia', { headers: { 'upload-checksum': `adler32 ${Buffer.from('11e60398', 'hex').toString('base64')}` } });
    expect(good.statusCode).toBe(204);
    const unknown = await create(t, `${FILES}/`, 'u.txt', 1);
    expectDavError(await patch(t, unknown.at, 0, 'x', { headers: { 'upload-checksum': 'crc64 AAAA' } }), 400);
    // The whole file's checksum (Upload-Metadata checksum) is the files layer's check at commit.
    const whole = await create(t, `${FILES}/`, 'whole.txt', 3, { headers: { 'upload-metadata': `filename ${b64('whole.txt')},checksum ${b64('SHA1 0000000000000000000000000000000000000000')}` } });
    expectDavError(await patch(t, whole.at, 0, 'abc'), 400);
    expect((await dav(t.app, 'HEAD', `${FILES}/whole.txt`)).statusCode).toBe(404);
  });

  it('answers the protocol errors: 412 version, 409 offset, 415 type, 413 past the length, 400 headers', async () => {
    const { at } = await create(t, `${FILES}/`, 'errs.txt', 4);
    expectDavError(await dav(t.app, 'PATCH', at, { body: 'ab', headers: { 'tus-resumable': '0.2.0', 'upload-offset': '0', 'content-type': OFFSET_TYPE } }), 412);
    expect((await dav(t.app, 'POST', `${FILES}/`, { headers: { 'tus-resumable': '2.0.0', 'upload-length': '1' } })).headers['tus-version']).toBe('1.0.0');
    expectDavError(await patch(t, at, 2, 'ab'), 409);
    expectDavError(await dav(t.app, 'PATCH', at, { body: 'ab', headers: { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'text/plain' } }), 415);
    expectDavError(await patch(t, at, 0, 'abcdef'), 413);
    expect((await head(t, at)).headers['upload-offset']).toBe('0');
    expectDavError(await dav(t.app, 'PATCH', at, { body: 'ab', headers: { 'tus-resumable': '1.0.0', 'content-type': OFFSET_TYPE } }), 400);
    expectDavError(await dav(t.app, 'POST', `${FILES}/`, { headers: { 'tus-resumable': '1.0.0', 'upload-metadata': `filename ${b64('x')}` } }), 400);
    expectDavError(await dav(t.app, 'POST', `${FILES}/`, { headers: { 'tus-resumable': '1.0.0', 'upload-length': '1' } }), 400);
    expectDavError(await dav(t.app, 'POST', `${FILES}/`, { headers: { 'tus-resumable': '1.0.0', 'upload-length': 'x', 'upload-metadata': `filename ${b64('x')}` } }), 400);
    expectDavError((await create(t, `${FILES}/`, '../evil', 1)).res, 400);
    expectDavError((await create(t, `${FILES}/missing-folder/`, 'a.txt', 1)).res, 409);
    expectDavError((await create(t, `${FILES}/`, 'x.txt', 2, { body: Buffer.from('ab'), headers: { 'content-type': 'text/plain' } })).res, 415);
  });

  it('terminates with DELETE; unknown ids are 404, expired ones 410 and swept', async () => {
    const { at } = await create(t, `${FILES}/`, 'gone.txt', 4);
    expect((await dav(t.app, 'DELETE', at, { headers: { 'tus-resumable': '1.0.0' } })).statusCode).toBe(204);
    expect(await headStatus(t, at)).toBe(404);
    expect(await headStatus(t, '/data/unknownUploadId00000000000000000000000')).toBe(404);
    // Expired: the record says so; HEAD answers 410 and drops it, the sweep takes the others.
    const old = await create(t, `${FILES}/`, 'old.txt', 4);
    const older = await create(t, `${FILES}/`, 'older.txt', 4);
    const staged = await tusStaged(t);
    for (const u of [old, older]) await staged.expire(u.at.slice('/data/'.length));
    expect(await headStatus(t, old.at)).toBe(410);
    expect(await headStatus(t, old.at)).toBe(404);
    const olderId = older.at.slice('/data/'.length);
    expect(await staged.ids()).toContain(olderId);
    // The sweep runs when a process starts its first upload (then hourly), as the chunked uploads' sweep does.
    const peer = await t.peer();
    try {
      const res = await peer.app.inject({ method: 'POST', url: `${FILES}/`, headers: { authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`, 'tus-resumable': '1.0.0', 'upload-length': '1', 'upload-metadata': `filename ${b64('new.txt')}` } });
      expect(res.statusCode).toBe(201);
    } finally {
      await peer.close();
    }
    expect(await staged.ids()).not.toContain(olderId);
    expect(await headStatus(t, older.at)).toBe(404);
  });

  it('the background sweep leaves an expired upload alone while a request holds it, and drops it once released', async () => {
    const { at } = await create(t, `${FILES}/`, 'held.txt', 4);
    const id = at.slice('/data/'.length);
    const staged = await tusStaged(t);
    await staged.expire(id);
    const uploads = t.app.services.tusUploads;
    expect(await uploads.expired()).toContain(id);
    await uploads.exclusive(id, async () => {
      expect(await uploads.dropExpired(id)).toBe(false);
      expect(await staged.ids()).toContain(id);
    });
    expect(await uploads.sweepExpired()).toBeGreaterThanOrEqual(1);
    expect(await staged.ids()).not.toContain(id);
    expect(await uploads.dropExpired(id)).toBe(false);
  });

  it('refuses anonymous (401) and other users (404), and writes as a PUT would (403 read-only share, 507 quota)', async () => {
    const { at } = await create(t, `${FILES}/`, 'mine.txt', 4);
    expect((await dav(t.app, 'PATCH', at, { as: null, body: 'ab', headers: { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': OFFSET_TYPE } })).statusCode).toBe(401);
    expect((await dav(t.app, 'POST', `${FILES}/`, { as: null, headers: { 'tus-resumable': '1.0.0', 'upload-length': '1' } })).statusCode).toBe(401);
    expectDavError(await patch(t, at, 0, 'ab', { as: bob }), 404);
    expect(await headStatus(t, at, bob)).toBe(404);
    expect((await head(t, at)).headers['upload-offset']).toBe('0');
    // Into another user's files: as a PUT there.
    expect((await create(t, `${FILES}/`, 'intruder.txt', 1, { as: bob })).res.statusCode).toBe(403);

    await mkcol(t.app, `${FILES}/ro`);
    await mkcol(t.app, `${FILES}/rw`);
    const shareIds: string[] = [];
    for (const [p, permissions] of [['/ro', 1], ['/rw', 31]] as const) {
      const s = await ocs(t.app, 'POST', SHARES, { body: { path: p, shareType: 0, shareWith: 'bob', permissions } });
      expect(s.statusCode, s.body).toBe(200);
      shareIds.push(String(s.ocs.data.id));
    }
    expectDavError((await create(t, '/remote.php/dav/files/bob/ro/', 'x.txt', 1, { as: bob })).res, 403);
    const rw = await create(t, '/remote.php/dav/files/bob/rw/', 'bob.txt', 3, { as: bob });
    expect(rw.res.statusCode).toBe(201);
    // The share turned read-only while the upload ran: the next PATCH is refused as a PUT would be.
    expect((await ocs(t.app, 'PUT', `${SHARES}/${shareIds[1]}`, { body: { permissions: 1 } })).statusCode).toBe(200);
    expectDavError(await patch(t, rw.at, 0, 'abc', { as: bob }), 403);
    expect((await dav(t.app, 'HEAD', `${FILES}/rw/bob.txt`)).statusCode).toBe(404);

    // Quota: at creation from Upload-Length, and again at every PATCH.
    const erin = await newUser(t.app, 'erin', { quota: '1000' });
    expectDavError((await create(t, '/remote.php/dav/files/erin/', 'big.bin', 5000, { as: erin })).res, 507);
    const fits = await create(t, '/remote.php/dav/files/erin/', 'fits.bin', 800, { as: erin });
    expect(fits.res.statusCode).toBe(201);
    expect((await put(t.app, '/remote.php/dav/files/erin/filler.bin', Buffer.alloc(500), { as: erin })).statusCode).toBe(201);
    expectDavError(await patch(t, fits.at, 0, Buffer.alloc(100), { as: erin }), 507);
  });

  it('takes uploads through public links: upload-allowed folders and file drops, on both link families', async () => {
    await mkcol(t.app, `${FILES}/drop`);
    await put(t.app, `${FILES}/drop/taken.txt`, 'there');
    const drop = await ocs(t.app, 'POST', SHARES, { body: { shareType: 3, path: '/drop', permissions: 4 } });
    const token = drop.ocs.data.token as string;
    for (const collection of [`/dav/public-files/${token}/`, `/public.php/dav/files/${token}/`]) {
      const { res, at } = await create(t, collection, 'taken.txt', 5, { as: null });
      expect(res.statusCode, res.body).toBe(201);
      // Anonymous, by the upload's id alone.
      expect((await patch(t, at, 0, 'drop!', { as: null })).statusCode).toBe(204);
    }
    // A drop never overwrites: the names are the next free ones.
    expect((await dav(t.app, 'GET', `${FILES}/drop/taken.txt`)).body).toBe('there');
    expect((await dav(t.app, 'GET', `${FILES}/drop/taken (2).txt`)).body).toBe('drop!');
    // A read-only link takes none.
    const ro = await ocs(t.app, 'POST', SHARES, { body: { shareType: 3, path: '/ro', permissions: 1 } });
    expect(ro.statusCode, ro.body).toBe(200);
    expectDavError((await create(t, `/dav/public-files/${ro.ocs.data.token}/`, 'x.txt', 1, { as: null })).res, 403);
    // Deleting the link ends its uploads.
    const pending = await create(t, `/dav/public-files/${token}/`, 'late.txt', 2, { as: null });
    await ocs(t.app, 'DELETE', `${SHARES}/${drop.ocs.data.id}`);
    expectDavError(await patch(t, pending.at, 0, 'ab', { as: null }), 404);
  });

  it('keeps two writers apart: a live holder of the upload makes others wait (423), a dead one does not', async () => {
    const { at } = await create(t, `${FILES}/`, 'locked.txt', 4);
    const id = at.slice('/data/'.length);
    const staged = await tusStaged(t);
    await staged.holdAs(id, process.pid);
    expectDavError(await patch(t, at, 0, 'ab'), 423);
    expectDavError(await dav(t.app, 'DELETE', at, { headers: { 'tus-resumable': '1.0.0' } }), 423);
    // A process that has exited holds nothing.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await staged.holdAs(id, Number(dead.stdout));
    expect((await patch(t, at, 0, 'ab')).statusCode).toBe(204);
    expect((await head(t, at)).headers['upload-offset']).toBe('2');
  });

  it('finishes on HEAD a commit a killed process left undone, and never commits twice', async () => {
    // Every byte stored, the process gone before the commit: the client's HEAD sees the full offset, so the commit happens there.
    const undone = await create(t, `${FILES}/`, 'undone.txt', 5);
    const staged = await tusStaged(t);
    const idOf = (at: string) => at.slice('/data/'.length);
    await staged.storeAll(idOf(undone.at), Buffer.from('bytes'));
    expect((await dav(t.app, 'HEAD', `${FILES}/undone.txt`)).statusCode).toBe(404);
    const h = await head(t, undone.at);
    expect(h.statusCode).toBe(200);
    expect(h.headers['upload-offset']).toBe('5');
    expect(h.headers['oc-fileid']).toMatch(/^\d{8}oc/);
    expect((await dav(t.app, 'GET', `${FILES}/undone.txt`)).body).toBe('bytes');
    expect(await headStatus(t, undone.at)).toBe(404);
    // Committed, the process gone before it removed the upload: HEAD only removes it.
    const done = await create(t, `${FILES}/`, 'done.txt', 5);
    await staged.storeAll(idOf(done.at), Buffer.from('bytes'));
    await staged.markCommitted(idOf(done.at));
    expect((await head(t, done.at)).statusCode).toBe(200);
    expect((await dav(t.app, 'HEAD', `${FILES}/done.txt`)).statusCode).toBe(404);
    expect(await headStatus(t, done.at)).toBe(404);
  });

  it('accepts X-HTTP-Method-Override on POST to the upload', async () => {
    const { at } = await create(t, `${FILES}/`, 'override.txt', 2);
    const res = await dav(t.app, 'POST', at, { body: 'ok', headers: { 'x-http-method-override': 'PATCH', 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': OFFSET_TYPE } });
    expect(res.statusCode).toBe(204);
    expect((await dav(t.app, 'GET', `${FILES}/override.txt`)).body).toBe('ok');
  });
});
