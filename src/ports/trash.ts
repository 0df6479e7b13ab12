import type { TrashItem } from '../domain/trash.js';
import type { StoredNode } from './files.js';

export interface NewTrashItem {
  id: string;
  spaceId: string;
  nodeId: string;
  originalPath: string;
  trashName: string;
  deletedAt: number;
  deletedBy: string;
}

/**
 * The trash bin's rows. A deletion moves a subtree out of the live tree and
 * a restore moves it back, each as a fixed number of set-based statements
 * whatever the subtree's size.
 */
export interface TrashRepository {
  /** Records the item and moves the node at its original path, with everything below it, out of the live tree. */
  moveIn(item: NewTrashItem): Promise<void>;
  nameTaken(spaceId: string, trashName: string): Promise<boolean>;
  /** A space's items, newest first. */
  list(spaceId: string): Promise<TrashItem[]>;
  byId(spaceId: string, itemId: string): Promise<TrashItem | undefined>;
  byTrashName(spaceId: string, trashName: string): Promise<TrashItem | undefined>;
  /** A trashed node of an item by its stored (original) path. */
  nodeAt(itemId: string, path: string): Promise<StoredNode | undefined>;
  children(itemId: string, parentId: string): Promise<StoredNode[]>;
  /**
   * Takes the item rows for this transaction (a row lock on PostgreSQL; SQLite
   * transactions are serial already) and answers those that still exist, so
   * two processes never restore and purge the same item at once.
   */
  claim(itemIds: string[]): Promise<string[]>;
  /** Every item id of a space, taken as claim does. */
  claimAll(spaceId: string): Promise<string[]>;
  /** Moves the item's rows back into the live tree with its top node at `toPath` under `parentId`, then drops the item. */
  restore(item: TrashItem, toPath: string, parentId: string, name: string): Promise<void>;
  /** Deletes the items with their rows and dead properties; returns the blobs they held. */
  /** Ids of every node the items hold (their versions go when they are purged). */
  nodeIdsOf(itemIds: string[]): Promise<string[]>;
  purge(itemIds: string[]): Promise<string[]>;
  /** Sum of the items' sizes in a space. */
  sizeOf(spaceId: string): Promise<number>;
  /** Items deleted before `before` (epoch ms), oldest first, at most `limit`. */
  expired(before: number, limit: number): Promise<Array<{ id: string; spaceId: string }>>;
}
