import type { TreeEntry } from '../domain/tree-sizes.js';

/** A file row and the blob it names. */
export interface FileBlobRef {
  nodeId: string;
  spaceId: string;
  path: string;
  blobId: string;
  size: number;
}

/** The reads the consistency check (`nimbus check`) needs over the whole instance. */
export interface ConsistencyRepository {
  spaceIds(): Promise<Array<{ id: string; size: number }>>;
  /** Every row of one space's tree. */
  treeOf(spaceId: string): Promise<TreeEntry[]>;
  /** Every file row that names a blob. */
  fileBlobs(): Promise<FileBlobRef[]>;
  /** Rows whose folder (parent) row does not exist. */
  strayRows(): Promise<Array<{ nodeId: string; spaceId: string; path: string }>>;
}

export interface StoredBlob {
  id: string;
  size: number;
  mtimeMs: number;
}

/** What is on disk, walked: the blob files and the staging folders of every process. */
export interface BlobInventory {
  blobs(): AsyncIterable<StoredBlob>;
  has(blobId: string): Promise<boolean>;
  stagingFolders(): Promise<Array<{ owner: string; files: number; lastActivity: number }>>;
}
