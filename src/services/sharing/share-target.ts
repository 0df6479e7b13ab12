import { DomainError, fail } from '../../domain/errors.js';
import { joinPath } from '../../domain/file-names.js';
import type { FileNode, PathSegments } from '../../domain/node.js';
import type { Space } from '../../domain/space.js';
import type { Repositories } from '../../ports/repositories.js';
import { openTree, publicNode, rootNode } from '../access/file-tree.js';
import type { FileAccess } from '../access/files.contract.js';
import { mountsOf, resolveInView } from '../access/share-mounts.js';

/** Where the item to share is: a path of the caller's home (OCS), or a node of a space (Graph). */
export type ShareSubject = { viewPath: PathSegments } | { spaceId: string; nodeId: string };

/** The item a subject names, with the caller's rights on it. */
export interface ShareTarget {
  space: Space;
  node: FileNode;
  /** Space-relative path; [] for the space root. */
  path: string[];
  access: FileAccess;
  /** The path as the caller names it, for messages. */
  displayPath: string;
}

const notReachable = (): never => fail('notFound', 'the item does not exist or is out of reach', 'itemNotFound');
export const rootRefused = (): never => fail('forbidden', 'a home folder itself cannot be shared', 'rootNotShareable');

/** The node a subject names; "not found" when the caller cannot reach it, refused for the caller's home root itself. */
export async function resolveTarget(repos: Repositories, userId: string, subject: ShareSubject, now: number): Promise<ShareTarget> {
  let spaceId: string;
  let path: string[];
  let displayPath: string;
  if ('viewPath' in subject) {
    const target = resolveInView(await mountsOf(repos, userId, now), userId, subject.viewPath);
    if (subject.viewPath.length === 0) rootRefused();
    ({ spaceId, path } = target);
    displayPath = `/${joinPath(subject.viewPath)}`;
  } else {
    spaceId = subject.spaceId;
    if (subject.nodeId === spaceId) path = [];
    else {
      const node = await repos.nodes.byId(subject.nodeId);
      if (!node || node.spaceId !== spaceId) notReachable();
      path = node!.path.split('/');
    }
    displayPath = `/${path.join('/')}`;
  }
  let tree;
  try {
    tree = await openTree(repos, userId, spaceId, now, path);
  } catch (err) {
    if (err instanceof DomainError && err.code === 'notFound') notReachable();
    throw err;
  }
  const space = tree!.space;
  const stored = path.length === 0 ? rootNode(space) : await repos.nodes.byPath(spaceId, joinPath(path));
  if (!stored) notReachable();
  return { space, node: publicNode(stored!), path, access: tree!.access, displayPath };
}
