import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';

describeEachDb('OCS smoke', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(async () => t.close());

  it('creates a user who can then read themself', async () => {
    const alice = await newUser(t.app, 'alice');
    const res = await ocs(t.app, 'GET', '/cloud/user', { as: alice });
    expect(res.statusCode).toBe(200);
    expect(res.ocs.data.id).toBe('alice');
    expect(res.ocs.data.enabled).toBeUndefined();
  });
});
