import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { type FederationSettings, formatCloudId, normalizeRemote, parseCloudId } from '../../src/domain/federation.js';
import { isNonPublicAddress } from '../../src/federation/address-policy.js';
import { HttpFederationTransport } from '../../src/federation/http-transport.js';

describe('federated cloud ids', () => {
  it('split at the last @, default to https and keep a subfolder', () => {
    expect(parseCloudId('alice@cloud.example.org')).toEqual({ user: 'alice', remote: 'https://cloud.example.org' });
    expect(parseCloudId('a@b.c@https://Cloud.Example.org/nc/')).toEqual({ user: 'a@b.c', remote: 'https://cloud.example.org/nc' });
    expect(parseCloudId('bob@http://127.0.0.1:8080/index.php')).toEqual({ user: 'bob', remote: 'http://127.0.0.1:8080' });
    expect(formatCloudId('bob', 'https://cloud.example.org:8443')).toBe('bob@cloud.example.org:8443');
  });

  it('refuse what names no server', () => {
    for (const bad of ['alice', '@host', 'alice@', 'alice@ftp://host', 'alice@https://host/?q=1', 'alice@https://host/#x']) {
      expect(() => parseCloudId(bad), bad).toThrow(DomainError);
    }
    expect(() => normalizeRemote('http://')).toThrow(DomainError);
    expect(() => normalizeRemote('https://u:p@host')).toThrow(DomainError);
  });
});

describe('the outbound address policy', () => {
  it('knows loopback, private, link-local and mapped addresses from public ones', () => {
    for (const a of ['127.0.0.1', '10.2.3.4', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '224.0.0.1']) {
      expect(isNonPublicAddress(a), a).toBe(true);
    }
    for (const a of ['1.1.1.1', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isNonPublicAddress(a), a).toBe(false);
    expect(isNonPublicAddress('not-an-ip')).toBe(true);
  });
});

describe('the federation transport', () => {
  let server: Server;
  let port = 0;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/' });
        return res.end();
      }
      if (req.url === '/big') {
        res.writeHead(200);
        return res.end('x'.repeat(5000));
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const settings = (over: Partial<FederationSettings> = {}): FederationSettings => ({
    outgoing: true,
    incoming: true,
    allowedServers: 'public',
    allowPrivateAddresses: false,
    allowHttp: true,
    verifyTls: true,
    timeoutMs: 2000,
    ...over,
  });
  const refusal = async (p: Promise<unknown>) => {
    const err = await p.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  };

  it('refuses loopback by address and by a name that resolves to it, before the server sees anything', async () => {
    const t = new HttpFederationTransport(settings());
    const before = hits;
    expect((await refusal(t.fetchText(`http://127.0.0.1:${port}/`, { method: 'GET' }))).code).toBe('forbidden');
    expect((await refusal(t.fetchText(`http://localhost:${port}/`, { method: 'GET' }))).code).toBe('forbidden');
    expect(hits).toBe(before);
  });

  it('reaches a private server only when the admin names it or allows private addresses', async () => {
    const named = new HttpFederationTransport(settings({ allowedServers: ['127.0.0.1'] }));
    expect(await named.fetchText(`http://127.0.0.1:${port}/`, { method: 'GET' })).toEqual({ status: 200, text: 'hello' });
    const open = new HttpFederationTransport(settings({ allowPrivateAddresses: true }));
    expect((await open.fetchText(`http://localhost:${port}/`, { method: 'GET' })).text).toBe('hello');
    const other = new HttpFederationTransport(settings({ allowedServers: ['cloud.example.org'] }));
    expect((await refusal(other.fetchText(`http://127.0.0.1:${port}/`, { method: 'GET' }))).code).toBe('forbidden');
  });

  it('refuses plain http unless allowed, never follows redirects, and bounds answers', async () => {
    const https = new HttpFederationTransport(settings({ allowHttp: false, allowPrivateAddresses: true }));
    expect((await refusal(https.fetchText(`http://127.0.0.1:${port}/`, { method: 'GET' }))).code).toBe('forbidden');
    const t = new HttpFederationTransport(settings({ allowPrivateAddresses: true }));
    expect((await t.fetchText(`http://127.0.0.1:${port}/redirect`, { method: 'GET' })).status).toBe(302);
    expect((await refusal(t.fetchText(`http://127.0.0.1:${port}/big`, { method: 'GET' }, 1000))).code).toBe('unavailable');
  });

  it('reports a server that does not answer as unavailable', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const t = new HttpFederationTransport(settings({ allowPrivateAddresses: true }));
    expect((await refusal(t.fetchText(`http://127.0.0.1:${closed}/`, { method: 'GET' }))).code).toBe('unavailable');
  });
});
