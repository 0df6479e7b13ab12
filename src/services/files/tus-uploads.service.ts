import type { Readable } from 'node:stream';
import type { BlobSource } from '../../ports/files.js';
import type { Clock, Secrets } from '../../ports/system.js';
import type { TusChecksum, TusRecord, TusStaging } from '../../ports/tus-staging.js';

import { TusAppendError } from '../../ports/tus-staging.js';

export { TusAppendError };
export type { TusChecksum, TusOwner, TusRecord } from '../../ports/tus-staging.js';

/** How long an upload may be resumed: oCIS's default upload expiration (24 h, ocdav/storage `upload_expiration`). */
export const TUS_EXPIRES_AFTER_MS = 24 * 3600 * 1000;
/** Id length: 43 alphanumeric characters, about 256 bits; the id alone opens an upload made through a public link. */
const ID_LENGTH = 43;
/** The sweep runs at most this often per process: on a timer (the app's background job) and when a new upload starts. */
export const TUS_SWEEP_EVERY_MS = 3600_000;

export interface TusUpload {
  id: string;
  record: TusRecord;
  offset: number;
  /** The file was committed but the upload not yet removed (its process was killed in between). */
  committed: boolean;
  expired: boolean;
}

/**
 * TUS uploads (tus.io 1.0): ids, records and bytes on shared staging, expiry.
 * What an upload may become (permission, quota, the commit) is decided by the
 * files layer at every step, as for a PUT.
 */
export class TusUploadsService {
  private lastSweep = 0;

  constructor(
    private readonly staging: TusStaging,
    private readonly clock: Clock,
    private readonly secrets: Secrets,
  ) {}

  async create(record: Omit<TusRecord, 'createdAt' | 'expiresAt'>): Promise<TusUpload> {
    await this.sweepIfDue();
    const now = this.clock.now();
    const id = this.secrets.token(ID_LENGTH);
    const full: TusRecord = { ...record, createdAt: now, expiresAt: now + TUS_EXPIRES_AFTER_MS };
    await this.staging.create(id, full);
    return { id, record: full, offset: 0, committed: false, expired: false };
  }

  async find(id: string): Promise<TusUpload | null> {
    const found = await this.staging.read(id);
    if (!found) return null;
    return { id, ...found, expired: found.record.expiresAt <= this.clock.now() };
  }

  exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.staging.exclusive(id, fn);
  }

  append(id: string, offset: number, body: Readable, limit: number, checksum?: TusChecksum): Promise<number> {
    return this.staging.append(id, offset, body, limit, checksum);
  }

  markCommitted(id: string): Promise<void> {
    return this.staging.markCommitted(id);
  }

  data(id: string): Promise<BlobSource> {
    return this.staging.data(id);
  }

  remove(id: string): Promise<void> {
    return this.staging.remove(id);
  }

  /** Ids of the uploads past their expiry (or whose creation died half-way): what the sweep drops. */
  expired(): Promise<string[]> {
    return this.staging.listExpired(this.clock.now());
  }

  /**
   * Drops one expired upload, under its lock and looked at again there, so a
   * PATCH that got in first finishes before, and one that comes after finds
   * nothing; several processes sweeping at once drop each upload once. One
   * busy (being written) or already gone is left to its holder.
   */
  async dropExpired(id: string): Promise<boolean> {
    try {
      return await this.staging.exclusive(id, async () => {
        const found = await this.staging.read(id);
        if (found && found.record.expiresAt > this.clock.now()) return false;
        await this.staging.remove(id);
        return true;
      });
    } catch (err) {
      if (err instanceof TusAppendError) return false;
      throw err;
    }
  }

  /** Drops every expired upload; answers how many. */
  async sweepExpired(): Promise<number> {
    let dropped = 0;
    for (const id of await this.expired()) if (await this.dropExpired(id)) dropped += 1;
    return dropped;
  }

  /** The background job's entry: sweeps unless this process swept within the hour. */
  async sweepIfDue(): Promise<void> {
    const now = this.clock.now();
    if (now - this.lastSweep < TUS_SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    await this.sweepExpired();
  }
}
