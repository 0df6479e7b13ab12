import type { S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { S3Settings } from '../../config.js';
import type { StoredParts } from '../../ports/files.js';
import { TusAppendError, type TusChecksum, type TusRecord, type TusStaging } from '../../ports/tus-staging.js';
import { digesterFor } from '../digests.js';
import { enoent, s3ClientFor, storeFailure } from './s3-client.js';
import { S3Keys } from './s3-keys.js';
import { S3Lock } from './s3-lock.js';
import { S3Objects } from './s3-objects.js';
import type { S3Owners } from './s3-owners.js';

const RECORD = 'record';
const STATE = 'state';
/**
 * The bytes are stored in segments of at least this many (S3's 5 MiB part
 * minimum, with room), so that the commit joins them by copies on the
 * gateway; one segment is held in memory while it fills.
 */
export const SEGMENT = 8 * 1024 * 1024;
/** A creation that died before its record was written is swept once this old (the file staging's rule). */
const STALE_MS = 60_000;
const ID = /^[A-Za-z0-9_-]{16,64}$/;

interface Segment {
  key: string;
  start: number;
  size: number;
}

/** What is durably stored: the segments in order (their sizes add up to the offset), and whether the file was committed. */
interface TusState {
  segments: Segment[];
  committed: boolean;
}

const offsetOf = (s: TusState): number => s.segments.reduce((n, x) => n + x.size, 0);

/**
 * TUS uploads as objects `tus/<id>/`: `record` (written once, last at
 * creation), `state` (the segments stored so far, rewritten after each one
 * is), the segments `seg-<start>-<token>`, and the lock (s3-lock.ts). Each
 * segment is one PutObject of SEGMENT bytes as they arrive; only the last
 * may be shorter, and the next PATCH first takes it back into the one it
 * fills, so at commit every segment but the last is a copyable part. A
 * killed process therefore loses at most the segment it was filling: the
 * offset any process reads is that of the last segment `state` names, and
 * objects `state` does not name are ignored and go with the upload.
 */
export class S3TusStaging implements TusStaging {
  private readonly keys: S3Keys;
  private readonly objects: S3Objects;
  private readonly lock: S3Lock;

  constructor(settings: S3Settings, owners: S3Owners, client: S3Client = s3ClientFor(settings)) {
    this.keys = new S3Keys(settings.prefix);
    this.objects = new S3Objects(client, settings.bucket);
    this.lock = new S3Lock(this.objects, owners);
  }

  private folder(id: string): string {
    if (!ID.test(id)) throw new Error('invalid TUS upload id');
    return this.keys.tus(id);
  }

  private async state(id: string): Promise<TusState> {
    const state = await this.objects.getJson<TusState>(this.folder(id) + STATE).catch((err: unknown) => {
      throw storeFailure(err);
    });
    if (!state) throw enoent(this.folder(id) + STATE);
    return state;
  }

  private async writeState(id: string, state: TusState): Promise<void> {
    await this.objects.put(this.folder(id) + STATE, JSON.stringify(state));
  }

  async create(id: string, record: TusRecord): Promise<void> {
    const folder = this.folder(id);
    try {
      await this.writeState(id, { segments: [], committed: false });
      // Last: an upload without its record is unknown (and swept), never half-described.
      if (!(await this.objects.put(folder + RECORD, JSON.stringify(record), true))) throw new Error(`TUS upload ${id} exists`);
    } catch (err) {
      throw storeFailure(err);
    }
  }

  async read(id: string): Promise<{ record: TusRecord; offset: number; committed: boolean } | null> {
    if (!ID.test(id)) return null;
    const folder = this.folder(id);
    try {
      const record = await this.objects.getJson<TusRecord>(folder + RECORD);
      const state = record && (await this.objects.getJson<TusState>(folder + STATE));
      return record && state ? { record, offset: offsetOf(state), committed: state.committed } : null;
    } catch (err) {
      throw storeFailure(err);
    }
  }

  async markCommitted(id: string): Promise<void> {
    const state = await this.state(id);
    await this.writeState(id, { ...state, committed: true }).catch((err: unknown) => {
      throw storeFailure(err);
    });
  }

  async exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    // An upload already removed has nothing to hold (as the file staging's lock in a folder gone).
    if (!(await this.read(id))) throw new TusAppendError('busy', -1);
    return this.lock.hold(this.folder(id), fn, async () => new TusAppendError('busy', (await this.read(id).catch(() => null))?.offset ?? -1));
  }

  async append(id: string, offset: number, body: Readable, limit: number, checksum?: TusChecksum): Promise<number> {
    const folder = this.folder(id);
    const before = await this.state(id);
    const stored = offsetOf(before);
    if (stored !== offset) {
      body.resume();
      throw new TusAppendError('offsetMismatch', stored);
    }
    const digester = checksum ? digesterFor(checksum.algorithm) : null;
    // A short last segment is filled further by this request: its bytes start the next one.
    let base = before.segments;
    let pending: Buffer[] = [];
    let pendingSize = 0;
    let start = offset;
    const tail = base.at(-1);
    const written: Segment[] = [];
    let received = 0;
    let storeError: unknown = null;
    const flush = async () => {
      const bytes = Buffer.concat(pending);
      const key = `${folder}seg-${start}-${randomBytes(6).toString('hex')}`;
      try {
        await this.objects.put(key, bytes);
        written.push({ key, start, size: bytes.length });
        // Unchecked bodies keep what arrived: each segment counts as soon as it is stored.
        if (!digester) await this.writeState(id, { segments: [...base, ...written], committed: false });
      } catch (err) {
        storeError = err;
        throw err;
      }
      start += bytes.length;
      pending = [];
      pendingSize = 0;
    };
    const undo = async () => {
      await this.writeState(id, before).catch(() => undefined);
      for (const s of written) await this.objects.del(s.key).catch(() => undefined);
    };
    if (tail && tail.size < SEGMENT) {
      const bytes = await this.objects.getBytes(tail.key).catch((err: unknown) => {
        body.resume();
        throw storeFailure(err);
      });
      if (!bytes || bytes.length !== tail.size) {
        body.resume();
        throw enoent(tail.key);
      }
      pending.push(bytes);
      pendingSize = bytes.length;
      start = tail.start;
      base = base.slice(0, -1);
    }
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (received > limit) throw new TusAppendError('tooLong', offset);
        digester?.update(chunk);
        pending.push(chunk);
        pendingSize += chunk.length;
        if (pendingSize >= SEGMENT) await flush();
      }
      if (digester && digester.hex() !== checksum!.hex) throw new TusAppendError('checksumMismatch', offset);
    } catch (err) {
      // Over the length, or a checksummed body cut short or wrong: none of it is kept.
      if (err instanceof TusAppendError || (digester && !storeError)) {
        await undo();
        throw err instanceof TusAppendError ? err : new TusAppendError('checksumMismatch', offset);
      }
      // The store failed: what `state` names stays. A plain body cut short: what arrived is kept, as on disk.
      if (!storeError && received > 0 && pendingSize > 0) await flush().catch(() => undefined);
      throw storeError ? storeFailure(storeError) : err;
    }
    if (received === 0) return offset;
    try {
      if (pendingSize > 0) await flush();
      if (digester) await this.writeState(id, { segments: [...base, ...written], committed: false });
    } catch (err) {
      if (digester) await undo();
      throw storeFailure(err);
    }
    // The short segment taken back is no longer named by `state`.
    if (tail && base.length < before.segments.length) await this.objects.del(tail.key).catch(() => undefined);
    return offset + received;
  }

  /** The segments, for the blob store to join into the file. */
  async data(id: string): Promise<StoredParts> {
    const state = await this.state(id);
    return { storedParts: state.segments.map((s) => ({ key: s.key, size: s.size })) };
  }

  async remove(id: string): Promise<void> {
    const folder = this.folder(id);
    try {
      // The record first: from then on the upload is unknown, whatever is left of it.
      await this.objects.del(folder + RECORD);
      await this.objects.delAll(folder);
    } catch (err) {
      throw storeFailure(err);
    }
  }

  async listExpired(now: number): Promise<string[]> {
    const byId = new Map<string, { record: boolean; newest: number }>();
    for (const o of await this.objects.list(this.keys.tusUploads)) {
      const [id, leaf] = o.key.slice(this.keys.tusUploads.length).split('/');
      if (!id || !leaf || !ID.test(id)) continue;
      const e = byId.get(id) ?? { record: false, newest: 0 };
      if (leaf === RECORD) e.record = true;
      e.newest = Math.max(e.newest, o.at);
      byId.set(id, e);
    }
    const out: string[] = [];
    for (const [id, e] of byId) {
      if (!e.record) {
        if (e.newest < now - STALE_MS) out.push(id);
        continue;
      }
      const record = await this.objects.getJson<TusRecord>(this.folder(id) + RECORD).catch(() => null);
      if (!record || record.expiresAt < now) out.push(id);
    }
    return out;
  }
}
