import { DomainError, fail } from '../domain/errors.js';
import type { FederationTransport } from './http-transport.js';

/** Where a remote server takes offers and serves its shares. */
export interface RemoteEndpoints {
  /** Absolute URL of the share endpoint (offers go there; notifications below it). */
  share: string;
  /** Absolute URL of the public WebDAV root, with trailing slash. */
  webdav: string;
}

const DEFAULT_SHARE_ENDPOINT = '/ocs/v2.php/cloud/shares';
const DEFAULT_WEBDAV_ENDPOINT = '/public.php/webdav/';
const DISCOVERY_TTL_MS = 5 * 60_000;

type Discovery = { services?: { FEDERATED_SHARING?: { endpoints?: { share?: unknown; webdav?: unknown } } } };

/**
 * A remote server's endpoints from its /ocs-provider/ (Nextcloud's
 * OCSDiscovery; the defaults when it has none), cached a few minutes per
 * server in this process: endpoints change with a server's setup, not by
 * request, and a stale entry only costs a failed request.
 */
export class EndpointDiscovery {
  private readonly cache = new Map<string, { at: number; endpoints: RemoteEndpoints }>();

  constructor(private readonly transport: FederationTransport) {}

  async of(remote: string): Promise<RemoteEndpoints> {
    const cached = this.cache.get(remote);
    if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.endpoints;
    const res = await this.transport.fetchText(`${remote}/ocs-provider/`, { method: 'GET', headers: { accept: 'application/json' } }, 256 * 1024);
    let share = DEFAULT_SHARE_ENDPOINT;
    let webdav = DEFAULT_WEBDAV_ENDPOINT;
    if (res.status === 200) {
      try {
        const service = (JSON.parse(res.text) as Discovery).services?.FEDERATED_SHARING;
        if (!service) fail('invalidInput', `${remote} does not support federated sharing`, 'remoteRefused');
        if (typeof service!.endpoints?.share === 'string' && service!.endpoints.share.startsWith('/')) share = service!.endpoints.share;
        if (typeof service!.endpoints?.webdav === 'string' && service!.endpoints.webdav.startsWith('/')) webdav = service!.endpoints.webdav;
      } catch (err) {
        if (err instanceof DomainError) throw err;
        fail('invalidInput', `${remote} answered its service discovery with something that is not JSON`, 'remoteRefused');
      }
    } else if (res.status !== 404) {
      fail('unavailable', `${remote} answered its service discovery with ${res.status}`, 'remoteUnreachable');
    }
    const endpoints = { share: `${remote}${share}`, webdav: `${remote}${webdav.endsWith('/') ? webdav : `${webdav}/`}` };
    this.cache.set(remote, { at: Date.now(), endpoints });
    return endpoints;
  }
}
