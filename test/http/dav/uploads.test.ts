import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, buildTestApp, describeEachDb, newUser, type TestApp } from '../../helpers/app.js';
import { dav, expectDavError, FILES, multistatus, propfind, put } from './dav-helpers.js';

const UPLOADS = '/remote.php/dav/uploads/admin';

describeEachDb('WebDAV chunked uploads (Nextcloud chunking v2)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(async () => t?.close());

  it('assembles numbered chunks in numeric order onto the destination', async () => {
    const dest = `http://nimbus.test${FILES}/assembled.bin`;
    const parts = Array.from({ length: 11 }, (_, i) => Buffer.alloc(1000 + i, i + 1));
    const total = parts.reduce((n, p) => n + p.length, 0);
    expect((await dav(t.app, 'MKCOL', `${UPLOADS}/up-1`, { headers: { destination: dest, 'oc-total-length': String(total) } })).statusCode).toBe(201);
    expectDavError(await dav(t.app, 'MKCOL', `${UPLOADS}/up-1`), 405);
    // Sent out of order on purpose: assembly follows the numbers, not arrival.
    for (const i of [3, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11]) {
      const res = await put(t.app, `${UPLOADS}/up-1/${i}`, parts[i - 1]!, { headers: { destination: dest, 'oc-total-length': String(total) } });
      expect(res.statusCode).toBe(201);
    }
    const listing = multistatus(await dav(t.app, 'PROPFIND', `${UPLOADS}/up-1/`, { depth: '1' }));
    expect(listing.map((r) => r.href)).toEqual([`${UPLOADS}/up-1/`, ...Array.from({ length: 11 }, (_, i) => `${UPLOADS}/up-1/${i + 1}`)]);
    expect(listing[1]!.ok['d:getcontentlength']).toBe('1000');

    const res = await dav(t.app, 'MOVE', `${UPLOADS}/up-1/.file`, { headers: { destination: dest, 'oc-total-length': String(total), 'x-oc-mtime': '1700000000' } });
    expect(res.statusCode).toBe(201);
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
    expect(res.headers['oc-fileid']).toMatch(/^\d{8}oc/);
    expect(res.headers['x-oc-mtime']).toBe('accepted');
    const got = await dav(t.app, 'GET', `${FILES}/assembled.bin`);
    expect(got.rawPayload.equals(Buffer.concat(parts))).toBe(true);
    expect(got.headers['last-modified']).toBe(new Date(1700000000_000).toUTCString());
    // The upload folder is gone afterwards.
    expectDavError(await dav(t.app, 'PROPFIND', `${UPLOADS}/up-1/`, { depth: '0' }), 404);
  });

  it('overwrites an existing file with 204 and checks the declared checksum', async () => {
    await put(t.app, `${FILES}/over.txt`, 'old');
    await dav(t.app, 'MKCOL', `${UPLOADS}/up-2`);
    await put(t.app, `${UPLOADS}/up-2/00001`, 'new ');
    await put(t.app, `${UPLOADS}/up-2/00002`, 'content');
    const sha1 = createHash('sha1').update('new content').digest('hex');
    const res = await dav(t.app, 'MOVE', `${UPLOADS}/up-2/.file`, { headers: { destination: `${FILES}/over.txt`, 'oc-checksum': `SHA1:${sha1}` } });
    expect(res.statusCode).toBe(204);
    expect((await dav(t.app, 'GET', `${FILES}/over.txt`)).body).toBe('new content');
  });

  it('refuses chunks that do not add up to the declared length', async () => {
    await dav(t.app, 'MKCOL', `${UPLOADS}/up-3`, { headers: { 'oc-total-length': '10' } });
    await put(t.app, `${UPLOADS}/up-3/1`, 'abc');
    expectDavError(await dav(t.app, 'MOVE', `${UPLOADS}/up-3/.file`, { headers: { destination: `${FILES}/short.txt` } }), 400);
    expect((await dav(t.app, 'HEAD', `${FILES}/short.txt`)).statusCode).toBe(404);
  });

  it('checks the quota of the destination when the upload starts (507)', async () => {
    const erin = await newUser(t.app, 'erin', { quota: '1000' });
    const res = await dav(t.app, 'MKCOL', '/remote.php/dav/uploads/erin/big', {
      as: erin,
      headers: { destination: '/remote.php/dav/files/erin/big.bin', 'oc-total-length': '5000' },
    });
    expectDavError(res, 507, 'Sabre\\DAV\\Exception\\InsufficientStorage');
    // And again at assembly, when no total was declared up front.
    await dav(t.app, 'MKCOL', '/remote.php/dav/uploads/erin/big2', { as: erin });
    await put(t.app, '/remote.php/dav/uploads/erin/big2/1', Buffer.alloc(2000), { as: erin });
    expectDavError(await dav(t.app, 'MOVE', '/remote.php/dav/uploads/erin/big2/.file', { as: erin, headers: { destination: '/remote.php/dav/files/erin/big.bin' } }), 507);
    const [root] = multistatus(await propfind(t.app, '/remote.php/dav/files/erin/', ['d:quota-used-bytes'], { as: erin }));
    expect(root!.ok['d:quota-used-bytes']).toBe('0');
  });

  it('aborts with DELETE', async () => {
    await dav(t.app, 'MKCOL', `${UPLOADS}/up-4`);
    await put(t.app, `${UPLOADS}/up-4/1`, 'x');
    expect((await dav(t.app, 'DELETE', `${UPLOADS}/up-4`)).statusCode).toBe(204);
    expectDavError(await put(t.app, `${UPLOADS}/up-4/2`, 'x'), 404);
  });

  it("keeps users out of each other's uploads and refuses odd names", async () => {
    const frank = await newUser(t.app, 'frank');
    expectDavError(await dav(t.app, 'MKCOL', `${UPLOADS}/theirs`, { as: frank }), 404);
    await dav(t.app, 'MKCOL', `${UPLOADS}/up-5`);
    expectDavError(await put(t.app, `${UPLOADS}/up-5/..%2F..%2Fx`, 'x'), 400);
    expectDavError(await put(t.app, `${UPLOADS}/up-5/a/b`, 'x'), 400);
    expectDavError(await dav(t.app, 'MKCOL', `${UPLOADS}/bad%20id`), 400);
    expectDavError(await dav(t.app, 'MOVE', `${UPLOADS}/up-5/1`, { headers: { destination: `${FILES}/x` } }), 405);
    expectDavError(await dav(t.app, 'MOVE', `${UPLOADS}/up-5/.file`, { headers: { destination: `${UPLOADS}/up-6/x` } }), 400);
    expect(ADMIN.user).toBe('admin');
  });
});
