import type { ReceivedShare, Share, ShareState } from '../domain/share.js';

export type ShareChanges = Partial<Pick<Share, 'permissions' | 'passwordHash' | 'expiresAt' | 'label' | 'note' | 'hideDownload' | 'attributes' | 'token'>>;

export interface ShareRepository {
  insert(share: Share): Promise<void>;
  update(id: string, changes: ShareChanges): Promise<void>;
  delete(ids: string[]): Promise<void>;
  byId(id: string): Promise<Share | undefined>;
  byToken(token: string): Promise<Share | undefined>;
  /** Shares a user created, newest last; optionally only on these nodes. */
  byOwner(ownerId: string, nodeIds?: string[]): Promise<Share[]>;
  /** Shares of a file owner's files, whoever made them (reshares included). */
  byFileOwner(fileOwnerId: string): Promise<Share[]>;
  /** User and group shares of a space (who hears of changes below the shared nodes). */
  internalInSpace(spaceId: string): Promise<Share[]>;
  /** Every share of a space made by someone other than `exceptOwner` (its reshares, for a personal space). */
  othersInSpace(spaceId: string, exceptOwner: string): Promise<Share[]>;
  /** Every share on these nodes of a space, whoever made it. */
  onNodes(spaceId: string, nodeIds: string[]): Promise<Share[]>;
  /** Every share on the node at this path of a space or below it, found in one query whatever the subtree's size. */
  onSubtree(spaceId: string, path: string): Promise<Share[]>;
  /** User and group shares addressed to a user (directly or through these groups), not made by them, with their state and mount name. */
  receivedBy(userId: string, groupIds: string[]): Promise<ReceivedShare[]>;
  /** The accepted, unexpired shares a user holds in one space: what they may reach there without a space grant. */
  grantsIn(userId: string, groupIds: string[], spaceId: string, now: number): Promise<ReceivedShare[]>;
  setRecipient(shareId: string, userId: string, state: ShareState, mountName: string | null): Promise<void>;
  /** Points shares of nodes that moved to another space at that space. */
  relocate(nodeIds: string[], spaceId: string): Promise<void>;
  /** Drops shares of deleted nodes. */
  deleteOnNodes(nodeIds: string[]): Promise<void>;
  /** Drops user shares to, and group shares with, a principal that is gone. */
  deleteForRecipient(type: 0 | 1, principalId: string): Promise<void>;
}
