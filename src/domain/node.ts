/** A file or folder in a space's tree. The space root is not a row: its size, etag and mtime live on the space. */
export interface FileNode {
  /** Opaque node id (UUID); item ids are `<storageId>$<spaceId>!<id>`. For the root it is the space id. */
  id: string;
  /** Numeric id for oc:fileid / oc:id (Nextcloud clients expect an integer). */
  fileId: number;
  spaceId: string;
  /** null for the space root; the space id for top-level entries. */
  parentId: string | null;
  /** '' for the root. Stored exactly as received (NFC and NFD both round-trip). */
  name: string;
  type: 'file' | 'folder';
  /** Files: content length. Folders: recursive size, maintained on every change. */
  size: number;
  /** Epoch milliseconds. */
  mtime: number;
  /** Unquoted; changes on every content change and propagates to every ancestor. */
  etag: string;
  mimeType: string;
  /** e.g. "SHA1:… MD5:… ADLER32:…" as clients send and read them; null for folders. */
  checksums: string | null;
  /** The blob holding the bytes; null for folders. */
  blobId: string | null;
  createdAt: number;
}

/** Path segments of a space-relative path; refuses anything that could leave the space. */
export type PathSegments = readonly string[];
