import { fail } from '../../domain/errors.js';
import { joinPath } from '../../domain/file-names.js';
import type { FileNode, PathSegments } from '../../domain/node.js';
import type { Space } from '../../domain/space.js';
import type { StoredNode } from '../../ports/files.js';
import type { Repositories } from '../../ports/repositories.js';
import { publicNode, rootNode, viewOf } from '../access/file-tree.js';
import type { FileAccess, OpenedPlace, SpaceView } from '../access/files.contract.js';

/** The stored paths a place reads: its own and its folder's (the root's folder is the space row itself). */
export const pathsOf = (path: PathSegments): string[] => (path.length === 0 ? [] : path.length === 1 ? [joinPath(path)] : [joinPath(path), joinPath(path.slice(0, -1))]);

function placeOf(userId: string, space: Space, path: PathSegments, access: FileAccess, nodes: StoredNode[], view: SpaceView, locksInSpace: boolean): OpenedPlace {
  const at = (p: string) => nodes.find((n) => n.path === p);
  let node: FileNode | null;
  let parent: FileNode | null | undefined;
  if (path.length === 0) {
    node = publicNode(rootNode(space));
    parent = undefined;
  } else {
    const found = at(joinPath(path));
    node = found ? publicNode(found) : null;
    if (path.length === 1) parent = publicNode(rootNode(space));
    else {
      const folder = at(joinPath(path.slice(0, -1)));
      parent = folder?.type === 'folder' ? publicNode(folder) : null;
    }
  }
  return { userId, space, path: [...path], access, node, parent, view, locksInSpace };
}

/** Opens a path for a caller: the space row and the nodes in one query, the caller's grants from cached reads. */
export async function openPlace(repos: Repositories, userId: string, spaceId: string, path: PathSegments, now: number): Promise<OpenedPlace> {
  const found = await repos.nodes.openAt(spaceId, pathsOf(path));
  if (!found || found.space.disabledAt !== null) fail('notFound', 'Space not found');
  const view = await viewOf(repos, userId, found!.space, now);
  return placeOf(userId, found!.space, path, await view.accessAt(path), found!.nodes, view, found!.locked);
}

/** Another path of an opened place's space: the caller's view is reused, only the nodes are read. */
export async function placeAt(repos: Repositories, place: OpenedPlace, path: PathSegments): Promise<OpenedPlace> {
  if (joinPath(path) === joinPath(place.path) && path.length === place.path.length) return place;
  const access = await place.view.accessAt(path);
  return placeOf(place.userId, place.space, path, access, await repos.nodes.byPaths(place.space.id, pathsOf(path)), place.view, place.locksInSpace);
}

/** A member of an opened folder as a place of its own, without reading anything: the folder's listing already holds it. */
export async function placeOfChild(folder: OpenedPlace, child: FileNode): Promise<OpenedPlace> {
  if (!folder.node || folder.node.type !== 'folder' || child.parentId !== folder.node.id) fail('notFound', 'File not found');
  const path = [...folder.path, child.name];
  return { userId: folder.userId, space: folder.space, path, access: await folder.view.accessAt(path), node: child, parent: folder.node, view: folder.view, locksInSpace: folder.locksInSpace };
}

/** A node by its id (the space id is the root); notFound outside the space. */
export async function placeById(repos: Repositories, userId: string, spaceId: string, nodeId: string, now: number): Promise<OpenedPlace> {
  if (nodeId === spaceId) return openPlace(repos, userId, spaceId, [], now);
  const node = await repos.nodes.byId(nodeId);
  if (!node || node.spaceId !== spaceId) fail('notFound', 'Item not found');
  return openPlace(repos, userId, spaceId, node!.path.split('/'), now);
}

/**
 * Inside a write's transaction, once the space row is taken: the space is
 * still enabled, the caller may still act there (grants from cached reads,
 * fresh across processes), and, unless told otherwise, what is at the path
 * now, which another writer may have changed since the place was opened.
 */
export async function recheck(
  repos: Repositories,
  place: OpenedPlace,
  taken: Space | undefined,
  now: number,
  opts: { nodes: boolean } = { nodes: true },
): Promise<{ space: Space; access: FileAccess; node: FileNode | null; parent: FileNode | null | undefined }> {
  if (!taken || taken.disabledAt !== null) fail('notFound', 'Space not found');
  const view = await viewOf(repos, place.userId, taken!, now);
  const access = await view.accessAt(place.path);
  if (!opts.nodes) return { space: taken!, access, node: place.node, parent: place.parent };
  const fresh = placeOf(place.userId, taken!, place.path, access, await repos.nodes.byPaths(taken!.id, pathsOf(place.path)), view, place.locksInSpace);
  return { space: taken!, access, node: fresh.node, parent: fresh.parent };
}
