import type { Readable } from 'node:stream';
import type { BlobSource } from './files.js';

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
  /**
   * Streams a chunk to storage (replacing one of the same name) without
   * holding it in memory; `length`, when the request declared it, lets a
   * numbered chunk go straight to its place in the assembled file.
   */
  putChunk(userId: string, uploadId: string, name: string, body: Readable, length?: number): Promise<{ size: number; created: boolean }>;
  chunks(userId: string, uploadId: string): Promise<ChunkInfo[]>;
  /** The named chunks, in the order given, as one stream. */
  open(userId: string, uploadId: string, names: string[]): Promise<Readable>;
  /**
   * The named chunks, in the order given, as the body of a file write: the
   * assembled file itself where the chunks already lie in it in order, else
   * one stream. `undo` gives the upload its chunks back when the write fails.
   */
  assemble(userId: string, uploadId: string, names: string[]): Promise<AssembledUpload>;
  remove(userId: string, uploadId: string): Promise<void>;
  /** Uploads of any user created before the cutoff (abandoned by their clients). */
  listOlderThan(cutoff: number): Promise<Array<{ userId: string; uploadId: string }>>;
}

export interface AssembledUpload {
  body: BlobSource;
  total: number;
  undo(): Promise<void>;
}
