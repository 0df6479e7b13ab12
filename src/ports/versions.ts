import type { FileVersion } from '../domain/file-versions.js';

/** The rows of file versions (file_versions) and the author of each node's current content; written by the versions service only. */
export interface VersionRepository {
  /**
   * Turns the node's current content into a version: the row takes over the
   * node's blob and metadata as they are now (call before the node changes).
   * Answers the version, or null when the node holds no blob.
   */
  keep(nodeId: string, at: number): Promise<FileVersion | null>;
  /** The node's versions, newest revision first. */
  list(nodeId: string): Promise<FileVersion[]>;
  get(nodeId: string, revision: number): Promise<FileVersion | undefined>;
  setLabel(nodeId: string, revision: number, label: string | null): Promise<void>;
  /** Deletes these versions; answers the blobs they held. */
  remove(keys: Array<{ nodeId: string; revision: number }>): Promise<string[]>;
  /** Deletes every version of these nodes; answers the blobs they held. */
  removeOfNodes(nodeIds: string[]): Promise<string[]>;
  /** Deletes every version of every node of a space; answers the blobs they held. */
  removeOfSpace(spaceId: string): Promise<string[]>;
  /** Gives the versions of one node to another (a file replaced by a MOVE or COPY onto it); revisions that collide count up past the newest. */
  reassign(fromNodeId: string, toNodeId: string): Promise<void>;
  holdsBlob(blobId: string): Promise<boolean>;
  /** Records who wrote the node's current content. */
  setAuthor(nodeId: string, userId: string): Promise<void>;
  /** Who wrote the node's current content (null when unknown). */
  authorOf(nodeId: string): Promise<string | null>;
  /** Node ids that have versions, in id order after `after`, for the expiry sweep. */
  nodesWithVersions(after: string, limit: number): Promise<string[]>;
  /** Per space: the bytes its files' versions hold. */
  usageBySpace(): Promise<Array<{ spaceId: string; bytes: number }>>;
  /** A space's versions, oldest first (the size bound drops these first). */
  oldestInSpace(spaceId: string, limit: number): Promise<FileVersion[]>;
  /** Versions whose mtime is before the cutoff (the maximum age), oldest first. */
  olderThan(cutoff: number, limit: number): Promise<FileVersion[]>;
  /** Claims the expiry sweep for this run: true for exactly one caller (any process) per period. */
  claimSweep(now: number, everyMs: number): Promise<boolean>;
}
