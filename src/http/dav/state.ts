/**
 * The DAV-only state the front door keeps beside the file tree: dead
 * properties (PROPPATCH) and write locks (LOCK/UNLOCK). Both live in the
 * database so every Nimbus process sees the same locks; the plugin is given
 * an implementation backed by services (see app.ts).
 */

import type { DavLock } from '../../domain/lock.js';
import type { FileNode } from '../../domain/node.js';

export type { DavLock };

export interface DavLockStore {
  /**
   * Unexpired locks rooted at the path or at any of its ancestors (callers
   * keep the depth-infinity ones of ancestors), and with `descendants` also
   * those rooted below it.
   */
  near(spaceId: string, path: string, descendants: boolean): Promise<DavLock[]>;
  /** Unexpired locks in a space rooted at any of these paths (PROPFIND lock discovery over a listing). */
  onPaths(spaceId: string, paths: string[]): Promise<DavLock[]>;
  byToken(token: string): Promise<DavLock | undefined>;
  create(lock: DavLock): Promise<void>;
  refresh(token: string, timeout: number, expiresAt: number): Promise<void>;
  remove(token: string): Promise<void>;
  /** Drops the locks rooted at the path and below it (after DELETE, and on the source of a MOVE). */
  removeUnder(spaceId: string, path: string): Promise<void>;
}

export interface DavPropStore {
  /** Dead properties of many nodes at once: node id → Clark name → value XML. */
  list(nodeIds: string[]): Promise<Map<string, Map<string, string>>>;
  /** Sets (value) and removes (null) properties of one node, all or nothing. */
  patch(nodeId: string, changes: Array<{ name: string; value: string | null }>): Promise<void>;
  /**
   * Every node the user marked as a favorite, with its space, space-relative path and dead properties (all of
   * them, or with `allProperties` false the favourite mark only), in one read; access is the caller's to check.
   */
  favoriteNodes(userId: string, allProperties?: boolean): Promise<Array<{ node: FileNode; spaceId: string; path: string[]; properties: Map<string, string> }>>;
}

export interface DavState {
  locks: DavLockStore;
  props: DavPropStore;
}

export const lockPath = (segments: readonly string[]): string => segments.join('/');
