import type { Readable } from 'node:stream';
import { fail } from '../domain/errors.js';
import type { BlobSource, BlobStore, StagedBlob, StageOptions } from '../ports/files.js';

/**
 * STORAGE_READ_ONLY: the set of blobs stays as it is, for the final pass of
 * `nimbus storage:migrate`, while the server goes on serving. New bytes
 * (uploads, copies) are refused as `unavailable` (503 in every family, as
 * when the store does not answer); a blob no row holds any more is left
 * where it is (an orphan of a store being left, which `nimbus check
 * --repair` removes should the move be called off); previews are made but
 * not kept. Reads, listings and changes of rows alone go on as usual.
 */
export class ReadOnlyBlobStore implements BlobStore {
  constructor(private readonly inner: BlobStore) {}

  get owner(): string {
    return this.inner.owner;
  }

  private refuse(): never {
    return fail('unavailable', 'The server takes no new file contents while its storage is being moved; try again later');
  }

  async stage(body: BlobSource, _opts: StageOptions): Promise<StagedBlob> {
    // Read and dropped, so the client gets the answer rather than a cut connection.
    if ('resume' in body) (body as Readable).resume();
    return this.refuse();
  }

  async stageCopy(_blobId: string): Promise<StagedBlob> {
    return this.refuse();
  }

  commit(blob: StagedBlob): Promise<void> {
    return this.inner.commit(blob);
  }

  discard(blob: StagedBlob): Promise<void> {
    return this.inner.discard(blob);
  }

  open(blobId: string, range?: { start: number; end: number }, size?: number): Promise<Readable> {
    return this.inner.open(blobId, range, size);
  }

  async remove(_blobId: string): Promise<void> {}

  readDerived(blobId: string, key: string): Promise<Buffer | null> {
    return this.inner.readDerived(blobId, key);
  }

  async writeDerived(_blobId: string, _key: string, _bytes: Buffer): Promise<void> {}

  refreshOwners(): Promise<void> {
    return this.inner.refreshOwners();
  }

  ownerGone(owner: string, createdAt: number): boolean {
    return this.inner.ownerGone(owner, createdAt);
  }

  /** Staging left by a dead process is settled as usual: a referenced file moves into place, the rest goes (it is no blob yet). */
  sweepStaging(referenced: (blobIds: string[]) => Promise<Set<string>>): Promise<number> {
    return this.inner.sweepStaging(referenced);
  }

  freeBytes(): Promise<number> {
    return this.inner.freeBytes();
  }
}
