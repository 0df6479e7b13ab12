import { expiredBySchedule, VERSIONS_MAX_SHARE_OF_FREE } from '../../domain/file-versions.js';
import type { BlobStore } from '../../ports/files.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { quotaLimitOf } from '../access/file-tree.js';
import { settleBlobs } from './blob-settlement.js';

/** How often the sweep runs, whichever process gets to it (Nextcloud's ExpireVersions background job runs about every 30 minutes). */
export const SWEEP_EVERY_MS = 30 * 60 * 1000;
const PAGE = 200;

type Key = { nodeId: string; revision: number };

/**
 * Expiry of file versions, as Nextcloud's Expiration and Storage::expire:
 * the default schedule per file, an optional maximum age
 * (VERSIONS_MAX_AGE_DAYS, like versions_retention_obligation "auto, D"),
 * and the size bound — a space's versions use at most half of its free
 * space (quota limit minus used; the free disk space for spaces without a
 * quota), the oldest going first. Safe with several processes: a run is
 * claimed in the database, and each deletion is its own transaction that
 * answers what it really deleted, so two sweeps never release a blob twice
 * nor one still held.
 */
export class VersionExpiry {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly blobs: BlobStore,
  ) {}

  async runIfDue(): Promise<number> {
    if (!this.ctx.settings.versions.enabled) return 0;
    if (!(await this.ctx.repos.versions.claimSweep(this.ctx.clock.now(), SWEEP_EVERY_MS))) return 0;
    return this.run();
  }

  async run(): Promise<number> {
    return (await this.bySchedule()) + (await this.byAge()) + (await this.bySize());
  }

  private async drop(keys: Key[]): Promise<number> {
    if (!keys.length) return 0;
    const now = this.ctx.clock.now();
    const freed = await this.ctx.tx.run(async (repos) => {
      const blobs = await repos.versions.remove(keys);
      await repos.blobJournal.add(blobs, this.blobs.owner, now);
      return blobs;
    });
    await settleBlobs(this.ctx.repos, this.blobs, freed);
    return freed.length;
  }

  private async bySchedule(): Promise<number> {
    const nowSeconds = Math.floor(this.ctx.clock.now() / 1000);
    let removed = 0;
    let after = '';
    for (;;) {
      const nodes = await this.ctx.repos.versions.nodesWithVersions(after, PAGE);
      for (const nodeId of nodes) {
        const versions = await this.ctx.repos.versions.list(nodeId);
        // Labelled versions are kept whatever the schedule says (Nextcloud skips named versions in its expiry).
        const candidates = versions.filter((v) => v.label === null).map((v) => ({ revision: v.revision, time: Math.floor(v.mtime / 1000) }));
        removed += await this.drop(expiredBySchedule(candidates, nowSeconds).map((revision) => ({ nodeId, revision })));
      }
      if (nodes.length < PAGE) return removed;
      after = nodes[nodes.length - 1]!;
    }
  }

  private async byAge(): Promise<number> {
    const days = this.ctx.settings.versions.maxAgeDays;
    if (days === null) return 0;
    const cutoff = this.ctx.clock.now() - days * 86400_000;
    let removed = 0;
    for (;;) {
      const old = await this.ctx.repos.versions.olderThan(cutoff, PAGE);
      const n = await this.drop(old.map((v) => ({ nodeId: v.nodeId, revision: v.revision })));
      removed += n;
      if (old.length < PAGE || n === 0) return removed;
    }
  }

  private async bySize(): Promise<number> {
    let removed = 0;
    let diskFree: number | undefined;
    for (const { spaceId, bytes } of await this.ctx.repos.versions.usageBySpace()) {
      const space = await this.ctx.repos.spaces.findById(spaceId);
      if (!space) continue;
      const limit = await quotaLimitOf(this.ctx.repos, space, this.ctx.settings.defaultQuota);
      const free = limit !== null ? Math.max(0, limit - space.size) : (diskFree ??= await this.blobs.freeBytes());
      let excess = bytes - Math.floor(free * VERSIONS_MAX_SHARE_OF_FREE);
      while (excess > 0) {
        const oldest = await this.ctx.repos.versions.oldestInSpace(spaceId, PAGE);
        if (!oldest.length) break;
        const batch: Key[] = [];
        for (const v of oldest) {
          if (excess <= 0) break;
          batch.push({ nodeId: v.nodeId, revision: v.revision });
          excess -= v.size;
        }
        const n = await this.drop(batch);
        removed += n;
        if (n === 0) break;
      }
    }
    return removed;
  }
}
