import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb, newUser } from '../../helpers/app.js';
import type { GraphResponse } from '../../helpers/graph.js';
import { assignGlobalRole, type Drive, EVERYONE, expectPermissionCollection, GLOBAL_ROLE, ids, invite, ROLE, SHARES, type Who, world, type World } from './drives-helpers.js';

/**
 * libregraph.md §7's error matrix and §8.3's "who may do what", caller by
 * caller: anonymous, a plain user, the space's Viewer, Editor and Manager, a
 * Space Admin and an Admin (both non-members of the space).
 */
type Expect = number | [number, string];
type Row = Partial<Record<Who, Expect>>;

function check(res: GraphResponse, who: Who, want: Expect | undefined, what: string): void {
  if (want === undefined) return;
  const [status, code] = Array.isArray(want) ? want : [want, undefined];
  expect(res.statusCode, `${what} as ${who}: ${res.body}`).toBe(status);
  if (code) expect(res.data.error.code, `${what} as ${who}`).toBe(code);
  if (status === 401) expect(res.data.error.code).toBe('unauthenticated');
}

describeEachDb('Graph drives: who may do what', (kind) => {
  let w: World;
  let shared: Drive;
  let disabled: Drive;
  let guests = 0;

  beforeAll(async () => {
    w = await world(kind);
    shared = await w.projectSpace('Shared Matrix', { description: 'kept' });
    disabled = await w.projectSpace('Disabled Matrix');
    expect((await w.call('manager', 'DELETE', `/graph/v1.0/drives/${disabled.id}`)).statusCode).toBe(204);
  });
  afterAll(async () => w.close());

  /** Runs `op` for every caller, each on a fresh space when the operation changes it. */
  async function matrix(what: string, row: Row, op: (who: Who, drive: Drive) => Promise<GraphResponse>, fresh?: 'enabled' | 'disabled'): Promise<void> {
    for (const who of EVERYONE) {
      if (row[who] === undefined) continue;
      let drive = shared;
      if (fresh) {
        drive = await w.projectSpace(`${what.replace(/[^\w ]/g, '')} ${who}`);
        if (fresh === 'disabled') expect((await w.call('manager', 'DELETE', `/graph/v1.0/drives/${drive.id}`)).statusCode).toBe(204);
      }
      check(await op(who, drive), who, row[who], what);
    }
  }

  it('GET /drives/{id}: members and Drives.List holders see it; others get 404 itemNotFound', async () => {
    const row: Row = { anonymous: 401, user: [404, 'itemNotFound'], viewer: 200, editor: 200, manager: 200, spaceAdmin: 200, admin: 200 };
    await matrix('get', row, (who, d) => w.call(who, 'GET', `/graph/v1.0/drives/${d.id}`, { schema: 'drive' }));
    // A disabled space: only its Managers and Drives.List holders.
    const off: Row = { user: 404, viewer: 404, editor: 404, manager: 200, spaceAdmin: 200, admin: 200 };
    for (const who of EVERYONE) {
      if (off[who] === undefined) continue;
      const res = await w.call(who, 'GET', `/graph/v1beta1/drives/${disabled.id}`, { schema: 'drive' });
      check(res, who, off[who], 'get disabled');
      if (res.statusCode === 200) expect(res.data.root.deleted).toEqual({ state: 'trashed' });
    }
  });

  it('/me/drives lists member spaces only (disabled ones for Managers); /drives lists all for Drives.List holders', async () => {
    const mine: Record<Exclude<Who, 'anonymous'>, [boolean, boolean]> = {
      user: [false, false],
      viewer: [true, false],
      editor: [true, false],
      manager: [true, true],
      spaceAdmin: [false, false],
      admin: [false, false],
    };
    const all: Record<Exclude<Who, 'anonymous'>, [boolean, boolean]> = {
      user: [false, false],
      viewer: [true, false],
      editor: [true, false],
      manager: [true, true],
      spaceAdmin: [true, true],
      admin: [true, true],
    };
    for (const who of Object.keys(mine) as Array<keyof typeof mine>) {
      const me = await w.call(who, 'GET', '/graph/v1.0/me/drives', { schema: 'drive' });
      expect([ids(me).includes(shared.id), ids(me).includes(disabled.id)], `/me/drives as ${who}`).toEqual(mine[who]);
      const every = await w.call(who, 'GET', '/graph/v1.0/drives', { schema: 'drive' });
      expect([ids(every).includes(shared.id), ids(every).includes(disabled.id)], `/drives as ${who}`).toEqual(all[who]);
      // Everyone sees the Shares drive; without Drives.List, /drives is /me/drives.
      expect(ids(me)).toContain(SHARES);
      if (!all[who][0] || who === 'viewer' || who === 'editor' || who === 'manager') expect(ids(every).sort()).toEqual(ids(me).sort());
    }
    expect((await w.call('anonymous', 'GET', '/graph/v1.0/drives')).statusCode).toBe(401);
  });

  it('POST /drives needs Drives.Create: 403 notAllowed before the body is even read', async () => {
    const row: Row = {
      anonymous: 401,
      user: [403, 'notAllowed'],
      viewer: [403, 'notAllowed'],
      editor: [403, 'notAllowed'],
      manager: [403, 'notAllowed'],
      spaceAdmin: 201,
      admin: 201,
    };
    await matrix('create', row, (who) => w.call(who, 'POST', '/graph/v1.0/drives', { body: { name: `By ${who}` }, schema: 'drive' }));
    const bad = await w.call('user', 'POST', '/graph/v1.0/drives', { body: { name: 'x', unknownField: true } });
    expect(bad.statusCode).toBe(403);
    expect(bad.data.error.message).toBe('insufficient permissions to create a space.');
    // The creator becomes Manager.
    const made = await w.call('spaceAdmin', 'POST', '/graph/v1beta1/drives', { body: { name: 'Made By Sam' }, schema: 'drive' });
    expect(made.data.root.permissions).toEqual([expect.objectContaining({ id: `u:${w.as.spaceAdmin!.user}`, roles: [ROLE.manager] })]);
  });

  it('PATCH name and description: Managers and Drives.ReadWrite holders; everyone else 404', async () => {
    const row: Row = { anonymous: 401, user: [404, 'itemNotFound'], viewer: 404, editor: 404, manager: 200, spaceAdmin: 200, admin: 200 };
    await matrix('rename', row, (who, d) => w.call(who, 'PATCH', `/graph/v1.0/drives/${d.id}`, { body: { name: `Renamed by ${who}` }, schema: 'drive' }));
    await matrix('describe', row, (who, d) => w.call(who, 'PATCH', `/graph/v1.0/drives/${d.id}`, { body: { description: `by ${who}` }, schema: 'drive' }));
    const after = await w.call('admin', 'GET', `/graph/v1.0/drives/${shared.id}`);
    expect(after.data).toMatchObject({ name: 'Renamed by admin', description: 'by admin' });
  });

  it('PATCH driveAlias: also Space Editors; a Viewer gets 404', async () => {
    const row: Row = { anonymous: 401, user: 404, viewer: 404, editor: 200, manager: 200, spaceAdmin: 200, admin: 200 };
    await matrix('alias', row, (who, d) => w.call(who, 'PATCH', `/graph/v1.0/drives/${d.id}`, { body: { driveAlias: `project/${who}` }, schema: 'drive' }));
  });

  it('PATCH quota: only Drives.ReadWriteProjectQuota holders; Managers with the User role get 403 notAllowed', async () => {
    const row: Row = {
      anonymous: 401,
      user: [403, 'notAllowed'],
      viewer: [403, 'notAllowed'],
      editor: [403, 'notAllowed'],
      manager: [403, 'notAllowed'],
      spaceAdmin: 200,
      admin: 200,
    };
    await matrix('quota', row, (who, d) => w.call(who, 'PATCH', `/graph/v1.0/drives/${d.id}`, { body: { quota: { total: 12345 } }, schema: 'drive' }));
    const denied = await w.call('manager', 'PATCH', `/graph/v1.0/drives/${shared.id}`, { body: { quota: { total: 1 } } });
    expect(denied.data.error.message).toBe('user is not allowed to set the space quota');
    // The whole PATCH is refused: a name in the same request is not applied.
    await w.call('manager', 'PATCH', `/graph/v1.0/drives/${shared.id}`, { body: { name: 'Half Applied', quota: { total: 1 } } });
    expect((await w.call('manager', 'GET', `/graph/v1.0/drives/${shared.id}`)).data.name).not.toBe('Half Applied');
  });

  it('PATCH {} is a no-op for anyone who can see the space, 404 for others', async () => {
    const row: Row = { anonymous: 401, user: 404, viewer: 200, editor: 200, manager: 200, spaceAdmin: 200, admin: 200 };
    await matrix('empty patch', row, (who, d) => w.call(who, 'PATCH', `/graph/v1.0/drives/${d.id}`, { body: {}, schema: 'drive' }));
  });

  it('PATCH with an invalid name is 400 generalException for every caller (validated first); an empty name is ignored', async () => {
    const row: Row = { anonymous: 401, user: [400, 'generalException'], viewer: [400, 'generalException'], manager: [400, 'generalException'], admin: [400, 'generalException'] };
    await matrix('bad name', row, (who, d) => w.call(who, 'PATCH', `/graph/v1.0/drives/${d.id}`, { body: { name: 'a/b' } }));
    expect((await w.call('manager', 'PATCH', `/graph/v1.0/drives/${shared.id}`, { body: { name: '   ' } })).statusCode).toBe(400);
    const empty = await w.call('manager', 'PATCH', `/graph/v1.0/drives/${shared.id}`, { body: { name: '' }, schema: 'drive' });
    expect(empty.statusCode).toBe(200);
    expect(empty.data.name).not.toBe('');
  });

  it('PATCH special: an item that is no file of the space is 400 for those who may set it, 404 for the others', async () => {
    const row: Row = { user: 404, viewer: 404, editor: [400, 'invalidRequest'], manager: [400, 'invalidRequest'], admin: [400, 'invalidRequest'] };
    const special = [{ id: `${shared.id}!readme`, specialFolder: { name: 'readme' } }];
    await matrix('special', row, (who, d) => w.call(who, 'PATCH', `/graph/v1.0/drives/${d.id}`, { body: { special } }));
    const res = await w.call('manager', 'PATCH', `/graph/v1.0/drives/${shared.id}`, { body: { special } });
    expect(res.data.error.message).toMatch(/not a file of this space/);
  });

  it('DELETE disables: Managers, Space Admins and Admins; Viewers, Editors and strangers get 404', async () => {
    const row: Row = { anonymous: 401, user: [404, 'itemNotFound'], viewer: 404, editor: 404, manager: 204, spaceAdmin: 204, admin: 204 };
    await matrix('disable', row, (who, d) => w.call(who, 'DELETE', `/graph/v1.0/drives/${d.id}`), 'enabled');
    // Disabling twice just stamps it again.
    expect((await w.call('manager', 'DELETE', `/graph/v1.0/drives/${disabled.id}`)).statusCode).toBe(204);
  });

  it('PATCH with Restore: T re-enables: Managers and Drives.ReadWriteEnabled holders; others 404', async () => {
    const row: Row = { anonymous: 401, user: 404, viewer: 404, editor: 404, manager: 200, spaceAdmin: 200, admin: 200 };
    await matrix('restore', row, async (who, d) => {
      const res = await w.call(who, 'PATCH', `/graph/v1.0/drives/${d.id}`, { headers: { Restore: 'T' }, body: {}, schema: 'drive' });
      if (res.statusCode === 200) expect(res.data.root.deleted).toBeUndefined();
      return res;
    }, 'disabled');
  });

  it('Purge: the permission check comes first (404), then only disabled spaces may go (400 invalidRequest)', async () => {
    const enabled: Row = { anonymous: 401, user: 404, viewer: 404, editor: 404, manager: [400, 'invalidRequest'], spaceAdmin: [400, 'invalidRequest'], admin: [400, 'invalidRequest'] };
    await matrix('purge enabled', enabled, (who, d) => w.call(who, 'DELETE', `/graph/v1.0/drives/${d.id}`, { headers: { Purge: 'T' } }));
    const msg = await w.call('admin', 'DELETE', `/graph/v1.0/drives/${shared.id}`, { headers: { Purge: 'T' } });
    expect(msg.data.error.message).toContain("can't purge enabled space");
    const off: Row = { anonymous: 401, user: 404, viewer: 404, editor: 404, manager: 204, spaceAdmin: 204, admin: 204 };
    await matrix('purge disabled', off, async (who, d) => {
      const res = await w.call(who, 'DELETE', `/graph/v1.0/drives/${d.id}`, { headers: { Purge: 'T' } });
      if (res.statusCode === 204) expect((await w.call('admin', 'GET', `/graph/v1.0/drives/${d.id}`)).statusCode).toBe(404);
      return res;
    }, 'disabled');
  });

  it('personal spaces: only Admins disable, purge or set their quota', async () => {
    const personal = `${w.storage}$${w.as.user!.user}`;
    for (const who of ['user', 'viewer', 'spaceAdmin'] as Who[]) {
      check(await w.call(who, 'DELETE', `/graph/v1.0/drives/${personal}`), who, 404, 'disable personal');
      check(await w.call(who, 'PATCH', `/graph/v1.0/drives/${personal}`, { body: { quota: { total: 10 } } }), who, [403, 'notAllowed'], 'personal quota');
    }
    check(await w.call('admin', 'PATCH', `/graph/v1.0/drives/${personal}`, { body: { quota: { total: 10 } }, schema: 'drive' }), 'admin', 200, 'personal quota');
    // The owner manages the name and description of their own drive.
    check(await w.call('user', 'PATCH', `/graph/v1.0/drives/${personal}`, { body: { description: 'mine' }, schema: 'drive' }), 'user', 200, 'describe own');
    check(await w.call('admin', 'DELETE', `/graph/v1.0/drives/${personal}`), 'admin', 204, 'disable personal');
    const own = await w.call('user', 'GET', '/graph/v1.0/me/drive', { schema: 'drive' });
    expect(own.data.root.deleted).toEqual({ state: 'trashed' });
    check(await w.call('user', 'PATCH', `/graph/v1.0/drives/${personal}`, { headers: { Restore: 'T' }, body: {} }), 'user', 404, 'restore own personal');
    check(await w.call('spaceAdmin', 'DELETE', `/graph/v1.0/drives/${personal}`, { headers: { Purge: 'T' } }), 'spaceAdmin', 404, 'purge personal');
    check(await w.call('admin', 'PATCH', `/graph/v1.0/drives/${personal}`, { headers: { Restore: 'true' }, body: {}, schema: 'drive' }), 'admin', 200, 'restore personal');
  });

  it('root/invite: only Managers (403 for Viewers and Editors, 404 for non-members, Space Admins and Admins included)', async () => {
    const row: Row = { anonymous: 401, user: [404, 'itemNotFound'], viewer: [403, 'accessDenied'], editor: [403, 'accessDenied'], manager: 200, spaceAdmin: 404, admin: 404 };
    await matrix('invite', row, async (who, d) => {
      const guest = await newUser(w.t.app, `guest${++guests}`);
      return invite(w.t, d.id, guest.user, ROLE.spaceViewer, { as: w.as[who] });
    });
      });

  it('root/permissions: listed for every member, 404 itemNotFound for anyone else', async () => {
    const row: Row = { anonymous: 401, user: [404, 'itemNotFound'], viewer: 200, editor: 200, manager: 200, spaceAdmin: 404, admin: 404 };
    await matrix('list permissions', row, async (who, d) => {
      const res = await w.call(who, 'GET', `/graph/v1beta1/drives/${d.id}/root/permissions`);
      if (res.statusCode === 200) expectPermissionCollection(res.data);
      return res;
    });
    const strange = await w.call('user', 'GET', `/graph/v1beta1/drives/${shared.id}/root/permissions`);
    expect(strange.data.error.message).toBe('getting space');
  });

  it('PATCH and DELETE root/permissions/{id}: Managers only; Viewers cannot even remove themselves', async () => {
    const patch: Row = { anonymous: 401, user: 404, viewer: [403, 'accessDenied'], editor: [403, 'accessDenied'], manager: 200, spaceAdmin: 404, admin: 404 };
    await matrix('patch permission', patch, (who, d) =>
      w.call(who, 'PATCH', `/graph/v1beta1/drives/${d.id}/root/permissions/u:${w.as.editor!.user}`, { body: { roles: [ROLE.spaceEditor] }, schema: 'permission' }),
    );
    const remove: Row = { anonymous: 401, user: 404, viewer: [403, 'accessDenied'], editor: [403, 'accessDenied'], manager: 204, spaceAdmin: 404, admin: 404 };
    await matrix('remove permission', remove, (who, d) => w.call(who, 'DELETE', `/graph/v1beta1/drives/${d.id}/root/permissions/u:${w.as.viewer!.user}`), 'enabled');
    check(await w.call('viewer', 'DELETE', `/graph/v1beta1/drives/${shared.id}/root/permissions/u:${w.as.viewer!.user}`), 'viewer', 403, 'leave as viewer');
  });

  it('the last Manager (user or group) can be neither removed nor demoted: 403', async () => {
    const d = await w.projectSpace('Last Manager');
    const me = `u:${w.as.manager!.user}`;
    check(await w.call('manager', 'DELETE', `/graph/v1beta1/drives/${d.id}/root/permissions/${me}`), 'manager', [403, 'accessDenied'], 'remove last');
    check(await w.call('manager', 'PATCH', `/graph/v1beta1/drives/${d.id}/root/permissions/${me}`, { body: { roles: [ROLE.spaceViewer] } }), 'manager', 403, 'demote last');
    // With a second Manager the first may step down.
    expect((await w.call('manager', 'PATCH', `/graph/v1beta1/drives/${d.id}/root/permissions/u:${w.as.editor!.user}`, { body: { roles: [ROLE.manager] } })).statusCode).toBe(200);
    check(await w.call('manager', 'DELETE', `/graph/v1beta1/drives/${d.id}/root/permissions/${me}`), 'manager', 204, 'leave with another manager');
    expect(ids(await w.call('manager', 'GET', '/graph/v1.0/me/drives'))).not.toContain(d.id);
  });

  it('member routes on a disabled space are 404; on a personal or the Shares drive 400 unsupported space type', async () => {
    check(await invite(w.t, disabled.id, w.as.user!.user, ROLE.spaceViewer, { as: w.as.manager! }), 'manager', [404, 'itemNotFound'], 'invite disabled');
    check(await w.call('manager', 'GET', `/graph/v1beta1/drives/${disabled.id}/root/permissions`), 'manager', 404, 'list disabled');
    const personal = `${w.storage}$${w.as.user!.user}`;
    for (const drive of [personal, SHARES]) {
      const res = await invite(w.t, drive, w.as.viewer!.user, ROLE.spaceViewer, { as: w.as.user! });
      check(res, 'user', [400, 'invalidRequest'], `invite on ${drive}`);
      expect(res.data.error.message).toBe('unsupported space type');
      check(await w.call('user', 'DELETE', `/graph/v1beta1/drives/${drive}/root/permissions/u:x`), 'user', 400, `remove on ${drive}`);
    }
    // Listing the Shares root works, with no role to hand out; a personal root lists no grants (the owner's access is implicit).
    const shares = await w.call('user', 'GET', `/graph/v1beta1/drives/${SHARES}/root/permissions`);
    expect(shares.statusCode).toBe(200);
    expect(shares.data['@libre.graph.permissions.roles.allowedValues']).toEqual([]);
    const own = await w.call('user', 'GET', `/graph/v1beta1/drives/${personal}/root/permissions`);
    expect(own.statusCode).toBe(200);
    expect(own.data.value).toEqual([]);
    expect(own.data['@libre.graph.permissions.roles.allowedValues'].map((r: { id: string }) => r.id)).toEqual([ROLE.spaceViewer, ROLE.spaceEditor, ROLE.manager]);
    check(await w.call('viewer', 'GET', `/graph/v1beta1/drives/${personal}/root/permissions`), 'viewer', 404, "another's personal root");
  });

  it('links on a space root: its Managers make them, members without the share right get 403, everyone else 404', async () => {
    const row: Row = { anonymous: 401, user: [404, 'itemNotFound'], viewer: [403, 'accessDenied'], editor: [403, 'accessDenied'], manager: 200, spaceAdmin: [404, 'itemNotFound'], admin: [404, 'itemNotFound'] };
    await matrix('createLink', row, async (who, d) => {
      const res = await w.call(who, 'POST', `/graph/v1beta1/drives/${d.id}/root/createLink`, { body: { type: 'view' } });
      if (res.statusCode === 200) expect(res.data.link.type).toBe('view');
      return res;
    });
    const unknown: Row = { anonymous: 401, user: 404, viewer: 404, manager: [404, 'itemNotFound'], admin: 404 };
    await matrix('setPassword', unknown, (who, d) => w.call(who, 'POST', `/graph/v1beta1/drives/${d.id}/root/permissions/abc/setPassword`, { body: { password: 'x' } }));
  });

  it('User Light cannot create spaces, yet as a space\'s Manager still disables, restores and manages it', async () => {
    const d = await w.projectSpace('Light Managed');
    const light = w.as.manager!;
    await assignGlobalRole(w.t, light.user, GLOBAL_ROLE.userLight);
    try {
      check(await w.call('manager', 'POST', '/graph/v1.0/drives', { body: { name: 'Light' } }), 'manager', [403, 'notAllowed'], 'create as User Light');
      check(await w.call('manager', 'PATCH', `/graph/v1.0/drives/${d.id}`, { body: { quota: { total: 1 } } }), 'manager', [403, 'notAllowed'], 'quota as User Light');
      check(await invite(w.t, d.id, w.as.user!.user, ROLE.spaceViewer, { as: light }), 'manager', 200, 'invite as User Light');
      check(await w.call('manager', 'DELETE', `/graph/v1.0/drives/${d.id}`), 'manager', 204, 'disable as User Light');
      check(await w.call('manager', 'PATCH', `/graph/v1.0/drives/${d.id}`, { headers: { Restore: 'T' }, body: {} }), 'manager', 200, 'restore as User Light');
    } finally {
      await assignGlobalRole(w.t, light.user, GLOBAL_ROLE.user);
    }
  });

  it('unknown drives are 404 for every verb; the Shares drive cannot be changed (405 notAllowed)', async () => {
    const unknown = `${w.storage}$00000000-0000-4000-8000-000000000000`;
    for (const [method, o] of [['GET', {}], ['PATCH', { body: { name: 'x' } }], ['PATCH', { body: { quota: { total: 5 } } }], ['DELETE', {}], ['DELETE', { headers: { Purge: 'T' } }]] as const) {
      check(await w.call('admin', method, `/graph/v1.0/drives/${unknown}`, o), 'admin', [404, 'itemNotFound'], `${method} unknown`);
    }
    check(await w.call('user', 'PATCH', `/graph/v1.0/drives/${SHARES}`, { body: { name: 'x' } }), 'user', [405, 'notAllowed'], 'patch shares');
    check(await w.call('user', 'DELETE', `/graph/v1.0/drives/${SHARES}`), 'user', [405, 'notAllowed'], 'delete shares');
    check(await w.call('user', 'GET', `/graph/v1.0/drives/${SHARES}`, { schema: 'drive' }), 'user', 200, 'get shares');
  });
});
