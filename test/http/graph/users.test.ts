import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { type Cast, createCast, type Credentials, GLOBAL_ROLE_IDS, graph, NON_ADMINS } from '../../helpers/graph.js';

const USERS = '/graph/v1.0/users';
const ids = (res: { data: { value: Array<{ id: string }> } }): string[] => res.data.value.map((u) => u.id);
const ocsLogin = (app: TestApp['app'], c: Credentials) =>
  app.inject({ url: '/ocs/v2.php/cloud/user?format=json', headers: { authorization: basic(c.user, c.password), 'OCS-APIRequest': 'true' } });

describeEachDb('Graph /users', (kind) => {
  let t: TestApp;
  let cast: Cast;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    cast = await createCast(t.app);
    await newGroup(t.app, 'tea-lover');
    await newGroup(t.app, 'coffee-lover');
    await newUser(t.app, 'alice', { displayName: 'Alice Hansen', email: 'alice@example.org', groups: ['tea-lover'] });
    await newUser(t.app, 'brian', { displayName: 'Brian Murphy', email: 'brian@example.org', groups: ['tea-lover', 'coffee-lover'] });
    await newUser(t.app, 'carol', { displayName: 'Carol King', email: 'carol@example.org', groups: ['coffee-lover'] });
  });
  afterAll(async () => t.close());

  describe('GET /users', () => {
    it('is 401 for anonymous callers', async () => {
      const res = await graph(t.app, 'GET', `${USERS}?$search=alice`, { as: null });
      expect(res.statusCode).toBe(401);
      expect(res.data.error.code).toBe('unauthenticated');
    });

    it('lists every user, with every field, for the admin (users made over OCS included)', async () => {
      const res = await graph(t.app, 'GET', USERS, { schema: 'User' });
      expect(res.statusCode).toBe(200);
      expect(ids(res)).toEqual(['admin', 'alice', 'brian', 'carol', 'sam', 'ursula']);
      expect(res.data.value.find((u: { id: string }) => u.id === 'brian')).toEqual({
        accountEnabled: true,
        displayName: 'Brian Murphy',
        id: 'brian',
        identities: [{ issuer: 'http://nimbus.test', issuerAssignedId: 'brian' }],
        mail: 'brian@example.org',
        onPremisesSamAccountName: 'brian',
        userType: 'Member',
      });
    });

    it.each(NON_ADMINS)('refuses the %s a listing without a long enough search (403 "search term too short")', async (role) => {
      for (const q of ['', '?$search=al', '?$search="al"', '?$search="ali', '?$orderby=displayName']) {
        const res = await graph(t.app, 'GET', `${USERS}${q}`, { as: cast[role] });
        if (q === '?$search="ali') {
          expect(res.statusCode, q).toBe(400);
          continue;
        }
        expect(res.statusCode, q).toBe(403);
        expect(res.data.error).toMatchObject({ code: 'accessDenied', message: 'search term too short' });
      }
    });

    it.each(NON_ADMINS)('lets the %s search with 3 characters or more and shows the reduced fields', async (role) => {
      const res = await graph(t.app, 'GET', `${USERS}?$search=ali`, { as: cast[role], schema: 'User' });
      expect(res.statusCode).toBe(200);
      expect(res.data.value).toEqual([
        { displayName: 'Alice Hansen', id: 'alice', identities: [{ issuer: 'http://nimbus.test', issuerAssignedId: 'alice' }], onPremisesSamAccountName: 'alice', userType: 'Member' },
      ]);
      const quoted = await graph(t.app, 'GET', `${USERS}?$search="murphy"`, { as: cast[role], schema: 'User' });
      expect(ids(quoted)).toEqual(['brian']);
      const phrase = await graph(t.app, 'GET', `${USERS}?$search=${encodeURIComponent('"Carol King"')}`, { as: cast[role] });
      expect(ids(phrase)).toEqual(['carol']);
    });

    it('searches id, display name and mail case-insensitively', async () => {
      expect(ids(await graph(t.app, 'GET', `${USERS}?$search=HANSEN`))).toEqual(['alice']);
      expect(ids(await graph(t.app, 'GET', `${USERS}?$search=example`))).toEqual(['alice', 'brian', 'carol', 'sam', 'ursula']);
      expect(ids(await graph(t.app, 'GET', `${USERS}?$search=nobodyatall`))).toEqual([]);
    });

    it('refuses unquoted search tokens the reference cannot parse (400), and search expressions (501)', async () => {
      const dash = await graph(t.app, 'GET', `${USERS}?$search=Alice-From-Wonderland`, { as: cast.user });
      expect(dash.statusCode).toBe(400);
      expect(dash.data.error).toMatchObject({ code: 'invalidRequest', message: "Token '-From-Wonderland' is invalid" });
      const at = await graph(t.app, 'GET', `${USERS}?$search=Alice@From@Wonderland`);
      expect(at.data.error.message).toBe("Token '@From@Wonderland' is invalid");
      const expr = await graph(t.app, 'GET', `${USERS}?$search=${encodeURIComponent('alice OR brian')}`);
      expect(expr.statusCode).toBe(501);
      const twice = await graph(t.app, 'GET', `${USERS}?$search=alice&$search=brian`);
      expect(twice.statusCode).toBe(400);
    });

    it('filters by group membership, global role, user type and display name, combined with and/or', async () => {
      const f = async (filter: string) => ids(await graph(t.app, 'GET', `${USERS}?$filter=${encodeURIComponent(filter)}`, { schema: 'User' }));
      expect(await f("memberOf/any(m:m/id eq 'tea-lover')")).toEqual(['alice', 'brian']);
      expect(await f("memberOf/any(m:m/id eq 'tea-lover') and memberOf/any(m:m/id eq 'coffee-lover')")).toEqual(['brian']);
      expect(await f("memberOf/any(m:m/id eq 'tea-lover') or memberOf/any(m:m/id eq 'coffee-lover')")).toEqual(['alice', 'brian', 'carol']);
      expect(await f(`appRoleAssignments/any(m:m/appRoleId eq ${GLOBAL_ROLE_IDS.spaceAdmin})`)).toEqual(['sam']);
      expect(await f(`appRoleAssignments/any(m:m/appRoleId eq '${GLOBAL_ROLE_IDS.admin}')`)).toEqual(['admin']);
      expect(await f(`(appRoleAssignments/any(m:m/appRoleId eq '${GLOBAL_ROLE_IDS.user}') and memberOf/any(m:m/id eq 'coffee-lover'))`)).toEqual(['brian', 'carol']);
      expect(await f("userType eq 'Member'")).toHaveLength(6);
      expect(await f("userType eq 'Guest'")).toEqual([]);
      expect(await f("startswith(displayName,'Ca')")).toEqual(['carol']);
      expect(await f("contains(displayName,'an')")).toEqual(['alice', 'brian']);
      expect(await f("memberOf/any(m:m/id eq 'no-such-group')")).toEqual([]);
    });

    it('answers filters it does not implement with 501 and broken ones with 400', async () => {
      for (const filter of ["displayName eq 'Alice Hansen'", "memberOf/all(m:m/id eq 'tea-lover')", "endswith(displayName,'n')", "not(userType eq 'Member')"]) {
        const res = await graph(t.app, 'GET', `${USERS}?$filter=${encodeURIComponent(filter)}`);
        expect(res.statusCode, filter).toBe(501);
      }
      for (const filter of ["memberOf/any(m:m/id eq 'x'", "userType eq", "userType eq 'Robot'", "'x' eq userType"]) {
        const res = await graph(t.app, 'GET', `${USERS}?$filter=${encodeURIComponent(filter)}`);
        expect(res.statusCode, filter).toBe(400);
      }
    });

    it.each(NON_ADMINS)('lets the %s filter by user type only, and refuses $expand', async (role) => {
      const ok = await graph(t.app, 'GET', `${USERS}?$search=ali&$filter=${encodeURIComponent("userType eq 'Member'")}`, { as: cast[role] });
      expect(ids(ok)).toEqual(['alice']);
      const byGroup = await graph(t.app, 'GET', `${USERS}?$search=ali&$filter=${encodeURIComponent("memberOf/any(m:m/id eq 'tea-lover')")}`, { as: cast[role] });
      expect(byGroup.statusCode).toBe(403);
      expect(byGroup.data.error.message).toBe('filter has forbidden elements for regular users');
      const byRole = await graph(t.app, 'GET', `${USERS}?$filter=${encodeURIComponent(`appRoleAssignments/any(m:m/appRoleId eq '${GLOBAL_ROLE_IDS.admin}')`)}`, { as: cast[role] });
      expect(byRole.data.error.message).toBe('search term too short');
      const expand = await graph(t.app, 'GET', `${USERS}?$search=ali&$expand=memberOf`, { as: cast[role] });
      expect(expand.statusCode).toBe(403);
      expect(expand.data.error.message).toBe('query has forbidden elements for regular users');
    });

    it('orders by displayName, mail or onPremisesSamAccountName, and refuses other fields', async () => {
      const order = async (o: string) => ids(await graph(t.app, 'GET', `${USERS}?$search=example&$orderby=${encodeURIComponent(o)}`));
      expect(await order('displayName desc')).toEqual(['ursula', 'sam', 'carol', 'brian', 'alice']);
      expect(await order('displayName')).toEqual(['alice', 'brian', 'carol', 'sam', 'ursula']);
      expect(await order('mail desc')).toEqual(['ursula', 'sam', 'carol', 'brian', 'alice']);
      expect(await order('onPremisesSamAccountName asc')).toEqual(['alice', 'brian', 'carol', 'sam', 'ursula']);
      // Two items: the reference does not sort at all.
      expect((await graph(t.app, 'GET', `${USERS}?$orderby=displayName,mail`)).statusCode).toBe(200);
      const bad = await graph(t.app, 'GET', `${USERS}?$orderby=shoeSize`);
      expect(bad.statusCode).toBe(400);
      expect(bad.data.error).toMatchObject({ code: 'invalidRequest', message: 'we do not support <shoeSize> as a order parameter' });
    });

    it('selects properties and expands memberships and roles for the admin', async () => {
      const sel = await graph(t.app, 'GET', `${USERS}?$search=brian&$select=displayName,mail`);
      expect(sel.data.value).toEqual([{ displayName: 'Brian Murphy', id: 'brian', mail: 'brian@example.org' }]);
      const exp = await graph(t.app, 'GET', `${USERS}?$search=brian&$expand=memberOf,appRoleAssignments`, { schema: 'User' });
      expect(exp.data.value[0].memberOf.map((g: { id: string }) => g.id)).toEqual(['coffee-lover', 'tea-lover']);
      expect(exp.data.value[0].appRoleAssignments[0].appRoleId).toBe(GLOBAL_ROLE_IDS.user);
      const none = await graph(t.app, 'GET', `${USERS}?$search=sam&$expand=memberOf`);
      expect(none.data.value[0].memberOf).toEqual([]);
    });
  });

  describe('POST /users', () => {
    const body = (name: string, extra: Record<string, unknown> = {}) => ({
      displayName: `${name} Example`,
      onPremisesSamAccountName: name,
      mail: `${name.toLowerCase()}@example.org`,
      passwordProfile: { password: `Pw-${name}-Graph-1` },
      accountEnabled: true,
      ...extra,
    });

    it('creates a user (201) who is an OCS user, logs in with Basic on OCS and has a personal drive', async () => {
      const res = await graph(t.app, 'POST', USERS, { body: body('dora'), schema: 'User' });
      expect(res.statusCode).toBe(201);
      expect(res.data).toMatchObject({ id: 'dora', displayName: 'dora Example', mail: 'dora@example.org', onPremisesSamAccountName: 'dora', accountEnabled: true, userType: 'Member' });
      expect((await ocs(t.app, 'GET', '/cloud/users')).ocs.data.users).toContain('dora');
      expect((await ocs(t.app, 'GET', '/cloud/users/dora')).ocs.data).toMatchObject({ displayname: 'dora Example', email: 'dora@example.org', enabled: true });
      const dora = { user: 'dora', password: 'Pw-dora-Graph-1' };
      expect((await ocsLogin(t.app, dora)).statusCode).toBe(200);
      const drive = await graph(t.app, 'GET', '/graph/v1.0/me/drive', { as: dora, schema: 'Drive' });
      expect(drive.data).toMatchObject({ driveType: 'personal', driveAlias: 'personal/dora', name: 'dora Example' });
      const role = await graph(t.app, 'GET', '/graph/v1.0/users/dora/appRoleAssignments');
      expect(role.data.value[0].appRoleId).toBe(GLOBAL_ROLE_IDS.user);
    });

    it('creates disabled users, users without mail, and accepts Go-style property names', async () => {
      const off = await graph(t.app, 'POST', USERS, { body: body('offline', { accountEnabled: false }) });
      expect(off.data.accountEnabled).toBe(false);
      expect((await ocsLogin(t.app, { user: 'offline', password: 'Pw-offline-Graph-1' })).statusCode).toBe(401);
      const noMail = await graph(t.app, 'POST', USERS, { body: { displayName: 'No Mail', onPremisesSamAccountName: 'nomail', passwordProfile: { password: 'Pw-nomail-Graph-1' } } });
      expect(noMail.statusCode).toBe(201);
      expect(noMail.data.mail).toBeUndefined();
      const goStyle = await graph(t.app, 'POST', USERS, {
        body: { DisplayName: 'Go Pher', OnPremisesSamAccountName: 'gopher', Mail: 'go@example.org', PasswordProfile: { Password: 'Pw-gopher-Graph-1' } },
      });
      expect(goStyle.statusCode).toBe(201);
      expect(goStyle.data).toMatchObject({ id: 'gopher', displayName: 'Go Pher', mail: 'go@example.org' });
      const dotted = await graph(t.app, 'POST', USERS, { body: body('name.with.dots') });
      expect(dotted.statusCode).toBe(201);
    });

    it('refuses a taken user name with 409 nameAlreadyExists, also a disabled user\'s and in another case', async () => {
      for (const name of ['alice', 'ALICE', 'offline']) {
        const res = await graph(t.app, 'POST', USERS, { body: body(name) });
        expect(res.statusCode, name).toBe(409);
        expect(res.data.error.code).toBe('nameAlreadyExists');
      }
    });

    it.each([
      ['123456789', 'Invalid username'],
      ['0.0', 'Invalid username'],
      ['name with space', 'Invalid username'],
      ['nameWithCharacters(*:!;_+-&)', 'Invalid username'],
      ['', 'Invalid username'],
    ])('refuses the user name %j with 400', async (name, message) => {
      const res = await graph(t.app, 'POST', USERS, { body: body(name) });
      expect(res.statusCode).toBe(400);
      expect(res.data.error).toMatchObject({ code: 'invalidRequest', message });
      if (name) expect((await ocs(t.app, 'GET', `/cloud/users/${encodeURIComponent(name)}`)).statusCode).not.toBe(200);
    });

    it.each([
      [{ displayName: '' }, 'Empty displayname'],
      [{ mail: 'not-an-address' }, 'invalid email address'],
      [{ id: 'chosen-id' }, 'user id is a read-only attribute'],
      [{ memberOf: [{ id: 'tea-lover' }] }, 'memberOf id is a read-only attribute'],
      [{ userType: 'Member' }, 'userType is a read-only attribute'],
    ])('refuses %j with 400 and the reference message', async (extra, message) => {
      const res = await graph(t.app, 'POST', USERS, { body: body('eve', extra) });
      expect(res.statusCode).toBe(400);
      expect(res.data.error).toMatchObject({ code: 'invalidRequest', message });
    });

    it('refuses unknown properties, malformed JSON, weak passwords and users with neither password nor mail', async () => {
      for (const b of [body('eve', { shoeSize: 44 }), '{"displayName": "Eve",', body('eve', { passwordProfile: { password: 'short' } }), { displayName: 'Eve', onPremisesSamAccountName: 'eve' }]) {
        const res = await graph(t.app, 'POST', USERS, { body: b });
        expect(res.statusCode, JSON.stringify(b)).toBe(400);
        expect(res.data.error.code).toBe('invalidRequest');
      }
      expect((await ocs(t.app, 'GET', '/cloud/users/eve')).statusCode).toBe(404);
    });

    it.each(NON_ADMINS)('refuses the %s with 403 accessDenied "Forbidden", before looking at the body', async (role) => {
      for (const b of [body('mallory'), { bogus: true }]) {
        const res = await graph(t.app, 'POST', USERS, { as: cast[role], body: b });
        expect(res.statusCode).toBe(403);
        expect(res.data.error).toMatchObject({ code: 'accessDenied', message: 'Forbidden' });
      }
      expect((await graph(t.app, 'POST', USERS, { as: null, body: body('mallory') })).statusCode).toBe(401);
      expect((await ocs(t.app, 'GET', '/cloud/users/mallory')).statusCode).toBe(404);
    });
  });

  describe('GET /users/{id}', () => {
    it('answers the admin for anyone (ids case-insensitively) and 404 for unknown users', async () => {
      const res = await graph(t.app, 'GET', `${USERS}/BRIAN`, { schema: 'User' });
      expect(res.data).toMatchObject({ id: 'brian', mail: 'brian@example.org', accountEnabled: true });
      const unknown = await graph(t.app, 'GET', `${USERS}/nobody`);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.data.error.code).toBe('itemNotFound');
    });

    it.each(NON_ADMINS)('shows the %s themself in full, and refuses others and unknown ids with 403', async (role) => {
      const self = await graph(t.app, 'GET', `${USERS}/${cast[role].user}`, { as: cast[role], schema: 'User' });
      expect(self.statusCode).toBe(200);
      expect(self.data.mail).toBeDefined();
      for (const other of ['alice', 'admin', 'nobody']) {
        const res = await graph(t.app, 'GET', `${USERS}/${other}`, { as: cast[role] });
        expect(res.statusCode, other).toBe(403);
        expect(res.data.error).toMatchObject({ code: 'accessDenied', message: 'Forbidden' });
      }
      expect((await graph(t.app, 'GET', `${USERS}/alice`, { as: null })).statusCode).toBe(401);
    });

    it('expands memberOf, appRoleAssignments and the personal drive', async () => {
      const res = await graph(t.app, 'GET', `${USERS}/brian?$expand=memberOf,appRoleAssignments,drive`, { schema: 'User' });
      expect(res.data.memberOf.map((g: { displayName: string }) => g.displayName)).toEqual(['coffee-lover', 'tea-lover']);
      expect(res.data.appRoleAssignments[0].appRoleId).toBe(GLOBAL_ROLE_IDS.user);
      expect(res.data.drive).toMatchObject({ driveType: 'personal', driveAlias: 'personal/brian', name: 'Brian Murphy', owner: { user: { id: 'brian' } } });
      expect(res.data.drive.root.webDavUrl).toBe(`http://nimbus.test/dav/spaces/${res.data.drive.id}`);
      const own = await graph(t.app, 'GET', `${USERS}/ursula?$expand=drive,drives`, { as: cast.user, schema: 'User' });
      expect(own.data.drive.driveAlias).toBe('personal/ursula');
      expect(own.data.drives).toEqual([]);
      const sel = await graph(t.app, 'GET', `${USERS}/brian?$select=displayName`);
      expect(sel.data).toEqual({ id: 'brian', displayName: 'Brian Murphy' });
    });
  });

  describe('PATCH /users/{id}', () => {
    it('changes display name, mail, language and password; OCS sees the same user', async () => {
      const res = await graph(t.app, 'PATCH', `${USERS}/carol`, {
        body: { displayName: 'Carol Q. King', mail: 'cqk@example.org', preferredLanguage: 'de', passwordProfile: { password: 'Carol-New-Pass-1' } },
        schema: 'User',
      });
      expect(res.statusCode).toBe(200);
      expect(res.data).toMatchObject({ id: 'carol', displayName: 'Carol Q. King', mail: 'cqk@example.org', preferredLanguage: 'de' });
      expect((await ocs(t.app, 'GET', '/cloud/users/carol')).ocs.data).toMatchObject({ displayname: 'Carol Q. King', email: 'cqk@example.org', language: 'de' });
      expect((await ocsLogin(t.app, { user: 'carol', password: 'Carol-New-Pass-1' })).statusCode).toBe(200);
      expect((await ocsLogin(t.app, { user: 'carol', password: 'Pw-carol-Secret-123' })).statusCode).toBe(401);
      // An OCS change shows over Graph.
      await ocs(t.app, 'PUT', '/cloud/users/carol', { body: { key: 'displayname', value: 'Carol King' } });
      expect((await graph(t.app, 'GET', `${USERS}/carol`)).data.displayName).toBe('Carol King');
    });

    it('disables and enables accounts; a disabled user cannot log in', async () => {
      const off = await graph(t.app, 'PATCH', `${USERS}/carol`, { body: { accountEnabled: false } });
      expect(off.data.accountEnabled).toBe(false);
      expect((await graph(t.app, 'GET', '/graph/v1.0/me', { as: { user: 'carol', password: 'Carol-New-Pass-1' } })).statusCode).toBe(401);
      expect((await ocs(t.app, 'GET', '/cloud/users/carol')).ocs.data.enabled).toBe(false);
      const on = await graph(t.app, 'PATCH', `${USERS}/carol`, { body: { accountEnabled: true } });
      expect(on.data.accountEnabled).toBe(true);
      expect((await graph(t.app, 'GET', '/graph/v1.0/me', { as: { user: 'carol', password: 'Carol-New-Pass-1' } })).statusCode).toBe(200);
    });

    it('answers an empty body with 204 and unknown users with 404', async () => {
      expect((await graph(t.app, 'PATCH', `${USERS}/carol`, { body: {} })).statusCode).toBe(204);
      const unknown = await graph(t.app, 'PATCH', `${USERS}/nobody`, { body: { displayName: 'X' } });
      expect(unknown.statusCode).toBe(404);
    });

    it('refuses read-only and invalid values with 400 and writes nothing of a refused request', async () => {
      for (const [b, message] of [
        [{ id: 'x' }, 'user id is a read-only attribute'],
        [{ memberOf: [] }, 'memberOf id is a read-only attribute'],
        [{ userType: 'Guest' }, 'userType is a read-only attribute'],
        [{ displayName: 'Changed', mail: 'broken' }, "'broken' is not a valid email address"],
        [{ displayName: '' }, 'Empty displayname'],
      ] as const) {
        const res = await graph(t.app, 'PATCH', `${USERS}/carol`, { body: b });
        expect(res.statusCode, JSON.stringify(b)).toBe(400);
        expect(res.data.error).toMatchObject({ code: 'invalidRequest', message });
      }
      for (const b of [{ passwordProfile: { password: 'short' } }, { preferredLanguage: 'xx' }, { shoeSize: 1 }, '{"displayName":']) {
        expect((await graph(t.app, 'PATCH', `${USERS}/carol`, { body: b })).statusCode, JSON.stringify(b)).toBe(400);
      }
      expect((await graph(t.app, 'GET', `${USERS}/carol`)).data.displayName).toBe('Carol King');
    });

    it('keeps the user name: its own value is accepted, a taken one is 409, a new one 501', async () => {
      expect((await graph(t.app, 'PATCH', `${USERS}/carol`, { body: { onPremisesSamAccountName: 'Carol' } })).statusCode).toBe(200);
      const taken = await graph(t.app, 'PATCH', `${USERS}/carol`, { body: { onPremisesSamAccountName: 'alice' } });
      expect(taken.statusCode).toBe(409);
      expect(taken.data.error.code).toBe('nameAlreadyExists');
      expect((await graph(t.app, 'PATCH', `${USERS}/carol`, { body: { onPremisesSamAccountName: 'caroline' } })).statusCode).toBe(501);
    });

    it('refuses the admin disabling themself (403 notAllowed)', async () => {
      const res = await graph(t.app, 'PATCH', `${USERS}/admin`, { body: { accountEnabled: false } });
      expect(res.statusCode).toBe(403);
      expect(res.data.error.code).toBe('notAllowed');
      expect((await graph(t.app, 'GET', '/graph/v1.0/me')).statusCode).toBe(200);
    });

    it.each(NON_ADMINS)('refuses the %s with 403, also for their own display name and mail', async (role) => {
      for (const [target, b] of [
        [cast[role].user, { displayName: 'Me Myself' }],
        [cast[role].user, { mail: 'me@example.org' }],
        ['alice', { displayName: 'Hacked' }],
        ['nobody', {}],
      ] as const) {
        const res = await graph(t.app, 'PATCH', `${USERS}/${target}`, { as: cast[role], body: b });
        expect(res.statusCode, `${target} ${JSON.stringify(b)}`).toBe(403);
        expect(res.data.error).toMatchObject({ code: 'accessDenied', message: 'Forbidden' });
      }
      expect((await graph(t.app, 'PATCH', `${USERS}/alice`, { as: null, body: { displayName: 'x' } })).statusCode).toBe(401);
    });
  });

  describe('DELETE /users/{id}', () => {
    it.each(NON_ADMINS)('refuses the %s with 403, even for unknown users', async (role) => {
      for (const target of ['alice', 'nobody', cast[role].user]) {
        const res = await graph(t.app, 'DELETE', `${USERS}/${target}`, { as: cast[role] });
        expect(res.statusCode, target).toBe(403);
        expect(res.data.error.code).toBe('accessDenied');
      }
      expect((await graph(t.app, 'DELETE', `${USERS}/alice`, { as: null })).statusCode).toBe(401);
    });

    it('refuses self deletion (403 notAllowed) and unknown users (404)', async () => {
      const self = await graph(t.app, 'DELETE', `${USERS}/admin`);
      expect(self.statusCode).toBe(403);
      expect(self.data.error).toMatchObject({ code: 'notAllowed', message: 'self deletion forbidden' });
      expect((await graph(t.app, 'DELETE', `${USERS}/nobody`)).statusCode).toBe(404);
    });

    it('deletes the account, its memberships and its personal space; the name can be reused', async () => {
      const before = await graph(t.app, 'GET', `/graph/v1.0/drives?$filter=${encodeURIComponent("driveType eq 'personal'")}`);
      expect(before.data.value.map((d: { driveAlias: string }) => d.driveAlias)).toContain('personal/brian');
      const res = await graph(t.app, 'DELETE', `${USERS}/BRIAN`);
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect((await ocs(t.app, 'GET', '/cloud/users/brian')).statusCode).toBe(404);
      expect((await ocs(t.app, 'GET', '/cloud/groups/tea-lover/users')).ocs.data.users).toEqual(['alice']);
      const after = await graph(t.app, 'GET', `/graph/v1.0/drives?$filter=${encodeURIComponent("driveType eq 'personal'")}`);
      expect(after.data.value.map((d: { driveAlias: string }) => d.driveAlias)).not.toContain('personal/brian');
      expect((await graph(t.app, 'GET', `${USERS}/brian`)).statusCode).toBe(404);
      const again = await graph(t.app, 'POST', USERS, { body: { displayName: 'Another Brian', onPremisesSamAccountName: 'brian', passwordProfile: { password: 'Another-Brian-1' } } });
      expect(again.statusCode).toBe(201);
      expect((await graph(t.app, 'GET', `${USERS}/brian?$expand=memberOf`)).data.memberOf).toEqual([]);
    });

    it('a user deleted over OCS is gone from Graph too', async () => {
      await newUser(t.app, 'temp');
      expect(ids(await graph(t.app, 'GET', `${USERS}?$search=temp`))).toEqual(['temp']);
      await ocs(t.app, 'DELETE', '/cloud/users/temp', { as: ADMIN });
      expect(ids(await graph(t.app, 'GET', `${USERS}?$search=temp`))).toEqual([]);
    });
  });
});
