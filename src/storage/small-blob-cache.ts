/** Blobs up to this size are kept in memory once read. */
const MAX_BLOB = 64 * 1024;
/** The most the cache holds in all. */
const BUDGET = 32 * 1024 * 1024;

/**
 * The bytes of small blobs, kept after their first read. A blob id names one
 * content for its whole life (a change is a new blob), so an entry can never
 * be stale; it goes when the blob is removed or the budget needs the room
 * (least recently read first). Sync clients and thumbnails read many small
 * files again and again, and a file's open, read and close cost more than
 * its bytes.
 */
export class SmallBlobCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  holds(size: number): boolean {
    return size <= MAX_BLOB;
  }

  get(blobId: string): Buffer | undefined {
    const data = this.entries.get(blobId);
    if (data) {
      this.entries.delete(blobId);
      this.entries.set(blobId, data);
    }
    return data;
  }

  remember(blobId: string, data: Buffer): void {
    if (data.length > MAX_BLOB || this.entries.has(blobId)) return;
    this.bytes += data.length;
    this.entries.set(blobId, data);
    for (const [id, old] of this.entries) {
      if (this.bytes <= BUDGET) break;
      this.entries.delete(id);
      this.bytes -= old.length;
    }
  }

  forget(blobId: string): void {
    const data = this.entries.get(blobId);
    if (!data) return;
    this.entries.delete(blobId);
    this.bytes -= data.length;
  }
}
