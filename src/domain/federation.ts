import { DomainError } from './errors.js';

/** What the admin allows federated sharing to do (Nextcloud's federatedfilesharing settings, plus the outbound guard). */
export interface FederationSettings {
  /** Users may send shares to other servers. */
  outgoing: boolean;
  /** Other servers may send shares to this one's users. */
  incoming: boolean;
  /**
   * Which servers may be contacted: 'public' for any server at a public
   * address, or a list of `host` / `host:port` entries (lower case). A
   * listed host may resolve to a private address: naming it is the admin's
   * explicit permission.
   */
  allowedServers: 'public' | string[];
  /** Loopback and private addresses are refused unless this is set (or the host is listed). */
  allowPrivateAddresses: boolean;
  /** Plain http:// remotes are refused unless this is set. */
  allowHttp: boolean;
  /** Verify TLS certificates of remotes (never turn off outside a lab). */
  verifyTls: boolean;
  /** Per request, connection and answer included. */
  timeoutMs: number;
}

/** A user on another server: `alice@cloud.example.org`, `alice@https://cloud.example.org/nc`. */
export interface CloudId {
  user: string;
  /** Base URL of the remote server, without trailing slash: `https://cloud.example.org/nc`. */
  remote: string;
}

const invalid = (message: string): never => {
  throw new DomainError('invalidInput', message);
};

/**
 * Splits a federated cloud id at its last `@` (user names may hold `@`), as
 * Nextcloud's CloudIdManager does. A remote without scheme is https; paths are
 * kept (servers in a subfolder), query and fragment are not allowed.
 */
export function parseCloudId(raw: string): CloudId {
  const at = raw.lastIndexOf('@');
  if (at <= 0 || at === raw.length - 1) invalid('Invalid Federated Cloud ID');
  const user = raw.slice(0, at);
  return { user, remote: normalizeRemote(raw.slice(at + 1)) };
}

/** A remote server's base URL as stored and compared: scheme, lower-case host, port, path without trailing slash. */
export function normalizeRemote(raw: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return invalid('Invalid remote server address');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') invalid('Invalid remote server address');
  if (url.username || url.password || url.search || url.hash || !url.hostname) invalid('Invalid remote server address');
  const path = url.pathname.replace(/\/+$/, '').replace(/\/index\.php$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

/** `user@host[:port][/path]` as Nextcloud writes cloud ids: no scheme for https remotes. */
export function formatCloudId(user: string, remote: string): string {
  return `${user}@${remote.replace(/^https:\/\//, '')}`;
}

/** Tokens a remote may send: Nextcloud makes 15 alphanumerics, ownCloud refuses more than 128. */
export const isValidToken = (token: string): boolean => /^[A-Za-z0-9_-]{8,128}$/.test(token);

/** A share another server offered to a local user (Nextcloud's share_external row). */
export interface RemoteShare {
  id: string;
  userId: string;
  /** The owner's server, normalized. */
  remote: string;
  /** The share's id on the owner's server: what notifications name. */
  remoteId: string;
  token: string;
  /** Name of the shared file or folder on the owner's side. */
  name: string;
  owner: string;
  sharedBy: string;
  /** Name in the recipient's home once accepted; null while pending. */
  mountName: string | null;
  accepted: boolean;
  createdAt: number;
}

/** The notifications servers exchange about a share (seed 004 FEDERATED_SHARING). */
export type FederationNotice = 'accept' | 'decline' | 'unshare';
