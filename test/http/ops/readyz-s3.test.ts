import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { describeS3, s3Env } from '../../helpers/s3.js';
import { type Relay, relayedS3Env } from '../../helpers/tcp-relay.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** /readyz with STORAGE=s3 looks at the bucket, through a relay to the gateway that is cut, stalled and restored. */
describeS3('/readyz on S3', () => {
  let t: TestApp;
  let relay: Relay;
  const readyz = () => t.app.inject({ method: 'GET', url: '/readyz' });
  const bucketProbes = () => relay.requests.filter((r) => r.startsWith('HEAD ')).length;

  beforeAll(async () => {
    const relayed = await relayedS3Env(s3Env());
    relay = relayed.relay;
    t = await buildTestApp('sqlite', relayed.env);
  });
  afterAll(async () => t?.close());

  it('is ready while the bucket answers, and a storm of probes costs the gateway one request a second', async () => {
    await sleep(1100);
    const before = bucketProbes();
    const storm = await Promise.all(Array.from({ length: 50 }, () => readyz()));
    for (const res of storm) {
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', dataDir: 'ok', storage: 'ok' } });
    }
    expect(bucketProbes() - before).toBe(1);
    // Within the second the answer is kept; after it, asked again.
    await readyz();
    expect(bucketProbes() - before).toBe(1);
    await sleep(1100);
    expect((await readyz()).statusCode).toBe(200);
    expect(bucketProbes() - before).toBe(2);
  });

  it('is 503 with the reason once the gateway is unreachable, and ready again when it answers', async () => {
    await relay.cut();
    await sleep(1100);
    const down = await readyz();
    expect(down.statusCode).toBe(503);
    expect(down.json().status).toBe('unavailable');
    expect(down.json().reason).toMatch(/^storage: bucket \S+ is not reachable \(/);
    expect(down.json().checks.database).toBe('ok');
    await relay.open(relay.port);
    await sleep(1100);
    expect((await readyz()).statusCode).toBe(200);
  });

  it('answers 503 within its bound when the gateway takes the connection and never answers', async () => {
    relay.stall();
    try {
      await sleep(1100);
      const started = Date.now();
      const hung = await readyz();
      expect(Date.now() - started).toBeLessThan(4000);
      expect(hung.statusCode).toBe(503);
      expect(hung.json().reason).toMatch(/^storage: bucket \S+ did not answer within 2 s$/);
    } finally {
      relay.stall(false);
    }
    await sleep(1100);
    expect((await readyz()).statusCode).toBe(200);
  });
});
