import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, buildTestApp, describeEachDb, newGroup, newUser, ocs, type OcsCallOptions, type TestApp } from '../../helpers/app.js';
import { expectError, expectXmlError, type Method, parseXml } from '../../helpers/ocs-assert.js';

type Creds = { user: string; password: string };



async function expectOk(app: FastifyInstance, method: Method, route: string, o: OcsCallOptions = {}): Promise<any> {
  const res = await ocs(app, method, route, o);
  expect(res.statusCode, `${method} ${route}: ${res.body}`).toBe(200);
  expect(res.ocs.meta.status).toBe('ok');
  expect(res.ocs.meta.statuscode).toBe(o.version === 1 ? 100 : 200);
  return res.ocs.data;
}

const SAMPLE_17_BODY = '{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":[]}}';

describeEachDb('OCS provisioning: memberships', (kind) => {
  let t: TestApp;
  let app: FastifyInstance;
  let msub: Creds;
  let m1: Creds;
  let m3: Creds;
  let mp: Creds;

  const groupsOf = async (id: string, as: Creds = ADMIN): Promise<string[]> => (await expectOk(app, 'GET', `/cloud/users/${id}/groups`, { as })).groups;
  const subadminsOf = (id: string): Promise<string[]> => expectOk(app, 'GET', `/cloud/users/${id}/subadmins`);
  const add = (id: string, groupid: string, as: Creds = ADMIN, extra: OcsCallOptions = {}) =>
    ocs(app, 'POST', `/cloud/users/${id}/groups`, { as, body: { groupid }, ...extra });
  const remove = (id: string, groupid: string, as: Creds = ADMIN, extra: OcsCallOptions = {}) =>
    ocs(app, 'DELETE', `/cloud/users/${id}/groups`, { as, body: { groupid }, ...extra });

  beforeAll(async () => {
    t = await buildTestApp(kind);
    app = t.app;
    for (const g of ['g1', 'g2', 'g3']) await newGroup(app, g);
    // msub administers g1 and g2 and is a member of g1; madmin is an admin inside g1.
    msub = await newUser(app, 'msub', { groups: ['g1'], subadmin: ['g1', 'g2'] });
    m1 = await newUser(app, 'm1', { groups: ['g1', 'g2', 'g3'] });
    await newUser(app, 'm2', { groups: ['g1'] });
    m3 = await newUser(app, 'm3', { groups: ['g3'] });
    mp = await newUser(app, 'mp');
    await newUser(app, 'madmin', { groups: ['admin', 'g1'] });
  });
  afterAll(async () => t?.close());

  describe('anonymous callers', () => {
    const routes: Array<[Method, string]> = [
      ['GET', '/cloud/users/m1/groups'],
      ['POST', '/cloud/users/m1/groups'],
      ['DELETE', '/cloud/users/m1/groups'],
      ['GET', '/cloud/users/m1/subadmins'],
      ['POST', '/cloud/users/m1/subadmins'],
      ['DELETE', '/cloud/users/m1/subadmins'],
    ];
    it.each(routes)('%s %s answers 997 with a Basic challenge on v1 and v2', async (method, route) => {
      for (const version of [1, 2] as const) {
        const res = await ocs(app, method, route, { as: null, version, body: method === 'GET' ? undefined : { groupid: 'g1' } });
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Basic realm="Authorisation Required"');
        expect(res.ocs.meta).toMatchObject({ status: 'failure', statuscode: 997 });
      }
      const xml = await ocs(app, method, route, { as: null, format: 'xml' });
      expect(xml.statusCode).toBe(401);
      expect(parseXml(xml.body).ocs.meta.statuscode).toBe('997');
    });
  });

  describe('GET cloud/users/{id}/groups', () => {
    it('gives an admin every group of the user, on v1 and v2', async () => {
      expect(await groupsOf('m1')).toEqual(['g1', 'g2', 'g3']);
      expect((await expectOk(app, 'GET', '/cloud/users/m1/groups', { version: 1 })).groups).toEqual(['g1', 'g2', 'g3']);
      expect(await groupsOf('admin')).toEqual(['admin']);
    });

    it('renders groups as <element> items in XML, and no groups as an empty element', async () => {
      const res = await ocs(app, 'GET', '/cloud/users/m1/groups', { format: 'xml' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<groups>\n   <element>g1</element>\n   <element>g2</element>\n   <element>g3</element>\n  </groups>');
      const none = await ocs(app, 'GET', '/cloud/users/mp/groups', { format: 'xml' });
      expect(none.body).toContain('<data>\n  <groups/>\n </data>');
      expect(parseXml(res.body).ocs.data.groups.element).toEqual(['g1', 'g2', 'g3']);
    });

    it('lets users read their own groups', async () => {
      expect(await groupsOf('m3', m3)).toEqual(['g3']);
      expect(await groupsOf('m1', m1)).toEqual(['g1', 'g2', 'g3']);
      const none = await ocs(app, 'GET', '/cloud/users/mp/groups', { as: mp });
      expect(none.body).toBe('{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":{"groups":[]}}}');
    });

    it('gives a subadmin only the groups they administer (the intersection)', async () => {
      expect(await groupsOf('m1', msub)).toEqual(['g1', 'g2']);
      expect(await groupsOf('m2', msub)).toEqual(['g1']);
      // Their own groups, unfiltered.
      expect(await groupsOf('msub', msub)).toEqual(['g1']);
    });

    it('998 for users the caller may not see, or who do not exist', async () => {
      await expectError(app, 'GET', '/cloud/users/m3/groups', { as: msub }, 998, 404);
      await expectError(app, 'GET', '/cloud/users/madmin/groups', { as: msub }, 998, 404);
      await expectError(app, 'GET', '/cloud/users/m1/groups', { as: mp }, 998, 404);
      await expectError(app, 'GET', '/cloud/users/nosuchuser/groups', {}, 998, 404);
      await expectXmlError(app, 'GET', '/cloud/users/m1/groups', { as: mp }, 998, 404);
    });
  });

  describe('POST cloud/users/{id}/groups', () => {
    it('lets an admin add a user to a group, answering like sample 17', async () => {
      await newUser(app, 'add-a');
      const res = await add('add-a', 'g3');
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(SAMPLE_17_BODY);
      expect(await groupsOf('add-a')).toEqual(['g3']);
      // Adding again changes nothing and still succeeds.
      const again = await add('add-a', 'g3', ADMIN, { version: 1 });
      expect(again.statusCode).toBe(200);
      expect(again.ocs.meta.statuscode).toBe(100);
      expect(await groupsOf('add-a')).toEqual(['g3']);
    });

    it('reads groupid from a JSON body and from the query string', async () => {
      await newUser(app, 'add-b');
      expect((await add('add-b', 'g1', ADMIN, { json: true })).statusCode).toBe(200);
      expect((await ocs(app, 'POST', '/cloud/users/add-b/groups?groupid=g2')).statusCode).toBe(200);
      const xml = await ocs(app, 'POST', '/cloud/users/add-b/groups', { body: { groupid: 'g3' }, format: 'xml' });
      expect(parseXml(xml.body).ocs.meta.statuscode).toBe('200');
      expect(await groupsOf('add-b')).toEqual(['g1', 'g2', 'g3']);
    });

    it('lets a subadmin add a user to a group they administer', async () => {
      await newUser(app, 'add-c', { groups: ['g1'] });
      expect((await add('add-c', 'g2', msub)).statusCode).toBe(200);
      expect(await groupsOf('add-c')).toEqual(['g1', 'g2']);
    });

    it('101 without a groupid', async () => {
      await expectError(app, 'POST', '/cloud/users/m3/groups', {}, 101, 400);
      await expectError(app, 'POST', '/cloud/users/m3/groups', { body: { groupid: '' } }, 101, 400);
      await expectXmlError(app, 'POST', '/cloud/users/m3/groups', {}, 101, 400);
    });

    it('102 for an unknown group, checked before the user', async () => {
      await expectError(app, 'POST', '/cloud/users/m3/groups', { body: { groupid: 'nope' } }, 102, 400);
      await expectError(app, 'POST', '/cloud/users/nosuchuser/groups', { body: { groupid: 'nope' } }, 102, 400);
    });

    it('103 for an unknown user', async () => {
      await expectError(app, 'POST', '/cloud/users/nosuchuser/groups', { body: { groupid: 'g1' } }, 103, 400);
    });

    it('104 when a subadmin adds to a group they do not administer', async () => {
      await expectError(app, 'POST', '/cloud/users/m2/groups', { as: msub, body: { groupid: 'g3' } }, 104, 400);
      await expectError(app, 'POST', '/cloud/users/m2/groups', { as: msub, body: { groupid: 'admin' } }, 104, 400);
      await expectXmlError(app, 'POST', '/cloud/users/m2/groups', { as: msub, body: { groupid: 'g3' } }, 104, 400);
      expect(await groupsOf('m2')).toEqual(['g1']);
    });

    it('403 for a plain user, even on their own account', async () => {
      await expectError(app, 'POST', '/cloud/users/mp/groups', { as: mp, body: { groupid: 'g1' } }, 403, 403, 'Logged in account must be at least a sub admin');
      await expectXmlError(app, 'POST', '/cloud/users/mp/groups', { as: mp, body: { groupid: 'g1' } }, 403, 403);
      expect(await groupsOf('mp')).toEqual([]);
    });
  });

  describe('DELETE cloud/users/{id}/groups', () => {
    it('lets an admin remove a user from a group, with a form body, JSON body or query string', async () => {
      await newUser(app, 'rm-a', { groups: ['g1', 'g2', 'g3'] });
      const res = await remove('rm-a', 'g3');
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(SAMPLE_17_BODY);
      expect((await remove('rm-a', 'g2', ADMIN, { json: true, version: 1 })).ocs.meta.statuscode).toBe(100);
      expect((await ocs(app, 'DELETE', '/cloud/users/rm-a/groups?groupid=g1')).statusCode).toBe(200);
      expect(await groupsOf('rm-a')).toEqual([]);
    });

    it('105 when an admin removes themself from the admin group, but other groups are fine', async () => {
      await expectError(app, 'DELETE', '/cloud/users/admin/groups', { body: { groupid: 'admin' } }, 105, 400, 'Cannot remove yourself from the admin group');
      expect((await add('admin', 'g3')).statusCode).toBe(200);
      expect((await remove('admin', 'g3')).statusCode).toBe(200);
      expect(await groupsOf('admin')).toEqual(['admin']);
      // Another admin may take them out of admin.
      expect((await remove('madmin', 'admin')).statusCode).toBe(200);
      expect((await add('madmin', 'admin')).statusCode).toBe(200);
    });

    it('105 when a subadmin removes themself from a group they administer', async () => {
      await expectError(app, 'DELETE', '/cloud/users/msub/groups', { as: msub, body: { groupid: 'g1' } }, 105, 400, 'Cannot remove yourself from this group as you are a SubAdmin');
      expect(await groupsOf('msub')).toEqual(['g1']);
    });

    it('105 when a subadmin would take a user out of the last group they administer', async () => {
      await newUser(app, 'rm-b', { groups: ['g1', 'g2', 'g3'] });
      expect((await remove('rm-b', 'g1', msub)).statusCode).toBe(200);
      await expectError(app, 'DELETE', '/cloud/users/rm-b/groups', { as: msub, body: { groupid: 'g2' } }, 105, 400, 'Not viable to remove user from the last group you are SubAdmin of');
      // Nextcloud counts the subadmin's groups the user is in, whatever group is named.
      await expectError(app, 'DELETE', '/cloud/users/rm-b/groups', { as: msub, body: { groupid: 'g1' } }, 105, 400);
      await expectXmlError(app, 'DELETE', '/cloud/users/rm-b/groups', { as: msub, body: { groupid: 'g2' } }, 105, 400);
      expect(await groupsOf('rm-b')).toEqual(['g2', 'g3']);
    });

    it('101 without a groupid, 102 unknown group, 103 unknown user, 104 not their group', async () => {
      await expectError(app, 'DELETE', '/cloud/users/m1/groups', {}, 101, 400);
      await expectError(app, 'DELETE', '/cloud/users/m1/groups', { body: { groupid: '  ' } }, 101, 400);
      await expectError(app, 'DELETE', '/cloud/users/m1/groups', { body: { groupid: 'nope' } }, 102, 400);
      await expectError(app, 'DELETE', '/cloud/users/nosuchuser/groups', { body: { groupid: 'g1' } }, 103, 400);
      await expectError(app, 'DELETE', '/cloud/users/m1/groups', { as: msub, body: { groupid: 'g3' } }, 104, 400);
      expect(await groupsOf('m1')).toEqual(['g1', 'g2', 'g3']);
    });

    it('403 for a plain user', async () => {
      await expectError(app, 'DELETE', '/cloud/users/m1/groups', { as: mp, body: { groupid: 'g1' } }, 403, 403);
      await expectError(app, 'DELETE', '/cloud/users/mp/groups', { as: mp, body: { groupid: 'g1' } }, 403, 403);
    });
  });

  describe('cloud/users/{id}/subadmins', () => {
    it('GET gives an admin a plain list of group ids, in JSON and XML', async () => {
      expect(await subadminsOf('msub')).toEqual(['g1', 'g2']);
      expect(await subadminsOf('m1')).toEqual([]);
      const v1 = await expectOk(app, 'GET', '/cloud/users/msub/subadmins', { version: 1 });
      expect(v1).toEqual(['g1', 'g2']);
      const xml = await ocs(app, 'GET', '/cloud/users/msub/subadmins', { format: 'xml' });
      expect(xml.body).toContain('<data>\n  <element>g1</element>\n  <element>g2</element>\n </data>');
      const none = await ocs(app, 'GET', '/cloud/users/m1/subadmins', { format: 'xml' });
      expect(none.body).toContain(' <data/>\n');
    });

    it('GET 404 "User does not exist" for an unknown user', async () => {
      await expectError(app, 'GET', '/cloud/users/nosuchuser/subadmins', {}, 404, 404, 'User does not exist');
      await expectXmlError(app, 'GET', '/cloud/users/nosuchuser/subadmins', {}, 404, 404);
    });

    it('403 for subadmins and plain users on every verb', async () => {
      for (const as of [msub, mp]) {
        await expectError(app, 'GET', '/cloud/users/m1/subadmins', { as }, 403, 403, 'Logged in account must be an admin');
        await expectError(app, 'POST', '/cloud/users/m1/subadmins', { as, body: { groupid: 'g1' } }, 403, 403);
        await expectError(app, 'DELETE', '/cloud/users/msub/subadmins', { as, body: { groupid: 'g1' } }, 403, 403);
        // Not even about themselves.
        await expectError(app, 'GET', `/cloud/users/${as.user}/subadmins`, { as }, 403, 403);
      }
      await expectXmlError(app, 'GET', '/cloud/users/m1/subadmins', { as: mp }, 403, 403);
      expect(await subadminsOf('msub')).toEqual(['g1', 'g2']);
    });

    it('POST promotes a user, idempotently, who then gains subadmin rights', async () => {
      const promo = await newUser(app, 'promo', { groups: ['g3'] });
      expect((await ocs(app, 'GET', '/cloud/users', { as: promo })).statusCode).toBe(403);
      const res = await ocs(app, 'POST', '/cloud/users/promo/subadmins', { body: { groupid: 'g3' } });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(SAMPLE_17_BODY);
      const again = await ocs(app, 'POST', '/cloud/users/promo/subadmins', { body: { groupid: 'g3' }, version: 1 });
      expect(again.ocs.meta.statuscode).toBe(100);
      expect(await subadminsOf('promo')).toEqual(['g3']);
      const listed = await expectOk(app, 'GET', '/cloud/users', { as: promo });
      expect(listed.users).toEqual(expect.arrayContaining(['m1', 'm3', 'promo']));
      expect(listed.users).not.toContain('m2');
      expect(await groupsOf('m1', promo)).toEqual(['g3']);
    });

    it('POST 101 unknown user, 102 unknown or missing group, 103 admin group', async () => {
      await expectError(app, 'POST', '/cloud/users/nosuchuser/subadmins', { body: { groupid: 'g1' } }, 101, 400, 'User does not exist');
      await expectError(app, 'POST', '/cloud/users/m1/subadmins', { body: { groupid: 'nope' } }, 102, 400, 'Group does not exist');
      await expectError(app, 'POST', '/cloud/users/m1/subadmins', {}, 102, 400);
      await expectError(app, 'POST', '/cloud/users/m1/subadmins', { body: { groupid: 'admin' } }, 103, 400, 'Cannot create subadmins for admin group');
      await expectXmlError(app, 'POST', '/cloud/users/m1/subadmins', { body: { groupid: 'admin' } }, 103, 400);
      expect(await subadminsOf('m1')).toEqual([]);
    });

    it('DELETE demotes a user, who then loses subadmin rights', async () => {
      const demo = await newUser(app, 'demo', { groups: ['g2'], subadmin: ['g2'] });
      expect((await ocs(app, 'GET', '/cloud/users', { as: demo })).statusCode).toBe(200);
      const res = await ocs(app, 'DELETE', '/cloud/users/demo/subadmins', { body: { groupid: 'g2' } });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(SAMPLE_17_BODY);
      expect(await subadminsOf('demo')).toEqual([]);
      await expectError(app, 'GET', '/cloud/users', { as: demo }, 403, 403);
    });

    it('DELETE 101 unknown user or group, 102 not a subadmin of it', async () => {
      await expectError(app, 'DELETE', '/cloud/users/nosuchuser/subadmins', { body: { groupid: 'g1' } }, 101, 400, 'User does not exist');
      await expectError(app, 'DELETE', '/cloud/users/msub/subadmins', { body: { groupid: 'nope' } }, 101, 400, 'Group does not exist');
      await expectError(app, 'DELETE', '/cloud/users/msub/subadmins', { body: { groupid: 'g3' } }, 102, 400, 'User is not a subadmin of this group');
      await expectXmlError(app, 'DELETE', '/cloud/users/msub/subadmins', { body: { groupid: 'g3' } }, 102, 400);
      expect(await subadminsOf('msub')).toEqual(['g1', 'g2']);
    });
  });
});
