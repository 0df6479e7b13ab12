import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import type { FederationSettings } from '../../src/domain/federation.js';
import { HttpFederationTransport } from '../../src/federation/http-transport.js';

const TIMEOUT = 500;
const settings: FederationSettings = {
  outgoing: true,
  incoming: true,
  allowedServers: ['127.0.0.1'],
  allowPrivateAddresses: false,
  allowHttp: true,
  verifyTls: true,
  timeoutMs: TIMEOUT,
};

/** The timeout bounds waiting, not the length of a transfer that keeps moving (uploads and downloads passed on through a remote mount). */
describe('the federation transport timeouts', () => {
  let server: Server;
  let base = '';
  let received = 0;
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      if (req.url === '/upload') {
        received = 0;
        for await (const chunk of req) received += (chunk as Buffer).length;
        res.writeHead(201);
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      if (req.url === '/slow-download') {
        for (let i = 0; i < 8; i++) {
          res.write('x'.repeat(1000));
          await sleep(150);
        }
        return res.end();
      }
      if (req.url === '/drip') {
        // One byte now and then, forever: never idle for long, never done.
        const timer = setInterval(() => res.write('x'), 50);
        res.on('close', () => clearInterval(timer));
        return;
      }
      if (req.url === '/stall') {
        res.write('x');
        return; // headers and a byte, then nothing
      }
      // /silent: headers never come
      res.on('close', () => undefined);
    });
    server.headersTimeout = 0;
    server.requestTimeout = 0;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const t = new HttpFederationTransport(settings);
  const failure = async (p: Promise<unknown>) => {
    const err = await p.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  };

  it('passes on an upload streamed for longer than the timeout', async () => {
    async function* slow() {
      for (let i = 0; i < 8; i++) {
        yield Buffer.alloc(1000, 'u');
        await sleep(150);
      }
    }
    const res = await t.request(`${base}/upload`, { method: 'PUT', headers: { 'content-length': '8000' }, body: Readable.from(slow()) });
    expect(res.status).toBe(201);
    res.body.resume();
    expect(received).toBe(8000);
  });

  it('passes on a download streamed for longer than the timeout', async () => {
    const res = await t.request(`${base}/slow-download`, { method: 'GET' });
    let size = 0;
    for await (const chunk of res.body) size += (chunk as Buffer).length;
    expect(size).toBe(8000);
  });

  it('gives up on headers that never come, within about the timeout', async () => {
    const started = Date.now();
    expect((await failure(t.request(`${base}/silent`, { method: 'GET' }))).code).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(TIMEOUT * 4);
  });

  it('gives up on a download that stops moving', async () => {
    const res = await t.request(`${base}/stall`, { method: 'GET' });
    const started = Date.now();
    await expect((async () => {
      for await (const _ of res.body) void _;
    })()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(TIMEOUT * 4);
  });

  it('reads a small answer whole within the timeout, even one that keeps dripping', async () => {
    const started = Date.now();
    const err = await failure(t.fetchText(`${base}/drip`, { method: 'GET' }));
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain('ETIMEDOUT');
    expect(Date.now() - started).toBeLessThan(TIMEOUT * 4);
  });
});
