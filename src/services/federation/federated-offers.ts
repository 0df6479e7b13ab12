import { DomainError, fail } from '../../domain/errors.js';
import { type CloudId, formatCloudId, normalizeRemote } from '../../domain/federation.js';
import { type Share, SHARE_TYPE } from '../../domain/share.js';
import type { RemoteServers } from '../../ports/federation.js';
import type { ServiceContext } from '../../ports/service-context.js';

/**
 * The owner's side of federated sharing (Nextcloud's FederatedShareProvider):
 * whether a share may go to a cloud id, the offer sent once the share row
 * exists, and the unshare notice when it goes. The share rows themselves
 * are SharesService's.
 */
export class FederatedOffers {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly remotes: RemoteServers,
    /** This server's base URL, as remotes reach it. */
    private readonly publicUrl: string,
  ) {}

  /** This server's own cloud id for a local user. */
  cloudIdOf(userId: string): string {
    return formatCloudId(userId, normalizeRemote(this.publicUrl));
  }

  /** Checks a federated share may be sent to this cloud id, before anything is stored. */
  async assertMayOffer(cloud: CloudId, sharer: string): Promise<void> {
    if (!this.ctx.settings.federation.outgoing) fail('forbidden', 'outgoing federation is off', 'federationOutgoingDisabled');
    if (cloud.remote === normalizeRemote(this.publicUrl)) {
      if (cloud.user === sharer) fail('forbidden', 'a user cannot share with themselves', 'federatedShareToSelf');
      fail('forbidden', 'the recipient is a user of this server', 'federatedShareToLocal', { user: cloud.user });
    }
    await this.remotes.assertAllowed(cloud.remote);
  }

  /**
   * Sends the offer for a stored federated share. Throws (and the caller
   * removes the share) when the admin's rules forbid the server, or it
   * cannot be reached or does not take the share.
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
      await this.remotes.at(normalizeRemote(share.shareWith.slice(at + 1))).notify(share.id, 'unshare', share.token);
    } catch {
      // Best effort, as Nextcloud: the recipient's next access fails anyway since the token is dead.
    }
  }

  /** Tells the recipients' servers of every federated share among these that they are gone (files or users deleted here). */
  async notifyUnsharedAll(shares: readonly Share[]): Promise<void> {
    await Promise.all(shares.filter((s) => s.type === SHARE_TYPE.remote).map((s) => this.notifyUnshared(s)));
  }
}
