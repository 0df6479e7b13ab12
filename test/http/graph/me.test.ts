import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { type Cast, createCast, type Credentials, GLOBAL_ROLE_IDS, graph, NON_ADMINS } from '../../helpers/graph.js';

const ME = '/graph/v1.0/me';
const CHANGE = '/graph/v1.0/me/changePassword';

describeEachDb('Graph /me', (kind) => {
  let t: TestApp;
  let cast: Cast;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    cast = await createCast(t.app);
    await newGroup(t.app, 'staff');
    await newGroup(t.app, 'Berlin Office');
    await ocs(t.app, 'POST', '/cloud/users/ursula/groups', { body: { groupid: 'staff' } });
    await ocs(t.app, 'POST', '/cloud/users/ursula/groups', { body: { groupid: 'Berlin Office' } });
  });
  afterAll(async () => t.close());

  describe('GET /me', () => {
    it('is 401 unauthenticated for anonymous callers and for wrong credentials', async () => {
      const anon = await graph(t.app, 'GET', ME, { as: null });
      expect(anon.statusCode).toBe(401);
      expect(anon.data.error.code).toBe('unauthenticated');
      expect((await graph(t.app, 'GET', ME, { as: { user: 'ursula', password: 'wrong-password' } })).statusCode).toBe(401);
    });

    it.each([
      ['user', 'ursula', 'Ursula User', 'ursula@example.org'],
      ['spaceAdmin', 'sam', 'Sam Spaceadmin', 'sam@example.org'],
      ['admin', 'admin', 'admin', undefined],
    ] as const)('answers the %s with their own user', async (role, id, displayName, mail) => {
      const me = await graph(t.app, 'GET', ME, { as: cast[role], schema: 'User' });
      expect(me.statusCode).toBe(200);
      expect(me.data).toMatchObject({ id, displayName, onPremisesSamAccountName: id, userType: 'Member', accountEnabled: true });
      expect(me.data.mail).toBe(mail);
      expect(me.data.identities).toEqual([{ issuer: 'http://nimbus.test', issuerAssignedId: id }]);
      expect(me.data.memberOf).toBeUndefined();
      expect(me.data.appRoleAssignments).toBeUndefined();
    });

    it('expands memberOf: the groups, or [] when there are none', async () => {
      const ursula = await graph(t.app, 'GET', `${ME}?$expand=memberOf`, { as: cast.user, schema: 'User' });
      expect(ursula.data.memberOf).toEqual([
        { id: 'Berlin Office', displayName: 'Berlin Office' },
        { id: 'staff', displayName: 'staff' },
      ]);
      const sam = await graph(t.app, 'GET', `${ME}?$expand=memberOf`, { as: cast.spaceAdmin, schema: 'User' });
      expect(sam.data.memberOf).toEqual([]);
      const admin = await graph(t.app, 'GET', `${ME}?$expand=memberOf`, { schema: 'User' });
      expect(admin.data.memberOf.map((g: { id: string }) => g.id)).toEqual(['admin']);
    });

    it.each([
      ['user', GLOBAL_ROLE_IDS.user],
      ['spaceAdmin', GLOBAL_ROLE_IDS.spaceAdmin],
      ['admin', GLOBAL_ROLE_IDS.admin],
    ] as const)('expands appRoleAssignments to the global role of the %s', async (role, appRoleId) => {
      const me = await graph(t.app, 'GET', `${ME}?$expand=memberOf,appRoleAssignments`, { as: cast[role] });
      expect(me.data.appRoleAssignments).toHaveLength(1);
      expect(me.data.appRoleAssignments[0]).toMatchObject({ appRoleId, principalId: cast[role].user, principalType: 'User' });
      expect(Array.isArray(me.data.memberOf)).toBe(true);
    });

    it('honours $select and refuses malformed $expand', async () => {
      const sel = await graph(t.app, 'GET', `${ME}?$select=displayName,mail`, { as: cast.user });
      expect(sel.data).toEqual({ id: 'ursula', displayName: 'Ursula User', mail: 'ursula@example.org' });
      const bad = await graph(t.app, 'GET', `${ME}?$expand=memberOf(`, { as: cast.user });
      expect(bad.statusCode).toBe(400);
      expect(bad.data.error.code).toBe('invalidRequest');
    });
  });

  it('a user made over OCS finds themself over Graph, and sees non-admins cannot read others', async () => {
    const olga = await newUser(t.app, 'olga', { displayName: 'Olga OCS' });
    const me = await graph(t.app, 'GET', ME, { as: olga, schema: 'User' });
    expect(me.data).toMatchObject({ id: 'olga', displayName: 'Olga OCS' });
    for (const role of NON_ADMINS) expect((await graph(t.app, 'GET', '/graph/v1.0/users/olga', { as: cast[role] })).statusCode).toBe(403);
  });

  describe('PATCH /me', () => {
    it.each(['user', 'spaceAdmin', 'admin'] as const)('lets the %s set their preferred language, visible over OCS too', async (role) => {
      const res = await graph(t.app, 'PATCH', ME, { as: cast[role], body: { preferredLanguage: 'de' }, schema: 'User' });
      expect(res.statusCode).toBe(200);
      expect(res.data.preferredLanguage).toBe('de');
      expect((await ocs(t.app, 'GET', '/cloud/user', { as: cast[role] })).ocs.data.language).toBe('de');
      expect((await graph(t.app, 'GET', ME, { as: cast[role] })).data.preferredLanguage).toBe('de');
    });

    it('matches property names case-insensitively, as Go clients send them', async () => {
      const res = await graph(t.app, 'PATCH', ME, { as: cast.user, body: { PreferredLanguage: 'fr' } });
      expect(res.statusCode).toBe(200);
      expect(res.data.preferredLanguage).toBe('fr');
    });

    it.each([
      [{ displayName: 'New Name' }, 'user is not allowed to change own displayname'],
      [{ mail: 'new@example.org' }, 'user is not allowed to change own mail'],
      [{ preferredLanguage: 'de', displayName: 'X' }, 'user is not allowed to change own displayname'],
      [{ id: 'other' }, 'user id is a read-only attribute'],
      [{ memberOf: [] }, 'memberOf id is a read-only attribute'],
      [{ userType: 'Guest' }, 'userType is a read-only attribute'],
    ])('refuses %j with 400 invalidRequest and the reference message', async (body, message) => {
      const res = await graph(t.app, 'PATCH', ME, { as: cast.user, body });
      expect(res.statusCode).toBe(400);
      expect(res.data.error).toMatchObject({ code: 'invalidRequest', message });
    });

    it('refuses other changes to oneself, unknown fields, bad languages and malformed JSON with 400', async () => {
      for (const body of [{ accountEnabled: false }, { passwordProfile: { password: 'Some-Long-Pass-99' } }, { shoeSize: 44 }, { preferredLanguage: 'xx' }, '{"preferredLanguage":']) {
        const res = await graph(t.app, 'PATCH', ME, { as: cast.spaceAdmin, body });
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.data.error.code).toBe('invalidRequest');
      }
      expect((await ocs(t.app, 'GET', '/cloud/user', { as: cast.spaceAdmin })).ocs.data.enabled).not.toBe(false);
    });

    it('answers an empty body with 204, and anonymous callers with 401', async () => {
      const empty = await graph(t.app, 'PATCH', ME, { as: cast.user, body: {} });
      expect(empty.statusCode).toBe(204);
      expect(empty.body).toBe('');
      expect((await graph(t.app, 'PATCH', ME, { as: null, body: { preferredLanguage: 'de' } })).statusCode).toBe(401);
    });
  });

  describe('POST /me/changePassword', () => {
    it.each([
      [{ currentPassword: '', newPassword: 'Fresh-Pass-Word-1' }, 'current password cannot be empty'],
      [{ newPassword: 'Fresh-Pass-Word-1' }, 'current password cannot be empty'],
      ['current', 'new password cannot be empty'],
      ['same', 'new password must be differnt from current password'],
      [{ currentPassword: 'wrongPass', newPassword: 'Fresh-Pass-Word-1' }, 'wrong current password'],
    ] as const)('refuses %j with 400 and the reference message', async (body, message) => {
      const me = cast.user;
      const payload = body === 'current' ? { currentPassword: me.password, newPassword: '' } : body === 'same' ? { currentPassword: me.password, newPassword: me.password } : body;
      const res = await graph(t.app, 'POST', CHANGE, { as: me, body: payload });
      expect(res.statusCode).toBe(400);
      expect(res.data.error).toMatchObject({ code: 'invalidRequest', message });
    });

    it('applies the password policy, and refuses unknown fields', async () => {
      const short = await graph(t.app, 'POST', CHANGE, { as: cast.user, body: { currentPassword: cast.user.password, newPassword: '密码' } });
      expect(short.statusCode).toBe(400);
      expect(short.data.error.message).toMatch(/at least 10 characters/);
      const extra = await graph(t.app, 'POST', CHANGE, { as: cast.user, body: { currentPassword: cast.user.password, newPassword: 'Fresh-Pass-Word-1', x: 1 } });
      expect(extra.statusCode).toBe(400);
      expect((await graph(t.app, 'POST', CHANGE, { as: null, body: { currentPassword: 'a', newPassword: 'b' } })).statusCode).toBe(401);
    });

    it.each(['user', 'spaceAdmin', 'admin'] as const)('changes the password of the %s: the new one works on Graph and OCS Basic, the old one no longer', async (role) => {
      const old = cast[role];
      const next: Credentials = { user: old.user, password: `New-${role}-пароль-1` };
      const res = await graph(t.app, 'POST', CHANGE, { as: old, body: { currentPassword: old.password, newPassword: next.password } });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect((await graph(t.app, 'GET', ME, { as: old })).statusCode).toBe(401);
      expect((await graph(t.app, 'GET', ME, { as: next })).statusCode).toBe(200);
      const viaOcs = await t.app.inject({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: basic(next.user, next.password), 'OCS-APIRequest': 'true' } });
      expect(viaOcs.statusCode).toBe(200);
      cast[role] = next as never;
    });
  });

});
