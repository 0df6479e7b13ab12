import type { FileNode, PathSegments } from '../../domain/node.js';
import { isExpired, type ReceivedShare, type Share, SHARE_STATE, uniqueName } from '../../domain/share.js';
import type { Space } from '../../domain/space.js';
import type { StoredNode } from '../../ports/files.js';
import type { Repositories } from '../../ports/repositories.js';
import { publicNode, rootNode } from './file-tree.js';

/**
 * A received share as the recipient's tree shows it: a folder or file at the
 * top of their home, named after the shared node (Nextcloud mounts shares
 * into the recipient's root). Shares of one node received several times
 * (directly and through groups) are one mount with the union of permissions.
 */
export interface Mount {
  /** The representative share: the oldest of those on the node. */
  share: ReceivedShare;
  /** Every share the mount stands for. */
  shares: ReceivedShare[];
  permissions: number;
  name: string;
  spaceId: string;
  /** Space-relative path of the shared node. */
  path: string[];
  node: FileNode;
}

/** Where a path of a user's home view points: their personal space, or into a mounted share. */
export interface ViewTarget {
  spaceId: string;
  path: string[];
  mount: Mount | null;
}

/** The user's accepted, unexpired received shares, named uniquely in share order. */
export async function mountsOf(repos: Repositories, userId: string, now: number): Promise<Mount[]> {
  const groups = await repos.groups.groupsOfUser(userId);
  return buildMounts(repos, await repos.shares.receivedBy(userId, groups), now);
}

/**
 * Mounts from a received list already loaded (`receivedBy`, any state);
 * `knownNodes` may carry the shared nodes when the caller has them, so
 * listing a thousand received shares reads each table once.
 */
export async function buildMounts(repos: Repositories, all: ReceivedShare[], now: number, knownNodes?: ReadonlyMap<string, StoredNode>): Promise<Mount[]> {
  const received = all.filter((s) => s.state === SHARE_STATE.accepted && !isExpired(s, now));
  if (!received.length) return [];
  const byNode = new Map<string, ReceivedShare[]>();
  for (const s of received) {
    const key = `${s.spaceId}/${s.nodeId}`;
    const list = byNode.get(key);
    if (list) list.push(s);
    else byNode.set(key, [s]);
  }
  const nodes = knownNodes ?? (await nodesOf(repos, received));
  const spaces = new Map<string, Space | undefined>();
  const taken = new Set<string>();
  const mounts: Mount[] = [];
  for (const shares of byNode.values()) {
    const first = shares[0]!;
    let node: FileNode;
    let path: string[];
    if (first.nodeId === first.spaceId) {
      if (!spaces.has(first.spaceId)) spaces.set(first.spaceId, await repos.spaces.findById(first.spaceId));
      const space = spaces.get(first.spaceId);
      if (!space || space.disabledAt !== null) continue;
      node = publicNode(rootNode(space));
      path = [];
    } else {
      const stored = nodes.get(first.nodeId);
      if (!stored || stored.spaceId !== first.spaceId) continue;
      node = publicNode(stored);
      path = stored.path.split('/');
    }
    const name = uniqueName(shares.find((s) => s.mountName !== s.targetName)?.mountName ?? first.mountName, taken);
    taken.add(name);
    mounts.push({ share: first, shares, permissions: shares.reduce((p, s) => p | s.permissions, 0), name, spaceId: first.spaceId, path, node });
  }
  return mounts;
}

/** The stored nodes the shares point at (space roots have none), by id. */
export async function nodesOf(repos: Repositories, shares: readonly Share[]): Promise<Map<string, StoredNode>> {
  const ids = [...new Set(shares.filter((s) => s.nodeId !== s.spaceId).map((s) => s.nodeId))];
  return new Map((await repos.nodes.byIds(ids)).map((n) => [n.id, n]));
}

/** Resolves a path of the user's home view: a first segment naming a mount leads into the shared node, anything else stays in the personal space. */
export function resolveInView(mounts: Mount[], userId: string, segments: PathSegments): ViewTarget {
  if (segments.length > 0) {
    const mount = mounts.find((m) => m.name === segments[0]);
    if (mount) return { spaceId: mount.spaceId, path: [...mount.path, ...segments.slice(1)], mount };
  }
  return { spaceId: userId, path: [...segments], mount: null };
}

/** The inverse: where a place of a space shows in the user's home view, or null when it is outside their home and mounts. */
export function viewPathOf(mounts: Mount[], userId: string, spaceId: string, path: readonly string[]): string[] | null {
  if (spaceId === userId) return [...path];
  for (const m of mounts) {
    if (m.spaceId === spaceId && m.path.length <= path.length && m.path.every((seg, i) => path[i] === seg)) return [m.name, ...path.slice(m.path.length)];
  }
  return null;
}
