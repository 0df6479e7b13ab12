import type { Readable } from 'node:stream';
import type { FileNode, PathSegments } from '../../domain/node.js';
import type { Space } from '../../domain/space.js';
import type { BlobSource } from '../../ports/files.js';

/**
 * The contract between the file-tree services and the protocol front doors
 * (WebDAV now, Graph items and sharing later). Implemented by FilesService.
 * Every method re-checks the caller's rights on the space; failures are
 * DomainErrors (notFound, forbidden, conflict — missing parent —,
 * preconditionFailed, locked, quotaExceeded, invalidInput).
 */
export interface FileAccess {
  /**
   * What the caller may do at a place in a space: from their membership role
   * (the whole space), or from the shares they received (below the shared
   * nodes only). `write` changes existing files, `create` adds new entries.
   */
  can: { read: boolean; write: boolean; create: boolean; delete: boolean; share: boolean; manage: boolean };
  /** Set when the access comes from shares: their combined permission bits, and whether the place is a shared node itself. */
  viaShare?: { permissions: number; atRoot: boolean };
}

export interface WriteOptions {
  /** Known length (Content-Length / OC-Total-Length) lets quota be checked before any byte is written. */
  expectedSize?: number;
  /** Client mtime in epoch ms (X-OC-MTime). */
  mtime?: number;
  /** "SHA1:<hex>" style checksum the bytes must match (OC-Checksum). */
  checksum?: string;
  ifMatch?: string;
  ifNoneMatch?: string;
  mimeType?: string;
}

/**
 * Many small files written as one (a bulk upload): each is staged as it
 * comes, and they commit in groups, one transaction per group and space,
 * with the outcome of each file its own. The result is as if the files had
 * been written one after the other in the order added.
 */
export interface WriteBatch {
  /**
   * Takes a file held in memory; resolves once it is accepted (staging is
   * bounded, so this waits while too many are being staged), with the
   * file's outcome: its node, or the refusal of that file alone.
   */
  add(place: OpenedPlace, bytes: Buffer, opts: WriteOptions): Promise<{ outcome: Promise<WriteResult> }>;
  /** Commits everything added so far; resolves once every outcome is settled. */
  flush(): Promise<void>;
}

export interface WriteResult {
  node: FileNode;
  created: boolean;
}

/**
 * A space as one caller sees it, worked out once: what they may do at any
 * of its paths. From a membership role the answer is the same everywhere;
 * through received shares it depends on the path, and a path no share
 * covers does not exist for them (notFound).
 */
export interface SpaceView {
  space: Space;
  accessAt(path: PathSegments): Promise<FileAccess>;
}

/**
 * A place in a space opened for one caller: the space, what is at the path,
 * and what the caller may do there, resolved once (one query for the space
 * row and the nodes, the caller's grants from cached reads) and handed to
 * every operation of the request. Writes check again inside their
 * transaction, against the locked space row.
 */
export interface OpenedPlace {
  readonly userId: string;
  readonly space: Space;
  readonly path: PathSegments;
  readonly access: FileAccess;
  /** What is at the path (the root's node for []), null when nothing is. Read it through FilesApi.stat, which checks read access. */
  readonly node: FileNode | null;
  /** The folder the path is in: null when it is missing or a file (a write there is 409); undefined for the root. */
  readonly parent: FileNode | null | undefined;
  /** The caller's view, so other paths of the space open without working access out again. */
  readonly view: SpaceView;
  /** Whether any WebDAV lock was held in the space when the place was opened; when not, lock checks have nothing to look at. */
  readonly locksInSpace: boolean;
}

export interface FilesApi {
  /** Opens a path of a space (by id) for the caller, or throws notFound (also for disabled spaces and places no grant reaches). */
  open(userId: string, spaceId: string, path: PathSegments): Promise<OpenedPlace>;
  /** Another path of the same space for the same caller. */
  reopen(place: OpenedPlace, path: PathSegments): Promise<OpenedPlace>;
  /** A node by its id (the space id is the root); notFound outside the space. */
  openById(userId: string, spaceId: string, nodeId: string): Promise<OpenedPlace>;
  /** A member of an opened folder (from its listing) as a place of its own, without a query. */
  childOf(folder: OpenedPlace, child: FileNode): Promise<OpenedPlace>;
  /** The node at the place, null when nothing is there; forbidden without read access. */
  stat(place: OpenedPlace): FileNode | null;
  children(place: OpenedPlace): Promise<FileNode[]>;
  read(place: OpenedPlace, range?: { start: number; end: number }): Promise<Readable>;
  write(place: OpenedPlace, body: BlobSource, opts: WriteOptions): Promise<WriteResult>;
  /** A batch of small writes for one request. */
  batch(): WriteBatch;
  mkdir(place: OpenedPlace): Promise<FileNode>;
  remove(place: OpenedPlace): Promise<void>;
  move(from: OpenedPlace, to: OpenedPlace, overwrite: boolean): Promise<WriteResult>;
  copy(from: OpenedPlace, to: OpenedPlace, overwrite: boolean, depth: 0 | 'infinity'): Promise<WriteResult>;
  /** Quota of the space: limit null when unlimited. */
  quota(space: Space): Promise<{ used: number; limit: number | null }>;
}
