import type { Readable } from 'node:stream';
import type { FileNode, PathSegments } from '../../domain/node.js';
import type { Space } from '../../domain/space.js';

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

export interface WriteResult {
  node: FileNode;
  created: boolean;
}

export interface FilesApi {
  /** Resolves a space the caller may reach at this path (by space id), or throws notFound (also for disabled spaces). */
  openSpace(userId: string, spaceId: string, path?: PathSegments): Promise<{ space: Space; access: FileAccess }>;
  /** The node at a path; [] is the root. */
  stat(userId: string, spaceId: string, path: PathSegments): Promise<FileNode>;
  children(userId: string, spaceId: string, folder: FileNode): Promise<FileNode[]>;
  read(userId: string, spaceId: string, file: FileNode, range?: { start: number; end: number }): Promise<Readable>;
  write(userId: string, spaceId: string, path: PathSegments, body: Readable, opts: WriteOptions): Promise<WriteResult>;
  mkdir(userId: string, spaceId: string, path: PathSegments): Promise<FileNode>;
  remove(userId: string, spaceId: string, path: PathSegments): Promise<void>;
  move(userId: string, from: { spaceId: string; path: PathSegments }, to: { spaceId: string; path: PathSegments }, overwrite: boolean): Promise<WriteResult>;
  copy(userId: string, from: { spaceId: string; path: PathSegments }, to: { spaceId: string; path: PathSegments }, overwrite: boolean, depth: 0 | 'infinity'): Promise<WriteResult>;
  /** Quota of the space: limit null when unlimited. */
  quota(spaceId: string): Promise<{ used: number; limit: number | null }>;
}
