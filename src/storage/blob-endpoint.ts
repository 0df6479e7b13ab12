import type { Readable } from 'node:stream';

/**
 * One blob store seen from outside the server, by blob id: what
 * `nimbus storage:migrate` reads from and writes to. Unlike the BlobStore
 * port it writes a blob under the id it already has (the rows name it), and
 * it knows nothing of staging, markers or owners: no server uses the target
 * while a migration fills it.
 */
export interface BlobEndpoint {
  /** For messages: "data directory /srv/nimbus", "bucket nimbus at https://…". */
  readonly description: string;
  /** Every blob with its size. */
  list(): AsyncIterable<{ id: string; size: number }>;
  /** The blob's size, or null when it is not there. */
  size(id: string): Promise<number | null>;
  /** The blob's bytes; rejects with code ENOENT when it is not there. */
  read(id: string): Promise<Readable>;
  /** Writes the blob whole under its id (visible only once complete), replacing what was there. */
  write(id: string, body: Readable): Promise<void>;
  remove(id: string): Promise<void>;
  /** Clears what an interrupted run may have left half-written (temporary files, unfinished multipart uploads). */
  clearLeftovers(): Promise<void>;
  close(): Promise<void>;
}

export const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException)?.code === 'ENOENT';
