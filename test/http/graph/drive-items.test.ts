import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newUser, type TestApp } from '../../helpers/app.js';
import { graph } from '../../helpers/graph.js';
import { dav, mkcol, put } from '../dav/dav-helpers.js';

const VIEWER = 'a8d5fe5e-96e3-418d-825b-534dbdf22b99';

describeEachDb('Graph drive items and special', (kind) => {
  let t: TestApp;
  let bob: { user: string; password: string };
  let eve: { user: string; password: string };
  let driveId: string;
  let dav0: string;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    bob = await newUser(t.app, 'bob');
    eve = await newUser(t.app, 'eve');
    const created = await graph(t.app, 'POST', '/graph/v1.0/drives', { body: { name: 'Mars' } });
    driveId = created.data.id;
    dav0 = `/remote.php/dav/spaces/${driveId}`;
    await graph(t.app, 'POST', `/graph/v1beta1/drives/${driveId}/root/invite`, {
      body: { recipients: [{ objectId: 'bob', '@libre.graph.recipient.type': 'user' }], roles: [VIEWER] },
    });
    await mkcol(t.app, `${dav0}/.space`);
    await put(t.app, `${dav0}/.space/readme.md`, '# Mars\n');
    await put(t.app, `${dav0}/.space/image.png`, Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await mkcol(t.app, `${dav0}/docs`);
    await put(t.app, `${dav0}/docs/b.txt`, 'bee');
    await put(t.app, `${dav0}/docs/a b.txt`, 'ay');
  });
  afterAll(async () => t?.close());

  /** The item id of a path, as WebDAV's oc:fileid-independent id: read it from the children listing. */
  async function itemOf(path: string[]): Promise<any> {
    let items = (await graph(t.app, 'GET', `/graph/v1.0/drives/${driveId}/items/${driveId}/children`)).data.value;
    let found: any;
    for (const seg of path) {
      found = items.find((i: any) => i.name === seg);
      if (!found) throw new Error(`no ${seg}`);
      items = (await graph(t.app, 'GET', `/graph/v1.0/drives/${driveId}/items/${found.id}/children`)).data.value;
    }
    return found;
  }

  describe('items', () => {
    it('lists the root and a folder with the reference DriveItem shape', async () => {
      const root = await graph(t.app, 'GET', `/graph/v1.0/drives/${driveId}/items/${driveId}/children`, { schema: 'driveItem' });
      expect(root.statusCode).toBe(200);
      expect(root.data.value.map((i: any) => i.name)).toEqual(['.space', 'docs']);
      const docs = root.data.value[1];
      expect(docs).toMatchObject({ folder: {}, size: 5, parentReference: { driveId, driveType: 'project', id: driveId, path: '/' } });
      expect(docs.id).toMatch(new RegExp(`^${driveId.replace('$', '\\$')}!`));
      expect(docs.eTag).toMatch(/^"[^"]+"$/);
      expect(docs.webDavUrl).toBe(`http://nimbus.test/dav/spaces/${driveId}/docs`);
      const inside = await graph(t.app, 'GET', `/graph/v1.0/drives/${driveId}/items/${docs.id}/children`, { schema: 'driveItem' });
      expect(inside.data.value.map((i: any) => i.name)).toEqual(['a b.txt', 'b.txt']);
      expect(inside.data.value[0]).toMatchObject({ file: { mimeType: 'text/plain' }, size: 2, parentReference: { id: docs.id, name: 'docs', path: '/docs' } });
      expect(inside.data.value[0].webDavUrl).toBe(`http://nimbus.test/dav/spaces/${driveId}/docs/a%20b.txt`);
    });

    it('gets one item, whose eTag is the one WebDAV reports', async () => {
      const b = await itemOf(['docs', 'b.txt']);
      const one = await graph(t.app, 'GET', `/graph/v1beta1/drives/${driveId}/items/${b.id}`, { schema: 'driveItem' });
      expect(one.data).toEqual(b);
      const head = await dav(t.app, 'HEAD', `${dav0}/docs/b.txt`);
      expect(head.headers.etag).toBe(b.eTag);
      const file = await graph(t.app, 'GET', `/graph/v1.0/drives/${driveId}/items/${b.id}/children`);
      expect(file.data).toEqual({ value: [] });
    });

    it('lists the personal root with /me/drive/root/children', async () => {
      await put(t.app, '/remote.php/dav/files/bob/hello.txt', 'hi', { as: bob });
      const res = await graph(t.app, 'GET', '/graph/v1.0/me/drive/root/children', { as: bob, schema: 'driveItem' });
      expect(res.data.value.map((i: any) => [i.name, i.size])).toEqual([['hello.txt', 2]]);
      expect(res.data.value[0].parentReference.driveType).toBe('personal');
    });

    it('lets a Space Viewer read; strangers, admins without a grant and unknown items get 404, anonymous 401, bad ids 400', async () => {
      const b = await itemOf(['docs', 'b.txt']);
      expect((await graph(t.app, 'GET', `/graph/v1.0/drives/${driveId}/items/${b.id}`, { as: bob })).statusCode).toBe(200);
      expect((await graph(t.app, 'GET', `/graph/v1.0/drives/${driveId}/items/${b.id}`, { as: eve })).statusCode).toBe(404);
      expect((await graph(t.app, 'GET', `/graph/v1.0/drives/${driveId}/items/${b.id}`, { as: null })).statusCode).toBe(401);
      expect((await graph(t.app, 'GET', `/graph/v1.0/drives/${driveId}/items/${driveId}!00000000-0000-0000-0000-000000000000`)).statusCode).toBe(404);
      expect((await graph(t.app, 'GET', `/graph/v1.0/drives/${driveId}/items/not-an-item`)).statusCode).toBe(400);
      // An item of one drive asked for under another is not there.
      const bobDrive = (await graph(t.app, 'GET', '/graph/v1.0/me/drive', { as: bob })).data.id;
      expect((await graph(t.app, 'GET', `/graph/v1.0/drives/${bobDrive}/items/${b.id}`, { as: bob })).statusCode).toBe(404);
      // The admin created the space and manages it; a second admin-free check: eve's own drive is hers alone.
      const eveDrive = (await graph(t.app, 'GET', '/graph/v1.0/me/drive', { as: eve })).data.id;
      expect((await graph(t.app, 'GET', `/graph/v1.0/drives/${eveDrive}/items/${eveDrive}/children`)).statusCode).toBe(404);
    });
  });

  describe('special', () => {
    it('sets readme and image by item id and lists them in the drive', async () => {
      const readme = await itemOf(['.space', 'readme.md']);
      const image = await itemOf(['.space', 'image.png']);
      const special = [
        { id: readme.id, specialFolder: { name: 'readme' } },
        { id: image.id, specialFolder: { name: 'image' } },
      ];
      const res = await graph(t.app, 'PATCH', `/graph/v1.0/drives/${driveId}`, { body: { special }, schema: 'drive' });
      expect(res.statusCode).toBe(200);
      expect(res.data.special).toEqual([
        { ...readme, specialFolder: { name: 'readme' } },
        { ...image, specialFolder: { name: 'image' } },
      ]);
      expect(res.data.special[0]).toMatchObject({ file: { mimeType: 'text/markdown' }, parentReference: { name: '.space', path: '/.space' } });
      const listed = (await graph(t.app, 'GET', '/graph/v1.0/me/drives', { as: bob, schema: 'drive' })).data.value.find((d: any) => d.id === driveId);
      expect(listed.special.map((i: any) => i.specialFolder.name)).toEqual(['readme', 'image']);
    });

    it('refuses viewers with 404 and items that are not files of the space with 400', async () => {
      const readme = await itemOf(['.space', 'readme.md']);
      const special = [{ id: readme.id, specialFolder: { name: 'readme' } }];
      expect((await graph(t.app, 'PATCH', `/graph/v1.0/drives/${driveId}`, { as: bob, body: { special } })).statusCode).toBe(404);
      const folder = await itemOf(['docs']);
      expect((await graph(t.app, 'PATCH', `/graph/v1.0/drives/${driveId}`, { body: { special: [{ id: folder.id, specialFolder: { name: 'image' } }] } })).statusCode).toBe(400);
      expect((await graph(t.app, 'PATCH', `/graph/v1.0/drives/${driveId}`, { body: { special: [{ id: 'nope', specialFolder: { name: 'image' } }] } })).statusCode).toBe(400);
      expect((await graph(t.app, 'PATCH', `/graph/v1.0/drives/${driveId}`, { body: { special: [{ id: readme.id, specialFolder: { name: 'logo' } }] } })).statusCode).toBe(400);
    });

    it('drops a special item whose file is gone, and hides special on a disabled space', async () => {
      await dav(t.app, 'DELETE', `${dav0}/.space/image.png`);
      const drive = (await graph(t.app, 'GET', `/graph/v1.0/drives/${driveId}`, { schema: 'drive' })).data;
      expect(drive.special.map((i: any) => i.specialFolder.name)).toEqual(['readme']);
      await graph(t.app, 'DELETE', `/graph/v1.0/drives/${driveId}`);
      const disabled = (await graph(t.app, 'GET', `/graph/v1.0/drives/${driveId}`)).data;
      expect(disabled.special).toBeUndefined();
      expect((await graph(t.app, 'GET', `/graph/v1.0/drives/${driveId}/items/${driveId}/children`)).statusCode).toBe(404);
    });
  });
});
