import net, { type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, ocs, type TestApp } from '../helpers/app.js';

interface LogLine {
  level: number;
  msg: string;
  err?: { type?: string; message?: string; stack?: string };
}

/**
 * Clients that hang up halfway through their body, on a real socket: the
 * server notes it (at most a warning), never logs a server error or a crash
 * of its own code, and keeps serving.
 */
describeEachDb('requests the client abandons mid-body', (kind) => {
  let t: TestApp;
  let port: number;
  let token: string;
  const lines: LogLine[] = [];
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
        done();
      },
    });
    t = await buildTestApp(kind, {}, { level: 'debug', stream });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
    await t.app.inject({ method: 'MKCOL', url: '/remote.php/dav/files/admin/drop', headers: { authorization: basic(ADMIN.user, ADMIN.password) } });
    token = (await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { body: { path: '/drop', shareType: 3, permissions: 15 } })).ocs.data.token;
  });
  afterAll(async () => t?.close());

  /** Sends the head and the first bytes of a much longer body, then resets the connection. */
  async function abandon(method: string, path: string, type: string, start: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(
          `${method} ${path} HTTP/1.1\r\nHost: nimbus.test\r\nAuthorization: ${basic(ADMIN.user, ADMIN.password)}\r\nOCS-APIRequest: true\r\n` +
            `Content-Type: ${type}\r\nContent-Length: 1000000\r\n\r\n${start}`,
        );
        setTimeout(() => {
          socket.resetAndDestroy();
          resolve();
        }, 50);
      });
      socket.on('error', reject);
    });
  }

  it.each([
    ['OCS form', 'POST', '/ocs/v2.php/cloud/users', 'application/x-www-form-urlencoded', 'userid=x&pass'],
    ['OCS, a body it ignores', 'POST', '/ocs/v2.php/cloud/users', 'application/octet-stream', 'xxxx'],
    ['OCS JSON', 'PUT', '/ocs/v1.php/cloud/users/admin', 'application/json', '{"key":'],
    ['Graph JSON', 'PATCH', '/graph/v1.0/me', 'application/json', '{"displayName":'],
    ['DAV PROPFIND', 'PROPFIND', '/remote.php/dav/files/admin/', 'application/xml', '<?xml version="1.0"?><d:propfind'],
    ['DAV PUT', 'PUT', '/remote.php/dav/files/admin/cut.bin', 'application/octet-stream', 'x'.repeat(5000)],
    ['share page upload', 'POST', '/s/TOKEN/upload', 'multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\nabc'],
    ['share page password form', 'POST', '/s/TOKEN/authenticate', 'application/x-www-form-urlencoded', 'password=ab'],
  ])('%s', async (_what, method, path, type, start) => {
    const from = lines.length;
    await abandon(method, path.replace('TOKEN', token), type, start);
    // The server's answer to the next request proves it is still serving, and that the abandoned one was settled.
    await new Promise((r) => setTimeout(r, 200));
    expect((await t.app.inject({ method: 'GET', url: '/status.php' })).statusCode).toBe(200);
    const serious = lines.slice(from).filter((l) => l.level > 40 || /TypeError|RangeError/.test(JSON.stringify(l)));
    expect(serious, JSON.stringify(serious)).toEqual([]);
  });
});
