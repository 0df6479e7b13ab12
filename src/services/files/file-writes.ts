import { formatChecksum, parseChecksum } from '../../domain/checksum.js';
import { fail } from '../../domain/errors.js';
import { ancestorPaths, assertValidPath, joinPath } from '../../domain/file-names.js';
import { mimeTypeOf } from '../../domain/mime.js';
import type { FileNode } from '../../domain/node.js';
import type { BlobSource, BlobStore, StagedBlob, StoredNode } from '../../ports/files.js';
import type { Repositories } from '../../ports/repositories.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { publicNode, quotaLimitOf } from '../access/file-tree.js';
import type { OpenedPlace, WriteOptions, WriteResult } from '../access/files.contract.js';
import { recordFileActivity } from '../activity/file-activity.js';
import { settleBlobs } from './blob-settlement.js';
import { recheck } from './places.js';
import { keepReplacedContent } from './version-keeping.js';

/** What a file's row records of a write besides its bytes. */
export interface WriteMeta {
  mtime?: number;
  checksums: string | null;
}

/**
 * The refusals a write can be told before a byte is read, from what the
 * place saw when it was opened: the path, the parent, a folder in the way,
 * the caller's rights and a known length past the quota. Answers the room
 * left (undefined without a quota), the bound while the bytes stream.
 */
export async function checkWrite(ctx: ServiceContext, place: OpenedPlace, expectedSize: number | undefined): Promise<number | undefined> {
  const { path, space, access } = place;
  if (path.length === 0) fail('conflict', 'The root of a space is a folder', 'alreadyExists');
  assertValidPath(path);
  if (!place.parent) fail('conflict', 'Parent folder does not exist');
  const existing = place.node;
  if (existing?.type === 'folder') fail('conflict', 'A folder exists at this path', 'alreadyExists');
  if (!(existing ? access.can.write : access.can.create)) fail('forbidden', 'You are not allowed to write here');
  const limit = await quotaLimitOf(ctx.repos, space, ctx.settings.defaultQuota);
  const room = limit === null ? undefined : Math.max(0, limit - space.size + (existing?.size ?? 0));
  if (room !== undefined && expectedSize !== undefined && expectedSize > room) {
    fail('quotaExceeded', `Insufficient space in ${space.name}, ${expectedSize} required, ${room} available`);
  }
  return room;
}

/** Stages the bytes and verifies the length and checksum the client declared; a refused staging is discarded. */
export async function stageChecked(blobs: BlobStore, body: BlobSource, room: number | undefined, opts: WriteOptions): Promise<{ staged: StagedBlob; meta: WriteMeta }> {
  const declared = opts.checksum ? parseChecksum(opts.checksum) : null;
  const staged = await blobs.stage(body, { maxBytes: room, digests: declared ? [declared.algorithm] : [] });
  try {
    if (opts.expectedSize !== undefined && staged.size !== opts.expectedSize) {
      fail('invalidInput', `Expected filesize of ${opts.expectedSize} bytes but read and wrote ${staged.size} bytes. Could either be a network problem on the sending side or a problem writing to the storage on the server side.`);
    }
    if (declared && staged.digests[declared.algorithm] !== declared.value) fail('invalidInput', 'The computed checksum does not match the one received from the client.');
  } catch (err) {
    await blobs.discard(staged);
    throw err;
  }
  return { staged, meta: { mtime: opts.mtime, checksums: declared ? formatChecksum(declared) : null } };
}

/** The fields of a file's row that a write sets. */
export function writtenFields(ctx: ServiceContext, name: string, staged: StagedBlob, meta: WriteMeta, now: number) {
  return { size: staged.size, mtime: meta.mtime ?? now, etag: ctx.secrets.id(), mimeType: mimeTypeOf(name), checksums: meta.checksums, blobId: staged.id };
}

/**
 * Commits one staged write. The row commits first and the staged bytes move
 * into place after it: a process killed between the two leaves a staged
 * file that a row references, which the start-up sweep moves into place
 * (and readers find in staging meanwhile); killed before the commit, the
 * staged file is simply dropped. The blob the write replaced becomes a
 * version's, or, with versions off, is journaled with the commit and
 * settled once the move is done.
 */
export async function commitWrite(ctx: ServiceContext, blobs: BlobStore, place: OpenedPlace, staged: StagedBlob, meta: WriteMeta): Promise<WriteResult> {
  const { path, space: opened } = place;
  const now = ctx.clock.now();
  let outcome: { node: StoredNode; created: boolean; released: string | null };
  try {
    outcome = await ctx.tx.run(async (repos) => {
      const etag = ctx.secrets.id();
      // The size change expected from what the place saw; corrected below if the file changed meanwhile.
      const expected = staged.size - (place.node?.size ?? 0);
      const { space, access, node: existing, parent } = await recheck(repos, place, await repos.spaceTree.take(opened.id, expected, etag, now), now);
      if (!parent) fail('conflict', 'Parent folder does not exist');
      if (existing?.type === 'folder') fail('conflict', 'A folder exists at this path', 'alreadyExists');
      if (!(existing ? access.can.write : access.can.create)) fail('forbidden', 'You are not allowed to write here');
      const delta = staged.size - (existing?.size ?? 0);
      const size = delta === expected ? space.size : await repos.spaceTree.adjust(space.id, delta - expected, etag, now);
      const limit = await quotaLimitOf(repos, space, ctx.settings.defaultQuota);
      if (delta > 0 && limit !== null && size > limit) fail('quotaExceeded', `Insufficient space in ${space.name}`);
      // The replaced content becomes a version (its row takes over the blob) unless versions are off.
      const released = existing ? await keepReplacedContent(ctx, repos, existing, now) : null;
      const node = await putNode(ctx, repos, place, existing, parent!, staged, meta, now);
      await repos.nodes.propagate(space.id, ancestorPaths(path), delta, etag, now);
      if (released) await repos.blobJournal.add([released], blobs.owner, now);
      await recordFileActivity(repos, now, { verb: existing ? 'changed' : 'created', author: place.userId, spaceIds: [space.id], fileId: node.fileId, path });
      return { node, created: !existing, released };
    });
  } catch (err) {
    await blobs.discard(staged);
    throw err;
  }
  await blobs.commit(staged);
  if (outcome.released) await settleBlobs(ctx.repos, blobs, [outcome.released]);
  return { node: publicNode(outcome.node), created: outcome.created };
}

/** The file's row after a write, its author with it: the existing one updated, or a new one under the parent. */
async function putNode(
  ctx: ServiceContext,
  repos: Repositories,
  place: OpenedPlace,
  existing: FileNode | null,
  parent: FileNode,
  staged: StagedBlob,
  meta: WriteMeta,
  now: number,
): Promise<StoredNode> {
  const name = place.path[place.path.length - 1]!;
  const path = joinPath(place.path);
  const fields = writtenFields(ctx, name, staged, meta, now);
  if (existing) {
    await repos.nodes.update(existing.id, fields, { modifiedBy: place.userId });
    return { ...existing, ...fields, path };
  }
  const fileId = await repos.counters.allocate('file_id', 1);
  const node: StoredNode = { id: ctx.secrets.uuid(), fileId, spaceId: place.space.id, parentId: parent.id, name, path, type: 'file', createdAt: now, ...fields };
  await repos.nodes.insert([node], { modifiedBy: place.userId });
  return node;
}
