import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { dav, expectDavError, FILES, multistatus, propfind, put } from '../dav/dav-helpers.js';

/** A photo taken on its side: 1200 × 800 pixels stored, EXIF orientation 6 (to be turned a quarter), so it shows 800 × 1200. */
const photo = () => sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 200, g: 60, b: 30 } } }).withMetadata({ orientation: 6 }).jpeg().toBuffer();
const picture = () => sharp({ create: { width: 300, height: 100, channels: 4, background: { r: 0, g: 90, b: 200, alpha: 0.5 } } }).png().toBuffer();

/** A PNG whose header claims 20,000 × 20,000 pixels (a decompression bomb) around a few real bytes: refused from the header alone. */
async function bomb(): Promise<Buffer> {
  const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } }).png().toBuffer();
  const ihdr = Buffer.from(png.subarray(8, 8 + 25));
  ihdr.writeUInt32BE(20_000, 8);
  ihdr.writeUInt32BE(20_000, 12);
  ihdr.writeUInt32BE(crc32(ihdr.subarray(4, 21)), 21);
  return Buffer.concat([png.subarray(0, 8), ihdr, png.subarray(33)]);
}

const fileIdOf = (res: { headers: Record<string, unknown> }): number => parseInt(String(res.headers['oc-fileid']), 10);

describeEachDb('previews (Nextcloud core/preview, publicpreview; oCIS ?preview=1)', (kind) => {
  let t: TestApp;
  let bob: { user: string; password: string };
  let carol: { user: string; password: string };
  let photoId: number;
  let textId: number;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    bob = await newUser(t.app, 'bob');
    carol = await newUser(t.app, 'carol');
    await dav(t.app, 'MKCOL', `${FILES}/pics`);
    photoId = fileIdOf(await put(t.app, `${FILES}/pics/photo.jpg`, await photo()));
    await put(t.app, `${FILES}/pics/picture.png`, await picture());
    textId = fileIdOf(await put(t.app, `${FILES}/pics/notes.txt`, 'not a picture'));
    await put(t.app, `${FILES}/pics/broken.jpg`, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 7)]));
    await put(t.app, `${FILES}/pics/bomb.png`, await bomb());
    const share = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { body: { path: '/pics', shareType: 0, shareWith: 'bob', permissions: 1 } });
    expect(share.statusCode).toBe(200);
  });
  afterAll(async () => t?.close());

  const get = (url: string, as: { user: string; password: string } | null = ADMIN, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers: { ...(as ? { authorization: basic(as.user, as.password) } : {}), ...headers } });

  it('makes a preview by file id that fits the box, turned as the photo’s EXIF says, in the photo’s own type', async () => {
    const res = await get(`/index.php/core/preview?fileId=${photoId}&x=250&y=250&a=1`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['cache-control']).toBe('private, max-age=86400');
    const meta = await sharp(res.rawPayload).metadata();
    // 250 is served from the 256 box; portrait because the EXIF turn was applied.
    expect([meta.width, meta.height]).toEqual([171, 256]);
    const again = await get(`/index.php/core/preview?fileId=${photoId}&x=250&y=250&a=1`, ADMIN, { 'if-none-match': String(res.headers.etag) });
    expect(again.statusCode).toBe(304);
  });

  it('fills and crops the box without a=1, and keeps PNG as PNG', async () => {
    const res = await get(`/core/preview?fileId=${photoId}&x=100&y=100`);
    expect(res.statusCode).toBe(200);
    expect(await sharp(res.rawPayload).metadata()).toMatchObject({ width: 128, height: 128 });
    const png = await get(`/index.php/core/preview.png?file=${encodeURIComponent('/pics/picture.png')}&x=64&y=64&a=1`);
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(await sharp(png.rawPayload).metadata()).toMatchObject({ width: 64, height: 21, hasAlpha: true });
  });

  it('keeps made previews beside the blob, and a changed file gets a new one', async () => {
    expect((await t.stored.derived()).length).toBeGreaterThan(0);
    const first = await get(`/index.php/core/preview?fileId=${photoId}&x=32&y=32`);
    await put(t.app, `${FILES}/pics/photo.jpg`, await sharp({ create: { width: 100, height: 50, channels: 3, background: '#0f0' } }).jpeg().toBuffer());
    const second = await get(`/index.php/core/preview?fileId=${photoId}&x=32&y=32`);
    expect(second.statusCode).toBe(200);
    expect(second.headers.etag).not.toBe(first.headers.etag);
    expect(await sharp(second.rawPayload).metadata()).toMatchObject({ width: 32, height: 32 });
    await put(t.app, `${FILES}/pics/photo.jpg`, await photo());
  });

  it('answers as PreviewController does to what it refuses: 400, 404, 401, with an empty array', async () => {
    for (const url of [`/index.php/core/preview?fileId=${photoId}&x=0&y=32`, `/index.php/core/preview?fileId=${photoId}&x=abc`, '/index.php/core/preview', '/index.php/core/preview?fileId=-1', '/index.php/core/preview.png']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toEqual([]);
    }
    for (const url of [`/index.php/core/preview?fileId=${textId}`, '/index.php/core/preview?fileId=99999999', `/index.php/core/preview.png?file=/pics/broken.jpg`, '/index.php/core/preview.png?file=/nothing.jpg']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toEqual([]);
    }
    expect((await get(`/index.php/core/preview.png?file=${encodeURIComponent('/pics/../x.jpg')}`)).statusCode).toBe(400);
    expect((await get(`/index.php/core/preview?fileId=${photoId}`, null)).statusCode).toBe(401);
    expect((await get(`/index.php/core/preview?fileId=${photoId}`, { user: 'admin', password: 'wrong' })).statusCode).toBe(401);
  });

  it('refuses a decompression bomb from its header, with a 400', async () => {
    const res = await get('/index.php/core/preview.png?file=/pics/bomb.png&x=64&y=64');
    expect(res.statusCode).toBe(400);
  });

  it('shows a recipient the shared pictures by id and under the mount, and nobody else', async () => {
    expect((await get(`/index.php/core/preview?fileId=${photoId}&x=64&y=64`, bob)).statusCode).toBe(200);
    expect((await get(`/index.php/core/preview.png?file=/pics/photo.jpg&x=64&y=64`, bob)).statusCode).toBe(200);
    expect((await get(`/index.php/core/preview?fileId=${photoId}&x=64&y=64`, carol)).statusCode).toBe(404);
    expect((await get(`/index.php/core/preview.png?file=/pics/photo.jpg&x=64&y=64`, carol)).statusCode).toBe(404);
  });

  it('serves public previews of a link, but not of a file drop nor of a link that hides downloads', async () => {
    const link = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { body: { path: '/pics', shareType: 3 } });
    const token = link.ocs.data.token as string;
    const res = await get(`/index.php/apps/files_sharing/publicpreview/${token}?file=/photo.jpg&x=64&y=64&a=1`, null);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect((await get(`/index.php/apps/files_sharing/publicpreview/${token}?file=/notes.txt`, null)).statusCode).toBe(404);
    expect((await get(`/index.php/apps/files_sharing/publicpreview/${token}?file=/../secret.jpg`, null)).statusCode).toBe(400);
    expect((await get(`/index.php/apps/files_sharing/publicpreview/nosuchtoken?file=/photo.jpg`, null)).statusCode).toBe(404);
    const hidden = await ocs(t.app, 'PUT', `/apps/files_sharing/api/v1/shares/${link.ocs.data.id}`, { body: { hideDownload: 'true' } });
    expect(hidden.statusCode).toBe(200);
    expect((await get(`/index.php/apps/files_sharing/publicpreview/${token}?file=/photo.jpg`, null)).statusCode).toBe(403);
    const drop = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { body: { path: '/pics', shareType: 3, permissions: 4 } });
    expect((await get(`/index.php/apps/files_sharing/publicpreview/${drop.ocs.data.token}?file=/photo.jpg`, null)).statusCode).toBe(403);
  });

  it('answers oCIS’s preview=1 on the file’s WebDAV URL, with WebDAV errors', async () => {
    const res = await dav(t.app, 'GET', `${FILES}/pics/picture.png?preview=1&x=32&y=32&a=1&c=abc`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    const spaceId = encodeURIComponent((await get('/graph/v1.0/me/drive')).json().id as string);
    expect((await dav(t.app, 'GET', `/dav/spaces/${spaceId}/pics/photo.jpg?preview=1&x=64&y=64`)).statusCode).toBe(200);
    expectDavError(await dav(t.app, 'GET', `${FILES}/pics/notes.txt?preview=1`), 404);
    expectDavError(await dav(t.app, 'GET', `${FILES}/pics/photo.jpg?preview=1&x=-3`), 400);
    expectDavError(await dav(t.app, 'GET', `${FILES}/pics/photo.jpg?preview=1`, { as: carol }), 404);
  });

  it('says in nc:has-preview which files have one', async () => {
    const listing = multistatus(await propfind(t.app, `${FILES}/pics/`, ['nc:has-preview'], { depth: '1' }));
    const has = Object.fromEntries(listing.map((r) => [r.href.split('/').filter(Boolean).pop(), r.ok['nc:has-preview']]));
    expect(has).toMatchObject({ 'photo.jpg': 'true', 'picture.png': 'true', 'notes.txt': 'false', pics: 'false' });
  });

  it('removes a file’s previews with its blob, when it is purged from the trash', async () => {
    const made = await get(`/index.php/core/preview.png?file=/pics/picture.png&x=512&y=512`);
    expect(made.statusCode).toBe(200);
    const before = (await t.stored.derived()).filter((f) => f.endsWith('.png')).length;
    expect((await dav(t.app, 'DELETE', `${FILES}/pics/picture.png`)).statusCode).toBe(204);
    // Deleted, the file is in the trash with its bytes; purged, its blob and previews go.
    expect((await dav(t.app, 'DELETE', '/remote.php/dav/trashbin/admin/trash')).statusCode).toBe(204);
    const after = (await t.stored.derived()).filter((f) => f.endsWith('.png')).length;
    expect(after).toBeLessThan(before);
  });
});
