import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { signIn } from './signin-helpers.js';
import { multipart } from './web-helpers.js';

type Creds = { user: string; password: string };

const picture = (width: number, height: number, colour: string, format: 'png' | 'jpeg' = 'png') =>
  sharp({ create: { width, height, channels: 3, background: colour } })[format]().toBuffer();

/** The box around every pixel that is not the background (the corner's colour). */
async function inkBox(png: Buffer): Promise<{ left: number; right: number; top: number; bottom: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const box = { left: info.width, right: -1, top: info.height, bottom: -1 };
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const i = (y * info.width + x) * 3;
      if (Math.abs(data[i]! - data[0]!) + Math.abs(data[i + 1]! - data[1]!) + Math.abs(data[i + 2]! - data[2]!) < 60) continue;
      box.left = Math.min(box.left, x);
      box.right = Math.max(box.right, x);
      box.top = Math.min(box.top, y);
      box.bottom = Math.max(box.bottom, y);
    }
  }
  return box;
}

async function pixel(png: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * 3;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

describeEachDb('Avatars on Nextcloud routes (index.php/avatar, DAV avatars)', (kind) => {
  let t: TestApp;
  let alice: Creds;
  let bob: Creds;
  let carol: Creds;
  const get = (url: string, as: Creds | null = alice, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers: { ...(as ? { authorization: basic(as.user, as.password) } : {}), ...headers } });
  const upload = async (as: Creds, bytes: Buffer, type = 'image/png', field = 'files[]') => {
    const form = multipart([{ name: field, filename: 'me.png', type, content: bytes }]);
    return t.app.inject({ method: 'POST', url: '/index.php/avatar/', headers: { authorization: basic(as.user, as.password), ...form.headers }, payload: form.payload });
  };

  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice', { displayName: 'Alice Smith' });
    bob = await newUser(t.app, 'bob', { displayName: 'Bob' });
    carol = await newUser(t.app, 'carol', { displayName: 'Zoë' });
  });
  afterAll(async () => t?.close());

  it('generates a PNG with the initials on a colour from the name, in Nextcloud’s two sizes', async () => {
    const res = await get('/index.php/avatar/alice/64');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-nc-iscustomavatar']).toBe('0');
    expect(res.headers['cache-control']).toBe('private, max-age=86400, immutable');
    expect(res.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
    const meta = await sharp(res.rawPayload).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 64]);
    // Sizes are buckets: up to 64 is 64, above is 512, even when 4096 is asked.
    for (const [asked, served] of [[32, 64], [65, 512], [4096, 512], [-3, 64]] as const) {
      const r = await get(`/avatar/alice/${asked}`);
      expect(r.statusCode).toBe(200);
      expect((await sharp(r.rawPayload).metadata()).width).toBe(served);
    }
    // Corner pixels are the background: the letters' colour at 10% over white. "alice smith" hashes to
    // Nextcloud's palette entry 8, (147,178,123), so its background is (244,247,241) as Nextcloud draws it.
    expect(await pixel(res.rawPayload, 1, 1)).toEqual([244, 247, 241]);
    // Two users, two colours ("zoë" is entry 1).
    const carols = await get('/avatar/carol/64', alice);
    expect(await pixel(res.rawPayload, 1, 1)).not.toEqual(await pixel(carols.rawPayload, 1, 1));
    // The same name is drawn the same every time.
    expect((await get('/index.php/avatar/alice/64')).rawPayload.equals(res.rawPayload)).toBe(true);
    // The letters sit in the middle, capitals 40% of the height as Nextcloud's template draws them.
    const big = await inkBox((await get('/avatar/alice/512')).rawPayload);
    expect(Math.abs((big.left + big.right) / 2 - 256)).toBeLessThan(8);
    expect(Math.abs((big.top + big.bottom) / 2 - 256)).toBeLessThan(8);
    expect(big.bottom - big.top).toBeGreaterThan(190);
    expect(big.bottom - big.top).toBeLessThan(225);
    // Dark: a dark background.
    const dark = await get('/avatar/alice/64/dark');
    expect(dark.statusCode).toBe(200);
    expect(Math.max(...(await pixel(dark.rawPayload, 1, 1)))).toBeLessThan(60);
    expect(Math.min(...(await pixel(res.rawPayload, 1, 1)))).toBeGreaterThan(200);
  });

  it('answers 304 to its own ETag, and caches a versioned URL for a month', async () => {
    const first = await get('/avatar/bob/64');
    const again = await get('/avatar/bob/64', alice, { 'if-none-match': first.headers.etag as string });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    const versioned = await get('/avatar/bob/64?v=3');
    expect(versioned.headers['cache-control']).toBe('private, max-age=2592000, immutable');
  });

  it('is a public page as in Nextcloud; unknown users are 404 [] unless guestFallback; bad sizes are 400', async () => {
    const anonymous = await get('/index.php/avatar/alice/64', null);
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.headers['content-type']).toBe('image/png');
    const unknown = await get('/index.php/avatar/nobody/64');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual([]);
    const fallback = await get('/index.php/avatar/nobody/64?guestFallback=true');
    expect(fallback.statusCode).toBe(201);
    expect(fallback.headers['content-type']).toBe('image/png');
    const guest = await get('/avatar/guest/Visitor/512', null);
    expect(guest.statusCode).toBe(201);
    expect((await sharp(guest.rawPayload).metadata()).width).toBe(512);
    for (const size of ['abc', '64.5', '1e3']) {
      const bad = await get(`/avatar/alice/${size}`);
      expect(bad.statusCode, size).toBe(400);
      expect(bad.json()).toEqual({ data: { message: 'Invalid size' } });
    }
    const wrong = await get('/avatar/alice/64', { user: 'alice', password: 'wrong' });
    expect(wrong.statusCode).toBe(401);
  });

  it('takes a square upload, serves it to others, and goes back to generated on DELETE', async () => {
    const res = await upload(bob, await picture(300, 300, '#ff0000'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ status: 'success' });
    const seen = await get('/index.php/avatar/bob/512', alice);
    expect(seen.headers['x-nc-iscustomavatar']).toBe('1');
    const meta = await sharp(seen.rawPayload).metadata();
    expect([meta.width, meta.height]).toEqual([512, 512]);
    const [r, g, b] = await pixel(seen.rawPayload, 256, 256);
    expect(r).toBeGreaterThan(240);
    expect(g + b).toBeLessThan(20);
    const del = await t.app.inject({ method: 'DELETE', url: '/index.php/avatar/', headers: { authorization: basic(bob.user, bob.password) } });
    expect(del.statusCode).toBe(200);
    const after = await get('/index.php/avatar/bob/64', alice);
    expect(after.headers['x-nc-iscustomavatar']).toBe('0');
    expect(after.headers.etag).not.toBe(seen.headers.etag);
  });

  it('keeps a non-square upload for the crop, which makes it square', async () => {
    // Left half green, right half blue, 200x100.
    const left = await picture(100, 100, '#00ff00');
    const wide = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#0000ff' } }).composite([{ input: left, left: 0, top: 0 }]).png().toBuffer();
    const res = await upload(carol, wide);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ data: 'notsquare' });
    expect((await get('/avatar/carol/64')).headers['x-nc-iscustomavatar']).toBe('0');
    const auth = { authorization: basic(carol.user, carol.password), 'content-type': 'application/x-www-form-urlencoded' };
    const crop = (payload: string) => t.app.inject({ method: 'POST', url: '/index.php/avatar/cropped', headers: auth, payload });
    expect((await crop('')).json()).toEqual({ data: { message: 'No crop data provided' } });
    const partial = await crop('crop[x]=0&crop[y]=0&crop[w]=50');
    expect([partial.statusCode, partial.json()]).toEqual([400, { data: { message: 'No valid crop data provided' } }]);
    const notSquare = await crop('crop[x]=0&crop[y]=0&crop[w]=100&crop[h]=50');
    expect([notSquare.statusCode, notSquare.json()]).toEqual([400, { data: { message: 'Crop is not square' } }]);
    const ok = await crop('crop[x]=100&crop[y]=0&crop[w]=100&crop[h]=100');
    expect([ok.statusCode, ok.json()]).toEqual([200, { status: 'success' }]);
    const served = await get('/avatar/carol/64', bob);
    expect(served.headers['x-nc-iscustomavatar']).toBe('1');
    const [r, g, b] = await pixel(served.rawPayload, 32, 32);
    expect(b).toBeGreaterThan(240);
    expect(r + g).toBeLessThan(20);
    // The pending upload was used up.
    const twice = await crop('crop[x]=0&crop[y]=0&crop[w]=100&crop[h]=100');
    expect(twice.json()).toEqual({ data: { message: 'No temporary profile picture available, try again' } });
  });

  it('refuses what is not a JPEG or PNG by its bytes, too large uploads, and empty requests', async () => {
    const text = await upload(alice, Buffer.from('GIF89a but really just text'), 'image/png');
    expect([text.statusCode, text.json()]).toEqual([400, { data: { message: 'Invalid image' } }]);
    const gif = await upload(alice, await sharp({ create: { width: 10, height: 10, channels: 3, background: '#123456' } }).gif().toBuffer(), 'image/gif');
    expect([gif.statusCode, gif.json()]).toEqual([400, { data: { message: 'Unknown filetype' } }]);
    const svg = await upload(alice, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'), 'image/svg+xml');
    expect(svg.statusCode).toBe(400);
    const big = await upload(alice, Buffer.alloc(20 * 1024 * 1024 + 1, 1));
    expect([big.statusCode, big.json()]).toEqual([400, { data: { message: 'File is too big' } }]);
    const none = await t.app.inject({ method: 'POST', url: '/index.php/avatar/', headers: { authorization: basic(alice.user, alice.password) } });
    expect([none.statusCode, none.json()]).toEqual([400, { data: { message: 'No image or file provided' } }]);
    expect((await get('/avatar/alice/64')).headers['x-nc-iscustomavatar']).toBe('0');
  });

  it('takes a picture from the caller’s own files by path', async () => {
    const png = await picture(64, 64, '#ffff00');
    const put = await t.app.inject({ method: 'PUT', url: '/remote.php/dav/files/alice/me.png', headers: { authorization: basic(alice.user, alice.password) }, payload: png });
    expect(put.statusCode).toBe(201);
    await t.app.inject({ method: 'PUT', url: '/remote.php/dav/files/alice/notes.txt', headers: { authorization: basic(alice.user, alice.password) }, payload: 'hello' });
    const form = (path: string) =>
      t.app.inject({ method: 'POST', url: '/index.php/avatar/', headers: { authorization: basic(alice.user, alice.password), 'content-type': 'application/x-www-form-urlencoded' }, payload: `path=${encodeURIComponent(path)}` });
    expect((await form('/notes.txt')).json()).toEqual({ data: { message: 'The selected file is not an image.' } });
    expect((await form('/missing.png')).statusCode).toBe(404);
    expect((await form('/../etc/passwd')).statusCode).toBe(400);
    const ok = await form('/me.png');
    expect([ok.statusCode, ok.json()]).toEqual([200, { status: 'success' }]);
    // Bob cannot name Alice's file: paths are in the caller's own files.
    const other = await t.app.inject({ method: 'POST', url: '/index.php/avatar/', headers: { authorization: basic(bob.user, bob.password), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'path=%2Fme.png' });
    expect(other.statusCode).toBe(404);
    expect((await get('/avatar/alice/64', bob)).headers['x-nc-iscustomavatar']).toBe('1');
    expect((await get('/avatar/bob/64', bob)).headers['x-nc-iscustomavatar']).toBe('0');
  });

  it('changes need a signed-in user, and a session needs its CSRF token', async () => {
    const png = await picture(10, 10, '#000000');
    const form = multipart([{ name: 'files[]', filename: 'a.png', type: 'image/png', content: png }]);
    const anonymous = await t.app.inject({ method: 'POST', url: '/avatar/', headers: form.headers, payload: form.payload });
    expect([anonymous.statusCode, anonymous.json()]).toEqual([401, { message: 'Current user is not logged in' }]);
    expect((await t.app.inject({ method: 'DELETE', url: '/avatar/' })).statusCode).toBe(401);
    const browser = await signIn(t.app, bob.user, bob.password);
    const cookie = browser.jar.header();
    const noToken = await t.app.inject({ method: 'POST', url: '/index.php/avatar/', headers: { ...cookie, ...form.headers }, payload: form.payload });
    expect(noToken.statusCode).toBe(412);
    const withToken = await t.app.inject({ method: 'POST', url: '/index.php/avatar/', headers: { ...cookie, requesttoken: browser.csrf, ...form.headers }, payload: form.payload });
    expect([withToken.statusCode, withToken.json()]).toEqual([200, { status: 'success' }]);
    expect((await get('/avatar/bob/64', null)).headers['x-nc-iscustomavatar']).toBe('1');
    expect((await get('/avatar/alice/64', null)).headers['x-nc-iscustomavatar']).toBe('1');
  });

  it('a private avatar scope shows the generated one to everyone but its owner; a disabled account shows a guest’s', async () => {
    const dave = await newUser(t.app, 'dave', { displayName: 'Dave' });
    expect((await upload(dave, await picture(20, 20, '#ff00ff'))).statusCode).toBe(200);
    const scope = await ocs(t.app, 'PUT', '/cloud/users/dave', { as: dave, body: { key: 'avatarScope', value: 'v2-private' } });
    expect(scope.ocs.meta.statuscode).toBe(200);
    expect((await get('/avatar/dave/64', dave)).headers['x-nc-iscustomavatar']).toBe('1');
    const stranger = await get('/avatar/dave/64?v=1', alice);
    expect(stranger.headers['x-nc-iscustomavatar']).toBe('0');
    expect(stranger.headers['cache-control']).toBe('private, max-age=86400, immutable');
    expect((await get('/avatar/dave/64', null)).headers['x-nc-iscustomavatar']).toBe('0');
    await ocs(t.app, 'PUT', '/cloud/users/dave/disable');
    const disabled = await get('/avatar/dave/64', alice);
    expect([disabled.statusCode, disabled.headers['x-nc-iscustomavatar']]).toEqual([200, '0']);
  });

  it('DAV: any size up to 1024 as PNG or JPEG, with ETag and 304; bad names are 405, unknown users 404, anonymous 401', async () => {
    const dav = (url: string, as: Creds | null = bob, method: 'GET' | 'HEAD' = 'GET', headers: Record<string, string> = {}) =>
      t.app.inject({ method, url, headers: { ...(as ? { authorization: basic(as.user, as.password) } : {}), ...headers } });
    const png = await dav('/remote.php/dav/avatars/carol/96.png');
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers.etag).toMatch(/^".+"$/);
    expect(png.headers['last-modified']).toBeTruthy();
    const meta = await sharp(png.rawPayload).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 96, 96]);
    const jpeg = await dav('/remote.php/dav/avatars/alice/1024.jpeg');
    expect(jpeg.headers['content-type']).toBe('image/jpeg');
    expect((await sharp(jpeg.rawPayload).metadata()).width).toBe(1024);
    const head = await dav('/remote.php/dav/avatars/carol/96.png', bob, 'HEAD');
    expect(head.statusCode).toBe(200);
    expect(head.rawPayload.length).toBe(0);
    expect(head.headers.etag).toBe(png.headers.etag);
    expect((await dav('/remote.php/dav/avatars/carol/96.png', bob, 'GET', { 'if-none-match': png.headers.etag as string })).statusCode).toBe(304);
    for (const [name, message] of [['1025.png', 'Invalid image size'], ['0.png', 'Invalid image size'], ['abc.png', 'Invalid image size'], ['64.gif', 'File format not allowed'], ['64', 'File format not allowed']]) {
      const r = await dav(`/remote.php/dav/avatars/alice/${name}`);
      expect(r.statusCode, name).toBe(405);
      expect(r.body).toContain('Sabre\\DAV\\Exception\\MethodNotAllowed');
      expect(r.body).toContain(message);
    }
    const unknown = await dav('/remote.php/dav/avatars/nobody/64.png');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('<d:error');
    expect((await dav('/remote.php/dav/avatars/alice/64.png', null)).statusCode).toBe(401);
  });

  it('a change made through one process is served by another at its next request', async () => {
    const peer = await t.peer();
    try {
      const erin = await newUser(t.app, 'erin', { displayName: 'Erin' });
      const before = await peer.app.inject({ method: 'GET', url: '/remote.php/dav/avatars/erin/64.png', headers: { authorization: basic(erin.user, erin.password) } });
      expect(before.statusCode).toBe(200);
      expect((await upload(erin, await picture(40, 40, '#00ffff'))).statusCode).toBe(200);
      const after = await peer.app.inject({ method: 'GET', url: '/remote.php/dav/avatars/erin/64.png', headers: { authorization: basic(erin.user, erin.password) } });
      expect(after.headers.etag).not.toBe(before.headers.etag);
      const [r, g, b] = await pixel(after.rawPayload, 32, 32);
      expect(r).toBeLessThan(20);
      expect(g + b).toBeGreaterThan(480);
      await t.app.inject({ method: 'DELETE', url: '/avatar/', headers: { authorization: basic(erin.user, erin.password) } });
      const reset = await peer.app.inject({ method: 'GET', url: '/avatar/erin/64', headers: { authorization: basic(erin.user, erin.password) } });
      expect(reset.headers['x-nc-iscustomavatar']).toBe('0');
    } finally {
      await peer.close();
    }
  });
});
