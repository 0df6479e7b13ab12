import type { Readable } from 'node:stream';
import { DomainError, fail } from '../../domain/errors.js';
import { ancestorPaths } from '../../domain/file-names.js';
import type { FileVersion } from '../../domain/file-versions.js';
import type { FileNode } from '../../domain/node.js';
import type { BlobStore } from '../../ports/files.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { publicNode, quotaLimitOf } from '../access/file-tree.js';
import type { OpenedPlace } from '../access/files.contract.js';
import { recordFileActivity } from '../activity/file-activity.js';
import { settleBlobs } from './blob-settlement.js';
import { placeById, recheck } from './places.js';
import { VersionExpiry } from './version-expiry.js';

/** A file named the way the version endpoints name it: Nextcloud's numeric file id, or a space and node as oCIS resource ids carry them. */
export type VersionedFileRef = { fileId: number } | { spaceId: string; nodeId: string };

/** A file opened for its versions: where the caller sees it, and the file itself. */
export interface VersionedFile {
  place: OpenedPlace;
  node: FileNode;
}

/** Nextcloud keeps labels in a text column; longer ones are refused rather than cut. */
const MAX_LABEL_LENGTH = 1024;

const NO_FILE = 'File not found';
const NO_VERSION = 'Version not found';

/**
 * File versions (Nextcloud's files_versions, oCIS's revisions): listing,
 * reading, restoring, labelling and deleting the earlier contents of a
 * file. Versions are made by the writers (version-keeping.ts); they do not
 * count in quota.used (Nextcloud's rule: versions live outside the user's
 * files) and are bounded instead by the expiry (version-expiry.ts).
 *
 * Rights follow the file: whoever may read it lists and downloads its
 * versions (share recipients too), restoring and labelling need write,
 * deleting a version needs delete on the file (Nextcloud's
 * LegacyVersionsBackend checks PERMISSION_UPDATE and PERMISSION_DELETE).
 */
export class VersionsService {
  private readonly expiry: VersionExpiry;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly blobs: BlobStore,
  ) {
    this.expiry = new VersionExpiry(ctx, blobs);
  }

  get enabled(): boolean {
    return this.ctx.settings.versions.enabled;
  }

  /** The file for a caller who may read it; anything else (no such node, a folder, no access) is the same notFound. */
  async open(userId: string, ref: VersionedFileRef): Promise<VersionedFile> {
    if (!this.enabled) fail('notFound', 'Versions are disabled');
    let spaceId: string;
    let nodeId: string;
    if ('fileId' in ref) {
      const stored = Number.isSafeInteger(ref.fileId) && ref.fileId > 0 ? await this.ctx.repos.nodes.byFileId(ref.fileId) : undefined;
      if (!stored) fail('notFound', NO_FILE);
      ({ spaceId, id: nodeId } = stored!);
    } else ({ spaceId, nodeId } = ref);
    try {
      const place = await placeById(this.ctx.repos, userId, spaceId, nodeId, this.ctx.clock.now());
      if (!place.access.can.read || !place.node || place.node.type !== 'file') fail('notFound', NO_FILE);
      return { place, node: place.node! };
    } catch (err) {
      if (err instanceof DomainError && (err.code === 'notFound' || err.code === 'forbidden')) fail('notFound', NO_FILE);
      throw err;
    }
  }

  /** Newest first. */
  list(file: VersionedFile): Promise<FileVersion[]> {
    return this.ctx.repos.versions.list(file.node.id);
  }

  async version(file: VersionedFile, revision: number): Promise<FileVersion> {
    const v = Number.isSafeInteger(revision) ? await this.ctx.repos.versions.get(file.node.id, revision) : undefined;
    if (!v) fail('notFound', NO_VERSION);
    return v!;
  }

  read(version: FileVersion, range?: { start: number; end: number }): Promise<Readable> {
    return this.blobs.open(version.blobId, range, version.size);
  }

  /**
   * The name the current content goes by among the versions: Nextcloud's
   * LegacyVersionsBackend lists it too, named by the file's mtime in
   * seconds; past the newest stored revision when a version already has
   * that name.
   */
  currentRevision(file: VersionedFile, versions: FileVersion[]): number {
    const second = Math.floor(file.node.mtime / 1000);
    return versions.some((v) => v.revision === second) ? Math.max(...versions.map((v) => v.revision)) + 1 : second;
  }

  /** The current content as a version: the file's own blob and metadata, and who wrote it. */
  async current(file: VersionedFile, versions: FileVersion[]): Promise<FileVersion> {
    const { node } = file;
    if (!node.blobId) fail('notFound', NO_VERSION);
    return {
      nodeId: node.id,
      revision: this.currentRevision(file, versions),
      blobId: node.blobId!,
      size: node.size,
      mtime: node.mtime,
      etag: node.etag,
      mimeType: node.mimeType,
      checksums: node.checksums,
      author: await this.ctx.repos.versions.authorOf(node.id),
      label: null,
      createdAt: node.mtime,
    };
  }

  /**
   * Makes a version the current content again (Nextcloud's rollback): the
   * current content becomes a version, the restored one's blob becomes the
   * file's (no bytes copied) and the file takes its mtime back
   * (Storage::rollback touches the file with the revision's time). Quota
   * applies as to a write.
   */
  async restore(file: VersionedFile, revision: number): Promise<FileNode> {
    if (!file.place.access.can.write) fail('forbidden', 'You are not allowed to restore versions of this file');
    const target = await this.version(file, revision);
    const { place } = file;
    const now = this.ctx.clock.now();
    const restored = await this.ctx.tx.run(async (repos) => {
      const etag = this.ctx.secrets.id();
      const expected = target.size - file.node.size;
      const taken = await repos.spaceTree.take(place.space.id, expected, etag, now);
      const { space, access, node } = await recheck(repos, place, taken, now);
      if (!node || node.id !== file.node.id) fail('notFound', NO_FILE);
      if (!access.can.write) fail('forbidden', 'You are not allowed to restore versions of this file');
      const delta = target.size - node!.size;
      const size = delta === expected ? space.size : await repos.spaceTree.adjust(space.id, delta - expected, etag, now);
      const limit = await quotaLimitOf(repos, space, this.ctx.settings.defaultQuota);
      if (delta > 0 && limit !== null && size > limit) fail('quotaExceeded', `Insufficient space in ${space.name}`);
      await repos.versions.keep(node!.id, now);
      // Gone meanwhile (deleted or restored by someone else): nothing to restore.
      if (!(await repos.versions.remove([{ nodeId: node!.id, revision }])).length) fail('notFound', NO_VERSION);
      const fields = { size: target.size, mtime: target.mtime, etag: this.ctx.secrets.id(), mimeType: target.mimeType, checksums: target.checksums, blobId: target.blobId };
      await repos.nodes.update(node!.id, fields);
      await repos.versions.setAuthor(node!.id, place.userId);
      await repos.nodes.propagate(space.id, ancestorPaths(place.path), delta, etag, now);
      await recordFileActivity(repos, now, { verb: 'changed', author: place.userId, spaceIds: [space.id], fileId: node!.fileId, path: place.path });
      return { ...node!, ...fields };
    });
    return publicNode({ ...restored, path: place.path.join('/') });
  }

  /** nc:version-label: an empty label removes it (Nextcloud stores none then). */
  async setLabel(file: VersionedFile, revision: number, label: string): Promise<void> {
    if (!file.place.access.can.write) fail('forbidden', 'You are not allowed to label versions of this file');
    if (label.length > MAX_LABEL_LENGTH) fail('invalidInput', `A version label may have at most ${MAX_LABEL_LENGTH} characters`);
    await this.version(file, revision);
    await this.ctx.repos.versions.setLabel(file.node.id, revision, label.trim() === '' ? null : label);
  }

  async remove(file: VersionedFile, revision: number): Promise<void> {
    if (!file.place.access.can.delete) fail('forbidden', 'You are not allowed to delete versions of this file');
    await this.version(file, revision);
    const now = this.ctx.clock.now();
    const freed = await this.ctx.tx.run(async (repos) => {
      const blobs = await repos.versions.remove([{ nodeId: file.node.id, revision }]);
      if (!blobs.length) fail('notFound', NO_VERSION);
      await repos.blobJournal.add(blobs, this.blobs.owner, now);
      return blobs;
    });
    await settleBlobs(this.ctx.repos, this.blobs, freed);
  }

  /** The expiry sweep over every file with versions (schedule, maximum age, size bound); answers how many versions went. */
  expire(): Promise<number> {
    return this.expiry.run();
  }

  /** The periodic job: runs the sweep when no process has run it for a period. */
  expireIfDue(): Promise<number> {
    return this.expiry.runIfDue();
  }
}
