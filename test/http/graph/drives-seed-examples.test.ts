import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newUser, type TestApp } from '../../helpers/app.js';
import { graph } from '../../helpers/graph.js';

// The Spaces API documentation's curl examples (seeds 001 and 003), as inject calls.
describeEachDb('documented Spaces API examples', (kind) => {
  let t: TestApp;
  let id: string;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    await newUser(t.app, 'einstein');
  });
  afterAll(async () => t.close());

  it("POST /drives/ with {Name, description, quota.total} creates the space", async () => {
    const res = await graph(t.app, 'POST', '/graph/v1.0/drives/', {
      body: { Name: 'Marketing', description: 'Marketing team resources', quota: { total: 5368709120 } },
      schema: 'drive',
    });
    expect(res.statusCode).toBe(201);
    expect(res.data).toMatchObject({ description: 'Marketing team resources', driveAlias: 'project/marketing', driveType: 'project', name: 'Marketing' });
    id = res.data.id;
  });

  it("GET /me/drives/$filter=driveType eq project and $orderby=name asc", async () => {
    const filtered = await graph(t.app, 'GET', `/graph/v1.0/me/drives/${encodeURIComponent('$filter=driveType eq project')}`, { schema: 'drive' });
    expect(filtered.data.value.map((d: { name: string }) => d.name)).toEqual(['Marketing']);
    const byId = await graph(t.app, 'GET', `/graph/v1.0/me/drives/${encodeURIComponent(`$filter=id eq ${id}`)}`);
    expect(byId.data.value.map((d: { id: string }) => d.id)).toEqual([id]);
    const ordered = await graph(t.app, 'GET', `/graph/v1.0/me/drives/${encodeURIComponent('$orderby=name asc')}`);
    expect(ordered.statusCode).toBe(200);
  });

  it('PATCH quota.total to 5 GB answers the documented quota block', async () => {
    const res = await graph(t.app, 'PATCH', `/graph/v1.0/drives/${id}`, { body: { quota: { total: 5368709120 } }, schema: 'drive' });
    expect(res.data.quota).toEqual({ remaining: 5368709120, state: 'normal', total: 5368709120, used: 0 });
  });

  it('PATCH name and description', async () => {
    const res = await graph(t.app, 'PATCH', `/graph/v1.0/drives/${id}`, { body: { name: 'Marketing Team', description: 'Team resources' } });
    expect(res.data).toMatchObject({ name: 'Marketing Team', description: 'Team resources' });
  });

  it('invite a user as Space Viewer on the root (v1beta1)', async () => {
    const res = await graph(t.app, 'POST', `/graph/v1beta1/drives/${id}/root/invite`, {
      body: { recipients: [{ '@libre.graph.recipient.type': 'user', objectId: 'einstein' }], roles: ['a8d5fe5e-96e3-418d-825b-534dbdf22b99'] },
      schema: 'permission',
    });
    expect(res.data.value[0]).toMatchObject({ id: 'u:einstein', roles: ['a8d5fe5e-96e3-418d-825b-534dbdf22b99'] });
    const perms = await graph(t.app, 'GET', `/graph/v1beta1/drives/${id}/root/permissions`, { schema: 'permission' });
    expect(perms.data.value).toHaveLength(2);
  });

  it('disable, restore with Restore: T and {}, disable again, purge with Purge: T', async () => {
    expect((await graph(t.app, 'DELETE', `/graph/v1.0/drives/${id}`)).statusCode).toBe(204);
    const restored = await graph(t.app, 'PATCH', `/graph/v1.0/drives/${id}`, { headers: { Restore: 'T' }, body: {} });
    expect(restored.statusCode).toBe(200);
    expect((await graph(t.app, 'DELETE', `/graph/v1.0/drives/${id}`)).statusCode).toBe(204);
    expect((await graph(t.app, 'DELETE', `/graph/v1.0/drives/${id}`, { headers: { Purge: 'T' } })).statusCode).toBe(204);
    expect((await graph(t.app, 'GET', `/graph/v1.0/drives/${id}`)).statusCode).toBe(404);
  });
});
