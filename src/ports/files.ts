import type { Readable } from 'node:stream';
import type { FileSearch, SearchScope } from '../domain/file-search.js';
import type { DavLock } from '../domain/lock.js';
import type { FileNode } from '../domain/node.js';
import type { Space } from '../domain/space.js';

/** A node as stored: with its space-relative path ('a/b/c'). */
export interface StoredNode extends FileNode {
  path: string;
}

/** Searches of the file tree (WebDAV SEARCH). */
export interface NodeSearchRepository {
  /** Nodes below the scope matching the search, in its order (then by path), at most `max`; `favoriteKey` names the caller's favourite mark. */
  search(scope: SearchScope, search: FileSearch, favoriteKey: string, max: number): Promise<StoredNode[]>;
  /** How many nodes below the scope match (the total of a paged answer). */
  count(scope: SearchScope, search: FileSearch, favoriteKey: string): Promise<number>;
  /** Which substring index serves name searches; null when they scan (PostgreSQL without pg_trgm). */
  nameIndex(): Promise<NameIndex>;
}

export type NameIndex = 'fts5-trigram' | 'pg_trgm' | null;

export interface NodeRepository {
  /** The space row, the nodes at these paths and whether any WebDAV lock is held in the space, in one round trip; undefined when the space does not exist. */
  openAt(spaceId: string, paths: string[]): Promise<{ space: Space; nodes: StoredNode[]; locked: boolean } | undefined>;
  byPath(spaceId: string, path: string): Promise<StoredNode | undefined>;
  /** The nodes at several paths of a space (missing ones are absent). */
  byPaths(spaceId: string, paths: string[]): Promise<StoredNode[]>;
  byId(id: string): Promise<StoredNode | undefined>;
  /** The node with this numeric file id (oc:fileid), in whatever space. */
  byFileId(fileId: number): Promise<StoredNode | undefined>;
  /** Several nodes at once (drive listings' special items); missing ones are absent. */
  byIds(ids: string[]): Promise<StoredNode[]>;
  children(parentId: string): Promise<StoredNode[]>;
  /** The node at the path and everything below it, shallowest first. */
  subtree(spaceId: string, path: string): Promise<StoredNode[]>;
  /** `modifiedBy` records who wrote the rows (the author a version of them will carry). */
  insert(nodes: StoredNode[], opts?: { modifiedBy?: string }): Promise<void>;
  update(id: string, changes: Partial<Omit<StoredNode, 'id' | 'fileId' | 'createdAt'>>, opts?: { modifiedBy?: string }): Promise<void>;
  /** Deletes the node at the path and everything below it (and their dead properties). */
  deleteSubtree(spaceId: string, path: string): Promise<void>;
  /** Re-roots everything below `from` (not the node itself) at `to`, possibly in another space. */
  moveDescendants(fromSpace: string, from: string, toSpace: string, to: string): Promise<void>;
  /** Adds delta to the size of these folders and gives them a new etag and mtime (ETag propagation). */
  propagate(spaceId: string, folderPaths: string[], delta: number, etag: string, mtime: number): Promise<void>;
  isBlobReferenced(blobId: string): Promise<boolean>;
  /** Deletes every node of a space and their dead properties; returns the blobs they held. */
  deleteSpaceContent(spaceId: string): Promise<string[]>;
}

export interface SpaceTreeRepository {
  /**
   * Adds delta to the space's size and gives its root a new etag and mtime,
   * returning the new size. The row lock this takes serialises writers of one
   * space, so the size returned is exact for the quota check that follows.
   */
  adjust(spaceId: string, delta: number, etag: string, mtime: number): Promise<number>;
  /** adjust, answering the whole row as it now is (undefined when the space is gone): the first step of a write, which then knows the space is still enabled. */
  take(spaceId: string, delta: number, etag: string, mtime: number): Promise<Space | undefined>;
}

export interface CounterRepository {
  /** Reserves n consecutive values of a counter; returns the first. */
  allocate(name: string, n: number): Promise<number>;
}

export interface DavPropertyRepository {
  list(nodeIds: string[]): Promise<Array<{ nodeId: string; name: string; value: string }>>;
  set(nodeId: string, name: string, value: string): Promise<void>;
  remove(nodeId: string, name: string): Promise<void>;
  /**
   * The live nodes carrying a property with this exact value (a user's favorites), each with all its properties
   * (or, `allProperties` false, with that one only), in one query; trashed nodes are not among them.
   */
  nodesWith(name: string, value: string, allProperties?: boolean): Promise<Array<{ node: StoredNode; properties: Array<{ name: string; value: string }> }>>;
  /** Copies every property of each source node to its copy. */
  copy(pairs: Array<{ from: string; to: string }>): Promise<void>;
}

export interface DavLockRepository {
  /** Unexpired locks of a space rooted at any of the paths. */
  onPaths(spaceId: string, paths: string[], now: number): Promise<DavLock[]>;
  /** Unexpired locks of a space rooted strictly below the path. */
  below(spaceId: string, path: string, now: number): Promise<DavLock[]>;
  byToken(token: string, now: number): Promise<DavLock | undefined>;
  insert(lock: DavLock): Promise<void>;
  refresh(token: string, timeout: number, expiresAt: number): Promise<void>;
  remove(token: string): Promise<void>;
  removeUnder(spaceId: string, path: string): Promise<void>;
  pruneExpired(now: number): Promise<void>;
}

export interface BlobJournalRepository {
  add(blobIds: string[], owner: string, at: number): Promise<void>;
  remove(blobIds: string[]): Promise<void>;
  list(): Promise<Array<{ blobId: string; owner: string; createdAt: number }>>;
}

export type DigestAlgorithm = 'md5' | 'sha1' | 'sha256' | 'sha3-256' | 'adler32';

/** Bytes written to staging, not yet visible: commit moves them into place, discard drops them. */
export interface StagedBlob {
  id: string;
  size: number;
  /** Lower-case hex digests of the algorithms asked for. */
  digests: Partial<Record<DigestAlgorithm, string>>;
}

export interface StageOptions {
  /** Refuse (quotaExceeded) and drop the staging file as soon as more bytes than this arrive. */
  maxBytes?: number;
  digests?: DigestAlgorithm[];
}

/**
 * A complete file on the data volume that the blob store may take as it is
 * (a hard link, no byte copied); its owner keeps its own name for it and
 * removes that name when done.
 */
export interface LocalFile {
  localFile: string;
}

/**
 * Objects the blob store already holds outside its blobs (an upload's chunks
 * or TUS segments in the bucket), in order: the store joins them itself, so
 * the bytes need not pass through this process (S3: a multipart copy). Only
 * the store that made them takes them; their owner removes them when done.
 */
export interface StoredParts {
  storedParts: Array<{ key: string; size: number }>;
}

/** A small body already read into memory (a part of a bulk upload): stored in one write, with no stream around it. */
export interface HeldBytes {
  bytes: Buffer;
}

/** What a write stores: a stream, a file already complete on the data volume (an assembled chunked upload), bytes in memory, or objects already in the store. */
export type BlobSource = Readable | LocalFile | HeldBytes | StoredParts;

/** The bytes of files: staged writes made visible by an atomic rename, so no reader ever sees half a file. */
export interface BlobStore {
  /** Who this process is in the blob journal. */
  readonly owner: string;
  stage(body: BlobSource, opts: StageOptions): Promise<StagedBlob>;
  /** A staged copy of a stored blob (a reflink where the file system offers one). */
  stageCopy(blobId: string): Promise<StagedBlob>;
  commit(blob: StagedBlob): Promise<void>;
  discard(blob: StagedBlob): Promise<void>;
  /**
   * The bytes, or the inclusive range of them; `size`, when the caller knows
   * it, lets small blobs be served from memory. A blob whose row has
   * committed but which is still being moved out of staging is read there.
   */
  open(blobId: string, range?: { start: number; end: number }, size?: number): Promise<Readable>;
  /** Removes the blob and whatever was made from it. */
  remove(blobId: string): Promise<void>;
  /** Bytes made from a blob (its previews) under a key, kept beside it until it is removed; null when not made yet. */
  readDerived(blobId: string, key: string): Promise<Buffer | null>;
  /** Stores derived bytes atomically (a reader sees all or nothing); a blob removed meanwhile takes them along or leaves them to its next removal. */
  writeDerived(blobId: string, key: string, bytes: Buffer): Promise<void>;
  /** Looks again at which processes live, for ownerGone (the S3 store lists their heartbeats; the file store asks the system each time). */
  refreshOwners(): Promise<void>;
  /** Whether the process that wrote a journal entry is certainly gone (so its entries can be settled). */
  ownerGone(owner: string, createdAt: number): boolean;
  /**
   * Clears the staging folders of processes that are gone: a file a row
   * already references (its process died between the commit and the move)
   * is moved into place, the rest are dropped. Returns how many were dropped.
   */
  sweepStaging(referenced: (blobIds: string[]) => Promise<Set<string>>): Promise<number>;
  /** Bytes still free where blobs are stored (the versions' size bound for spaces without a quota). */
  freeBytes(): Promise<number>;
}
