import { timingSafeEqual } from 'node:crypto';
import { ACTIVITY_APPS, ACTIVITY_TYPES, type ActivityParam } from '../../domain/activity.js';
import { DomainError, fail } from '../../domain/errors.js';
import { assertValidPath } from '../../domain/file-names.js';
import { type CloudId, type FederationNotice, formatCloudId, isValidToken, normalizeRemote, type RemoteShare } from '../../domain/federation.js';
import { type Share, SHARE_TYPE, uniqueName } from '../../domain/share.js';
import type { RemoteAnswer, RemoteRequest, RemoteRoot, RemoteServers } from '../../ports/federation.js';
import type { Repositories } from '../../ports/repositories.js';
import { recordActivity } from '../activity/activity.service.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { mountsOf } from '../access/share-mounts.js';

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

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Activity authors are at most 64 characters; longer cloud ids are named in the parameters only. */
const authorOf = (cloudId: string): string | null => (cloudId.length <= 64 ? cloudId : null);

/**
 * Federated sharing between servers (seed 004 FEDERATED_SHARING; Nextcloud's
 * federatedfilesharing): offers sent and received, accept, decline and
 * unshare notifications both ways, and the remote shares a local user holds.
 * Other servers are RemoteServers: what goes over the wire is theirs.
 */
export class FederationService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly remotes: RemoteServers,
    /** This server's base URL, as remotes reach it. */
    private readonly publicUrl: string,
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

  /** This server's own cloud id for a local user. */
  cloudIdOf(userId: string): string {
    return formatCloudId(userId, normalizeRemote(this.publicUrl));
  }

  // ---- Owner side ---------------------------------------------------------

  /** Checks a federated share may be sent to this cloud id, before anything is stored. */
  async assertMayOffer(cloud: CloudId, sharer: string): Promise<void> {
    if (!this.settings.outgoing) fail('forbidden', 'outgoing federation is off', 'federationOutgoingDisabled');
    if (cloud.remote === normalizeRemote(this.publicUrl)) {
      if (cloud.user === sharer) fail('forbidden', 'a user cannot share with themselves', 'federatedShareToSelf');
      fail('forbidden', 'the recipient is a user of this server', 'federatedShareToLocal', { user: cloud.user });
    }
    await this.remotes.assertAllowed(cloud.remote);
  }

  /**
   * Sends the offer for a stored federated share. Throws (and the caller
   * removes the share) when the remote cannot be reached or refuses.
   */
  async offer(share: Share, cloud: CloudId, sharer: string, name: string, fileOwner: string): Promise<void> {
    try {
      await this.remotes.at(cloud.remote).offerShare({
        shareWith: cloud.user,
        token: share.token!,
        name,
        remoteId: share.id,
        owner: fileOwner,
        ownerCloudId: this.cloudIdOf(fileOwner),
        sharedBy: sharer,
        sharedByCloudId: this.cloudIdOf(sharer),
        from: this.publicUrl,
      });
    } catch (err) {
      if (err instanceof DomainError && err.reason === 'remoteRefused' && err.code === 'forbidden') throw err;
      fail('forbidden', 'the remote server did not take the share', 'shareOfferFailed', { name, cloudId: formatCloudId(cloud.user, cloud.remote) });
    }
  }

  /** Tells a share's recipient server that the owner removed it; never fails the caller (the share is gone here either way). */
  async notifyUnshared(share: Share): Promise<void> {
    if (share.type !== SHARE_TYPE.remote || !share.shareWith || !share.token) return;
    const at = share.shareWith.lastIndexOf('@');
    try {
      await this.notify(normalizeRemote(share.shareWith.slice(at + 1)), share.id, 'unshare', share.token);
    } catch {
      // Best effort, as Nextcloud: the recipient's next access fails anyway since the token is dead.
    }
  }

  /** Tells the recipients' servers of every federated share among these that they are gone (files or users deleted here). */
  async notifyUnsharedAll(shares: readonly Share[]): Promise<void> {
    await Promise.all(shares.filter((s) => s.type === SHARE_TYPE.remote).map((s) => this.notifyUnshared(s)));
  }

  /**
   * An `accept` or `decline` from a recipient's server about one of our
   * federated shares. A wrong id or token changes nothing; the caller
   * answers success either way, so nothing is revealed.
   */
  async onRecipientAnswer(id: string, token: string, notice: 'accept' | 'decline'): Promise<void> {
    this.assertIncoming();
    const share = await this.ctx.repos.shares.byId(id);
    if (!share || share.type !== SHARE_TYPE.remote || !share.token || !sameSecret(share.token, token)) return;
    const now = this.now();
    await this.ctx.tx.run(async (repos) => {
      if (notice === 'decline') await repos.shares.delete([share.id]);
      await this.tell(repos, now, {
        users: [share.ownerId],
        author: share.shareWith!,
        subject: notice === 'accept' ? 'remote_share_accepted' : 'remote_share_declined',
        objectId: Number(share.id),
        name: share.targetName,
      });
    });
  }

  // ---- Recipient side -----------------------------------------------------

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
      await repos.remoteShares.insert({
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
      });
      await this.tell(repos, now, { users: [userId!], author: sharedBy, subject: 'remote_share', objectId: Number(id), name });
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
        await this.tell(repos, now, { users: [s.userId], author: s.sharedBy, subject: 'remote_share_unshared', objectId: Number(s.id), name: s.mountName ?? s.name });
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
    await this.ctx.repos.remoteShares.accept(share.id, mountName);
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

  private async tell(repos: Repositories, now: number, e: { users: string[]; author: string; subject: string; objectId: number; name: string }): Promise<void> {
    const params: Record<string, ActivityParam> = { file: { type: 'text', id: e.name }, remote: { type: 'cloud', id: e.author } };
    await recordActivity(repos, now, {
      author: authorOf(e.author),
      app: ACTIVITY_APPS.sharing,
      type: ACTIVITY_TYPES.remoteShare,
      subject: e.subject,
      subjectParams: params,
      objectType: 'remote_share',
      objectId: e.objectId,
      objectName: e.name,
      affectedUsers: e.users,
    });
  }
}
