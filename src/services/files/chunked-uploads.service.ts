import type { Readable } from 'node:stream';
import { fail } from '../../domain/errors.js';
import type { Clock } from '../../ports/system.js';
import type { AssembledUpload, ChunkInfo, UploadInfo, UploadStaging } from '../../ports/upload-staging.js';

export type { AssembledUpload, ChunkInfo, UploadInfo } from '../../ports/upload-staging.js';

/** Upload ids and chunk names become file names: plain characters only, never `.` or `..`. */
const PLAIN_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;
/** Nextcloud drops abandoned upload folders after a day (its CleanupChunks job); so do we, when a new upload starts. */
const STALE_AFTER_MS = 24 * 3600 * 1000;

const numeric = /^\d+$/;
/** v2 chunk names are numbers (1..10000) and assemble by value; other names by code point. */
export const chunkOrder = (a: string, b: string): number =>
  numeric.test(a) && numeric.test(b) ? Number(a) - Number(b) || a.localeCompare(b) : a < b ? -1 : a > b ? 1 : 0;

/**
 * Chunked uploads (Nextcloud chunking v2): staging folders per user, chunks
 * streamed to storage, read back in order for assembly. Assembly itself is
 * an ordinary FilesApi write of the concatenated stream, so quota, checksum
 * and etag rules are the files layer's.
 */
export class ChunkedUploadsService {
  private lastSweep = 0;

  constructor(
    private readonly staging: UploadStaging,
    private readonly clock: Clock,
  ) {}

  private check(uploadId: string, name?: string): void {
    if (!PLAIN_NAME.test(uploadId)) fail('invalidInput', 'Invalid upload id');
    if (name !== undefined && !PLAIN_NAME.test(name)) fail('invalidInput', 'Invalid chunk name');
  }

  async create(userId: string, uploadId: string, info: Omit<UploadInfo, 'createdAt'>): Promise<boolean> {
    this.check(uploadId);
    await this.sweep();
    return this.staging.create(userId, uploadId, { ...info, createdAt: this.clock.now() });
  }

  info(userId: string, uploadId: string): Promise<UploadInfo | null> {
    this.check(uploadId);
    return this.staging.info(userId, uploadId);
  }

  async putChunk(userId: string, uploadId: string, name: string, body: Readable, length?: number): Promise<{ size: number; created: boolean }> {
    this.check(uploadId, name);
    if (!(await this.staging.info(userId, uploadId))) fail('notFound', 'Upload folder not found');
    return this.staging.putChunk(userId, uploadId, name, body, length);
  }

  async chunks(userId: string, uploadId: string): Promise<ChunkInfo[]> {
    this.check(uploadId);
    try {
      return (await this.staging.chunks(userId, uploadId)).sort((a, b) => chunkOrder(a.name, b.name));
    } catch (err) {
      // Removed between two steps of the same request (an assembly or DELETE running beside it).
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') fail('notFound', 'Upload folder not found');
      throw err;
    }
  }

  async open(userId: string, uploadId: string): Promise<Readable> {
    const names = (await this.chunks(userId, uploadId)).map((c) => c.name);
    return this.staging.open(userId, uploadId, names);
  }

  /** The chunks as the body of a file write (the assembled file itself when they came in order); `undo` if the write fails. */
  async assemble(userId: string, uploadId: string): Promise<AssembledUpload> {
    const names = (await this.chunks(userId, uploadId)).map((c) => c.name);
    return this.staging.assemble(userId, uploadId, names);
  }

  async remove(userId: string, uploadId: string): Promise<void> {
    this.check(uploadId);
    await this.staging.remove(userId, uploadId);
  }

  /** Uploads begun more than a day ago (or without a readable upload.json): what the sweep drops. */
  async abandoned(): Promise<Array<{ userId: string; uploadId: string }>> {
    return this.staging.listOlderThan(this.clock.now() - STALE_AFTER_MS);
  }

  /** At most once an hour per process: drop uploads older than a day. */
  private async sweep(): Promise<void> {
    const now = this.clock.now();
    if (now - this.lastSweep < 3600_000) return;
    this.lastSweep = now;
    for (const u of await this.staging.listOlderThan(now - STALE_AFTER_MS)) await this.staging.remove(u.userId, u.uploadId);
  }
}
