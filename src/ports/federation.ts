import type { Readable } from 'node:stream';
import type { FederationNotice } from '../domain/federation.js';

/** An answer from another server; the body is the caller's to read or drop. */
export interface RemoteAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

export interface RemoteRequest {
  method: string;
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
}

/** What the owner's server says of the node a remote share opens (its WebDAV root). */
export interface RemoteRoot {
  folder: boolean;
  size: number;
  /** Without quotes; '' when the remote sent none. */
  etag: string;
  /** Epoch ms; null when the remote sent no date it could be read from. */
  mtime: number | null;
  mimeType: string;
  /** oc:permissions letters as the owner's server grants them through the share (`GDNVCK`…). */
  permissions: string;
  /** The owner server's oc:fileid of the node; 0 when it sent none. */
  fileId: number;
}

/** One of our shares, offered to a user of another server. */
export interface ShareOffer {
  /** The recipient's user name on that server. */
  shareWith: string;
  /** The secret that opens the share, for the recipient's server. */
  token: string;
  name: string;
  /** Our id of the share, which its notices name. */
  remoteId: string;
  owner: string;
  ownerCloudId: string;
  sharedBy: string;
  sharedByCloudId: string;
  /** Our base URL, as the remote reaches us. */
  from: string;
}

/** A request on a share another server holds for us: the path below the shared node, with a destination for MOVE and COPY. */
export interface ForwardedRequest extends RemoteRequest {
  path: readonly string[];
  folder: boolean;
  destination?: readonly string[];
}

/**
 * Another server, in domain terms. Its wire formats (service discovery,
 * OCS envelopes, WebDAV XML, HTTP statuses) stay behind this port, in
 * src/federation, and every request goes through the admin's outbound
 * rules. Refusals by those rules throw DomainError 'forbidden' with reason
 * 'remoteRefused'; a server that cannot be reached 'unavailable' with
 * 'remoteUnreachable'.
 */
export interface RemoteServer {
  /** Offers one of our shares to a user there; throws unless the server took it. */
  offerShare(offer: ShareOffer): Promise<void>;
  /** Tells it that we unshared one of its recipients' shares, or what our user answered to its offer. */
  notify(remoteId: string, notice: FederationNotice, token: string): Promise<void>;
  /** The root of a share it holds for us; null whenever it cannot say within the federation timeout, so listings never wait on it. */
  describeRoot(token: string): Promise<RemoteRoot | null>;
  /**
   * A WebDAV request on a share it holds for us, sent with the share's
   * token. The answer is passed through for the DAV front door to relay;
   * `rootPath` is the server's URL path of the shared node, what its
   * hrefs start with.
   */
  forward(token: string, req: ForwardedRequest): Promise<{ answer: RemoteAnswer; rootPath: string }>;
}

export interface RemoteServers {
  /** Throws (forbidden, remoteRefused) when the admin's rules forbid contacting the server at this base URL. */
  assertAllowed(remote: string): Promise<void>;
  /** The server at a base URL, as normalizeRemote writes it. */
  at(remote: string): RemoteServer;
}
