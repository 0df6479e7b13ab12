import type { Readable } from 'node:stream';

/** What a chunked upload (Nextcloud chunking v2) declared when its folder was made. */
export interface UploadInfo {
  /** The Destination header given to MKCOL, if any. */
  destination: string | null;
  /** OC-Total-Length given to MKCOL, if any. */
  totalLength: number | null;
  createdAt: number;
}

export interface ChunkInfo {
  name: string;
  size: number;
  mtime: number;
}

/**
 * Where chunks wait until the client assembles them: per user and upload
 * id, on storage every Nimbus process shares (the data directory). Ids and
 * names are validated by the caller.
 */
export interface UploadStaging {
  /** false when the upload already exists. */
  create(userId: string, uploadId: string, info: UploadInfo): Promise<boolean>;
  info(userId: string, uploadId: string): Promise<UploadInfo | null>;
  /** Streams a chunk to storage (replacing one of the same name) without holding it in memory. */
  putChunk(userId: string, uploadId: string, name: string, body: Readable): Promise<{ size: number; created: boolean }>;
  chunks(userId: string, uploadId: string): Promise<ChunkInfo[]>;
  /** The named chunks, in the order given, as one stream. */
  open(userId: string, uploadId: string, names: string[]): Readable;
  remove(userId: string, uploadId: string): Promise<void>;
  /** Uploads of any user created before the cutoff (abandoned by their clients). */
  listOlderThan(cutoff: number): Promise<Array<{ userId: string; uploadId: string }>>;
}
