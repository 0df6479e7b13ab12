import { createServer as httpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { basic, describeEachDb } from '../helpers/app.js';
import { freePort, Instance, type Who } from './federation-servers.js';
import { compiledServerForFile } from './server-process.js';

/**
 * Federated sharing (seed 004 FEDERATED_SHARING) between real server
 * processes on loopback, every step over real HTTP: A (alice) shares to
 * B (bob), B reaches the files through A's public WebDAV, notifications go
 * both ways. C has incoming federation off and an allow-list that does not
 * name loopback.
 */

const SHARES = '/apps/files_sharing/api/v1/shares';
const REMOTE = '/apps/files_sharing/api/v1/remote_shares';
const TEXT = '0123456789abcdefghijklmnopqrstuvwxyz';

const build = compiledServerForFile();

/** A loopback listener that only counts connections: proof that nothing was sent. */
async function sniffer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const srv: Server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { port: (srv.address() as { port: number }).port, connections: () => count, close: () => new Promise((r) => srv.close(() => r())) };
}

describeEachDb('Federated sharing between two server processes', (kind) => {
  let a: Instance;
  let b: Instance;
  let c: Instance;
  let alice: Who;
  let bob: Who;
  let carol: Who;
  let bobAtB: string;

  const shareFromA = (path: string, shareWith: string, extra: Record<string, string | number> = {}) =>
    a.ocs('POST', SHARES, { as: alice, body: { path, shareType: 6, shareWith, ...extra } });
  const aliceShares = async () => (await a.ocs('GET', SHARES, { as: alice })).ocs.data as Array<{ id: string; share_with: string; path: string }>;
  const pending = async () => (await b.ocs('GET', `${REMOTE}/pending`, { as: bob })).ocs.data as Array<Record<string, any>>;
  const accepted = async () => (await b.ocs('GET', REMOTE, { as: bob })).ocs.data as Array<Record<string, any>>;
  const activityText = async (server: Instance, who: Who) => JSON.stringify((await server.ocs('GET', '/cloud/activity', { as: who })).ocs.data);

  beforeAll(async () => {
    const started = await Promise.allSettled([
      Instance.start(build.entry, kind),
      Instance.start(build.entry, kind),
      Instance.start(build.entry, kind, { FEDERATION_INCOMING: 'false', FEDERATION_ALLOWED_SERVERS: 'cloud.example.org,nimbus.example.org:8443' }),
    ]);
    // Whatever started is kept for afterAll to stop, even when another failed.
    [a, b, c] = started.map((r) => (r.status === 'fulfilled' ? r.value : undefined)) as [Instance, Instance, Instance];
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    [alice, bob, carol] = await Promise.all([a.newUser('alice'), b.newUser('bob'), c.newUser('carol')]);
    bobAtB = `bob@${b.base}`;
    for (const folder of ['docs', 'other', 'third']) expect((await a.dav(alice, 'MKCOL', folder)).status).toBe(201);
    expect((await a.dav(alice, 'PUT', 'docs/a.txt', { body: TEXT })).status).toBe(201);
    expect((await c.dav(carol, 'MKCOL', 'f')).status).toBe(201);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), c?.close()]);
  });

  let shareId: string;
  let remoteId: number;

  it('sends an offer that arrives pending on the recipient server, whose user hears of it', async () => {
    const res = await shareFromA('/docs', bobAtB);
    expect(res.status, res.text).toBe(200);
    expect(res.ocs.data).toMatchObject({ share_type: 6, share_with: bobAtB, permissions: 31, path: '/docs' });
    shareId = res.ocs.data.id;

    const list = await pending();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ remote: a.base, remote_id: shareId, name: '/docs', owner: 'alice', user: 'bob', accepted: 0, mountpoint: '{{TemporaryMountPointName#/docs}}' });
    remoteId = list[0]!.id;
    expect(await accepted()).toEqual([]);
    expect(await activityText(b, bob)).toContain(`You received a new remote share docs from alice@${a.base}`);
  });

  it('accepts on B: A hears of it and the share is mounted in bob\'s WebDAV home', async () => {
    expect((await b.ocs('POST', `${REMOTE}/pending/${remoteId}`, { as: bob })).status).toBe(200);
    expect(await pending()).toEqual([]);
    expect(await accepted()).toEqual([expect.objectContaining({ id: remoteId, accepted: 1, mountpoint: '/docs' })]);
    expect(await activityText(a, alice)).toContain(`${bobAtB} accepted the remote share of docs`);

    const home = await b.dav(bob, 'PROPFIND', '', { headers: { depth: '1' } });
    expect(home.status).toBe(207);
    expect(home.text).toContain('<d:href>/remote.php/dav/files/bob/docs/</d:href>');
  });

  it('lists and reads through the mount, ranges included', async () => {
    const list = await b.dav(bob, 'PROPFIND', 'docs/', { headers: { depth: '1' } });
    expect(list.status).toBe(207);
    expect(list.text).toContain('<d:href>/remote.php/dav/files/bob/docs/</d:href>');
    expect(list.text).toContain('<d:href>/remote.php/dav/files/bob/docs/a.txt</d:href>');
    expect(list.text).not.toContain('public.php');
    expect(list.text).toContain(`<d:getcontentlength>${TEXT.length}</d:getcontentlength>`);

    const whole = await b.dav(bob, 'GET', 'docs/a.txt');
    expect(whole.status).toBe(200);
    expect(whole.text).toBe(TEXT);
    const part = await b.dav(bob, 'GET', 'docs/a.txt', { headers: { range: 'bytes=10-15' } });
    expect(part.status).toBe(206);
    expect(part.text).toBe('abcdef');
    expect(part.headers['content-range']).toBe(`bytes 10-15/${TEXT.length}`);
    const tail = await b.dav(bob, 'GET', 'docs/a.txt', { headers: { range: 'bytes=-3' } });
    expect(tail.status).toBe(206);
    expect(tail.text).toBe('xyz');
  });

  it('writes through the mount: every change lands on the owner server', async () => {
    expect((await b.dav(bob, 'PUT', 'docs/from-bob.txt', { body: 'hello from bob' })).status).toBe(201);
    expect((await a.dav(alice, 'GET', 'docs/from-bob.txt')).text).toBe('hello from bob');
    expect((await b.dav(bob, 'PUT', 'docs/from-bob.txt', { body: 'changed by bob' })).status).toBe(204);
    expect((await a.dav(alice, 'GET', 'docs/from-bob.txt')).text).toBe('changed by bob');

    expect((await b.dav(bob, 'MKCOL', 'docs/sub')).status).toBe(201);
    const sub = await a.dav(alice, 'PROPFIND', 'docs/sub', { headers: { depth: '0' } });
    expect(sub.status).toBe(207);
    expect(sub.text).toContain('<d:collection/>');

    const move = await b.dav(bob, 'MOVE', 'docs/from-bob.txt', { headers: { destination: `${b.base}/remote.php/dav/files/bob/docs/sub/moved.txt` } });
    expect(move.status).toBe(201);
    expect((await a.dav(alice, 'GET', 'docs/from-bob.txt')).status).toBe(404);
    expect((await a.dav(alice, 'GET', 'docs/sub/moved.txt')).text).toBe('changed by bob');
    expect((await b.dav(bob, 'GET', 'docs/sub/moved.txt')).text).toBe('changed by bob');

    expect((await b.dav(bob, 'DELETE', 'docs/sub/moved.txt')).status).toBe(204);
    expect((await a.dav(alice, 'GET', 'docs/sub/moved.txt')).status).toBe(404);
    expect((await b.dav(bob, 'DELETE', 'docs/sub')).status).toBe(204);
    expect((await a.dav(alice, 'PROPFIND', 'docs/sub', { headers: { depth: '0' } })).status).toBe(404);
    expect((await b.dav(bob, 'GET', 'docs/sub/moved.txt')).status).toBe(404);
  });

  it('renames the mount within bob\'s home only to a free name, never over what holds one', async () => {
    expect((await b.dav(bob, 'PUT', 'mine.txt', { body: 'bob\'s file' })).status).toBe(201);
    const to = (name: string) => ({ headers: { destination: `${b.base}/remote.php/dav/files/bob/${encodeURIComponent(name)}` } });
    const onto = await b.dav(bob, 'MOVE', 'docs', to('mine.txt'));
    expect(onto.status).toBe(403);
    expect(onto.text).toContain('The destination already exists');
    expect((await b.dav(bob, 'GET', 'mine.txt')).text).toBe('bob\'s file');
    expect(await accepted()).toEqual([expect.objectContaining({ mountpoint: '/docs' })]);

    expect((await b.dav(bob, 'MOVE', 'docs', to('shared docs'))).status).toBe(201);
    expect(await accepted()).toEqual([expect.objectContaining({ mountpoint: '/shared docs' })]);
    expect((await b.dav(bob, 'GET', 'shared%20docs/a.txt')).text).toBe(TEXT);
    expect((await b.dav(bob, 'MOVE', 'shared%20docs', to('docs'))).status).toBe(201);
    expect((await b.dav(bob, 'DELETE', 'mine.txt')).status).toBe(204);
  });

  it('refuses to move out of the mount', async () => {
    const out = await b.dav(bob, 'MOVE', 'docs/a.txt', { headers: { destination: `${b.base}/remote.php/dav/files/bob/mine.txt` } });
    expect(out.status).toBe(403);
    expect((await a.dav(alice, 'GET', 'docs/a.txt')).text).toBe(TEXT);
  });

  it('ignores notices with a wrong token on either side, answering success', async () => {
    for (const notice of ['accept', 'decline', 'unshare']) {
      const res = await a.s2s(`/cloud/shares/${shareId}/${notice}`, { token: 'WrongTokenWrong1' });
      expect(res.status, `${notice} at A`).toBe(200);
    }
    const unshare = await b.s2s(`/cloud/shares/${shareId}/unshare`, { token: 'WrongTokenWrong1' });
    expect(unshare.status).toBe(200);
    expect((await a.ocs('GET', `${SHARES}/${shareId}`, { as: alice })).status).toBe(200);
    expect(await accepted()).toHaveLength(1);
    expect((await b.dav(bob, 'GET', 'docs/a.txt')).text).toBe(TEXT);
  });

  it('applies the owner\'s change to read only at once: PUT refused, GET still served', async () => {
    const res = await a.ocs('PUT', `${SHARES}/${shareId}`, { as: alice, body: { permissions: 1 } });
    expect(res.status, res.text).toBe(200);
    expect(res.ocs.data.permissions).toBe(1);
    expect((await b.dav(bob, 'PUT', 'docs/again.txt', { body: 'no' })).status).toBe(403);
    expect((await b.dav(bob, 'PUT', 'docs/a.txt', { body: 'no' })).status).toBe(403);
    expect((await b.dav(bob, 'MKCOL', 'docs/nope')).status).toBe(403);
    expect((await b.dav(bob, 'DELETE', 'docs/a.txt')).status).toBe(403);
    expect((await a.dav(alice, 'GET', 'docs/again.txt')).status).toBe(404);
    expect((await a.dav(alice, 'GET', 'docs/a.txt')).text).toBe(TEXT);
    expect((await b.dav(bob, 'GET', 'docs/a.txt')).text).toBe(TEXT);
  });

  it('revokes on A: bob\'s list is empty and the files are gone on B', async () => {
    expect((await a.ocs('DELETE', `${SHARES}/${shareId}`, { as: alice })).status).toBe(200);
    expect(await accepted()).toEqual([]);
    expect((await b.dav(bob, 'GET', 'docs/a.txt')).status).toBe(404);
    const home = await b.dav(bob, 'PROPFIND', '', { headers: { depth: '1' } });
    expect(home.text).not.toContain('/remote.php/dav/files/bob/docs/');
    expect(await activityText(b, bob)).toContain('unshared docs from you');
  });

  it('declines on B: the share disappears on A', async () => {
    const res = await shareFromA('/other', bobAtB);
    expect(res.status, res.text).toBe(200);
    const id = res.ocs.data.id;
    const offer = (await pending()).find((s) => s.remote_id === id);
    expect(offer).toBeDefined();
    expect((await b.ocs('DELETE', `${REMOTE}/pending/${offer!.id}`, { as: bob })).status).toBe(200);
    expect(await pending()).toEqual([]);
    expect((await a.ocs('GET', `${SHARES}/${id}`, { as: alice })).status).toBe(404);
    expect(await activityText(a, alice)).toContain(`${bobAtB} declined the remote share of other`);
  });

  it('removes an accepted share on B: it is gone on A too', async () => {
    const res = await shareFromA('/third', bobAtB);
    expect(res.status, res.text).toBe(200);
    const id = res.ocs.data.id;
    const offer = (await pending()).find((s) => s.remote_id === id)!;
    expect((await b.ocs('POST', `${REMOTE}/pending/${offer.id}`, { as: bob })).status).toBe(200);
    expect((await b.ocs('DELETE', `${REMOTE}/${offer.id}`, { as: bob })).status).toBe(200);
    expect(await accepted()).toEqual([]);
    expect((await a.ocs('GET', `${SHARES}/${id}`, { as: alice })).status).toBe(404);
  });

  it('removes an accepted share when bob deletes its mount over WebDAV', async () => {
    const res = await shareFromA('/third', bobAtB);
    const id = res.ocs.data.id;
    const offer = (await pending()).find((s) => s.remote_id === id)!;
    expect((await b.ocs('POST', `${REMOTE}/pending/${offer.id}`, { as: bob })).status).toBe(200);
    expect((await b.dav(bob, 'DELETE', 'third')).status).toBe(204);
    expect(await accepted()).toEqual([]);
    expect((await a.ocs('GET', `${SHARES}/${id}`, { as: alice })).status).toBe(404);
    expect((await a.dav(alice, 'PROPFIND', 'third', { headers: { depth: '0' } })).status).toBe(207);
  });

  it('mounts a shared file as a file, under a free name beside bob\'s own, and serves it through the mount', async () => {
    expect((await b.dav(bob, 'PUT', 'a.txt', { body: 'bob\'s own' })).status).toBe(201);
    const res = await shareFromA('/docs/a.txt', bobAtB);
    expect(res.status, res.text).toBe(200);
    const offer = (await pending()).find((s) => s.remote_id === res.ocs.data.id)!;
    expect((await b.ocs('POST', `${REMOTE}/pending/${offer.id}`, { as: bob })).status).toBe(200);
    expect(await accepted()).toEqual([expect.objectContaining({ mountpoint: '/a (2).txt' })]);

    const home = await b.dav(bob, 'PROPFIND', '', { headers: { depth: '1' } });
    expect(home.text).toContain('<d:href>/remote.php/dav/files/bob/a%20(2).txt</d:href>');
    const one = await b.dav(bob, 'PROPFIND', 'a%20(2).txt', { headers: { depth: '0' } });
    expect(one.status).toBe(207);
    expect(one.text).toContain('<d:href>/remote.php/dav/files/bob/a%20(2).txt</d:href>');
    expect((await b.dav(bob, 'GET', 'a%20(2).txt')).text).toBe(TEXT);
    expect((await b.dav(bob, 'GET', 'a.txt')).text).toBe('bob\'s own');
    expect((await b.dav(bob, 'PUT', 'a%20(2).txt', { body: 'bob wrote this' })).status).toBe(204);
    expect((await a.dav(alice, 'GET', 'docs/a.txt')).text).toBe('bob wrote this');
    expect((await b.dav(bob, 'PUT', 'a%20(2).txt', { body: TEXT })).status).toBe(204);
    expect((await a.ocs('DELETE', `${SHARES}/${res.ocs.data.id}`, { as: alice })).status).toBe(200);
    expect(await accepted()).toEqual([]);
  });

  it('carries names that need escaping and large bodies through the mount', async () => {
    expect((await b.dav(bob, 'MKCOL', 'other')).status).toBe(201);
    const res = await shareFromA('/other', bobAtB);
    const offer = (await pending()).find((s) => s.remote_id === res.ocs.data.id)!;
    expect((await b.ocs('POST', `${REMOTE}/pending/${offer.id}`, { as: bob })).status).toBe(200);
    const mount = encodeURIComponent('other (2)');
    const name = encodeURIComponent('été #1 & ü+%.txt');
    expect((await b.dav(bob, 'PUT', `${mount}/${name}`, { body: 'escaped' })).status).toBe(201);
    expect((await a.dav(alice, 'GET', `other/${name}`)).text).toBe('escaped');
    const list = await b.dav(bob, 'PROPFIND', `${mount}/`, { headers: { depth: '1' } });
    expect(list.status).toBe(207);
    expect(list.text).toContain(`/remote.php/dav/files/bob/other%20(2)/`);
    expect(decodeURIComponent(list.text)).toContain('/remote.php/dav/files/bob/other (2)/été #1 & ü+%.txt');
    const big = 'x'.repeat(3 * 1024 * 1024 + 17);
    expect((await b.dav(bob, 'PUT', `${mount}/big.bin`, { body: big })).status).toBe(201);
    const back = await a.dav(alice, 'GET', 'other/big.bin');
    expect(back.text.length).toBe(big.length);
    expect((await b.dav(bob, 'GET', `${mount}/big.bin`)).text.length).toBe(big.length);
  });

  // Timing and transfers do not depend on the database: the tests marked so run once, on SQLite.
  it.skipIf(kind === 'postgres')('passes on uploads and downloads that last longer than the federation timeout', async () => {
    const mount = encodeURIComponent('other (2)');
    const piece = Buffer.alloc(64 * 1024, 'u');
    async function* slowly() {
      for (let i = 0; i < 10; i++) {
        yield piece;
        await sleep(250);
      }
    }
    const auth = { authorization: basic(bob.user, bob.password) };
    const up = await request(`${b.base}/remote.php/dav/files/bob/${mount}/slow.bin`, { method: 'PUT', headers: { ...auth, 'content-length': String(piece.length * 10) }, body: Readable.from(slowly()) });
    expect(up.statusCode, await up.body.text()).toBe(201);
    expect((await a.dav(alice, 'GET', 'other/slow.bin')).text.length).toBe(piece.length * 10);

    const big = Buffer.alloc(16 * 1024 * 1024, 'd');
    expect((await request(`${a.base}/remote.php/dav/files/alice/other/big.bin`, { method: 'PUT', headers: { authorization: basic(alice.user, alice.password) }, body: big })).statusCode).toBe(204);
    const down = await request(`${b.base}/remote.php/dav/files/bob/${mount}/big.bin`, { headers: auth });
    expect(down.statusCode).toBe(200);
    let size = 0;
    let paused = false;
    for await (const chunk of down.body) {
      size += (chunk as Buffer).length;
      // A reader slower than the timeout: the owner's answer waits on it, it must not be cut off.
      if (!paused) {
        paused = true;
        await sleep(2500);
      }
    }
    expect(size).toBe(big.length);
  });

  it('answers notices naming ids that cannot exist with success, changing nothing', async () => {
    for (const id of ['abc', '99999999999999999999', '-1', '1.5']) {
      for (const notice of ['accept', 'decline', 'unshare']) {
        expect((await a.s2s(`/cloud/shares/${id}/${notice}`, { token: 'abcdefghijklmno' })).status, `${notice} ${id}`).toBe(200);
        expect((await b.s2s(`/cloud/shares/${id}/${notice}`, { token: 'abcdefghijklmno' })).status, `${notice} ${id} at B`).toBe(200);
      }
    }
  });

  it.skipIf(kind === 'postgres')('gives up on a server that accepts connections but never answers, within the timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const before = await aliceShares();
      const started = Date.now();
      const res = await shareFromA('/docs', `bob@http://127.0.0.1:${port}`);
      expect(res.status).toBe(403);
      expect(Date.now() - started).toBeLessThan(6000);
      expect(await aliceShares()).toEqual(before);
    } finally {
      silent.close();
    }
  });

  it('answers bad offers with 400 and the OCS message', async () => {
    const missing = await b.s2s('/cloud/shares', { shareWith: 'bob', token: 'abcdefghij' });
    expect(missing.status).toBe(400);
    expect(missing.ocs.meta).toMatchObject({ statuscode: 400, message: 'Required parameters are missing: name,remoteId,owner,remote' });
    const full = { shareWith: 'bob', token: 'abcdefghijklmno', name: 'x', remoteId: '77', owner: 'eve', remote: a.base };
    const badToken = await b.s2s('/cloud/shares', { ...full, token: 'short' });
    expect(badToken.status).toBe(400);
    expect(badToken.ocs.meta.message).toBe('Invalid token');
    const badName = await b.s2s('/cloud/shares', { ...full, name: '../etc' });
    expect(badName.status).toBe(400);
    expect(badName.ocs.meta.message).toBe('Invalid name');
    const notAllowed = await b.s2s('/cloud/shares', { ...full, remote: 'http://169.254.169.254' });
    expect(notAllowed.status).toBe(400);
    const noToken = await a.s2s('/cloud/shares/1/accept', {});
    expect(noToken.status).toBe(400);
    expect(noToken.ocs.meta.message).toBe('Required parameters are missing: token');
    expect(await pending()).toEqual([]);
  });

  it('refuses a share to an unknown remote user with 403 at the sender, leaving no share', async () => {
    const before = await aliceShares();
    const res = await shareFromA('/docs', `nobody@${b.base}`);
    expect(res.status).toBe(403);
    expect(res.ocs.meta.message).toBe(`Sharing docs failed, could not find nobody@${b.base}, maybe the server is currently unreachable or uses a self-signed certificate.`);
    expect(await aliceShares()).toEqual(before);
  });

  it('gives up on an unreachable server within seconds, storing nothing', async () => {
    const closed = await freePort();
    const before = await aliceShares();
    const started = Date.now();
    const res = await shareFromA('/docs', `bob@http://127.0.0.1:${closed}`);
    expect(res.status).toBe(403);
    expect(res.ocs.meta.message).toMatch(new RegExp(`^Sharing docs failed, could not find bob@http://127\\.0\\.0\\.1:${closed}`));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await aliceShares()).toEqual(before);
  });

  it('a server with incoming federation off: the offer fails and that server answers 503 itself', async () => {
    const before = await aliceShares();
    const res = await shareFromA('/docs', `carol@${c.base}`);
    expect(res.status).toBe(403);
    expect(res.ocs.meta.message).toMatch(/^Sharing docs failed, could not find carol@/);
    expect(await aliceShares()).toEqual(before);
    const direct = await c.s2s('/cloud/shares', { shareWith: 'carol', token: 'abcdefghijklmno', name: 'x', remoteId: '1', owner: 'alice', remote: a.base });
    expect(direct.status).toBe(503);
    expect(direct.ocs.meta.statuscode).toBe(503);
    expect((await c.s2s('/cloud/shares/1/unshare', { token: 'abcdefghijklmno' })).status).toBe(503);
    expect((await c.ocs('GET', `${REMOTE}/pending`, { as: carol })).ocs.data).toEqual([]);
  });

  it('refuses a server the admin has not allowed before anything is sent', async () => {
    const target = await sniffer();
    try {
      const res = await c.ocs('POST', SHARES, { as: carol, body: { path: '/f', shareType: 6, shareWith: `bob@http://127.0.0.1:${target.port}` } });
      expect(res.status).toBe(403);
      expect(res.ocs.meta.message).toContain('is not an allowed federation server');
      const toB = await c.ocs('POST', SHARES, { as: carol, body: { path: '/f', shareType: 6, shareWith: bobAtB } });
      expect(toB.status).toBe(403);
      expect(target.connections()).toBe(0);
      expect((await c.ocs('GET', SHARES, { as: carol })).ocs.data).toEqual([]);
      expect(await pending()).toEqual([]);
    } finally {
      await target.close();
    }
  });

  it.skipIf(kind === 'postgres')('lists bob\'s home within the timeout while an owner server dribbles its answer', async () => {
    const owner = httpServer((req, res) => {
      if (req.method === 'POST') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":[]}}');
      }
      if (req.method === 'PROPFIND') {
        res.writeHead(207, { 'content-type': 'application/xml; charset=utf-8' });
        const timer = setInterval(() => res.write(' '), 100);
        return res.on('close', () => clearInterval(timer));
      }
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((resolve) => owner.listen(0, '127.0.0.1', resolve));
    try {
      const remote = `http://127.0.0.1:${(owner.address() as { port: number }).port}`;
      const offer = await b.s2s('/cloud/shares', { shareWith: 'bob', token: 'SlowOwnerToken1', name: 'slow', remoteId: '5', owner: 'mallory', remote });
      expect(offer.status, offer.text).toBe(200);
      const id = (await pending()).find((s) => s.remote === remote)!.id;
      expect((await b.ocs('POST', `${REMOTE}/pending/${id}`, { as: bob })).status).toBe(200);
      const started = Date.now();
      const home = await b.dav(bob, 'PROPFIND', '', { headers: { depth: '1' } });
      expect(home.status).toBe(207);
      expect(home.text).not.toContain('/remote.php/dav/files/bob/slow');
      expect(home.text).toContain('/remote.php/dav/files/bob/other%20(2)/');
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await b.ocs('DELETE', `${REMOTE}/${id}`, { as: bob })).status).toBe(200);
    } finally {
      owner.closeAllConnections();
      owner.close();
    }
  });

  it.skipIf(kind === 'postgres')('keeps bob\'s server whole while the owner server is down', async () => {
    await a.stop();
    const home = await b.dav(bob, 'PROPFIND', '', { headers: { depth: '1' } });
    expect(home.status).toBe(207);
    expect(home.text).not.toContain('other%20(2)');
    const get = await b.dav(bob, 'GET', `${encodeURIComponent('other (2)')}/big.bin`);
    expect(get.status).toBe(503);
    expect(get.text).toContain('Sabre\\DAV\\Exception\\ServiceUnavailable');
    const mounts = await accepted();
    expect(mounts).toEqual([expect.objectContaining({ mountpoint: '/other (2)' })]);
    expect((await b.ocs('DELETE', `${REMOTE}/${mounts[0]!.id}`, { as: bob })).status).toBe(200);
    expect(await accepted()).toEqual([]);
  });
});
