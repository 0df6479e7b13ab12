import type { BlobStore } from '../../ports/files.js';
import type { Repositories } from '../../ports/repositories.js';

/** Whether any row still holds the blob: a file (live or trashed) or a version. */
export const isReferenced = async (repos: Repositories, blobId: string): Promise<boolean> => (await repos.nodes.isBlobReferenced(blobId)) || (await repos.versions.holdsBlob(blobId));

/**
 * The blob journal's second half: a journaled blob that no row references
 * is deleted, then its entry goes. Called by the writer once its
 * transaction has settled, and at start for entries of processes that died
 * before they could.
 */
export async function settleBlobs(repos: Repositories, blobs: BlobStore, blobIds: readonly string[]): Promise<void> {
  const done: string[] = [];
  for (const id of blobIds) {
    if (!(await isReferenced(repos, id))) await blobs.remove(id);
    done.push(id);
  }
  if (done.length) await repos.blobJournal.remove(done);
}

/** Start-up cleanup: staging files and journal entries left by processes that are gone. */
export async function recoverStorage(repos: Repositories, blobs: BlobStore): Promise<{ stagingFiles: number; blobsSettled: number }> {
  const stagingFiles = await blobs.sweepStaging(async (ids) => {
    const used = new Set<string>();
    for (const id of ids) if (await isReferenced(repos, id)) used.add(id);
    return used;
  });
  const orphaned = (await repos.blobJournal.list()).filter((e) => blobs.ownerGone(e.owner, e.createdAt)).map((e) => e.blobId);
  await settleBlobs(repos, blobs, orphaned);
  return { stagingFiles, blobsSettled: orphaned.length };
}
