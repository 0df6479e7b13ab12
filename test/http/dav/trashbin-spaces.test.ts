import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb, ocs } from '../../helpers/app.js';
import { type Drive, world, type World } from '../graph/drives-helpers.js';
import { dav, expectDavError, mkcol, multistatus, propfind, put } from './dav-helpers.js';

const OCIS_PROPS = ['oc:trashbin-original-filename', 'oc:trashbin-original-location', 'oc:trashbin-delete-datetime', 'oc:trashbin-delete-timestamp', 'd:getcontentlength', 'd:resourcetype', 'oc:size', 'oc:spaceid'];

describeEachDb('WebDAV trash bin of spaces (oCIS spaces/trash-bin endpoints)', (kind) => {
  let w: World;
  let space: Drive;
  let spaceRef: string;
  let plainId: string;
  const files = (path = '') => `/remote.php/dav/spaces/${spaceRef}/${path}`;
  const bin = (path = '', prefix = '/remote.php/dav') => `${prefix}/spaces/trash-bin/${spaceRef}${path ? `/${path}` : ''}`;
  const as = (who: keyof World['as']) => w.as[who];
  const items = async (who: keyof World['as'] = 'manager') => multistatus(await propfind(w.t.app, bin(), OCIS_PROPS, { as: as(who), depth: '1' })).slice(1);
  const keyOf = async (location: string) => {
    const found = (await items()).find((i) => i.ok['oc:trashbin-original-location'] === location);
    expect(found, location).toBeDefined();
    return decodeURIComponent(found!.href.replace(/\/$/, '').split('/').pop()!);
  };
  const trashed = async (path: string, body = 'content') => {
    expect((await put(w.t.app, files(path), body, { as: as('editor') })).statusCode).toBe(201);
    expect((await dav(w.t.app, 'DELETE', files(path), { as: as('editor') })).statusCode).toBe(204);
    return keyOf(path);
  };

  beforeAll(async () => {
    w = await world(kind);
    space = await w.projectSpace('Trash Project');
    spaceRef = encodeURIComponent(space.id);
    plainId = space.id.split('$')[1]!;
  });
  afterAll(async () => w?.close());

  it('lists items by key with the oc:trashbin-* properties, under /remote.php/dav and /dav alike', async () => {
    await mkcol(w.t.app, files('reports'), { as: as('editor') });
    const key = await trashed('reports/q1.txt', 'first quarter');
    const res = multistatus(await propfind(w.t.app, bin(), OCIS_PROPS, { as: as('manager'), depth: '1' }));
    expect(res[0]!.href).toBe(`${bin()}/`);
    expect(res[0]!.ok['d:resourcetype']).toEqual({ 'd:collection': '' });
    const item = res.find((r) => r.href === bin(key))!;
    expect(item.ok['oc:trashbin-original-filename']).toBe('q1.txt');
    expect(item.ok['oc:trashbin-original-location']).toBe('reports/q1.txt');
    expect(item.ok['oc:trashbin-delete-datetime']).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect(Number(item.ok['oc:trashbin-delete-timestamp'])).toBeGreaterThan(1_600_000_000);
    expect(item.ok['d:getcontentlength']).toBe('13');
    expect(item.ok['oc:spaceid']).toBe(plainId);
    const viaDav = multistatus(await propfind(w.t.app, bin('', '/dav'), OCIS_PROPS, { as: as('manager'), depth: '1' }));
    expect(viaDav.map((r) => r.href)).toContain(`/dav/spaces/trash-bin/${spaceRef}/${key}`);
    const allprop = multistatus(await dav(w.t.app, 'PROPFIND', bin(key), { as: as('manager'), depth: '0' }));
    expect(allprop[0]!.ok['oc:trashbin-original-location']).toBe('reports/q1.txt');
  });

  it('browses a trashed folder and restores items to their place, to another name, with and without Overwrite', async () => {
    await mkcol(w.t.app, files('folder'), { as: as('editor') });
    await put(w.t.app, files('folder/inner.txt'), 'inner', { as: as('editor') });
    expect((await dav(w.t.app, 'DELETE', files('folder'), { as: as('editor') })).statusCode).toBe(204);
    const key = await keyOf('folder');
    const inside = multistatus(await propfind(w.t.app, bin(key), OCIS_PROPS, { as: as('manager'), depth: '1' }));
    expect(inside.map((r) => r.href)).toEqual([`${bin(key)}/`, bin(`${key}/inner.txt`)]);
    expect(inside[1]!.ok['oc:trashbin-original-location']).toBe('folder/inner.txt');

    const moved = await dav(w.t.app, 'MOVE', bin(key), { as: as('manager'), headers: { destination: files('folder') } });
    expect(moved.statusCode, moved.body).toBe(201);
    expect(moved.headers['oc-fileid']).toMatch(new RegExp(`^${space.id.replace('$', '\\$')}!`));
    expect((await dav(w.t.app, 'GET', files('folder/inner.txt'), { as: as('viewer') })).body).toBe('inner');

    const other = await trashed('renamed.txt', 'rename me');
    expect((await dav(w.t.app, 'MOVE', bin(other), { as: as('manager'), headers: { destination: files('folder/new-name.txt') } })).statusCode).toBe(201);
    expect((await dav(w.t.app, 'GET', files('folder/new-name.txt'), { as: as('manager') })).body).toBe('rename me');

    const old = await trashed('taken.txt', 'old');
    await put(w.t.app, files('taken.txt'), 'new', { as: as('editor') });
    expectDavError(await dav(w.t.app, 'MOVE', bin(old), { as: as('manager'), headers: { destination: files('taken.txt'), overwrite: 'F' } }), 412);
    const over = await dav(w.t.app, 'MOVE', bin(old), { as: as('manager'), headers: { destination: files('taken.txt') } });
    expect(over.statusCode, over.body).toBe(204);
    expect((await dav(w.t.app, 'GET', files('taken.txt'), { as: as('manager') })).body).toBe('old');
    // What was there went to the trash in its turn.
    expect(await keyOf('taken.txt')).toBeTruthy();

    const lost = await trashed('lost.txt');
    expectDavError(await dav(w.t.app, 'MOVE', bin(lost), { as: as('manager'), headers: { destination: files('no/such/folder.txt') } }), 409);
    expectDavError(await dav(w.t.app, 'MOVE', bin(lost), { as: as('manager'), headers: { destination: files('x.txt'), overwrite: 'maybe' } }), 400);
    expectDavError(await dav(w.t.app, 'MOVE', bin(lost), { as: as('manager') }), 400);
    expectDavError(await dav(w.t.app, 'MOVE', bin(lost), { as: as('manager'), headers: { destination: `/remote.php/dav/spaces/${encodeURIComponent(w.as.manager!.user)}/x.txt` } }), 403);
  });

  it('lets the roles do what oCIS lets them: viewers list, editors restore, managers purge and empty', async () => {
    const key = await trashed('roles.txt');
    expect((await items('viewer')).length).toBeGreaterThan(0);
    expectDavError(await dav(w.t.app, 'MOVE', bin(key), { as: as('viewer'), headers: { destination: files('roles.txt') } }), 403);
    expectDavError(await dav(w.t.app, 'DELETE', bin(key), { as: as('viewer') }), 403);
    expectDavError(await dav(w.t.app, 'DELETE', bin(key), { as: as('editor') }), 403);
    expectDavError(await dav(w.t.app, 'DELETE', bin(), { as: as('editor') }), 403);
    for (const who of ['user', 'spaceAdmin', 'admin'] as const) {
      expectDavError(await propfind(w.t.app, bin(), OCIS_PROPS, { as: as(who), depth: '1' }), 404);
      expectDavError(await dav(w.t.app, 'DELETE', bin(key), { as: as(who) }), 404);
      expectDavError(await dav(w.t.app, 'MOVE', bin(key), { as: as(who), headers: { destination: files('roles.txt') } }), 404);
    }
    expectDavError(await propfind(w.t.app, bin(), OCIS_PROPS, { as: null, depth: '1' }), 401);
    expect((await dav(w.t.app, 'MOVE', bin(key), { as: as('editor'), headers: { destination: files('roles.txt') } })).statusCode).toBe(201);

    const purged = await trashed('purge.txt');
    expect((await dav(w.t.app, 'DELETE', bin(purged), { as: as('manager') })).statusCode).toBe(204);
    const again = await dav(w.t.app, 'DELETE', bin(purged), { as: as('manager') });
    expect(expectDavError(again, 409).message).toBe(`key ${purged} not found`);
    await trashed('empty-1.txt');
    await trashed('empty-2.txt');
    expect((await dav(w.t.app, 'DELETE', bin(), { as: as('manager') })).statusCode).toBe(204);
    expect(await items()).toEqual([]);
    expectDavError(await propfind(w.t.app, '/remote.php/dav/spaces/trash-bin/not-a-space', OCIS_PROPS, { as: as('manager'), depth: '1' }), 404);
    expectDavError(await dav(w.t.app, 'PUT', bin('x'), { as: as('manager'), body: 'x' }), 501);
  });

  it('serves the personal space trash to its owner only, and a purged space takes its trash with it', async () => {
    const me = w.as.user!;
    await put(w.t.app, `/remote.php/dav/files/${me.user}/mine.txt`, 'mine', { as: me });
    await dav(w.t.app, 'DELETE', `/remote.php/dav/files/${me.user}/mine.txt`, { as: me });
    const personal = `/remote.php/dav/spaces/trash-bin/${me.user}`;
    const listed = multistatus(await propfind(w.t.app, personal, OCIS_PROPS, { as: me, depth: '1' }));
    expect(listed.slice(1).map((r) => r.ok['oc:trashbin-original-location'])).toEqual(['mine.txt']);
    expectDavError(await propfind(w.t.app, personal, OCIS_PROPS, { as: w.as.manager, depth: '1' }), 404);

    await trashed('before-purge.txt');
    const disable = await w.call('manager', 'DELETE', `/graph/v1.0/drives/${space.id}`);
    expect(disable.statusCode, disable.body).toBe(204);
    const purge = await w.call('manager', 'DELETE', `/graph/v1.0/drives/${space.id}`, { headers: { purge: 'T' } });
    expect(purge.statusCode, purge.body).toBe(204);
    expect(await w.t.db.selectFrom('trash_items').select('id').where('space_id', '=', plainId).execute()).toEqual([]);
    expect(await w.t.db.selectFrom('trash_nodes').select('id').where('space_id', '=', plainId).execute()).toEqual([]);

    const gone = await ocs(w.t.app, 'DELETE', `/cloud/users/${me.user}`);
    expect(gone.statusCode, gone.body).toBe(200);
    expect(await w.t.db.selectFrom('trash_items').select('id').where('space_id', '=', me.user).execute()).toEqual([]);
    expect(await w.t.db.selectFrom('blob_journal').select('blob_id').execute()).toEqual([]);
  });
});
