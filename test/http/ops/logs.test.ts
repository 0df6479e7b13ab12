import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loggerOptions } from '../../../src/app.js';
import { ADMIN, basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';

const SHARES = '/apps/files_sharing/api/v1/shares';

/** The app's log lines, parsed, as the server writes them when stdout is not a terminal. */
function capture(): { lines: Array<Record<string, unknown>>; logger: object } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: { ...(loggerOptions('info') as object), stream } };
}

describeEachDb('log lines', (kind) => {
  let t: TestApp;
  let strict: TestApp;
  const log = capture();
  const strictLog = capture();
  let alice: { user: string; password: string };
  beforeAll(async () => {
    // Loopback allowed, so that a refused connection (not the address policy) is what fails.
    t = await buildTestApp(kind, { FEDERATION_ALLOW_PRIVATE_ADDRESSES: 'true', FEDERATION_ALLOW_HTTP: 'true', FEDERATION_TIMEOUT_SECONDS: '2' }, log.logger as never);
    strict = await buildTestApp(kind, {}, strictLog.logger as never);
    alice = await newUser(t.app, 'alice');
    expect((await t.app.inject({ method: 'MKCOL', url: '/remote.php/dav/files/alice/docs', headers: { authorization: basic(alice.user, alice.password) } })).statusCode).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await strict?.close();
  });

  it('one line per request: method, path without query, status, duration, request id and user id, never credentials', async () => {
    const res = await ocs(t.app, 'GET', '/cloud/user?secret=hunter2');
    expect(res.statusCode).toBe(200);
    const line = log.lines.find((l) => l.msg === 'request' && l.reqId === res.headers['x-request-id']);
    expect(line).toMatchObject({ level: 30, method: 'GET', path: '/ocs/v2.php/cloud/user', status: 200, userId: ADMIN.user });
    expect(typeof line!.durationMs).toBe('number');
    const anonymous = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(log.lines.find((l) => l.reqId === anonymous.headers['x-request-id'])).toMatchObject({ msg: 'request', path: '/healthz', status: 200, userId: null });
    const text = JSON.stringify(log.lines);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(ADMIN.password);
    expect(text).not.toContain(basic(ADMIN.user, ADMIN.password).slice(6));
    expect(log.lines.filter((l) => l.reqId === res.headers['x-request-id'])).toHaveLength(1);
  });

  it('a federated share to a server that refuses the connection logs the host, the reason and the request id at warn', async () => {
    const res = await ocs(t.app, 'POST', SHARES, { as: alice, body: { path: '/docs', shareType: 6, shareWith: 'bob@http://127.0.0.1:1' } });
    expect(res.statusCode).toBe(403);
    const warn = log.lines.find((l) => l.level === 40 && l.reqId === res.headers['x-request-id']);
    expect(warn).toMatchObject({ msg: 'outbound federation call failed', host: '127.0.0.1:1' });
    expect(String(warn!.reason)).toContain('ECONNREFUSED');
  });

  it('one the address policy blocks is logged with the rule', async () => {
    const bob = await newUser(strict.app, 'bob');
    expect((await strict.app.inject({ method: 'MKCOL', url: '/remote.php/dav/files/bob/docs', headers: { authorization: basic(bob.user, bob.password) } })).statusCode).toBe(201);
    const res = await ocs(strict.app, 'POST', SHARES, { as: bob, body: { path: '/docs', shareType: 6, shareWith: 'carol@http://10.1.2.3:8080' } });
    expect(res.statusCode).toBe(403);
    const warn = strictLog.lines.find((l) => l.level === 40 && l.reqId === res.headers['x-request-id']);
    expect(warn).toMatchObject({ msg: 'outbound federation call failed', host: '10.1.2.3:8080', rule: 'remoteRefused' });
  });
});
