import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newUser, type TestApp } from '../../helpers/app.js';
import { graph } from '../../helpers/graph.js';

type Creds = { user: string; password: string };

const picture = (width: number, height: number, colour: string, format: 'png' | 'jpeg' | 'webp' = 'png') =>
  sharp({ create: { width, height, channels: 3, background: colour } })[format]().toBuffer();

describeEachDb('Graph profile photos (/me/photo/$value, /users/{id}/photo/$value)', (kind) => {
  let t: TestApp;
  let alice: Creds;
  let bob: Creds;
  const put = (as: Creds | null, bytes: Buffer, type = 'image/png', method: 'PUT' | 'PATCH' = 'PUT') =>
    t.app.inject({ method, url: '/graph/v1.0/me/photo/$value', headers: { ...(as ? { authorization: basic(as.user, as.password) } : {}), 'content-type': type }, payload: bytes });
  const read = (url: string, as: Creds | null = alice, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers: { ...(as ? { authorization: basic(as.user, as.password) } : {}), ...headers } });

  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice', { displayName: 'Alice' });
    bob = await newUser(t.app, 'bob', { displayName: 'Bob' });
  });
  afterAll(async () => t?.close());

  it('no photo is 404 generalException "failed to get photo", as oCIS answers', async () => {
    const res = await graph(t.app, 'GET', '/graph/v1.0/me/photo/$value', { as: alice });
    expect(res.statusCode).toBe(404);
    expect(res.data.error.code).toBe('generalException');
    expect(res.data.error.message).toBe('failed to get photo');
  });

  it('PUT stores a picture (any raster format, told by its bytes), GET serves it as a square PNG, DELETE removes it', async () => {
    // A JPEG sent as application/octet-stream: the bytes decide.
    const stored = await put(alice, await picture(400, 400, '#ff0000', 'jpeg'), 'application/octet-stream');
    expect(stored.statusCode, stored.body).toBe(200);
    expect(stored.body).toBe('');
    const mine = await read('/graph/v1.0/me/photo/$value');
    expect(mine.statusCode).toBe(200);
    expect(mine.headers['content-type']).toBe('image/png');
    const meta = await sharp(mine.rawPayload).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 400, 400]);
    expect((await read('/graph/v1.0/me/photo/$value', alice, { 'if-none-match': mine.headers.etag as string })).statusCode).toBe(304);
    // The same picture is Alice's avatar on the Nextcloud routes too.
    const nc = await read('/index.php/avatar/alice/64', bob);
    expect(nc.headers['x-nc-iscustomavatar']).toBe('1');
    // A wide WebP by PATCH: its centred square is kept, scaled to at most 512.
    const wide = await put(alice, await picture(1200, 600, '#00ff00', 'webp'), 'image/webp', 'PATCH');
    expect(wide.statusCode).toBe(200);
    const after = await sharp((await read('/graph/v1.0/me/photo/$value')).rawPayload).metadata();
    expect([after.width, after.height]).toEqual([512, 512]);
    const del = await t.app.inject({ method: 'DELETE', url: '/graph/v1.0/me/photo/$value', headers: { authorization: basic(alice.user, alice.password) } });
    expect(del.statusCode).toBe(200);
    expect((await read('/graph/v1.0/me/photo/$value')).statusCode).toBe(404);
    expect((await read('/index.php/avatar/alice/64', bob)).headers['x-nc-iscustomavatar']).toBe('0');
  });

  it('refuses what does not decode, an empty body, SVG and bodies over 20 MiB, with OData errors', async () => {
    for (const [bytes, type] of [
      [Buffer.from('not a picture at all'), 'image/png'],
      [Buffer.alloc(0), 'image/png'],
      [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'), 'image/svg+xml'],
    ] as const) {
      const res = await put(alice, bytes, type);
      expect(res.statusCode, type).toBe(400);
      expect(res.json().error.code).toBe('invalidRequest');
    }
    const big = await put(alice, Buffer.alloc(20 * 1024 * 1024 + 1, 7));
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('invalidRequest');
    expect((await read('/graph/v1.0/me/photo/$value')).statusCode).toBe(404);
  });

  it('anonymous is 401; another user’s photo follows GET /users/{id}: the user and admins see it, others get 403', async () => {
    expect((await put(null, await picture(10, 10, '#000000'))).statusCode).toBe(401);
    expect((await graph(t.app, 'GET', '/graph/v1.0/me/photo/$value', { as: null })).statusCode).toBe(401);
    expect((await put(bob, await picture(50, 50, '#0000ff'))).statusCode).toBe(200);
    const byAdmin = await read('/graph/v1.0/users/bob/photo/$value', ADMIN);
    expect(byAdmin.statusCode).toBe(200);
    expect(byAdmin.headers['content-type']).toBe('image/png');
    expect((await read('/graph/v1.0/users/bob/photo/$value', bob)).statusCode).toBe(200);
    const byAlice = await graph(t.app, 'GET', '/graph/v1.0/users/bob/photo/$value', { as: alice });
    expect(byAlice.statusCode).toBe(403);
    // Unknown ids: 403 to non-admins as GET /users/{id} answers, 404 to admins.
    expect((await graph(t.app, 'GET', '/graph/v1.0/users/nobody/photo/$value', { as: alice })).statusCode).toBe(403);
    expect((await graph(t.app, 'GET', '/graph/v1.0/users/nobody/photo/$value')).statusCode).toBe(404);
    // An admin without a photo of their own, asking for a user without one: 404.
    expect((await graph(t.app, 'GET', '/graph/v1.0/users/alice/photo/$value')).statusCode).toBe(404);
    // Only one's own photo is written: there is no PUT on /users/{id}/photo.
    const other = await t.app.inject({ method: 'PUT', url: '/graph/v1.0/users/bob/photo/$value', headers: { authorization: basic(alice.user, alice.password), 'content-type': 'image/png' }, payload: await picture(10, 10, '#ffffff') });
    expect(other.statusCode).toBeGreaterThanOrEqual(400);
    expect(other.statusCode).toBeLessThan(500);
    const still = await sharp((await read('/graph/v1.0/users/bob/photo/$value', bob)).rawPayload).removeAlpha().raw().toBuffer();
    expect([still[0], still[1], still[2]]).toEqual([0, 0, 255]);
  });

  it('a photo set through one process is served by another at its next request', async () => {
    const peer = await t.peer();
    try {
      const carol = await newUser(t.app, 'carol');
      const auth = { authorization: basic(carol.user, carol.password) };
      expect((await peer.app.inject({ method: 'GET', url: '/graph/v1.0/me/photo/$value', headers: auth })).statusCode).toBe(404);
      expect((await put(carol, await picture(30, 30, '#ffff00'))).statusCode).toBe(200);
      const seen = await peer.app.inject({ method: 'GET', url: '/graph/v1.0/me/photo/$value', headers: auth });
      expect(seen.statusCode).toBe(200);
      expect((await sharp(seen.rawPayload).metadata()).width).toBe(30);
    } finally {
      await peer.close();
    }
  });
});
