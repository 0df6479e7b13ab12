import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';

describeEachDb('OCS private data (seed 004 PRIVATE_DATA)', (kind) => {
  let t: TestApp;
  let alice: { user: string; password: string };
  let bob: { user: string; password: string };
  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice');
    bob = await newUser(t.app, 'bob');
  });
  afterAll(async () => t?.close());

  it('stores, reads and deletes a value as the seed shows, in v1 and v2', async () => {
    const set = await ocs(t.app, 'POST', '/privatedata/setattribute/myStore/myKey', { as: alice, body: { value: 'myValue' } });
    expect(set.statusCode).toBe(200);
    expect(set.ocs.meta.statuscode).toBe(200);
    expect(set.ocs.data).toEqual([]);
    const v1 = await ocs(t.app, 'GET', '/privatedata/getattribute/myStore/myKey', { as: alice, version: 1 });
    expect(v1.ocs.meta.statuscode).toBe(100);
    expect(v1.ocs.data).toEqual([{ key: 'myKey', app: 'myStore', value: 'myValue' }]);
    await ocs(t.app, 'POST', '/privatedata/setattribute/myStore/myKey', { as: alice, body: { value: 'changed' } });
    expect((await ocs(t.app, 'GET', '/privatedata/getattribute/myStore/myKey', { as: alice })).ocs.data[0].value).toBe('changed');
    const del = await ocs(t.app, 'POST', '/privatedata/deleteattribute/myStore/myKey', { as: alice });
    expect(del.ocs.meta.statuscode).toBe(200);
    expect((await ocs(t.app, 'GET', '/privatedata/getattribute/myStore/myKey', { as: alice })).ocs.data).toEqual([]);
  });

  it('lists every entry, or one store, ordered by store then key', async () => {
    for (const [app, key, value] of [['b', 'k2', '2'], ['a', 'k1', '1'], ['b', 'k1', '3']]) {
      await ocs(t.app, 'POST', `/privatedata/setattribute/${app}/${key}`, { as: bob, body: { value } });
    }
    const all = await ocs(t.app, 'GET', '/privatedata/getattribute', { as: bob });
    expect(all.ocs.data.map((e: any) => `${e.app}/${e.key}`)).toEqual(['a/k1', 'b/k1', 'b/k2']);
    const store = await ocs(t.app, 'GET', '/privatedata/getattribute/b', { as: bob });
    expect(store.ocs.data.map((e: any) => e.key)).toEqual(['k1', 'k2']);
  });

  it('answers XML with <element> entries', async () => {
    await ocs(t.app, 'POST', '/privatedata/setattribute/x/y', { as: alice, body: { value: 'a<b' } });
    const xml = await ocs(t.app, 'GET', '/privatedata/getattribute/x/y', { as: alice, format: 'xml' });
    expect(xml.body).toContain('<data>\n  <element>\n   <key>y</key>\n   <app>x</app>\n   <value>a&lt;b</value>\n  </element>\n </data>');
  });

  it("keeps each user's stores apart", async () => {
    await ocs(t.app, 'POST', '/privatedata/setattribute/secret/pin', { as: alice, body: { value: '1234' } });
    expect((await ocs(t.app, 'GET', '/privatedata/getattribute/secret/pin', { as: bob })).ocs.data).toEqual([]);
    await ocs(t.app, 'POST', '/privatedata/deleteattribute/secret/pin', { as: bob });
    expect((await ocs(t.app, 'GET', '/privatedata/getattribute/secret/pin', { as: alice })).ocs.data).toHaveLength(1);
  });

  it('refuses anonymous callers with 997, a missing value and an overlong key with 400', async () => {
    const anon = await ocs(t.app, 'GET', '/privatedata/getattribute', { as: null });
    expect(anon.statusCode).toBe(401);
    expect(anon.ocs.meta.statuscode).toBe(997);
    expect((await ocs(t.app, 'POST', '/privatedata/setattribute/a/b', { as: null, body: { value: 'x' } })).statusCode).toBe(401);
    const missing = await ocs(t.app, 'POST', '/privatedata/setattribute/a/b', { as: alice });
    expect(missing.statusCode).toBe(400);
    expect(missing.ocs.meta.status).toBe('failure');
    expect((await ocs(t.app, 'POST', `/privatedata/setattribute/a/${'k'.repeat(256)}`, { as: alice, body: { value: 'x' } })).statusCode).toBe(400);
    expect((await ocs(t.app, 'GET', '/privatedata/getattribute/a/b', { as: alice })).ocs.data).toEqual([]);
  });

  it('goes with the user', async () => {
    const gone = await newUser(t.app, 'gone');
    await ocs(t.app, 'POST', '/privatedata/setattribute/a/b', { as: gone, body: { value: 'x' } });
    await ocs(t.app, 'DELETE', '/cloud/users/gone');
    expect(await t.db.selectFrom('private_data').selectAll().where('user_id', '=', 'gone').execute()).toEqual([]);
  });
});
