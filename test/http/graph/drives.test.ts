import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb, newUser, ocs } from '../../helpers/app.js';
import { assignGlobalRole, driveCall, GLOBAL_ROLE, ids, INT64_MAX_TEXT, invite, ROLE, SHARES, world, type World } from './drives-helpers.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describeEachDb('Graph drives', (kind) => {
  let w: World;
  let url: (path: string) => string;

  beforeAll(async () => {
    w = await world(kind);
    url = (path) => `http://nimbus.test${path}`;
  });
  afterAll(async () => w.close());

  it('a personal drive and the Shares drive, exactly as the reference shapes them', async () => {
    const alice = await newUser(w.t.app, 'alice', { displayName: 'Alice Hansen' });
    const res = await driveCall(w.t.app, 'GET', '/graph/v1.0/me/drives', { as: alice, schema: 'drive' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const personal = res.data.value.find((d: { driveType: string }) => d.driveType === 'personal');
    const id = `${w.storage}$alice`;
    expect(personal).toEqual({
      driveAlias: 'personal/alice',
      driveType: 'personal',
      id,
      lastModifiedDateTime: expect.stringMatching(ISO),
      name: 'Alice Hansen',
      owner: { user: { displayName: '', id: 'alice' } },
      quota: { remaining: 9223372036854775807, state: 'normal', total: 0, used: 0 },
      root: { eTag: expect.stringMatching(/^"[^"]+"$/), id, webDavUrl: url(`/dav/spaces/${id}`) },
      webUrl: url(`/f/${id}`),
    });
    // Unlimited remaining is int64 max, written exactly (JSON.parse above rounds it).
    expect(res.body).toContain(`"remaining":${INT64_MAX_TEXT},`);
    expect(Object.keys(personal)).toEqual(Object.keys(personal).sort());
    const shares = res.data.value.find((d: { id: string }) => d.id === SHARES);
    expect(shares).toEqual({
      driveAlias: 'virtual/shares',
      driveType: 'virtual',
      id: SHARES,
      name: 'Shares',
      root: { eTag: 'DECAFC00FEE', id: SHARES, webDavUrl: url(`/dav/spaces/${SHARES}`) },
      webUrl: url(`/f/${SHARES}`),
    });
    expect(res.data.value).toHaveLength(2);
  });

  it('GET /me/drive, /users/{id}/drive: own drive for everyone, others only with Drives.List', async () => {
    const bob = await newUser(w.t.app, 'bob');
    const me = await driveCall(w.t.app, 'GET', '/graph/v1.0/me/drive', { as: bob, schema: 'drive' });
    expect(me.data.id).toBe(`${w.storage}$bob`);
    expect((await driveCall(w.t.app, 'GET', '/graph/v1.0/users/bob/drive', { as: bob, schema: 'drive' })).data.id).toBe(me.data.id);
    const other = await driveCall(w.t.app, 'GET', '/graph/v1.0/users/bob/drive', { as: w.as.user! });
    expect(other.statusCode).toBe(404);
    expect(other.data.error).toMatchObject({ code: 'itemNotFound', message: 'no drive returned from storage' });
    expect((await driveCall(w.t.app, 'GET', '/graph/v1.0/users/bob/drive', { schema: 'drive' })).statusCode).toBe(200);
    expect((await driveCall(w.t.app, 'GET', '/graph/v1beta1/users/bob/drive', { as: w.as.spaceAdmin!, schema: 'drive' })).statusCode).toBe(200);
    expect((await driveCall(w.t.app, 'GET', '/graph/v1.0/users/nobody/drive')).statusCode).toBe(404);
    // Deleting the user takes the personal drive with it.
    await ocs(w.t.app, 'DELETE', '/cloud/users/bob');
    expect((await driveCall(w.t.app, 'GET', `/graph/v1.0/drives/${me.data.id}`)).statusCode).toBe(404);
  });

  it('a personal drive quota is the OCS provisioning quota, both ways', async () => {
    const carol = await newUser(w.t.app, 'carol');
    await ocs(w.t.app, 'PUT', '/cloud/users/carol', { body: { key: 'quota', value: '1 KB' } });
    const drive = await driveCall(w.t.app, 'GET', '/graph/v1.0/me/drive', { as: carol, schema: 'drive' });
    expect(drive.data.quota).toEqual({ remaining: 1024, state: 'normal', total: 1024, used: 0 });
    const patched = await driveCall(w.t.app, 'PATCH', `/graph/v1.0/drives/${drive.data.id}`, { body: { quota: { total: 4096 } }, schema: 'drive' });
    expect(patched.data.quota).toEqual({ remaining: 4096, state: 'normal', total: 4096, used: 0 });
    expect((await ocs(w.t.app, 'GET', '/cloud/users/carol')).ocs.data.quota.quota).toBe(4096);
    // 0 and -1 both mean "no restriction".
    for (const total of [0, -1]) {
      const res = await driveCall(w.t.app, 'PATCH', `/graph/v1.0/drives/${drive.data.id}`, { body: { quota: { total } }, schema: 'drive' });
      expect(res.data.quota).toMatchObject({ total: 0, used: 0, state: 'normal' });
      expect(res.body).toContain(`"remaining":${INT64_MAX_TEXT}`);
    }
  });

  it('POST /drives creates a project space with the documented shape; the creator is its Manager', async () => {
    const res = await driveCall(w.t.app, 'POST', '/graph/v1.0/drives', { body: { name: ' Project Mars ', description: 'red', quota: { total: 2000 } }, schema: 'drive' });
    expect(res.statusCode).toBe(201);
    const d = res.data;
    const spaceId = d.id.split('$')[1];
    expect(d.id).toBe(`${w.storage}$${spaceId}`);
    expect(spaceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(d).toEqual({
      description: 'red',
      driveAlias: 'project/project-mars',
      driveType: 'project',
      id: d.id,
      lastModifiedDateTime: expect.stringMatching(ISO),
      name: 'Project Mars',
      owner: { user: { displayName: '', id: spaceId } },
      quota: { remaining: 2000, state: 'normal', total: 2000, used: 0 },
      root: {
        eTag: expect.stringMatching(/^"[^"]+"$/),
        id: d.id,
        permissions: [
          {
            grantedToIdentities: [{ user: { '@libre.graph.userType': 'Member', displayName: 'admin', id: 'admin' } }],
            grantedToV2: { user: { '@libre.graph.userType': 'Member', displayName: 'admin', id: 'admin' } },
            roles: ['manager'],
          },
        ],
        webDavUrl: url(`/dav/spaces/${d.id}`),
      },
      webUrl: url(`/f/${d.id}`),
    });
    expect(Object.keys(d)).toEqual(Object.keys(d).sort());
    const again = await driveCall(w.t.app, 'GET', `/graph/v1.0/drives/${d.id}`, { schema: 'drive' });
    expect(again.data).toEqual(d);
  });

  it('quota on create: 1 GB by default or when negative, 0 is unlimited', async () => {
    const create = async (body: Record<string, unknown>) => (await driveCall(w.t.app, 'POST', '/graph/v1.0/drives', { body, schema: 'drive' })).data;
    expect((await create({ name: 'Default Quota' })).quota.total).toBe(1000000000);
    expect((await create({ name: 'Negative Quota', quota: { total: -5 } })).quota.total).toBe(1000000000);
    expect((await create({ name: 'No Total', quota: {} })).quota.total).toBe(1000000000);
    const unlimited = await driveCall(w.t.app, 'POST', '/graph/v1.0/drives', { body: { name: 'Unlimited', quota: { total: 0 } } });
    expect(unlimited.data.quota).toMatchObject({ total: 0, used: 0, state: 'normal' });
    expect(unlimited.body).toContain(`"remaining":${INT64_MAX_TEXT}`);
    expect((await create({ name: 'Aliased', driveAlias: 'project/custom' })).driveAlias).toBe('project/custom');
    expect((await create({ name: 'Typed', driveType: 'project' })).driveType).toBe('project');
  });

  it('refuses bad create bodies with the reference codes and messages', async () => {
    const cases: Array<[unknown, string]> = [
      [{ description: 'no name' }, 'invalid body schema definition'],
      [{ name: 'x', unknownField: 1 }, 'invalid body schema definition'],
      [{ name: 'x', quota: { total: 'lots' } }, 'invalid body schema definition'],
      [{ name: 'x', quota: { total: 1.5 } }, 'invalid body schema definition'],
      [{ name: 'x', quota: { total: 1, used: 2 } }, 'invalid body schema definition'],
      [{ name: 42 }, 'invalid body schema definition'],
      [[1, 2], 'invalid body schema definition'],
      [{ name: '   ' }, 'invalid spacename: spacename must not be empty'],
      [{ name: 'x'.repeat(256) }, 'invalid spacename: spacename must be smaller than 255'],
      [{ name: 'x', driveType: 'personal' }, 'drives of this type cannot be created via this api'],
      [{ name: 'x', driveType: 'virtual' }, 'drives of this type cannot be created via this api'],
    ];
    for (const ch of ['/', '\\', '.', ':', '?', '*', '"', '>', '<', '|']) cases.push([{ name: `a${ch}b` }, 'invalid spacename: spacenames must not contain [/ \\ . : ? * " > < |]']);
    for (const [body, message] of cases) {
      const res = await driveCall(w.t.app, 'POST', '/graph/v1.0/drives', { body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.data.error.code).toBe('invalidRequest');
      expect(res.data.error.message, JSON.stringify(body)).toContain(message);
    }
    expect((await driveCall(w.t.app, 'POST', '/graph/v1.0/drives', { body: '{not json' })).statusCode).toBe(400);
    // Multi-byte names are measured in bytes, as the reference does.
    expect((await driveCall(w.t.app, 'POST', '/graph/v1.0/drives', { body: { name: 'é'.repeat(128) } })).statusCode).toBe(400);
    expect((await driveCall(w.t.app, 'POST', '/graph/v1.0/drives', { body: { name: 'é'.repeat(127) }, schema: 'drive' })).statusCode).toBe(201);
  });

  it('v1.0 and v1beta1 differ only in the root permission shape', async () => {
    const d = await w.projectSpace('Two Shapes');
    await invite(w.t, d.id, w.as.user!.user, ROLE.spaceViewer, { as: w.as.manager!, extra: { expirationDateTime: '2099-01-01T00:00:00Z' } });
    const v1 = (await w.call('manager', 'GET', `/graph/v1.0/drives/${d.id}`, { schema: 'drive' })).data;
    const beta = (await w.call('manager', 'GET', `/graph/v1beta1/drives/${d.id}`, { schema: 'drive' })).data;
    const { root: r1, ...rest1 } = v1;
    const { root: r2, ...rest2 } = beta;
    expect(rest1).toEqual(rest2);
    expect({ ...r1, permissions: undefined }).toEqual({ ...r2, permissions: undefined });
    const vera = { '@libre.graph.userType': 'Member', displayName: 'Vera Viewer', id: w.as.viewer!.user };
    expect(r1.permissions).toContainEqual({ grantedToIdentities: [{ user: vera }], grantedToV2: { user: vera }, roles: ['viewer'] });
    expect(r1.permissions).toContainEqual(expect.objectContaining({ roles: ['editor'] }));
    expect(r1.permissions).toContainEqual(expect.objectContaining({ roles: ['manager'] }));
    expect(r1.permissions).toContainEqual(expect.objectContaining({ expirationDateTime: '2099-01-01T00:00:00.000Z', roles: ['viewer'] }));
    for (const p of r1.permissions) expect(p.id).toBeUndefined();
    // As the reference builds them from the grants alone: no createdDateTime in drive listings.
    expect(r2.permissions).toContainEqual({ grantedToV2: { user: vera }, id: `u:${vera.id}`, roles: [ROLE.spaceViewer] });
    expect(r2.permissions).toContainEqual(expect.objectContaining({ id: `u:${w.as.editor!.user}`, roles: [ROLE.spaceEditor] }));
    expect(r2.permissions).toContainEqual(expect.objectContaining({ id: `u:${w.as.manager!.user}`, roles: [ROLE.manager] }));
    for (const p of r2.permissions) expect(p.grantedToIdentities).toBeUndefined();
    // Listings carry the same shapes.
    const listed = (await w.call('manager', 'GET', '/graph/v1beta1/me/drives', { schema: 'drive' })).data.value.find((x: { id: string }) => x.id === d.id);
    expect(listed).toEqual(beta);
  });

  it('PATCH changes name, description and alias, with a new mtime and eTag; the answer is the drive', async () => {
    const d = await w.projectSpace('Before');
    await new Promise((r) => setTimeout(r, 5));
    const res = await w.call('manager', 'PATCH', `/graph/v1.0/drives/${d.id}`, { body: { name: 'After', description: 'Mission', driveAlias: 'project/after' }, schema: 'drive' });
    expect(res.data).toMatchObject({ name: 'After', description: 'Mission', driveAlias: 'project/after', driveType: 'project', id: d.id });
    expect(res.data.root.eTag).not.toBe(d.root.eTag);
    expect(Date.parse(res.data.lastModifiedDateTime)).toBeGreaterThan(Date.parse(d.lastModifiedDateTime));
    // Aliases are not recomputed on rename, and Go-style case-insensitive keys work on PATCH too.
    const again = await w.call('manager', 'PATCH', `/graph/v1.0/drives/${d.id}`, { body: { Name: 'Again' }, schema: 'drive' });
    expect(again.data).toMatchObject({ name: 'Again', driveAlias: 'project/after' });
    for (const body of [{ bogus: 1 }, { quota: { total: 'x' } }, { name: 5 }, 'nope', [1]]) {
      const bad = await w.call('manager', 'PATCH', `/graph/v1.0/drives/${d.id}`, { body });
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(bad.data.error.code).toBe('invalidRequest');
    }
  });

  it('disable hides description and usage; restore brings them back; the eTag stays', async () => {
    const d = await w.projectSpace('Lifecycle', { description: 'gone soon', quota: { total: 15 } });
    expect((await w.call('manager', 'DELETE', `/graph/v1.0/drives/${d.id}`)).statusCode).toBe(204);
    const off = (await w.call('manager', 'GET', `/graph/v1.0/drives/${d.id}`, { schema: 'drive' })).data;
    expect(off.description).toBeUndefined();
    expect(off.quota).toEqual({ total: 15 });
    expect(off.root).toMatchObject({ deleted: { state: 'trashed' }, eTag: d.root.eTag });
    expect(off.root.permissions.length).toBe(3);
    // Members lose access; the Manager still lists it, marked.
    expect(ids(await w.call('viewer', 'GET', '/graph/v1.0/me/drives'))).not.toContain(d.id);
    const listed = (await w.call('manager', 'GET', '/graph/v1.0/me/drives')).data.value.find((x: { id: string }) => x.id === d.id);
    expect(listed.root.deleted).toEqual({ state: 'trashed' });
    // The documented restore: text/plain body "{}", header Restore: T.
    const restored = await w.call('manager', 'PATCH', `/graph/v1.0/drives/${d.id}`, { headers: { Restore: 'T', 'content-type': 'text/plain' }, body: '{}', schema: 'drive' });
    expect(restored.statusCode).toBe(200);
    expect(restored.data).toMatchObject({ description: 'gone soon', quota: { remaining: 15, state: 'normal', total: 15, used: 0 } });
    expect(restored.data.root.deleted).toBeUndefined();
    expect(ids(await w.call('viewer', 'GET', '/graph/v1.0/me/drives'))).toContain(d.id);
    // Restore on an enabled space is harmless.
    expect((await w.call('manager', 'PATCH', `/graph/v1.0/drives/${d.id}`, { headers: { Restore: 'true' }, body: {} })).statusCode).toBe(200);
    // A restore still needs a JSON body, as in the reference.
    expect((await w.call('manager', 'PATCH', `/graph/v1.0/drives/${d.id}`, { headers: { Restore: 'T', 'content-type': 'text/plain' }, body: 'x' })).statusCode).toBe(400);
  });

  it('Purge and Restore headers are Go booleans: 1, t, T, TRUE, true, True; anything else means no', async () => {
    for (const value of ['1', 't', 'T', 'TRUE', 'true', 'True']) {
      const d = await w.projectSpace(`Purge ${value}`);
      await w.call('manager', 'DELETE', `/graph/v1.0/drives/${d.id}`);
      expect((await w.call('manager', 'DELETE', `/graph/v1.0/drives/${d.id}`, { headers: { Purge: value } })).statusCode).toBe(204);
      expect((await w.call('admin', 'GET', `/graph/v1.0/drives/${d.id}`)).statusCode).toBe(404);
    }
    const d = await w.projectSpace('Purge No');
    for (const value of ['yes', 'on', 'tRUE', '']) {
      // Not a purge: a plain disable, which succeeds again and again.
      expect((await w.call('manager', 'DELETE', `/graph/v1.0/drives/${d.id}`, { headers: { Purge: value } })).statusCode).toBe(204);
    }
    expect((await w.call('manager', 'GET', `/graph/v1.0/drives/${d.id}`)).data.root.deleted).toEqual({ state: 'trashed' });
    const notRestored = await w.call('manager', 'PATCH', `/graph/v1.0/drives/${d.id}`, { headers: { Restore: 'yes' }, body: {} });
    expect(notRestored.data.root.deleted).toEqual({ state: 'trashed' });
  });

  it('drive ids: storage$space, %24, a bare space id; other storages, items and junk are 404', async () => {
    const d = await w.projectSpace('Ids');
    const spaceId = d.id.split('$')[1];
    for (const form of [d.id, `${w.storage}%24${spaceId}`, spaceId]) {
      const res = await w.call('viewer', 'GET', `/graph/v1.0/drives/${form}`, { schema: 'drive' });
      expect(res.statusCode, form).toBe(200);
      expect(res.data.id).toBe(d.id);
    }
    for (const form of [`other-storage$${spaceId}`, `${d.id}!${spaceId}`, `${w.storage}$`, 'nope']) {
      expect((await w.call('admin', 'GET', `/graph/v1.0/drives/${encodeURIComponent(form)}`)).statusCode, form).toBe(404);
    }
    expect((await w.call('manager', 'PATCH', `/graph/v1.0/drives/${w.storage}%24${spaceId}`, { body: { description: 'via %24' } })).statusCode).toBe(200);
  });

  it('users made through OCS or Graph alike get a personal drive named after them', async () => {
    await assignGlobalRole(w.t, w.as.viewer!.user, GLOBAL_ROLE.user);
    const drives = await w.call('viewer', 'GET', "/graph/v1.0/me/drives?$filter=driveType eq 'personal'", { schema: 'drive' });
    expect(drives.data.value).toHaveLength(1);
    expect(drives.data.value[0]).toMatchObject({ name: 'Vera Viewer', driveAlias: `personal/${w.as.viewer!.user}`, owner: { user: { id: w.as.viewer!.user } } });
  });

  it('every drive route answers 401 unauthenticated without valid credentials', async () => {
    const d = await w.projectSpace('Auth');
    const calls: Array<[string, string]> = [
      ['GET', '/graph/v1.0/me/drives'],
      ['GET', '/graph/v1beta1/me/drives'],
      ['GET', `/graph/v1.0/me/drives/${encodeURIComponent('$orderby=name asc')}`],
      ['GET', '/graph/v1.0/drives'],
      ['GET', `/graph/v1.0/drives/${d.id}`],
      ['GET', `/graph/v1.0/drives/${SHARES}`],
      ['GET', '/graph/v1.0/me/drive'],
      ['GET', '/graph/v1.0/users/admin/drive'],
      ['POST', '/graph/v1.0/drives'],
      ['PATCH', `/graph/v1.0/drives/${d.id}`],
      ['DELETE', `/graph/v1.0/drives/${d.id}`],
      ['POST', `/graph/v1beta1/drives/${d.id}/root/invite`],
      ['GET', `/graph/v1beta1/drives/${d.id}/root/permissions`],
      ['PATCH', `/graph/v1beta1/drives/${d.id}/root/permissions/u:admin`],
      ['DELETE', `/graph/v1beta1/drives/${d.id}/root/permissions/u:admin`],
      ['POST', `/graph/v1beta1/drives/${d.id}/root/createLink`],
    ];
    for (const [method, path] of calls) {
      const res = await driveCall(w.t.app, method as 'GET', path, { as: null, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
      expect(res.statusCode, `${method} ${path}`).toBe(401);
      expect(res.data.error.code).toBe('unauthenticated');
    }
    // A wrong password is the same 401 (a few only: repeated failures are throttled).
    for (const path of ['/graph/v1.0/me/drives', `/graph/v1beta1/drives/${d.id}/root/permissions`]) {
      const res = await driveCall(w.t.app, 'GET', path, { as: { user: w.as.manager!.user, password: 'wrong' } });
      expect(res.statusCode).toBe(401);
    }
    expect((await w.call('admin', 'GET', `/graph/v1.0/drives/${d.id}`)).data.root.deleted).toBeUndefined();
  });
});
