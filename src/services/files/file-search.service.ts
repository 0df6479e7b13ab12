import { type FileSearch, MAX_SEARCH_RESULTS, type SearchOrder, type SearchScope } from '../../domain/file-search.js';
import { favoriteKey } from '../../domain/favorites.js';
import type { StoredNode } from '../../ports/files.js';
import type { ServiceContext } from '../../ports/service-context.js';
import type { Space } from '../../domain/space.js';
import { type Mount, mountsOf, resolveInView, viewPathOf } from '../access/share-mounts.js';

const segments = (path: string): string[] => (path === '' ? [] : path.split('/'));
const below = (path: string, root: string): boolean => root === '' || path === root || path.startsWith(`${root}/`);

/** A hit of a search over every space of the caller: the node, and the received share it was reached through (null in a space they belong to). */
export interface SpaceHit {
  node: StoredNode;
  mount: Mount | null;
}

/** Where a search over the caller's spaces may be narrowed to. */
export interface SpacesSearchLimits {
  /** One space only (the REPORT's URL named it). */
  spaceId?: string;
  /** Below each of these nodes (KQL `scope:`), by space and node id. */
  within?: Array<{ spaceId: string; nodeId: string }>;
}

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

  /**
   * Search over every space the caller reaches, as oCIS's search service
   * answers ownCloud Web: their personal space, the project spaces they are
   * a member of (directly or through a group; enabled ones only), and the
   * received shares they accepted, below the shared node. A share inside a
   * space they are a member of, or inside another share of theirs, is not
   * searched twice. Hits are in that order of scopes, by path within each;
   * `total` counts every match, past the page.
   */
  async acrossSpaces(userId: string, search: FileSearch, limits: SpacesSearchLimits = {}): Promise<{ hits: SpaceHit[]; total: number }> {
    const repos = this.ctx.repos;
    const groups = await repos.groups.groupsOfUser(userId);
    const member = (await repos.spaces.listForPrincipal(userId, groups)).filter((s) => s.disabledAt === null);
    const personal = member.some((s) => s.id === userId) ? undefined : await repos.spaces.findById(userId);
    const spaces: Space[] = [...(personal && personal.disabledAt === null ? [personal] : []), ...member];
    spaces.sort((a, b) => (a.type === 'personal' ? 0 : 1) - (b.type === 'personal' ? 0 : 1));
    const memberIds = new Set(spaces.map((s) => s.id));
    const mounts = (await mountsOf(repos, userId, this.ctx.clock.now())).filter((m) => !memberIds.has(m.spaceId));
    const outer = mounts.filter((m) => !mounts.some((o) => o !== m && o.spaceId === m.spaceId && o.path.length < m.path.length && below(m.path.join('/'), o.path.join('/'))));
    let scopes: Array<SearchScope & { mount: Mount | null }> = [
      ...spaces.map((s) => ({ spaceId: s.id, path: '', mount: null })),
      ...outer.map((m) => ({ spaceId: m.spaceId, path: m.path.join('/'), withRoot: true, mount: m })),
    ];
    if (limits.spaceId !== undefined) scopes = scopes.filter((s) => s.spaceId === limits.spaceId);
    for (const w of limits.within ?? []) {
      const [node] = w.nodeId === w.spaceId ? [{ spaceId: w.spaceId, path: '' }] : await repos.nodes.byIds([w.nodeId]);
      const at = node && node.spaceId === w.spaceId ? node.path : null;
      scopes = at === null ? [] : scopes.flatMap((s) => {
        if (s.spaceId !== w.spaceId) return [];
        if (below(at, s.path)) return [{ ...s, path: at, withRoot: false }];
        return below(s.path, at) ? [s] : [];
      });
    }
    const max = Math.min(MAX_SEARCH_RESULTS, search.offset + (search.limit ?? MAX_SEARCH_RESULTS));
    const key = favoriteKey(userId);
    const hits: SpaceHit[] = [];
    let total = 0;
    for (const scope of scopes) {
      const [found, count] = await Promise.all([repos.nodeSearch.search(scope, search, key, max), repos.nodeSearch.count(scope, search, key)]);
      total += count;
      for (const node of found) if (hits.length < max) hits.push({ node, mount: scope.mount });
    }
    return { hits: hits.slice(search.offset, search.offset + (search.limit ?? MAX_SEARCH_RESULTS)), total };
  }

  /** Which substring index serves name searches (null: they scan), for the log at start. */
  nameIndex() {
    return this.ctx.repos.nodeSearch.nameIndex();
  }
}
