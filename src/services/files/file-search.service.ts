import { type FileSearch, MAX_SEARCH_RESULTS, type SearchOrder, type SearchScope } from '../../domain/file-search.js';
import { favoriteKey } from '../../domain/favorites.js';
import type { StoredNode } from '../../ports/files.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { mountsOf, resolveInView, viewPathOf } from '../access/share-mounts.js';

const segments = (path: string): string[] => (path === '' ? [] : path.split('/'));

function compare(order: SearchOrder[]): (a: { node: StoredNode; homePath: string[] }, b: { node: StoredNode; homePath: string[] }) => number {
  const value = (n: StoredNode, f: SearchOrder['field']): string | number => (f === 'name' ? n.name.toLowerCase() : f === 'mime' ? n.mimeType : f === 'mtime' ? n.mtime : n.size);
  return (a, b) => {
    for (const o of order) {
      const x = value(a.node, o.field);
      const y = value(b.node, o.field);
      if (x !== y) return (x < y ? -1 : 1) * (o.desc ? -1 : 1);
    }
    const p = a.homePath.join('/');
    const q = b.homePath.join('/');
    return p < q ? -1 : p > q ? 1 : 0;
  };
}

/**
 * Search in a caller's home as their WebDAV tree shows it (Nextcloud's
 * SEARCH with a /files/{user}/… scope): their personal space below the
 * scope, and, when the scope is their root, the received shares mounted
 * there, each under its mount name. One query per space reached; the
 * front door still opens every hit as the caller before it shows it.
 */
export class FileSearchService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Home paths of the hits, in the search's order, its offset and limit applied; `depthOne` keeps the scope's direct members only. */
  async inHome(userId: string, scopePath: string[], search: FileSearch, depthOne = false): Promise<string[][]> {
    const mounts = await mountsOf(this.ctx.repos, userId, this.ctx.clock.now());
    const target = resolveInView(mounts, userId, scopePath);
    const scopes: SearchScope[] = [{ spaceId: target.spaceId, path: target.path.join('/') }];
    // From the root, every mounted share too, the shared node itself included: it shows as the mount.
    if (!target.mount && scopePath.length === 0) for (const m of mounts) scopes.push({ spaceId: m.spaceId, path: m.path.join('/'), withRoot: true });
    const max = Math.min(MAX_SEARCH_RESULTS, search.offset + (search.limit ?? MAX_SEARCH_RESULTS));
    const key = favoriteKey(userId);
    const hits: Array<{ node: StoredNode; homePath: string[] }> = [];
    for (const scope of scopes) {
      for (const node of await this.ctx.repos.nodeSearch.search(scope, search, key, max)) {
        const homePath = viewPathOf(mounts, userId, node.spaceId, segments(node.path));
        if (!homePath || homePath.length <= scopePath.length || (depthOne && homePath.length !== scopePath.length + 1)) continue;
        // A shared node is sorted under the name it has in the home: its mount's.
        const mount = scope.withRoot && node.path === scope.path ? mounts.find((m) => m.spaceId === node.spaceId && m.path.join('/') === node.path) : undefined;
        hits.push({ node: mount ? { ...node, name: mount.name } : node, homePath });
      }
    }
    hits.sort(compare(search.order));
    return hits.slice(search.offset, search.limit === undefined ? undefined : search.offset + search.limit).map((h) => h.homePath);
  }
}
