import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, ocs, type TestApp } from '../../helpers/app.js';
import { graph } from '../../helpers/graph.js';
import { describeS3, s3Env } from '../../helpers/s3.js';
import { type Relay, relayedS3Env } from '../../helpers/tcp-relay.js';
import { dav, expectDavError, FILES, put } from './dav-helpers.js';

/**
 * Through a relay to the gateway that is cut: while the object store does
 * not answer, requests that need its bytes are 503 in each family's error
 * format (never a 500), nothing half-written becomes visible, and once it
 * answers again everything works as before.
 */
describeS3('the object store stops answering', () => {
  let t: TestApp;
  let relay: Relay;
  const big = Buffer.alloc(200 * 1024, 7);

  beforeAll(async () => {
    const relayed = await relayedS3Env(s3Env());
    relay = relayed.relay;
    t = await buildTestApp('sqlite', relayed.env);
    expect((await put(t.app, `${FILES}/kept.bin`, big)).statusCode).toBe(201);
  });
  afterAll(async () => t?.close());

  it('answers 503 in each family while the store is cut off, and works again once it answers', async () => {
    await relay.cut();
    // Reading bytes (past the small-blob cache) and writing new ones need the store.
    expectDavError(await dav(t.app, 'GET', `${FILES}/kept.bin`), 503, 'Sabre\\DAV\\Exception\\ServiceUnavailable');
    expectDavError(await put(t.app, `${FILES}/new.bin`, big), 503, 'Sabre\\DAV\\Exception\\ServiceUnavailable');
    const drives = await graph(t.app, 'GET', '/graph/v1.0/me/drives');
    expect(drives.statusCode).toBe(200);
    // What needs no bytes still answers: listings, metadata, OCS.
    expect((await dav(t.app, 'PROPFIND', `${FILES}/`, { depth: '1' })).statusCode).toBe(207);
    expect((await ocs(t.app, 'GET', '/cloud/user')).statusCode).toBe(200);
    expect((await dav(t.app, 'HEAD', `${FILES}/new.bin`)).statusCode).toBe(404);

    await relay.open(relay.port);
    const again = await dav(t.app, 'GET', `${FILES}/kept.bin`);
    expect(again.statusCode).toBe(200);
    expect(again.rawPayload.equals(big)).toBe(true);
    expect((await put(t.app, `${FILES}/new.bin`, big)).statusCode).toBe(201);
    expect((await dav(t.app, 'GET', `${FILES}/new.bin`)).rawPayload.equals(big)).toBe(true);
  });
});
