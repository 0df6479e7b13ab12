import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { processHost } from '../process-host.js';
import { listObjects } from './s3-client.js';
import type { S3Keys } from './s3-keys.js';

/** How often a live process rewrites its heartbeat object. */
export const HEARTBEAT_MS = 30_000;
/** A heartbeat this old means its process is gone: ten beats missed. */
export const HEARTBEAT_STALE_MS = 10 * HEARTBEAT_MS;
/** Before any heartbeat was listed, an owner is taken for gone only after this long (the file store's rule for other hosts). */
const UNKNOWN_OWNER_GRACE_MS = 24 * 3600 * 1000;

const SEP = '~';

/**
 * Who is alive among the processes sharing a bucket. Processes on other
 * hosts cannot be asked with a signal, so each one keeps a heartbeat object
 * fresh; a process whose heartbeat went stale (or which never wrote one
 * while others listed them) is gone, and what it left may be settled. On
 * this host a dead pid settles it at once; "this host" is processHost (host
 * name, boot and pid namespace), so containers that share a host name are
 * never judged by each other's pids. A process cut off from the
 * bucket for longer than HEARTBEAT_STALE_MS is taken for gone although it
 * lives: it refuses new writes once its own beat has failed for nearly
 * that long (`healthy`). A write already streaming when the beats start to
 * fail is not stopped, so a partition longer than HEARTBEAT_STALE_MS in the
 * middle of one upload can still lose that upload's blob.
 */
export class S3Owners {
  readonly owner: string;
  private readonly host = processHost;
  private beats = new Map<string, number>();
  private listedAt: number | null = null;
  private lastBeat = 0;
  private timer: NodeJS.Timeout | null = null;
  private first: Promise<void> | null = null;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly keys: S3Keys,
  ) {
    this.owner = [this.host, process.pid, randomBytes(6).toString('hex')].join(SEP);
  }

  /** Starts beating; resolves once the first beat is written. */
  start(): Promise<void> {
    if (!this.first) {
      this.first = this.beat();
      this.timer = setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_MS);
      this.timer.unref();
    }
    return this.first;
  }

  /** Whether this process's own heartbeat is fresh enough for others to leave its staging alone. */
  healthy(): boolean {
    return Date.now() - this.lastBeat < HEARTBEAT_STALE_MS - HEARTBEAT_MS;
  }

  private async beat(): Promise<void> {
    const at = Date.now();
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.keys.heartbeat(this.owner), Body: '', ContentLength: 0 }));
    this.lastBeat = at;
  }

  /** Stops beating and removes the heartbeat: a process that closed is gone at once for the others. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!this.first) return;
    await this.first.catch(() => undefined);
    this.first = null;
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keys.heartbeat(this.owner) })).catch(() => undefined);
  }

  /** Reads every heartbeat (the listing ownerGone answers from). */
  async refresh(): Promise<Map<string, number>> {
    const listedAt = Date.now();
    const beats = new Map<string, number>();
    for await (const o of listObjects(this.client, this.bucket, this.keys.owners)) beats.set(this.keys.ownerOf(o.Key!.slice(this.keys.owners.length)), o.LastModified?.getTime() ?? 0);
    this.beats = beats;
    this.listedAt = listedAt;
    return beats;
  }

  /** When the owner last beat, as last listed (undefined: not among the heartbeats). */
  lastSeen(owner: string): number | undefined {
    return this.beats.get(owner);
  }

  /** Drops the heartbeat of an owner found gone, so the listing stays short. */
  async forget(owner: string): Promise<void> {
    if (owner === this.owner) return;
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keys.heartbeat(owner) }));
    this.beats.delete(owner);
  }

  gone(owner: string, createdAt: number): boolean {
    if (owner === this.owner) return false;
    const [host, pidText, token] = owner.split(SEP);
    const pid = Number(pidText);
    if (host === this.host && Number.isInteger(pid) && pid !== process.pid && token !== undefined && !pidAlive(pid)) return true;
    const seen = this.beats.get(owner);
    if (seen !== undefined) return (this.listedAt ?? Date.now()) - seen > HEARTBEAT_STALE_MS;
    if (this.listedAt === null) return Date.now() - createdAt > UNKNOWN_OWNER_GRACE_MS;
    // Absent from the listing: a live process beats from its start, before it writes anything.
    return this.listedAt - createdAt > HEARTBEAT_STALE_MS;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
