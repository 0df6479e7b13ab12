import { DomainError, fail } from '../../domain/errors.js';
import { assertValidPath } from '../../domain/file-names.js';
import { type FederationNotice, formatCloudId, isValidToken, normalizeRemote, type RemoteShare } from '../../domain/federation.js';
import { uniqueName } from '../../domain/share.js';
import type { RemoteAnswer, RemoteRequest, RemoteRoot, RemoteServers } from '../../ports/federation.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { mountsOf } from '../access/share-mounts.js';
import type { NotificationsService } from '../activity/notifications.service.js';
import { recordRemoteShareActivity } from './remote-share-activity.js';

/** What a remote server sends to offer a share (seed 004: POST {share endpoint}). */
export interface IncomingOffer {
  shareWith?: string;
  token?: string;
  name?: string;
  remoteId?: string;
  owner?: string;
  ownerFederatedId?: string;
  sharedBy?: string;
  sharedByFederatedId?: string;
  remote?: string;
}

/**
 * The recipient's side of federated sharing (seed 004 FEDERATED_SHARING;
 * Nextcloud's federatedfilesharing and files_sharing External): offers and
 * unshare notices other servers send, and the remote shares a local user
 * holds, accepts, mounts, renames and declines. The owner's side is
 * FederatedOffers; other servers are RemoteServers.
 */
export class FederationService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly remotes: RemoteServers,
    /** This server's base URL, as remotes reach it. */
    private readonly publicUrl: string,
    private readonly notifications: NotificationsService,
  ) {}

  private get settings() {
    return this.ctx.settings.federation;
  }

  private now(): number {
    return this.ctx.clock.now();
  }

  /** Incoming server-to-server calls are refused with 503 while the admin has incoming federation off (seed 004). */
  assertIncoming(): void {
    if (!this.settings.incoming) fail('unavailable', 'incoming federation is off', 'federationDisabled');
  }

  /** An offer from another server for one of our users: stored pending, and the user hears of it. */
  async receive(offer: IncomingOffer): Promise<void> {
    this.assertIncoming();
    const required = ['shareWith', 'token', 'name', 'remoteId', 'owner', 'remote'] as const;
    const missing = required.filter((k) => typeof offer[k] !== 'string' || offer[k]!.trim() === '');
    if (missing.length) fail('invalidInput', 'the offer lacks parameters', 'offerIncomplete', { missing: missing.join(',') });
    const token = offer.token!;
    if (!isValidToken(token)) fail('invalidInput', 'the token is malformed', 'invalidToken');
    const name = offer.name!.replace(/^\/+/, '');
    try {
      assertValidPath([name]);
    } catch {
      fail('invalidInput', 'the share name is not a file name', 'invalidShareName');
    }
    if (name.length > 255 || offer.remoteId!.length > 255 || offer.owner!.length > 255) fail('invalidInput', 'an offer parameter is too long', 'invalidOfferParameters');
    const remote = normalizeRemote(offer.remote!);
    try {
      await this.remotes.assertAllowed(remote);
    } catch (err) {
      if (err instanceof DomainError) fail('invalidInput', 'shares from this server are not accepted', 'remoteNotAccepted', { host: new URL(remote).host });
      throw err;
    }
    const userId = await this.localUser(offer.shareWith!);
    if (!userId) fail('invalidInput', 'no such user here', 'offerRecipientNotFound');
    const existing = (await this.ctx.repos.remoteShares.byRemoteId(offer.remoteId!, token)).find((s) => s.userId === userId && s.remote === remote);
    if (existing) return;
    const sharedBy = offer.sharedByFederatedId || formatCloudId(offer.sharedBy || offer.owner!, remote);
    const now = this.now();
    await this.ctx.tx.run(async (repos) => {
      const id = String(await repos.counters.allocate('remote_share_id', 1));
      const share: RemoteShare = {
        id,
        userId: userId!,
        remote,
        remoteId: offer.remoteId!,
        token,
        name,
        owner: offer.owner!,
        sharedBy: sharedBy.slice(0, 255),
        mountName: null,
        accepted: false,
        createdAt: now,
      };
      await repos.remoteShares.insert(share);
      await this.notifications.remoteSharePending(repos, share);
      await recordRemoteShareActivity(repos, now, { users: [userId!], author: sharedBy, subject: 'remote_share', objectId: Number(id), name });
    });
  }

  /** An `unshare` from the owner's server: the share it names (by its id there and the token) is gone here. */
  async onOwnerUnshared(remoteId: string, token: string): Promise<void> {
    this.assertIncoming();
    const found = await this.ctx.repos.remoteShares.byRemoteId(remoteId, token);
    const now = this.now();
    for (const s of found) {
      await this.ctx.tx.run(async (repos) => {
        await repos.remoteShares.delete(s.id);
        await recordRemoteShareActivity(repos, now, { users: [s.userId], author: s.sharedBy, subject: 'remote_share_unshared', objectId: Number(s.id), name: s.mountName ?? s.name });
      });
    }
  }

  list(userId: string, accepted: boolean): Promise<RemoteShare[]> {
    return this.ctx.repos.remoteShares.ofUser(userId, accepted);
  }

  /** One of the caller's remote shares; anyone else's is unknown. */
  async get(userId: string, id: string): Promise<RemoteShare> {
    const share = await this.ctx.repos.remoteShares.byId(id);
    if (!share || share.userId !== userId) fail('notFound', 'no such remote share', 'shareNotFound');
    return share!;
  }

  /** Accepts a pending remote share: it is mounted under a free name in the home, and the owner's server is told. */
  async accept(userId: string, id: string): Promise<RemoteShare> {
    const share = await this.get(userId, id);
    if (share.accepted) return share;
    const mountName = await this.freeName(userId, share.name);
    // Its notification ends with it; a declined or removed share takes its notification with its row.
    await this.ctx.tx.run(async (repos) => {
      await repos.remoteShares.accept(share.id, mountName);
      await this.notifications.remoteShareSettled(repos, share.id);
    });
    await this.notifyQuietly(share, 'accept');
    return { ...share, accepted: true, mountName };
  }

  /** Declines a pending share, or removes an accepted one (Nextcloud's remote_shares DELETE); the owner's server hears `decline` either way. */
  async remove(userId: string, id: string, pendingOnly: boolean): Promise<void> {
    const share = await this.get(userId, id);
    if (pendingOnly && share.accepted) fail('notFound', 'no such pending remote share', 'shareNotFound');
    await this.ctx.repos.remoteShares.delete(share.id);
    await this.notifyQuietly(share, 'decline');
  }

  /** The accepted remote shares mounted in a user's home. */
  async mountsOf(userId: string): Promise<RemoteShare[]> {
    return (await this.ctx.repos.remoteShares.ofUser(userId, true)).filter((s) => s.mountName !== null);
  }

  /** Renames a mount in the recipient's home (MOVE of its root there); the new name must be free, or it would hide what holds it. */
  async rename(userId: string, id: string, name: string): Promise<void> {
    assertValidPath([name]);
    const share = await this.get(userId, id);
    if (name === share.mountName) return;
    if ((await this.takenNames(userId)).has(name)) fail('forbidden', 'The destination already exists');
    await this.ctx.repos.remoteShares.rename(id, name);
  }

  /**
   * A WebDAV request on a remote share, sent to the owner's server with the
   * share's token: `rest` is the path below the shared node. The DAV front
   * door relays the answer; `rootPath` is the remote's URL path of the
   * shared node (what its hrefs start with).
   */
  forward(share: RemoteShare, rest: readonly string[], folder: boolean, req: RemoteRequest, destination?: readonly string[]): Promise<{ answer: RemoteAnswer; rootPath: string }> {
    return this.remotes.at(share.remote).forward(share.token, { ...req, path: rest, folder, destination });
  }

  /** What the owner's server says of a remote share's root; null whenever it cannot say, so listings never wait or fail on it. */
  describeRemoteRoot(share: RemoteShare): Promise<RemoteRoot | null> {
    return this.remotes.at(share.remote).describeRoot(share.token);
  }

  // ---- Shared plumbing -----------------------------------------------------

  private notify(remote: string, remoteId: string, notice: FederationNotice, token: string): Promise<void> {
    return this.remotes.at(remote).notify(remoteId, notice, token);
  }

  private async notifyQuietly(share: RemoteShare, notice: FederationNotice): Promise<void> {
    try {
      await this.notify(share.remote, share.remoteId, notice, share.token);
    } catch {
      // The spec makes every notification answer success anyway; an owner that never hears of it keeps an unused share.
    }
  }

  /** `alice` or `alice@<this server>`: the local user a remote addresses. */
  private async localUser(shareWith: string): Promise<string | null> {
    const candidates = [shareWith];
    const at = shareWith.lastIndexOf('@');
    if (at > 0) {
      try {
        if (normalizeRemote(shareWith.slice(at + 1)).replace(/^https?:\/\//, '') === normalizeRemote(this.publicUrl).replace(/^https?:\/\//, '')) candidates.unshift(shareWith.slice(0, at));
      } catch {
        // Not a server after the @: the whole string is the user name.
      }
    }
    for (const c of candidates) {
      const user = await this.ctx.repos.users.findById(c);
      if (user) return user.id;
    }
    return null;
  }

  /** A name free at the top of the user's home: not a file there, not a share mount, not another remote mount. */
  private async freeName(userId: string, wanted: string): Promise<string> {
    return uniqueName(wanted, await this.takenNames(userId));
  }

  /** The names at the top of a user's home: files and folders there, share mounts and remote mounts. */
  private async takenNames(userId: string): Promise<Set<string>> {
    const repos = this.ctx.repos;
    const taken = new Set<string>();
    for (const m of await mountsOf(repos, userId, this.now())) taken.add(m.name);
    for (const r of await this.mountsOf(userId)) taken.add(r.mountName!);
    const home = await repos.spaces.findById(userId);
    if (home) for (const n of await repos.nodes.children(home.id)) taken.add(n.name);
    return taken;
  }


}
