import type { Readable } from 'node:stream';

/** A chunked upload folder (Nextcloud chunking v2): what MKCOL declared. */
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
 * Staging of chunked uploads, per user and upload id. Chunks are kept in
 * name order (numeric names by value), and read back as one stream when
 * the client MOVEs `.file` to its destination.
 */
export interface UploadsApi {
  /** false when the upload folder already exists. */
  create(userId: string, uploadId: string, info: Omit<UploadInfo, 'createdAt'>): Promise<boolean>;
  info(userId: string, uploadId: string): Promise<UploadInfo | null>;
  putChunk(userId: string, uploadId: string, name: string, body: Readable): Promise<{ size: number; created: boolean }>;
  chunks(userId: string, uploadId: string): Promise<ChunkInfo[]>;
  /** Every chunk, in order, as one stream. */
  open(userId: string, uploadId: string): Promise<Readable>;
  remove(userId: string, uploadId: string): Promise<void>;
}
