import { favoriteKey } from '../../domain/favorites.js';
import type { DavLock } from '../../domain/lock.js';
import type { FileNode } from '../../domain/node.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { publicNode } from '../access/file-tree.js';

/**
 * What WebDAV keeps beside the tree: dead properties (by node id, so they
 * follow a node when it moves) and write locks (by space and path). Both are
 * rows, so every process sees the same locks.
 */
export class DavStateService {
  constructor(private readonly ctx: ServiceContext) {}

  readonly locks = {
    near: async (spaceId: string, path: string, descendants: boolean): Promise<DavLock[]> => {
      const segments = path === '' ? [] : path.split('/');
      const paths = [''];
      for (let i = 1; i <= segments.length; i++) paths.push(segments.slice(0, i).join('/'));
      const now = this.ctx.clock.now();
      const found = await this.ctx.repos.davLocks.onPaths(spaceId, paths, now);
      return descendants ? [...found, ...(await this.ctx.repos.davLocks.below(spaceId, path, now))] : found;
    },
    onPaths: (spaceId: string, paths: string[]): Promise<DavLock[]> => this.ctx.repos.davLocks.onPaths(spaceId, paths, this.ctx.clock.now()),
    byToken: (token: string): Promise<DavLock | undefined> => this.ctx.repos.davLocks.byToken(token, this.ctx.clock.now()),
    create: async (lock: DavLock): Promise<void> => {
      await this.ctx.repos.davLocks.pruneExpired(this.ctx.clock.now());
      await this.ctx.repos.davLocks.insert(lock);
    },
    refresh: (token: string, timeout: number, expiresAt: number): Promise<void> => this.ctx.repos.davLocks.refresh(token, timeout, expiresAt),
    remove: (token: string): Promise<void> => this.ctx.repos.davLocks.remove(token),
    removeUnder: (spaceId: string, path: string): Promise<void> => this.ctx.repos.davLocks.removeUnder(spaceId, path),
  };

  readonly props = {
    list: async (nodeIds: string[]): Promise<Map<string, Map<string, string>>> => {
      const out = new Map<string, Map<string, string>>();
      for (const r of await this.ctx.repos.davProperties.list(nodeIds)) {
        let m = out.get(r.nodeId);
        if (!m) out.set(r.nodeId, (m = new Map()));
        m.set(r.name, r.value);
      }
      return out;
    },
    /** Which of the nodes the user marked as favorites. */
    favoritesOf: async (userId: string, nodeIds: string[]): Promise<Set<string>> => {
      const key = favoriteKey(userId);
      const rows = nodeIds.length ? await this.ctx.repos.davProperties.list(nodeIds) : [];
      return new Set(rows.filter((r) => r.name === key && r.value === '1').map((r) => r.nodeId));
    },
    /** Every node the user marked as a favorite, wherever it is, with its dead properties (Clark name → value): the caller checks they may still see it. */
    favoriteNodes: async (userId: string, allProperties = true): Promise<Array<{ node: FileNode; spaceId: string; path: string[]; properties: Map<string, string> }>> => {
      const key = favoriteKey(userId);
      const found = await this.ctx.repos.davProperties.nodesWith(key, '1', allProperties);
      // Without the other properties every node carries the same one: one map serves them all (10,000 favourites).
      const markOnly = allProperties ? null : new Map([[key, '1']]);
      return found.map(({ node, properties }) => ({
        node: publicNode(node),
        spaceId: node.spaceId,
        path: node.path === '' ? [] : node.path.split('/'),
        properties: markOnly ?? new Map(properties.map((p) => [p.name, p.value])),
      }));
    },
    patch: (nodeId: string, changes: Array<{ name: string; value: string | null }>): Promise<void> =>
      this.ctx.tx.run(async (repos) => {
        for (const c of changes) {
          if (c.value === null) await repos.davProperties.remove(nodeId, c.name);
          else await repos.davProperties.set(nodeId, c.name, c.value);
        }
      }),
  };
}
