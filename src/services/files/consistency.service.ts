import { auditTree } from '../../domain/tree-sizes.js';
import type { BlobInventory } from '../../ports/consistency.js';
import type { BlobStore } from '../../ports/files.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { isReferenced, recoverStorage } from './blob-settlement.js';
import type { ChunkedUploadsService } from './chunked-uploads.service.js';
import type { TusUploadsService } from './tus-uploads.service.js';

/**
 * Blobs younger than this are never called orphans: a writer renames its
 * blob into place before its row commits (the journal names it meanwhile,
 * and this margin covers a journal read that raced the commit).
 */
const ORPHAN_MIN_AGE_MS = 10 * 60 * 1000;

export interface ConsistencyReport {
  /** Blob files no row references (nor the journal of a write in flight). */
  orphanBlobs: Array<{ blobId: string; size: number }>;
  /** File rows whose blob is not on disk: the bytes are lost. */
  missingBlobs: Array<{ spaceId: string; path: string; nodeId: string; blobId: string }>;
  /** File rows whose size is not their blob's (reported; the row is not guessed at). */
  blobSizes: Array<{ spaceId: string; path: string; stored: number; actual: number }>;
  /** Rows whose folder row is gone. */
  strayRows: Array<{ spaceId: string; path: string; nodeId: string }>;
  /** Folders whose size is not the sum of their contents. */
  folderSizes: Array<{ spaceId: string; path: string; stored: number; actual: number }>;
  /** Spaces whose size (quota `used`) is not the sum of their top-level entries. */
  spaceSizes: Array<{ spaceId: string; stored: number; actual: number }>;
  /** Rows without an etag. */
  emptyEtags: Array<{ spaceId: string; nodeId: string }>;
  /** Staging folders of processes that are gone. */
  leftoverStaging: Array<{ owner: string; files: number }>;
  /** Chunked uploads begun more than a day ago and never assembled (the background sweep drops them too). */
  abandonedUploads: Array<{ userId: string; uploadId: string }>;
  /** TUS uploads past their expiry (24 h), which can no longer be resumed (the background sweep drops them too). */
  expiredTusUploads: Array<{ uploadId: string }>;
}

export const problemCount = (r: ConsistencyReport): number =>
  r.orphanBlobs.length + r.missingBlobs.length + r.blobSizes.length + r.strayRows.length + r.folderSizes.length + r.spaceSizes.length + r.emptyEtags.length + r.leftoverStaging.length + r.abandonedUploads.length + r.expiredTusUploads.length;

/**
 * `nimbus check` (Nextcloud's occ files:scan): compares the rows with the
 * blobs on disk and the folder and space sizes with what they hold, and on
 * request repairs what can be repaired. Safe beside a running server: a
 * space's sizes are rewritten under its row lock, as every writer takes it.
 */
export class ConsistencyService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly blobs: BlobStore,
    private readonly inventory: BlobInventory,
    private readonly uploads: ChunkedUploadsService,
    private readonly tusUploads: TusUploadsService,
  ) {}

  async check(): Promise<ConsistencyReport> {
    const repos = this.ctx.repos;
    const report: ConsistencyReport = { orphanBlobs: [], missingBlobs: [], blobSizes: [], strayRows: [], folderSizes: [], spaceSizes: [], emptyEtags: [], leftoverStaging: [], abandonedUploads: [], expiredTusUploads: [] };
    const journaled = new Set((await repos.blobJournal.list()).map((e) => e.blobId));
    const refs = await repos.consistency.fileBlobs();
    const referenced = new Map(refs.map((r) => [r.blobId, r]));
    const onDisk = new Map<string, number>();
    const now = this.ctx.clock.now();
    for await (const blob of this.inventory.blobs()) {
      onDisk.set(blob.id, blob.size);
      if (referenced.has(blob.id) || journaled.has(blob.id) || now - blob.mtimeMs < ORPHAN_MIN_AGE_MS) continue;
      // Asked again through the rule the writers use, which knows every kind of row that holds a blob.
      if (!(await isReferenced(repos, blob.id))) report.orphanBlobs.push({ blobId: blob.id, size: blob.size });
    }
    for (const ref of refs) {
      const size = onDisk.get(ref.blobId);
      if (size === undefined) {
        // Looked for again: a blob committed during the walk, or still being moved out of staging, is there by now.
        if (journaled.has(ref.blobId) || (await this.inventory.has(ref.blobId))) continue;
        report.missingBlobs.push({ spaceId: ref.spaceId, path: ref.path, nodeId: ref.nodeId, blobId: ref.blobId });
      } else if (size !== ref.size) {
        report.blobSizes.push({ spaceId: ref.spaceId, path: ref.path, stored: ref.size, actual: size });
      }
    }
    report.strayRows = (await repos.consistency.strayRows()).map((r) => ({ spaceId: r.spaceId, path: r.path, nodeId: r.nodeId }));
    for (const space of await repos.consistency.spaceIds()) {
      const audit = auditTree(space.id, space.size, await repos.consistency.treeOf(space.id));
      report.folderSizes.push(...audit.folders.map((f) => ({ spaceId: space.id, path: f.path, stored: f.stored, actual: f.actual })));
      if (audit.root.stored !== audit.root.actual) report.spaceSizes.push({ spaceId: space.id, ...audit.root });
      report.emptyEtags.push(...audit.emptyEtags.map((nodeId) => ({ spaceId: space.id, nodeId })));
    }
    await this.blobs.refreshOwners();
    for (const folder of await this.inventory.stagingFolders()) {
      if (folder.owner !== this.blobs.owner && this.blobs.ownerGone(folder.owner, folder.lastActivity)) report.leftoverStaging.push({ owner: folder.owner, files: folder.files });
    }
    report.abandonedUploads = await this.uploads.abandoned();
    report.expiredTusUploads = (await this.tusUploads.expired()).map((uploadId) => ({ uploadId }));
    return report;
  }

  /**
   * Repairs what `report` found: rows without bytes go (with their shares),
   * orphan blobs are deleted, leftover staging is settled as at start-up,
   * abandoned chunked uploads and expired TUS uploads are removed, and
   * the sizes and etags of every affected space are recomputed from its
   * files. Blob sizes that differ are left for a person to look at.
   */
  async repair(report: ConsistencyReport): Promise<void> {
    for (const missing of [...report.missingBlobs, ...report.strayRows]) {
      await this.ctx.tx.run(async (repos) => {
        await repos.spaceTree.take(missing.spaceId, 0, this.ctx.secrets.id(), this.ctx.clock.now());
        await repos.shares.deleteOnNodes([missing.nodeId]);
        await repos.nodes.deleteSubtree(missing.spaceId, missing.path);
      });
    }
    const journaled = new Set((await this.ctx.repos.blobJournal.list()).map((e) => e.blobId));
    for (const orphan of report.orphanBlobs) {
      if (journaled.has(orphan.blobId) || (await isReferenced(this.ctx.repos, orphan.blobId))) continue;
      await this.blobs.remove(orphan.blobId);
    }
    if (report.leftoverStaging.length) await recoverStorage(this.ctx.repos, this.blobs);
    for (const upload of report.abandonedUploads) await this.uploads.remove(upload.userId, upload.uploadId);
    for (const upload of report.expiredTusUploads) await this.tusUploads.dropExpired(upload.uploadId);
    const spaces = new Set([...report.missingBlobs, ...report.strayRows, ...report.folderSizes, ...report.spaceSizes, ...report.emptyEtags].map((p) => p.spaceId));
    for (const spaceId of spaces) await this.recomputeSpace(spaceId);
  }

  /** A space's folder sizes, etags and own size from its files, under the space's row lock. */
  private async recomputeSpace(spaceId: string): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      const now = this.ctx.clock.now();
      const space = await repos.spaceTree.take(spaceId, 0, this.ctx.secrets.id(), now);
      if (!space) return;
      const entries = await repos.consistency.treeOf(spaceId);
      const audit = auditTree(spaceId, space.size, entries);
      for (const id of audit.staleFolders) {
        const size = audit.actualSizes.get(id);
        await repos.nodes.update(id, { etag: this.ctx.secrets.id(), ...(size !== undefined ? { size } : {}) });
      }
      for (const id of audit.emptyEtags) if (!audit.staleFolders.includes(id)) await repos.nodes.update(id, { etag: this.ctx.secrets.id() });
      if (audit.root.actual !== audit.root.stored) await repos.spaces.update(spaceId, { size: audit.root.actual });
    });
  }
}
