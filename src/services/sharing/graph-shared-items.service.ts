import type { RemoteShare } from '../../domain/federation.js';
import type { FileNode } from '../../domain/node.js';
import { isExpired, type ReceivedShare, type Share, SHARE_TYPE } from '../../domain/share.js';
import type { Space } from '../../domain/space.js';
import type { StoredNode } from '../../ports/files.js';
import type { ServiceContext } from '../../ports/service-context.js';
import type { FederationService } from '../federation/federation.service.js';
import { publicNode, rootNode } from '../access/file-tree.js';
import { shareNames } from './share-names.js';
import type { RemoteRoot } from '../../ports/federation.js';
import { buildMounts, nodesOf } from '../access/share-mounts.js';

/** A shared item with the shares on it that a listing shows. */
export interface SharedItem<S extends Share = Share> {
  space: Space;
  node: FileNode;
  /** Space-relative path; [] for the space root. */
  path: string[];
  shares: S[];
}

/** A received item: its shares in every state, and where it sits in the Shares jail once accepted. */
export interface ReceivedItem extends SharedItem<ReceivedShare> {
  /** The mount's name (unique among the caller's mounts, as WebDAV shows it); null while no share of it is accepted. */
  mountName: string | null;
}

/** A share another server offered the caller, with what its owner's server says of it (null when that server did not answer). */
export interface RemoteReceivedItem {
  share: RemoteShare;
  root: RemoteRoot | null;
}

export interface RemoteListing {
  items: RemoteReceivedItem[];
  /** The caller, whom every one of these shares grants. */
  recipient: { id: string; displayName: string };
}

export interface SharedListing<S extends Share = Share, I extends SharedItem<S> = SharedItem<S>> {
  items: I[];
  /** Display names, keys `user:<id>` / `group:<id>`. */
  names: Map<string, string>;
}

/**
 * The two share listings of LibreGraph's /me/drive: what the caller shared
 * (sharedByMe) and what was shared with them (sharedWithMe), one driveItem
 * per shared item, read from the same rows OCS lists. A constant number of
 * queries per listing, plus one per distinct space.
 */
export class GraphSharedItemsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly federation: FederationService,
  ) {}

  /** Links and user and group shares the caller made, by item. */
  async sharedByMe(userId: string): Promise<SharedListing> {
    const shares = (await this.ctx.repos.shares.byOwner(userId)).filter((s) => s.type === SHARE_TYPE.user || s.type === SHARE_TYPE.group || s.type === SHARE_TYPE.link);
    return { items: await this.byItem(shares), names: await shareNames(this.ctx.repos, shares) };
  }

  /**
   * Unexpired user and group shares addressed to the caller, in every state
   * (accepted ones are synchronized, pending and declined ones are not, as
   * OCS shared_with_me and shares/pending tell apart).
   */
  async sharedWithMe(userId: string): Promise<SharedListing<ReceivedShare, ReceivedItem>> {
    const repos = this.ctx.repos;
    const now = this.ctx.clock.now();
    const received = (await repos.shares.receivedBy(userId, await repos.groups.groupsOfUser(userId))).filter((s) => !isExpired(s, now));
    const nodes = await nodesOf(repos, received);
    // The mounts WebDAV shows give the accepted items their names, so both APIs name a mount alike.
    const mounts = new Map((await buildMounts(repos, received, now, nodes)).map((m) => [`${m.share.spaceId}/${m.share.nodeId}`, m.name]));
    const items = (await this.byItem(received, nodes)).map((i) => ({ ...i, mountName: mounts.get(`${i.space.id}/${i.node.id}`) ?? null }));
    return { items, names: await shareNames(repos, received) };
  }

  /** The Shares jail's children: the accepted received items, under their mount names. */
  async sharesJail(userId: string): Promise<SharedListing<ReceivedShare, ReceivedItem>> {
    const { items, names } = await this.sharedWithMe(userId);
    return { items: items.filter((i) => i.mountName !== null), names };
  }

  /**
   * The received item a jail id's share names (`<shares>!<shareId>`): any
   * share of the item leads to it, as the reference resolves the share and
   * then every share on its resource; undefined when none of the caller's
   * received shares has that id.
   */
  async receivedItem(userId: string, shareId: string): Promise<{ item: ReceivedItem; names: Map<string, string> } | undefined> {
    const { items, names } = await this.sharedWithMe(userId);
    const item = items.find((i) => i.shares.some((s) => s.id === shareId));
    return item ? { item, names } : undefined;
  }

  /**
   * The shares other servers offered the caller: pending ones (not
   * synchronized) unless `acceptedOnly`, and accepted ones under their mount
   * names. Each owner's server is asked about its share in parallel, each
   * within the federation timeout; one that does not answer leaves its
   * share listed without what only it knows.
   */
  async remoteReceived(userId: string, acceptedOnly: boolean): Promise<RemoteListing> {
    const shares = await this.ctx.repos.remoteShares.ofUser(userId, acceptedOnly ? true : undefined);
    const [items, recipient] = await Promise.all([Promise.all(shares.map(async (share) => ({ share, root: await this.federation.describeRemoteRoot(share) }))), this.recipient(userId)]);
    return { items, recipient };
  }

  /** One of the caller's remote shares by its local id, as remoteReceived lists it; undefined when the caller holds none with that id. */
  async remoteReceivedItem(userId: string, id: string): Promise<RemoteListing | undefined> {
    // Local ids are integers; anything else names nothing (and must not reach a bigint column).
    const share = /^[1-9]\d{0,17}$/.test(id) ? await this.ctx.repos.remoteShares.byId(id) : undefined;
    if (!share || share.userId !== userId) return undefined;
    const [root, recipient] = await Promise.all([this.federation.describeRemoteRoot(share), this.recipient(userId)]);
    return { items: [{ share, root }], recipient };
  }

  private async recipient(userId: string): Promise<RemoteListing['recipient']> {
    const user = await this.ctx.repos.users.findById(userId);
    return { id: userId, displayName: user?.displayName ?? userId };
  }

  private async byItem<S extends Share>(shares: S[], known?: ReadonlyMap<string, StoredNode>): Promise<SharedItem<S>[]> {
    const repos = this.ctx.repos;
    const spaces = new Map<string, Space>();
    for (const id of new Set(shares.map((s) => s.spaceId))) {
      const space = await repos.spaces.findById(id);
      if (space && space.disabledAt === null) spaces.set(id, space);
    }
    const nodes = known ?? (await nodesOf(repos, shares));
    const items = new Map<string, SharedItem<S>>();
    for (const share of [...shares].sort((a, b) => Number(a.id) - Number(b.id))) {
      const space = spaces.get(share.spaceId);
      if (!space) continue;
      const key = `${share.spaceId}/${share.nodeId}`;
      let item = items.get(key);
      if (!item) {
        const stored = share.nodeId === share.spaceId ? rootNode(space) : nodes.get(share.nodeId);
        // Shares of items deleted meanwhile are skipped, as the reference skips what it cannot stat.
        if (!stored || stored.spaceId !== share.spaceId) continue;
        item = { space, node: publicNode(stored), path: stored.path ? stored.path.split('/') : [], shares: [] };
        items.set(key, item);
      }
      item.shares.push(share);
    }
    return [...items.values()];
  }
}
