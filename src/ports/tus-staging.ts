import type { Readable } from 'node:stream';
import type { BlobSource, DigestAlgorithm } from './files.js';

/** Who may go on with a TUS upload: the user who made it, or anyone holding the id of one made through a public link. */
export type TusOwner = { kind: 'user'; userId: string } | { kind: 'link'; token: string };

/** What a TUS creation request settled, kept beside the bytes until the upload completes or expires. */
export interface TusRecord {
  owner: TusOwner;
  /** The file the upload becomes: its space and space-relative path, as resolved when the upload was created. */
  spaceId: string;
  path: string[];
  /** Upload-Length. */
  length: number;
  /** Client mtime in epoch ms (Upload-Metadata mtime), if sent. */
  mtime: number | null;
  /** The whole file's checksum in the files layer's form (`SHA1:<hex>`), from Upload-Metadata checksum. */
  checksum: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface TusChecksum {
  algorithm: DigestAlgorithm;
  /** Hex digest the body must have. */
  hex: string;
}

/** Why an append stopped short of storing the body (each a distinct protocol answer). */
export type TusAppendRefusal = 'offsetMismatch' | 'tooLong' | 'checksumMismatch' | 'busy';

export class TusAppendError extends Error {
  constructor(
    readonly refusal: TusAppendRefusal,
    readonly offset: number,
  ) {
    super(refusal);
  }
}

/**
 * TUS uploads on storage every process shares: the record and the bytes
 * received so far. The offset is what is stored, read back from storage on
 * every request, so a killed process leaves an upload that any process
 * resumes at the last byte written.
 */
export interface TusStaging {
  create(id: string, record: TusRecord): Promise<void>;
  /** The record, the stored offset, and whether the file was already committed (the upload not yet removed); null when unknown. */
  read(id: string): Promise<{ record: TusRecord; offset: number; committed: boolean } | null>;
  /** Notes that the complete upload became its file, so a process killed before removing it never commits it twice. */
  markCommitted(id: string): Promise<void>;
  /**
   * Runs `fn` holding the upload for this process alone (another holder, live,
   * makes it refuse with `busy`); a holder that died no longer holds it.
   */
  exclusive<T>(id: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Appends the body at `offset` (which must be the stored offset), at most
   * `limit` bytes; with a checksum, the body is kept only if it matches. An
   * interrupted body without a checksum keeps what arrived. Call within
   * `exclusive`. Throws TusAppendError for the protocol's refusals.
   */
  append(id: string, offset: number, body: Readable, limit: number, checksum?: TusChecksum): Promise<number>;
  /** The complete bytes, for the blob store to take (a file or the store's own objects; removed with the upload). */
  data(id: string): Promise<BlobSource>;
  remove(id: string): Promise<void>;
  /** Ids of uploads that expired before `now` (or whose record is unreadable). */
  listExpired(now: number): Promise<string[]>;
}
