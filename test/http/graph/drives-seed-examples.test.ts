import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newUser, type TestApp } from '../../helpers/app.js';
import { driveCall, expectPermissionCollection, ROLE, SHARES } from './drives-helpers.js';

/**
 * The Spaces API documentation's curl examples (ownCloud Infinite Scale and
 * OpenCloud docs), as inject calls against the documented JSON shapes.
 * Calls run in the documented order and build on each other.
 */
describeEachDb('documented Spaces API examples', (kind) => {
  let t: TestApp;
  let id: string;
  let storage: string;
  const base = 'http://nimbus.test';
  const adminIdentity = { '@libre.graph.userType': 'Member', displayName: 'admin', id: 'admin' };

  beforeAll(async () => {
    t = await buildTestApp(kind);
    await newUser(t.app, 'einstein', { displayName: 'Albert Einstein' });
  });
  afterAll(async () => t.close());

  it("POST /drives/ with {Name, description, quota.total} creates \"Marketing\"", async () => {
    const res = await driveCall(t.app, 'POST', '/graph/v1.0/drives/', {
      body: { Name: 'Marketing', description: 'Marketing team resources', quota: { total: 5368709120 } },
      schema: 'drive',
    });
    expect(res.statusCode).toBe(201);
    id = res.data.id;
    [storage] = id.split('$') as [string];
    expect(res.data).toEqual({
      description: 'Marketing team resources',
      driveAlias: 'project/marketing',
      driveType: 'project',
      id,
      lastModifiedDateTime: expect.any(String),
      name: 'Marketing',
      owner: { user: { displayName: '', id: id.split('$')[1] } },
      quota: { remaining: 5368709120, state: 'normal', total: 5368709120, used: 0 },
      root: {
        eTag: expect.stringMatching(/^"[^"]+"$/),
        id,
        permissions: [{ grantedToIdentities: [{ user: adminIdentity }], grantedToV2: { user: adminIdentity }, roles: ['manager'] }],
        webDavUrl: `${base}/dav/spaces/${id}`,
      },
      webUrl: `${base}/f/${id}`,
    });
  });

  it('GET /me/drives/ lists the personal drive (unlimited: total 0), the Shares drive and the new space', async () => {
    const res = await driveCall(t.app, 'GET', '/graph/v1.0/me/drives/', { schema: 'drive' });
    const byType = Object.fromEntries(res.data.value.map((d: { driveType: string }) => [d.driveType, d]));
    expect(byType.personal).toMatchObject({
      driveAlias: 'personal/admin',
      driveType: 'personal',
      id: `${storage}$admin`,
      name: 'admin',
      owner: { user: { displayName: '', id: 'admin' } },
      quota: { state: 'normal', total: 0, used: 0 },
      webUrl: `${base}/f/${storage}$admin`,
    });
    expect(byType.personal.root).toEqual({ eTag: expect.any(String), id: `${storage}$admin`, webDavUrl: `${base}/dav/spaces/${storage}$admin` });
    expect(byType.virtual).toMatchObject({
      driveAlias: 'virtual/shares',
      id: SHARES,
      name: 'Shares',
      root: { eTag: 'DECAFC00FEE', id: SHARES, webDavUrl: `${base}/dav/spaces/${SHARES}` },
      webUrl: `${base}/f/${SHARES}`,
    });
    expect(byType.project.id).toBe(id);
  });

  it('GET /me/drives/$filter=driveType eq project | mountpoint, and $filter=id eq <space id>', async () => {
    const at = (options: string) => driveCall(t.app, 'GET', `/graph/v1.0/me/drives/${encodeURIComponent(options)}`, { schema: 'drive' });
    expect((await at('$filter=driveType eq project')).data.value.map((d: { name: string }) => d.name)).toEqual(['Marketing']);
    expect((await at('$filter=driveType eq mountpoint')).data.value).toEqual([]);
    expect((await at(`$filter=id eq ${id}`)).data.value.map((d: { id: string }) => d.id)).toEqual([id]);
  });

  it('GET /me/drives/$orderby=name asc and $orderby=lastModifiedDateTime desc', async () => {
    const byName = await driveCall(t.app, 'GET', `/graph/v1.0/me/drives/${encodeURIComponent('$orderby=name asc')}`);
    expect(byName.data.value.map((d: { name: string }) => d.name)).toEqual(['admin', 'Marketing', 'Shares']);
    const byDate = await driveCall(t.app, 'GET', `/graph/v1.0/me/drives/${encodeURIComponent('$orderby=lastModifiedDateTime desc')}`);
    // The newest first; the Shares drive has no date and comes last.
    expect(byDate.data.value.map((d: { name: string }) => d.name)).toEqual(['Marketing', 'admin', 'Shares']);
  });

  it('PATCH /drives/{id} quota.total 5 GB answers the documented quota block', async () => {
    const res = await driveCall(t.app, 'PATCH', `/graph/v1.0/drives/${id}`, { body: { quota: { total: 5368709120 } }, schema: 'drive' });
    expect(res.statusCode).toBe(200);
    expect(res.data.quota).toEqual({ remaining: 5368709120, state: 'normal', total: 5368709120, used: 0 });
    expect(res.data).toMatchObject({ description: 'Marketing team resources', driveAlias: 'project/marketing', driveType: 'project', id, name: 'Marketing' });
  });

  it('PATCH name, description and driveAlias in one request', async () => {
    const res = await driveCall(t.app, 'PATCH', `/graph/v1.0/drives/${id}`, {
      body: { name: 'Mars', description: 'Mission to mars', driveAlias: 'project/mission-to-mars' },
      schema: 'drive',
    });
    expect(res.data).toMatchObject({ description: 'Mission to mars', driveAlias: 'project/mission-to-mars', driveType: 'project', id, name: 'Mars' });
    expect(res.data.root.permissions).toEqual([{ grantedToIdentities: [{ user: adminIdentity }], grantedToV2: { user: adminIdentity }, roles: ['manager'] }]);
  });

  it('POST root/invite adds a member (v1beta1); GET root/permissions lists both with the allowed values', async () => {
    const res = await driveCall(t.app, 'POST', `/graph/v1beta1/drives/${id}/root/invite`, {
      body: { recipients: [{ '@libre.graph.recipient.type': 'user', objectId: 'einstein' }], roles: [ROLE.spaceViewer] },
      schema: 'permission',
    });
    expect(res.statusCode).toBe(200);
    expect(res.data.value).toEqual([
      expect.objectContaining({
        grantedToV2: { user: { '@libre.graph.userType': 'Member', displayName: 'Albert Einstein', id: 'einstein' } },
        id: 'u:einstein',
        invitation: { invitedBy: { user: { displayName: 'admin', id: 'admin' } } },
        roles: [ROLE.spaceViewer],
      }),
    ]);
    const perms = await driveCall(t.app, 'GET', `/graph/v1beta1/drives/${id}/root/permissions`);
    expectPermissionCollection(perms.data);
    expect(perms.data.value.map((p: { id: string }) => p.id)).toEqual(['u:admin', 'u:einstein']);
    expect(perms.data['@libre.graph.permissions.roles.allowedValues'].map((r: { id: string }) => r.id)).toEqual([ROLE.spaceViewer, ROLE.spaceEditor, ROLE.manager]);
    // Updating and removing a member, as the OpenCloud page documents.
    const updated = await driveCall(t.app, 'PATCH', `/graph/v1beta1/drives/${id}/root/permissions/u:einstein`, { body: { roles: [ROLE.spaceEditor] }, schema: 'permission' });
    expect(updated.data.roles).toEqual([ROLE.spaceEditor]);
  });

  it('root/createLink and permissions/{id}/setPassword: a password-protected space link, its password changed', async () => {
    const link = await driveCall(t.app, 'POST', `/graph/v1beta1/drives/${id}/root/createLink`, { body: { type: 'view', password: 'Secret-123' }, schema: 'permission' });
    expect(link.statusCode, link.body).toBe(200);
    expect(link.data).toMatchObject({ hasPassword: true, link: { type: 'view', webUrl: expect.stringMatching(/\/s\/[A-Za-z0-9]{15}$/) } });
    const pw = await driveCall(t.app, 'POST', `/graph/v1beta1/drives/${id}/root/permissions/${link.data.id}/setPassword`, { body: { password: 'Other-Secret-456' }, schema: 'permission' });
    expect(pw.statusCode).toBe(200);
    expect(pw.data).toMatchObject({ id: link.data.id, hasPassword: true });
    expect((await driveCall(t.app, 'POST', `/graph/v1beta1/drives/${id}/root/permissions/abc/setPassword`, { body: { password: 'x' } })).statusCode).toBe(404);
  });

  it('DELETE /drives/{id}/ disables: listed with root.deleted.state "trashed", only quota.total, no description', async () => {
    const res = await driveCall(t.app, 'DELETE', `/graph/v1.0/drives/${id}/`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const listed = (await driveCall(t.app, 'GET', '/graph/v1.0/me/drives', { schema: 'drive' })).data.value.find((d: { id: string }) => d.id === id);
    expect(listed).toMatchObject({ driveAlias: 'project/mission-to-mars', driveType: 'project', id, name: 'Mars', quota: { total: 5368709120 } });
    expect(listed.description).toBeUndefined();
    expect(Object.keys(listed.quota)).toEqual(['total']);
    expect(listed.root.deleted).toEqual({ state: 'trashed' });
    // Members other than Managers no longer see it.
    const einstein = await driveCall(t.app, 'GET', '/graph/v1.0/me/drives', { as: { user: 'einstein', password: 'Pw-einstein-Secret-123' } });
    expect(einstein.data.value.map((d: { id: string }) => d.id)).not.toContain(id);
  });

  it('PATCH /drives/{id}/ with Restore: T, Content-Type text/plain and {} re-enables it', async () => {
    const res = await driveCall(t.app, 'PATCH', `/graph/v1.0/drives/${id}/`, { headers: { Restore: 'T', 'Content-Type': 'text/plain' }, body: '{}', schema: 'drive' });
    expect(res.statusCode).toBe(200);
    expect(res.data).toMatchObject({ description: 'Mission to mars', name: 'Mars', quota: { remaining: 5368709120, state: 'normal', total: 5368709120, used: 0 } });
    expect(res.data.root.deleted).toBeUndefined();
  });

  it('DELETE with Purge: T on an enabled space answers the documented 400 body', async () => {
    const res = await driveCall(t.app, 'DELETE', `/graph/v1.0/drives/${id}`, { headers: { Purge: 'T' } });
    expect(res.statusCode).toBe(400);
    expect(res.data).toEqual({
      error: {
        code: 'invalidRequest',
        innererror: { date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), 'request-id': expect.any(String) },
        message: "error: bad request: can't purge enabled space",
      },
    });
  });

  it('disable, then DELETE with Purge: T removes the space for good', async () => {
    expect((await driveCall(t.app, 'DELETE', `/graph/v1.0/drives/${id}`)).statusCode).toBe(204);
    const res = await driveCall(t.app, 'DELETE', `/graph/v1.0/drives/${id}`, { headers: { Purge: 'T' } });
    expect(res.statusCode).toBe(204);
    expect((await driveCall(t.app, 'GET', `/graph/v1.0/drives/${id}`)).statusCode).toBe(404);
    const all = await driveCall(t.app, 'GET', '/graph/v1.0/drives');
    expect(all.data.value.map((d: { id: string }) => d.id)).not.toContain(id);
  });
});
