import http from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../helpers/app.js';
import { graph } from '../helpers/graph.js';
import { dav, expectDavError, FILES, mkcol, multistatus, propfind, put } from '../http/dav/dav-helpers.js';

const chunked = (parts: Buffer[]) => ({ body: Readable.from(parts), headers: { 'transfer-encoding': 'chunked' } });

describeEachDb('Files: storage, quota and one source of truth', (kind) => {
  let t: TestApp;
  let alice: { user: string; password: string };
  const ALICE = '/remote.php/dav/files/alice';
  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice', { quota: '1000' });
  });
  afterAll(async () => t?.close());

  /** Blobs on disk are exactly the ones rows reference (live files, their versions, and what is in a trash bin); nothing is left staged or journaled. */
  async function expectConsistentStorage(): Promise<void> {
    const onDisk = await t.stored.blobIds();
    const rows = [
      ...(await t.db.selectFrom('nodes').select('blob_id').where('blob_id', 'is not', null).execute()),
      ...(await t.db.selectFrom('file_versions').select('blob_id').execute()),
      ...(await t.db.selectFrom('trash_nodes').select('blob_id').where('blob_id', 'is not', null).execute()),
    ];
    expect(onDisk).toEqual(rows.map((r) => r.blob_id).sort());
    expect(await t.stored.staged()).toBe(0);
    expect(await t.db.selectFrom('blob_journal').selectAll().execute()).toEqual([]);
  }

  /** Every space's size equals the sum of its files, and every folder's size the sum below it. */
  async function expectExactSizes(): Promise<void> {
    const nodes = await t.db.selectFrom('nodes').select(['space_id', 'path', 'type', 'size']).execute();
    for (const s of await t.db.selectFrom('spaces').select(['id', 'size']).execute()) {
      const files = nodes.filter((n) => n.space_id === s.id && n.type === 'file');
      expect(Number(s.size), s.id).toBe(files.reduce((sum, f) => sum + Number(f.size), 0));
      for (const folder of nodes.filter((n) => n.space_id === s.id && n.type === 'folder')) {
        const below = files.filter((f) => f.path.startsWith(`${folder.path}/`));
        expect(Number(folder.size), folder.path).toBe(below.reduce((sum, f) => sum + Number(f.size), 0));
      }
    }
  }

  describe('quota (507 with the Sabre body, nothing stored)', () => {
    it('refuses a PUT whose declared length exceeds the personal quota before reading it', async () => {
      expect((await put(t.app, `${ALICE}/small.txt`, Buffer.alloc(600, 1), { as: alice })).statusCode).toBe(201);
      expectDavError(await put(t.app, `${ALICE}/big.bin`, Buffer.alloc(500, 2), { as: alice }), 507, 'Sabre\\DAV\\Exception\\InsufficientStorage');
      expect((await dav(t.app, 'HEAD', `${ALICE}/big.bin`, { as: alice })).statusCode).toBe(404);
      await expectConsistentStorage();
    });

    it('stops a PUT of unknown length once it passes the quota, and cleans up', async () => {
      const res = await dav(t.app, 'PUT', `${ALICE}/stream.bin`, { as: alice, ...chunked([Buffer.alloc(700, 1), Buffer.alloc(700, 2)]) });
      expectDavError(res, 507);
      expect((await dav(t.app, 'HEAD', `${ALICE}/stream.bin`, { as: alice })).statusCode).toBe(404);
      await expectConsistentStorage();
    });

    it('lets an overwrite use the room its old version frees', async () => {
      expect((await put(t.app, `${ALICE}/small.txt`, Buffer.alloc(990, 3), { as: alice })).statusCode).toBe(204);
      expect((await put(t.app, `${ALICE}/small.txt`, Buffer.alloc(600, 1), { as: alice })).statusCode).toBe(204);
    });

    it('refuses a COPY that would pass the quota', async () => {
      expectDavError(await dav(t.app, 'COPY', `${ALICE}/small.txt`, { as: alice, headers: { destination: `${ALICE}/copy.txt` } }), 507);
      await expectConsistentStorage();
    });

    it('refuses a chunked upload whose total passes the quota when its folder is made', async () => {
      const res = await dav(t.app, 'MKCOL', '/remote.php/dav/uploads/alice/q-1', {
        as: alice,
        headers: { destination: `http://nimbus.test${ALICE}/chunked.bin`, 'oc-total-length': '5000' },
      });
      expectDavError(res, 507);
    });

    it('reports the same used bytes over OCS, WebDAV and Graph', async () => {
      const user = await ocs(t.app, 'GET', '/cloud/users/alice', { as: alice });
      expect(user.ocs.data.quota).toMatchObject({ used: 600, total: 1000, free: 400, relative: 60, quota: 1000 });
      const [root] = multistatus(await propfind(t.app, `${ALICE}/`, ['d:quota-used-bytes', 'd:quota-available-bytes'], { as: alice }));
      expect(root!.ok).toMatchObject({ 'd:quota-used-bytes': '600', 'd:quota-available-bytes': '400' });
      const drive = await graph(t.app, 'GET', '/graph/v1.0/me/drive', { as: alice });
      expect(drive.data.quota).toMatchObject({ used: 600, total: 1000, remaining: 400 });
    });

    it('refuses a MOVE into a project space that has no room, and keeps the source', async () => {
      const created = await graph(t.app, 'POST', '/graph/v1.0/drives', { body: { name: 'Tiny', quota: { total: 100 } } });
      expect(created.statusCode).toBe(201);
      const spaceUrl = `/remote.php/dav/spaces/${created.data.id}`;
      await put(t.app, `${FILES}/hundred-and-one.bin`, Buffer.alloc(101, 7));
      expectDavError(await dav(t.app, 'MOVE', `${FILES}/hundred-and-one.bin`, { headers: { destination: `${spaceUrl}/x.bin` } }), 507);
      expect((await dav(t.app, 'GET', `${FILES}/hundred-and-one.bin`)).rawPayload.length).toBe(101);
      await put(t.app, `${FILES}/fifty.bin`, Buffer.alloc(50, 7));
      expect((await dav(t.app, 'MOVE', `${FILES}/fifty.bin`, { headers: { destination: `${spaceUrl}/fifty.bin` } })).statusCode).toBe(201);
      const drive = await graph(t.app, 'GET', `/graph/v1.0/drives/${created.data.id}`);
      expect(drive.data.quota).toMatchObject({ used: 50, total: 100, remaining: 50 });
      await expectExactSizes();
      await expectConsistentStorage();
    });
  });

  describe('etags and sizes', () => {
    it('gives the Graph root the etag WebDAV shows for the space root, changing on every write below', async () => {
      const before = (await graph(t.app, 'GET', '/graph/v1.0/me/drive')).data.root.eTag;
      const [root0] = multistatus(await propfind(t.app, `${FILES}/`, ['d:getetag']));
      expect(root0!.ok['d:getetag']).toBe(before);
      await mkcol(t.app, `${FILES}/deep`);
      await mkcol(t.app, `${FILES}/deep/er`);
      const [deep0] = multistatus(await propfind(t.app, `${FILES}/deep/`, ['d:getetag']));
      await put(t.app, `${FILES}/deep/er/leaf.txt`, 'leaf');
      const after = (await graph(t.app, 'GET', '/graph/v1.0/me/drive')).data.root.eTag;
      expect(after).not.toBe(before);
      const [deep1] = multistatus(await propfind(t.app, `${FILES}/deep/`, ['d:getetag', 'oc:size']));
      expect(deep1!.ok['d:getetag']).not.toBe(deep0!.ok['d:getetag']);
      expect(deep1!.ok['oc:size']).toBe('4');
    });

    it('keeps every size exact under concurrent writers', async () => {
      await mkcol(t.app, `${FILES}/burst`);
      await Promise.all(Array.from({ length: 20 }, (_, i) => put(t.app, `${FILES}/burst/f${i}.bin`, Buffer.alloc(10 + i, i))));
      await Promise.all(Array.from({ length: 10 }, (_, i) => dav(t.app, 'DELETE', `${FILES}/burst/f${i}.bin`)));
      await expectExactSizes();
      await expectConsistentStorage();
    });
  });

  describe('names', () => {
    it('keeps NFC and NFD spellings apart and returns each exactly', async () => {
      const nfc = 'caf\u00e9.txt';
      const nfd = 'cafe\u0301.txt';
      await put(t.app, `${FILES}/${encodeURIComponent(nfc)}`, 'composed');
      await put(t.app, `${FILES}/${encodeURIComponent(nfd)}`, 'decomposed');
      expect((await dav(t.app, 'GET', `${FILES}/${encodeURIComponent(nfc)}`)).body).toBe('composed');
      expect((await dav(t.app, 'GET', `${FILES}/${encodeURIComponent(nfd)}`)).body).toBe('decomposed');
      const hrefs = multistatus(await propfind(t.app, `${FILES}/`, ['d:getetag'], { depth: '1' })).map((r) => decodeURIComponent(r.href));
      expect(hrefs).toContain(`${FILES}/${nfc}`);
      expect(hrefs).toContain(`${FILES}/${nfd}`);
    });

    it('refuses the forbidden names of the capabilities with 400, also as a MOVE or COPY target', async () => {
      for (const name of ['.htaccess', '.HTACCESS', 'x.part', 'y.filepart', 'a\\b', 'tab\there']) {
        expectDavError(await put(t.app, `${FILES}/${encodeURIComponent(name)}`, 'x'), 400);
        expectDavError(await mkcol(t.app, `${FILES}/${encodeURIComponent(name)}`), 400);
      }
      await put(t.app, `${FILES}/ok.txt`, 'x');
      expectDavError(await dav(t.app, 'MOVE', `${FILES}/ok.txt`, { headers: { destination: `${FILES}/.htaccess` } }), 400);
      expectDavError(await dav(t.app, 'COPY', `${FILES}/ok.txt`, { headers: { destination: `${FILES}/z.part` } }), 400);
    });
  });

  describe('dead properties', () => {
    const setProp = (url: string) =>
      dav(t.app, 'PROPPATCH', url, { body: '<d:propertyupdate xmlns:d="DAV:" xmlns:z="urn:z"><d:set><d:prop><z:colour>blue</z:colour></d:prop></d:set></d:propertyupdate>' });
    const colour = async (url: string) => multistatus(await dav(t.app, 'PROPFIND', url, { depth: '0', body: '<d:propfind xmlns:d="DAV:" xmlns:z="urn:z"><d:prop><z:colour/></d:prop></d:propfind>' }))[0]!;

    it('follow a MOVE, are copied by a COPY and go with a DELETE', async () => {
      await put(t.app, `${FILES}/props.txt`, 'x');
      expect((await setProp(`${FILES}/props.txt`)).statusCode).toBe(207);
      await dav(t.app, 'MOVE', `${FILES}/props.txt`, { headers: { destination: `${FILES}/props-moved.txt` } });
      expect(JSON.stringify((await colour(`${FILES}/props-moved.txt`)).ok)).toContain('blue');
      await dav(t.app, 'COPY', `${FILES}/props-moved.txt`, { headers: { destination: `${FILES}/props-copy.txt` } });
      expect(JSON.stringify((await colour(`${FILES}/props-copy.txt`)).ok)).toContain('blue');
      await dav(t.app, 'DELETE', `${FILES}/props-moved.txt`);
      await put(t.app, `${FILES}/props-moved.txt`, 'new file, same name');
      expect((await colour(`${FILES}/props-moved.txt`)).failed[404]).toBeDefined();
    });
  });

  describe('space lifecycle', () => {
    it('hides a disabled space from WebDAV for everyone, and a purge deletes its blobs', async () => {
      const created = await graph(t.app, 'POST', '/graph/v1.0/drives', { body: { name: 'Doomed' } });
      const id = created.data.id as string;
      const url = `/remote.php/dav/spaces/${id}`;
      await mkcol(t.app, `${url}/docs`);
      await put(t.app, `${url}/docs/a.txt`, 'a');
      await put(t.app, `${url}/b.txt`, 'bb');
      const blobsBefore = (await t.stored.blobIds()).length;
      expect((await graph(t.app, 'DELETE', `/graph/v1.0/drives/${id}`)).statusCode).toBe(204);
      expectDavError(await dav(t.app, 'GET', `${url}/b.txt`), 404);
      expectDavError(await dav(t.app, 'PROPFIND', `${url}/`, { depth: '1' }), 404);
      expectDavError(await put(t.app, `${url}/c.txt`, 'c'), 404);
      expect((await graph(t.app, 'DELETE', `/graph/v1.0/drives/${id}`, { headers: { Purge: 'T' } })).statusCode).toBe(204);
      expect((await t.stored.blobIds()).length).toBe(blobsBefore - 2);
      expect(await t.db.selectFrom('nodes').select('id').where('space_id', '=', id.split('$')[1]!).execute()).toEqual([]);
      await expectConsistentStorage();
    });

    it("deletes a user's blobs with the user", async () => {
      const gone = await newUser(t.app, 'gone');
      await put(t.app, '/remote.php/dav/files/gone/mine.txt', 'mine', { as: gone });
      const before = (await t.stored.blobIds()).length;
      expect((await ocs(t.app, 'DELETE', '/cloud/users/gone')).statusCode).toBe(200);
      expect((await t.stored.blobIds()).length).toBe(before - 1);
      await expectConsistentStorage();
    });
  });

  it('survives a client that drops the connection mid-upload, leaving nothing behind', async () => {
    const origin = new URL(await t.app.listen({ port: 0, host: '127.0.0.1' }));
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: '127.0.0.1',
        port: Number(origin.port),
        method: 'PUT',
        path: `${FILES}/dropped.bin`,
        headers: { authorization: basic(ADMIN.user, ADMIN.password), 'content-length': String(10 * 1024 * 1024) },
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(256 * 1024, 1), () => setTimeout(() => req.destroy(), 50));
      req.on('close', () => resolve());
    });
    // The server notices the reset asynchronously: wait (bounded) for its staging file to go.
    for (let i = 0; i < 500 && (await t.stored.staged()); i++) await new Promise((r) => setTimeout(r, 20));
    expect((await dav(t.app, 'HEAD', `${FILES}/dropped.bin`)).statusCode).toBe(404);
    expect((await dav(t.app, 'PROPFIND', `${FILES}/`, { depth: '0' })).statusCode).toBe(207);
    await expectConsistentStorage();
  });

  it('gives every node and space root its own numeric file id', async () => {
    const ids = (await t.db.selectFrom('nodes').select('file_id').execute()).map((r) => Number(r.file_id));
    const roots = (await t.db.selectFrom('spaces').select('root_file_id').execute()).map((r) => Number(r.root_file_id));
    const all = [...ids, ...roots];
    expect(new Set(all).size).toBe(all.length);
  });
});
