import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import type { FederationSettings } from '../../src/domain/federation.js';
import { HttpFederationTransport } from '../../src/federation/http-transport.js';
import { HttpRemoteServers } from '../../src/federation/remote-servers.js';

const settings: FederationSettings = { outgoing: true, incoming: true, allowedServers: 'public', allowPrivateAddresses: true, allowHttp: true, verifyTls: true, timeoutMs: 1500 };

const MULTISTATUS = `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:response><d:href>/dav/s/</d:href><d:propstat><d:prop>
<d:resourcetype><d:collection/></d:resourcetype><d:getetag>"e1"</d:getetag><d:getlastmodified>Tue, 01 Jul 2025 10:00:00 GMT</d:getlastmodified>
<oc:size>42</oc:size><oc:fileid>7</oc:fileid><oc:permissions>GDNVCK</oc:permissions></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`;

/**
 * The RemoteServer port over HTTP: a remote that announces its own
 * endpoints, takes or refuses offers in OCS envelopes and serves a share's
 * root as WebDAV XML. The service sees none of it: only offers taken or
 * refused, and a RemoteRoot or null.
 */
describe('HttpRemoteServers', () => {
  let server: Server;
  let remote = '';
  const seen: Array<{ method: string; url: string; auth?: string; body: string }> = [];
  let refuseOffers = false;

  const bodyOf = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    return text;
  };

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const body = await bodyOf(req);
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      if (req.url === '/ocs-provider/') {
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify({ services: { FEDERATED_SHARING: { endpoints: { share: '/api/shares', webdav: '/dav/s' } } } }));
      }
      if (req.url?.startsWith('/api/shares')) {
        res.setHeader('content-type', 'application/json');
        const ok = !refuseOffers;
        return res.end(JSON.stringify({ ocs: { meta: { status: ok ? 'ok' : 'failure', statuscode: ok ? 200 : 400 }, data: [] } }));
      }
      if (req.method === 'PROPFIND' && req.url === '/dav/s/') {
        if (req.headers.authorization !== `Basic ${Buffer.from('tok:').toString('base64')}`) return res.writeHead(401).end();
        return res.writeHead(207, { 'content-type': 'application/xml' }).end(MULTISTATUS);
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    remote = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const servers = () => new HttpRemoteServers(new HttpFederationTransport(settings), settings);
  const offer = { shareWith: 'bob', token: 'tok', name: 'docs', remoteId: '12', owner: 'alice', ownerCloudId: 'alice@here', sharedBy: 'alice', sharedByCloudId: 'alice@here', from: 'http://here' };

  it('offers a share to the endpoint the remote announces, as Nextcloud\'s form fields', async () => {
    await servers().at(remote).offerShare(offer);
    const post = seen.find((s) => s.method === 'POST' && s.url === '/api/shares?format=json')!;
    expect(Object.fromEntries(new URLSearchParams(post.body))).toMatchObject({ shareWith: 'bob', token: 'tok', remoteId: '12', ownerFederatedId: 'alice@here', remote: 'http://here', shareType: 'user' });
  });

  it('throws when the remote answers the offer with an OCS failure', async () => {
    refuseOffers = true;
    try {
      await expect(servers().at(remote).offerShare(offer)).rejects.toMatchObject({ code: 'unavailable', reason: 'remoteUnreachable' });
    } finally {
      refuseOffers = false;
    }
  });

  it('sends notices below the share endpoint with the token', async () => {
    await servers().at(remote).notify('12', 'unshare', 'tok');
    const post = seen.find((s) => s.url === '/api/shares/12/unshare?format=json')!;
    expect(new URLSearchParams(post.body).get('token')).toBe('tok');
  });

  it('describes a share\'s root from its multistatus, and null when the token does not open it', async () => {
    const s = servers();
    expect(await s.at(remote).describeRoot('tok')).toEqual({ folder: true, size: 42, etag: 'e1', mtime: Date.parse('Tue, 01 Jul 2025 10:00:00 GMT'), mimeType: 'httpd/unix-directory', permissions: 'GDNVCK', fileId: 7 });
    expect(await s.at(remote).describeRoot('wrong')).toBeNull();
  });

  it('refuses servers the admin\'s rules forbid before anything is sent', async () => {
    const closed = new HttpRemoteServers(new HttpFederationTransport({ ...settings, allowPrivateAddresses: false }), settings);
    await expect(closed.assertAllowed(remote)).rejects.toBeInstanceOf(DomainError);
    await expect(closed.at(remote).offerShare(offer)).rejects.toMatchObject({ code: 'forbidden', reason: 'remoteRefused' });
  });
});
