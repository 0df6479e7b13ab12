import { fail } from '../domain/errors.js';
import type { FederationNotice, FederationSettings } from '../domain/federation.js';
import type { ForwardedRequest, RemoteAnswer, RemoteRoot, RemoteServer, RemoteServers, ShareOffer } from '../ports/federation.js';
import { EndpointDiscovery } from './discovery.js';
import type { FederationTransport } from './http-transport.js';
import { parseRemoteRoot, REMOTE_ROOT_PROPFIND } from './remote-root.js';

const OCS_FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'ocs-apirequest': 'true' };

/** Whether an OCS answer (JSON, v1 or v2; XML from servers that ignore format=json) reports success. */
function ocsSucceeded(text: string): boolean {
  try {
    const meta = (JSON.parse(text) as { ocs?: { meta?: { statuscode?: number; status?: string } } }).ocs?.meta;
    return meta?.status === 'ok' || meta?.statuscode === 100 || meta?.statuscode === 200;
  } catch {
    return /<status>ok<\/status>/.test(text);
  }
}

/** The Basic credentials a share's token opens the owner's public WebDAV with (the token as user name, as Nextcloud's federated storage sends it). */
const tokenAuth = (token: string) => `Basic ${Buffer.from(`${token}:`).toString('base64')}`;

/**
 * Other servers as Nextcloud's federatedfilesharing speaks to them: offers
 * and notices as OCS form posts to the share endpoint their discovery
 * names, shares read through their public WebDAV with the share's token.
 */
export class HttpRemoteServers implements RemoteServers {
  private readonly discovery: EndpointDiscovery;

  constructor(
    private readonly transport: FederationTransport,
    private readonly settings: FederationSettings,
  ) {
    this.discovery = new EndpointDiscovery(transport);
  }

  assertAllowed(remote: string): Promise<void> {
    return this.transport.assertAllowed(`${remote}/`);
  }

  at(remote: string): RemoteServer {
    const { transport, discovery, settings } = this;
    return {
      async offerShare(offer: ShareOffer): Promise<void> {
        const { share } = await discovery.of(remote);
        const body = new URLSearchParams({
          shareWith: offer.shareWith,
          token: offer.token,
          name: offer.name,
          remoteId: offer.remoteId,
          owner: offer.owner,
          ownerFederatedId: offer.ownerCloudId,
          sharedBy: offer.sharedBy,
          sharedByFederatedId: offer.sharedByCloudId,
          remote: offer.from,
          shareType: 'user',
        });
        const res = await transport.fetchText(`${share}?format=json`, { method: 'POST', headers: OCS_FORM, body: body.toString() });
        if (res.status < 200 || res.status >= 300 || !ocsSucceeded(res.text)) fail('unavailable', `${remote} did not take the share (${res.status})`, 'remoteUnreachable');
      },

      async notify(remoteId: string, notice: FederationNotice, token: string): Promise<void> {
        const { share } = await discovery.of(remote);
        await transport.fetchText(`${share}/${encodeURIComponent(remoteId)}/${notice}?format=json`, { method: 'POST', headers: OCS_FORM, body: new URLSearchParams({ token }).toString() });
      },

      // One PROPFIND depth 0 with the share's token; null however it fails, and once the federation timeout passes whatever retries the transport makes.
      async describeRoot(token: string): Promise<RemoteRoot | null> {
        const ask = async (): Promise<RemoteRoot | null> => {
          const { webdav } = await discovery.of(remote);
          const headers = { depth: '0', 'content-type': 'application/xml; charset=utf-8', authorization: tokenAuth(token) };
          const res = await transport.fetchText(webdav, { method: 'PROPFIND', headers, body: REMOTE_ROOT_PROPFIND }, 256 * 1024);
          return res.status === 207 ? parseRemoteRoot(res.text) : null;
        };
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), settings.timeoutMs);
        });
        try {
          return await Promise.race([ask().catch(() => null), deadline]);
        } finally {
          clearTimeout(timer);
        }
      },

      async forward(token: string, req: ForwardedRequest): Promise<{ answer: RemoteAnswer; rootPath: string }> {
        const { webdav } = await discovery.of(remote);
        const urlOf = (path: readonly string[], folder: boolean) => `${webdav}${path.map(encodeURIComponent).join('/')}${folder && path.length ? '/' : ''}`;
        const headers: Record<string, string> = { ...req.headers, authorization: tokenAuth(token) };
        if (req.destination) headers.destination = urlOf(req.destination, false);
        const answer = await transport.request(urlOf(req.path, req.folder), { method: req.method, headers, body: req.body });
        return { answer, rootPath: new URL(webdav).pathname };
      },
    };
  }
}
