import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { graph } from '../../helpers/graph.js';

type Creds = { user: string; password: string };
const SHARES = 'a0ca6a90-a365-4782-871e-d44447bbc668$a0ca6a90-a365-4782-871e-d44447bbc668';

describeEachDb('Graph drives', (kind) => {
  let t: TestApp;
  let alice: Creds;
  let bob: Creds;
  let spaceAdmin: Creds;
  let storage: string;

  const assignRole = async (userId: string, roleId: string) => {
    const res = await graph(t.app, 'POST', `/graph/v1.0/users/${userId}/appRoleAssignments`, {
      body: { principalId: userId, resourceId: 'ecf4ee6d-14e5-4fd4-91ab-0c5c4bd7f1aa', appRoleId: roleId },
    });
    expect(res.statusCode).toBe(201);
  };

  const createSpace = async (body: Record<string, unknown>, as?: Creds) => {
    const res = await graph(t.app, 'POST', '/graph/v1.0/drives', { body, as, schema: 'drive' });
    expect(res.statusCode, res.body).toBe(201);
    return res.data;
  };

  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice', { displayName: 'Alice Hansen' });
    bob = await newUser(t.app, 'bob');
    spaceAdmin = await newUser(t.app, 'spacey');
    await assignRole('spacey', '2aadd357-682c-406b-8874-293091995fdd');
    storage = (await graph(t.app, 'GET', '/graph/v1.0/me/drive')).data.id.split('$')[0];
  });
  afterAll(async () => t.close());

  it('every user has a personal drive, however they were made, and sees the Shares drive', async () => {
    const res = await graph(t.app, 'GET', '/graph/v1.0/me/drives', { as: alice, schema: 'drive' });
    expect(res.statusCode).toBe(200);
    const [personal, shares] = res.data.value;
    expect(personal).toMatchObject({
      driveAlias: 'personal/alice',
      driveType: 'personal',
      id: `${storage}$alice`,
      name: 'Alice Hansen',
      owner: { user: { id: 'alice' } },
      quota: { state: 'normal', total: 0, used: 0 },
      webUrl: `http://nimbus.test/f/${storage}$alice`,
    });
    expect(personal.root).toMatchObject({ id: `${storage}$alice`, webDavUrl: `http://nimbus.test/dav/spaces/${storage}$alice` });
    expect(personal.root.eTag).toMatch(/^".+"$/);
    // Unlimited remaining is int64 max, emitted exactly.
    expect(res.body).toContain('"remaining":9223372036854775807');
    expect(shares).toMatchObject({ id: SHARES, driveType: 'virtual', name: 'Shares', driveAlias: 'virtual/shares' });
    expect(shares.owner).toBeUndefined();
    expect(shares.quota).toBeUndefined();
    const me = await graph(t.app, 'GET', '/graph/v1.0/me/drive', { as: alice, schema: 'drive' });
    expect(me.data.id).toBe(`${storage}$alice`);
  });

  it('personal quota follows the OCS provisioning quota, and the reverse', async () => {
    await ocs(t.app, 'PUT', '/cloud/users/bob', { body: { key: 'quota', value: '1 KB' } });
    const drive = await graph(t.app, 'GET', '/graph/v1.0/me/drive', { as: bob });
    expect(drive.data.quota).toEqual({ remaining: 1024, state: 'normal', total: 1024, used: 0 });
    const patched = await graph(t.app, 'PATCH', `/graph/v1.0/drives/${storage}$bob`, { body: { quota: { total: 4096 } } });
    expect(patched.statusCode).toBe(200);
    expect(patched.data.quota.total).toBe(4096);
    expect((await ocs(t.app, 'GET', '/cloud/users/bob')).ocs.data.quota.quota).toBe(4096);
    const byUser = await graph(t.app, 'PATCH', `/graph/v1.0/drives/${storage}$bob`, { as: bob, body: { quota: { total: 1 } } });
    expect(byUser.statusCode).toBe(403);
    expect(byUser.data.error.code).toBe('notAllowed');
  });

  it('creates project spaces as the seed documents (case-insensitive keys, quota, alias)', async () => {
    const d = await createSpace({ Name: 'Marketing', description: 'Marketing team resources', quota: { total: 5368709120 } });
    expect(d).toMatchObject({
      description: 'Marketing team resources',
      driveAlias: 'project/marketing',
      driveType: 'project',
      name: 'Marketing',
      quota: { remaining: 5368709120, state: 'normal', total: 5368709120, used: 0 },
    });
    expect(d.id).toMatch(new RegExp(`^${storage.replace(/[-$]/g, '\\$&')}\\$[0-9a-f-]{36}$`));
    expect(d.owner.user.id).toBe(d.id.split('$')[1]);
    expect(d.root.permissions).toEqual([
      {
        grantedToIdentities: [{ user: { '@libre.graph.userType': 'Member', displayName: 'admin', id: 'admin' } }],
        grantedToV2: { user: { '@libre.graph.userType': 'Member', displayName: 'admin', id: 'admin' } },
        roles: ['manager'],
      },
    ]);
    const keys = Object.keys(d);
    expect(keys).toEqual([...keys].sort());
    const beta = await graph(t.app, 'GET', `/graph/v1beta1/drives/${d.id}`, { schema: 'drive' });
    expect(beta.data.root.permissions[0]).toMatchObject({ id: 'u:admin', roles: ['312c0871-5ef7-4b3a-85b6-0e4074c64049'] });
    const defaultQuota = await createSpace({ name: 'Defaults' });
    expect(defaultQuota.quota.total).toBe(1000000000);
    const unlimited = await createSpace({ name: 'Unlimited', quota: { total: 0 } });
    expect(unlimited.quota.total).toBe(0);
    const aliased = await createSpace({ name: 'Aliased', driveAlias: 'project/custom' });
    expect(aliased.driveAlias).toBe('project/custom');
  });

  it('refuses bad create requests with the reference codes', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ description: 'no name' }, 400, 'invalidRequest'],
      [{ name: 'x', unknownField: 1 }, 400, 'invalidRequest'],
      [{ name: 'a/b' }, 400, 'invalidRequest'],
      [{ name: '   ' }, 400, 'invalidRequest'],
      [{ name: 'x', driveType: 'personal' }, 400, 'invalidRequest'],
      [{ name: 'x', quota: { total: 'lots' } }, 400, 'invalidRequest'],
      ['{not json', 400, 'invalidRequest'],
      [[1, 2], 400, 'invalidRequest'],
    ];
    for (const [body, status, code] of cases) {
      const res = await graph(t.app, 'POST', '/graph/v1.0/drives', { body });
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.data.error.code).toBe(code);
    }
    const byUser = await graph(t.app, 'POST', '/graph/v1.0/drives', { as: alice, body: { name: 'Mine' } });
    expect(byUser.statusCode).toBe(403);
    expect(byUser.data.error).toMatchObject({ code: 'notAllowed', message: 'insufficient permissions to create a space.' });
    expect((await graph(t.app, 'POST', '/graph/v1.0/drives', { as: null, body: { name: 'x' } })).statusCode).toBe(401);
    expect((await graph(t.app, 'POST', '/graph/v1.0/drives', { as: spaceAdmin, body: { name: 'By Space Admin' } })).statusCode).toBe(201);
  });

  it('lists only member spaces in /me/drives; /drives lists everything for Drives.List holders', async () => {
    const d = await createSpace({ name: 'Listing Test' });
    const aliceDrives = await graph(t.app, 'GET', '/graph/v1.0/me/drives', { as: alice });
    expect(aliceDrives.data.value.map((x: { id: string }) => x.id)).not.toContain(d.id);
    const aliceAll = await graph(t.app, 'GET', '/graph/v1.0/drives', { as: alice });
    expect(aliceAll.data.value.map((x: { id: string }) => x.id)).toEqual(
      aliceDrives.data.value.filter((x: { driveType: string }) => x.driveType !== 'virtual').map((x: { id: string }) => x.id),
    );
    const adminAll = await graph(t.app, 'GET', '/graph/v1.0/drives', { schema: 'drive' });
    const ids = adminAll.data.value.map((x: { id: string }) => x.id);
    expect(ids).toContain(d.id);
    expect(ids).toContain(`${storage}$alice`);
    const spacey = await graph(t.app, 'GET', "/graph/v1.0/drives?$filter=driveType eq 'personal'", { as: spaceAdmin });
    expect(spacey.data.value.map((x: { id: string }) => x.id)).toContain(`${storage}$alice`);
    expect((await graph(t.app, 'GET', `/graph/v1.0/drives/${d.id}`, { as: alice })).statusCode).toBe(404);
    expect((await graph(t.app, 'GET', `/graph/v1.0/drives/${d.id}`, { as: spaceAdmin })).statusCode).toBe(200);
  });

  it('filters and orders like the reference, including the seed path form', async () => {
    const byType = await graph(t.app, 'GET', "/graph/v1.0/me/drives?$filter=driveType eq 'project'");
    expect(byType.data.value.every((d: { driveType: string }) => d.driveType === 'project')).toBe(true);
    const pathForm = await graph(t.app, 'GET', `/graph/v1.0/me/drives/${encodeURIComponent('$filter=driveType eq project')}`);
    expect(pathForm.data.value.map((d: { id: string }) => d.id)).toEqual(byType.data.value.map((d: { id: string }) => d.id));
    const personal = await graph(t.app, 'GET', "/graph/v1.0/me/drives?$filter=driveType eq 'personal'");
    expect(personal.data.value.map((d: { driveType: string }) => d.driveType)).toEqual(['personal']);
    const virtual = await graph(t.app, 'GET', "/graph/v1.0/me/drives?$filter=driveType eq 'virtual'");
    expect(virtual.data.value.map((d: { id: string }) => d.id)).toEqual([SHARES]);
    const one = byType.data.value[0];
    const byId = await graph(t.app, 'GET', `/graph/v1.0/me/drives?$filter=id eq '${one.id}'`);
    expect(byId.data.value.map((d: { id: string }) => d.id)).toEqual([one.id]);
    const ignored = await graph(t.app, 'GET', "/graph/v1.0/me/drives?$filter=name eq 'zzz'");
    expect(ignored.data.value.length).toBeGreaterThan(1);

    const desc = await graph(t.app, 'GET', "/graph/v1.0/me/drives?$filter=driveType eq 'project'&$orderby=name desc");
    const names = desc.data.value.map((d: { name: string }) => d.name);
    expect(names).toEqual([...names].sort((a: string, b: string) => b.localeCompare(a)));
    const asc = await graph(t.app, 'GET', `/graph/v1.0/me/drives/${encodeURIComponent('$orderby=name asc')}`);
    expect(asc.statusCode).toBe(200);
    const byDate = await graph(t.app, 'GET', '/graph/v1.0/me/drives?$orderby=lastModifiedDateTime desc');
    expect(byDate.statusCode).toBe(200);

    expect((await graph(t.app, 'GET', "/graph/v1.0/me/drives?$filter=driveType eq 'a' and id eq 'b'")).statusCode).toBe(501);
    const ne = await graph(t.app, 'GET', "/graph/v1.0/me/drives?$filter=driveType ne 'project'");
    expect(ne.statusCode).toBe(501);
    expect(ne.data.error).toMatchObject({ code: 'notSupported', message: 'unsupported filter operand: ne' });
    expect((await graph(t.app, 'GET', '/graph/v1.0/me/drives?$filter=garbage')).statusCode).toBe(400);
    const badOrder = await graph(t.app, 'GET', '/graph/v1.0/me/drives?$orderby=size');
    expect(badOrder.statusCode).toBe(400);
    expect(badOrder.data.error.code).toBe('invalidRequest');
  });

  it('updates name, description and alias per permission; viewers and strangers get 404', async () => {
    const d = await createSpace({ name: 'Editable' });
    await graph(t.app, 'POST', `/graph/v1beta1/drives/${d.id}/root/invite`, {
      body: { recipients: [{ objectId: 'alice', '@libre.graph.recipient.type': 'user' }], roles: ['a8d5fe5e-96e3-418d-825b-534dbdf22b99'] },
    });
    const renamed = await graph(t.app, 'PATCH', `/graph/v1.0/drives/${d.id}`, { body: { name: 'Edited', description: 'new', driveAlias: 'project/edited' }, schema: 'drive' });
    expect(renamed.data).toMatchObject({ name: 'Edited', description: 'new', driveAlias: 'project/edited' });
    expect((await graph(t.app, 'PATCH', `/graph/v1.0/drives/${d.id}`, { as: alice, body: { name: 'Nope' } })).statusCode).toBe(404);
    expect((await graph(t.app, 'PATCH', `/graph/v1.0/drives/${d.id}`, { as: bob, body: { description: 'x' } })).statusCode).toBe(404);
    const bySpaceAdmin = await graph(t.app, 'PATCH', `/graph/v1.0/drives/${d.id}`, { as: spaceAdmin, body: { description: 'by space admin', quota: { total: 10 } } });
    expect(bySpaceAdmin.statusCode).toBe(200);
    expect(bySpaceAdmin.data.quota.total).toBe(10);
    const badName = await graph(t.app, 'PATCH', `/graph/v1.0/drives/${d.id}`, { body: { name: 'a:b' } });
    expect(badName.statusCode).toBe(400);
    expect(badName.data.error.code).toBe('generalException');
    expect((await graph(t.app, 'PATCH', `/graph/v1.0/drives/${d.id}`, { body: { bogus: true } })).statusCode).toBe(400);
    expect((await graph(t.app, 'PATCH', `/graph/v1.0/drives/${storage}$nope`, { body: { name: 'x' } })).statusCode).toBe(404);
    expect((await graph(t.app, 'PATCH', `/graph/v1.0/drives/${SHARES}`, { body: { name: 'x' } })).statusCode).toBe(405);
  });

  it('grades the quota state with the documented thresholds', async () => {
    const d = await createSpace({ name: 'Quota States', quota: { total: 100 } });
    expect(d.quota).toEqual({ remaining: 100, state: 'normal', total: 100, used: 0 });
  });

  it('disables, restores and purges with the reference rules', async () => {
    const d = await createSpace({ name: 'Lifecycle', description: 'gone soon' });
    await graph(t.app, 'POST', `/graph/v1beta1/drives/${d.id}/root/invite`, {
      body: { recipients: [{ objectId: 'alice', '@libre.graph.recipient.type': 'user' }], roles: ['58c63c02-1d89-4572-916a-870abc5a1b7d'] },
    });
    const purgeEnabled = await graph(t.app, 'DELETE', `/graph/v1.0/drives/${d.id}`, { headers: { Purge: 'T' } });
    expect(purgeEnabled.statusCode).toBe(400);
    expect(purgeEnabled.data.error).toMatchObject({ code: 'invalidRequest', message: "can't purge enabled space" });
    expect((await graph(t.app, 'DELETE', `/graph/v1.0/drives/${d.id}`, { as: alice })).statusCode).toBe(404);
    expect((await graph(t.app, 'DELETE', `/graph/v1.0/drives/${d.id}`, { as: bob })).statusCode).toBe(404);

    expect((await graph(t.app, 'DELETE', `/graph/v1.0/drives/${d.id}`)).statusCode).toBe(204);
    const disabled = await graph(t.app, 'GET', `/graph/v1.0/drives/${d.id}`, { schema: 'drive' });
    expect(disabled.data.root.deleted).toEqual({ state: 'trashed' });
    expect(disabled.data.description).toBeUndefined();
    const aliceList = await graph(t.app, 'GET', '/graph/v1.0/me/drives', { as: alice });
    expect(aliceList.data.value.map((x: { id: string }) => x.id)).not.toContain(d.id);
    const managerList = await graph(t.app, 'GET', '/graph/v1.0/me/drives');
    expect(managerList.data.value.map((x: { id: string }) => x.id)).toContain(d.id);

    const restored = await graph(t.app, 'PATCH', `/graph/v1.0/drives/${d.id}`, { headers: { Restore: 'T' }, body: {} });
    expect(restored.statusCode).toBe(200);
    expect(restored.data.root.deleted).toBeUndefined();
    expect(restored.data.description).toBe('gone soon');

    expect((await graph(t.app, 'DELETE', `/graph/v1.0/drives/${d.id}`, { as: spaceAdmin })).statusCode).toBe(204);
    expect((await graph(t.app, 'DELETE', `/graph/v1.0/drives/${d.id}`, { as: spaceAdmin, headers: { Purge: 'true' } })).statusCode).toBe(204);
    expect((await graph(t.app, 'GET', `/graph/v1.0/drives/${d.id}`)).statusCode).toBe(404);
    expect((await graph(t.app, 'DELETE', `/graph/v1.0/drives/${d.id}`)).statusCode).toBe(404);
    expect((await graph(t.app, 'DELETE', `/graph/v1.0/drives/${SHARES}`)).statusCode).toBe(405);
  });

  it('personal spaces: only admins may disable them; deleting the user removes it', async () => {
    expect((await graph(t.app, 'DELETE', `/graph/v1.0/drives/${storage}$bob`, { as: bob })).statusCode).toBe(404);
    expect((await graph(t.app, 'DELETE', `/graph/v1.0/drives/${storage}$bob`, { as: spaceAdmin })).statusCode).toBe(404);
    const tmp = await newUser(t.app, 'temporary');
    expect((await graph(t.app, 'GET', '/graph/v1.0/me/drive', { as: tmp })).statusCode).toBe(200);
    await ocs(t.app, 'DELETE', '/cloud/users/temporary');
    expect((await graph(t.app, 'GET', `/graph/v1.0/drives/${storage}$temporary`)).statusCode).toBe(404);
  });

  it('anonymous callers get 401 unauthenticated on every drive route', async () => {
    for (const url of ['/graph/v1.0/me/drives', '/graph/v1beta1/drives', '/graph/v1.0/me/drive']) {
      const res = await graph(t.app, 'GET', url, { as: null });
      expect(res.statusCode).toBe(401);
      expect(res.data.error.code).toBe('unauthenticated');
    }
    expect((await graph(t.app, 'GET', '/graph/v1.0/me/drives', { as: { user: 'alice', password: 'wrong' } })).statusCode).toBe(401);
  });
});
