import type { FileNode } from '../domain/node.js';
import { isExpired, type ReceivedShare, type Share, SHARE_TYPE } from '../domain/share.js';
import type { Space } from '../domain/space.js';
import type { StoredNode } from '../ports/files.js';
import type { ServiceContext } from './context.js';
import { publicNode, rootNode } from './file-tree.js';
import { shareNames } from './graph-shares.service.js';

/** A shared item with the shares on it that a listing shows. */
export interface SharedItem<S extends Share = Share> {
  space: Space;
  node: FileNode;
  /** Space-relative path; [] for the space root. */
  path: string[];
  shares: S[];
}

export interface SharedListing<S extends Share = Share> {
  items: SharedItem<S>[];
  /** Display names, keys `user:<id>` / `group:<id>`. */
  names: Map<string, string>;
}

/**
 * The two share listings of LibreGraph's /me/drive: what the caller shared
 * (sharedByMe) and what was shared with them (sharedWithMe), one driveItem
 * per shared item, read from the same rows OCS lists. A constant number of
 * queries per listing, plus one per distinct space.
 */
export class SharedItemsService {
  constructor(private readonly ctx: ServiceContext) {}

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
  async sharedWithMe(userId: string): Promise<SharedListing<ReceivedShare>> {
    const repos = this.ctx.repos;
    const now = this.ctx.clock.now();
    const received = (await repos.shares.receivedBy(userId, await repos.groups.groupsOfUser(userId))).filter((s) => !isExpired(s, now));
    return { items: await this.byItem(received), names: await shareNames(repos, received) };
  }

  private async byItem<S extends Share>(shares: S[]): Promise<SharedItem<S>[]> {
    const repos = this.ctx.repos;
    const spaces = new Map<string, Space>();
    for (const id of new Set(shares.map((s) => s.spaceId))) {
      const space = await repos.spaces.findById(id);
      if (space && space.disabledAt === null) spaces.set(id, space);
    }
    const nodeIds = [...new Set(shares.filter((s) => s.nodeId !== s.spaceId).map((s) => s.nodeId))];
    const nodes = new Map<string, StoredNode>((await repos.nodes.byIds(nodeIds)).map((n) => [n.id, n]));
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
