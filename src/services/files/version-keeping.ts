import type { FileNode } from '../../domain/node.js';
import type { Repositories } from '../../ports/repositories.js';
import type { ServiceContext } from '../../ports/service-context.js';

/**
 * The writers' side of versions, run inside their transaction. An
 * overwrite hands the replaced content to a version row (the row takes
 * over the blob, so nothing is copied and nothing is released); with
 * versions switched off the blob is released as before.
 */

/** Before a file's row changes: keeps its content as a version. Answers the blob the caller must release, if any. */
export async function keepReplacedContent(ctx: ServiceContext, repos: Repositories, existing: FileNode, now: number): Promise<string | null> {
  if (!existing.blobId) return null;
  if (ctx.settings.versions.enabled && (await repos.versions.keep(existing.id, now))) return null;
  return existing.blobId;
}

/**
 * A MOVE or COPY that replaces a file: the file's history goes to the node
 * now at its path (its versions, and its content as the newest of them).
 * Call before the replaced node's row is deleted. Answers true when the
 * replaced blob is kept (not to be released).
 */
export async function handOverHistory(ctx: ServiceContext, repos: Repositories, replaced: FileNode, successorId: string, now: number): Promise<boolean> {
  if (!ctx.settings.versions.enabled || replaced.type !== 'file') return false;
  const kept = await repos.versions.keep(replaced.id, now);
  await repos.versions.reassign(replaced.id, successorId);
  return kept !== null;
}

/** Nodes that leave the tree for good: their versions go with them. Answers the blobs to journal and release. */
export function dropVersionsOf(repos: Repositories, nodeIds: string[]): Promise<string[]> {
  return nodeIds.length ? repos.versions.removeOfNodes(nodeIds) : Promise.resolve([]);
}
