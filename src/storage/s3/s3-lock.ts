import { storeFailure } from './s3-client.js';
import type { S3Objects } from './s3-objects.js';
import type { S3Owners } from './s3-owners.js';

/** A holder rewrites its lock this often; one not rewritten for STALE_MS is a gone holder's (the file staging's rule). */
const REFRESH_MS = 5_000;
const STALE_MS = 60_000;
const LOCK = /lock-(\d+)$/;

/**
 * A lock every process sees, as objects `<folder>lock-<n>`: the highest n
 * decides. Taking it writes lock-(n+1) only if absent (S3's conditional
 * write), so of two processes that both found the lock free or its holder
 * gone exactly one gets it; no lock is ever deleted by anyone but its holder
 * until it is superseded. A holder is gone when the process named in the
 * lock is (its heartbeat stale, or its pid dead on this host, see
 * s3-owners.ts) or the lock was not rewritten for a minute.
 */
export class S3Lock {
  constructor(
    private readonly objects: S3Objects,
    private readonly owners: S3Owners,
  ) {}

  /** Runs `fn` holding the lock of `folder`; `busy` (its result thrown) when a live holder has it. */
  async hold<T>(folder: string, fn: () => Promise<T>, busy: () => Promise<Error>): Promise<T> {
    const key = await this.acquire(folder).catch((err: unknown) => {
      throw storeFailure(err);
    });
    if (!key) throw await busy();
    const body = JSON.stringify({ owner: this.owners.owner });
    const timer = setInterval(() => void this.objects.put(key, body).catch(() => undefined), REFRESH_MS);
    timer.unref();
    try {
      return await fn();
    } finally {
      clearInterval(timer);
      await this.objects.del(key).catch(() => undefined);
    }
  }

  private async acquire(folder: string): Promise<string | null> {
    await this.owners.start();
    const locks = (await this.objects.list(`${folder}lock-`))
      .map((o) => ({ ...o, n: Number(LOCK.exec(o.key)?.[1] ?? NaN) }))
      .filter((o) => Number.isInteger(o.n))
      .sort((a, b) => a.n - b.n);
    const top = locks.at(-1);
    if (top && !(await this.stale(top.key, top.at))) return null;
    const key = `${folder}lock-${(top?.n ?? 0) + 1}`;
    if (!(await this.objects.put(key, JSON.stringify({ owner: this.owners.owner }), true))) return null;
    // Superseded: their holders are gone.
    for (const l of locks) await this.objects.del(l.key).catch(() => undefined);
    return key;
  }

  private async stale(key: string, at: number): Promise<boolean> {
    if (Date.now() - at > STALE_MS) return true;
    const holder = await this.objects.getJson<{ owner?: string }>(key).catch(() => null);
    // Released meanwhile: free.
    if (!holder) return true;
    if (typeof holder.owner !== 'string' || holder.owner === this.owners.owner) return false;
    if (this.owners.gone(holder.owner, at)) return true;
    await this.owners.refresh();
    return this.owners.gone(holder.owner, at);
  }
}
