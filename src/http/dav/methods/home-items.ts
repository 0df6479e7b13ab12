import type { FileNode } from '../../../domain/node.js';
import { resolveInView } from '../../../services/access/share-mounts.js';
import { type DavCall, isMountRoot, type SpaceTarget } from '../context.js';
import { locksCovering } from '../locks.js';
import { type DavLocation, encodeSegment } from '../location.js';
import { propResponse } from '../multistatus.js';
import { allProps, planProps, renderPlanned, resolveProps } from '../props/index.js';
import type { PropItem, PropScope } from '../props/types.js';
import type { DavLock } from '../state.js';
import { clark, NS_DAV } from '../xml.js';
import { loadScope, type PropRequest } from './propfind.js';

/**
 * Multistatus responses for paths of the caller's home (SEARCH hits): each
 * opened as the caller at its place, so only what they may still read is
 * listed, a mount point under its mount name.
 */
export async function homeResponses(call: DavCall, home: DavLocation, paths: string[][], props: PropRequest): Promise<string[]> {
  const responses: string[] = [];
  for (const path of paths) {
    const at = await call.target({ ...home, path }).catch(() => null);
    const node = at && (await call.stat(at).catch(() => null));
    if (!at || !node) continue;
    const mountRoot = isMountRoot(at);
    const item: PropItem = { node: mountRoot ? { ...node, name: at.mount!.name } : node, path: at.path, href: call.href(at, at.path, node.type === 'folder'), mountRoot };
    const scope = await loadScope(call, at, [item], props);
    responses.push(propResponse(item.href, props.kind === 'prop' ? resolveProps(item, scope, props.props) : allProps(item, scope)));
  }
  return responses;
}

/** A node already read (a favourite) with its dead properties, at its path in the caller's home. */
export interface KnownHomeNode {
  homePath: string[];
  node: FileNode;
  properties: Map<string, string>;
}

/**
 * homeResponses for nodes already read in one query (REPORT favourites):
 * the nodes are grouped by where they show in the home (the caller's own
 * space, or one mounted share), each group's space is opened once and the
 * caller's access to every node is worked out from that one view (in
 * memory), and the dead properties come with the nodes. What is
 * listed and how is what homeResponses gives for the same paths: a node the
 * caller may not read (any more) is left out. Everything that reads or may
 * fail is done here; the responses are written as they are pulled
 * (sendMultistatusStream), in the order of `known`.
 */
export async function knownHomeResponses(call: DavCall, home: DavLocation, known: KnownHomeNode[], props: PropRequest): Promise<Iterable<string>> {
  const mounts = await call.mounts();
  const groups = new Map<string, { root: string[]; members: Array<{ at: number; path: string[]; node: FileNode }> }>();
  known.forEach((k, at) => {
    const view = resolveInView(mounts, call.userId, k.homePath);
    const key = view.mount ? `mount:${view.mount.name}` : `space:${view.spaceId}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { root: view.mount ? [view.mount.name] : [], members: [] }));
    group.members.push({ at, path: view.path, node: k.node });
  });
  const listed: Array<{ item: PropItem; scope: PropScope } | undefined> = new Array(known.length);
  for (const group of groups.values()) {
    const t = await call.target({ ...home, path: group.root }).catch(() => null);
    if (!t) continue;
    const mountPath = t.mount?.path;
    const items: Array<{ at: number; item: PropItem }> = [];
    const hrefs = folderHrefs(call, t);
    for (const m of group.members) {
      const access = await t.place.view.accessAt(m.path).catch(() => null);
      if (!access?.can.read) continue;
      const mountRoot = mountPath !== undefined && m.path.length === mountPath.length && m.path.every((s, i) => s === mountPath[i]);
      const node = mountRoot ? { ...m.node, name: t.mount!.name } : m.node;
      items.push({ at: m.at, item: { node, path: m.path, href: hrefs(m.path, node.type === 'folder'), mountRoot, access } });
    }
    if (!items.length) continue;
    const dead = new Map(items.map((i) => [i.item.node.id, known[i.at]!.properties]));
    const scope = await loadScope(call, t, items.map((i) => i.item), props, dead);
    const locks = await locksOfEach(call, t, items.map((i) => i.item), props);
    if (locks) scope.locksOf = (item) => locks.get(item) ?? [];
    for (const { at, item } of items) listed[at] = { item, scope };
  }
  const plan = props.kind === 'prop' ? planProps(props.props) : null;
  return (function* () {
    for (const l of listed) if (l) yield plan ? renderPlanned(l.item, l.scope, plan) : propResponse(l.item.href, allProps(l.item, l.scope));
  })();
}

/**
 * call.href for many paths of one target, each folder's encoded href kept
 * for the next member of the same folder (favourites come by the thousand
 * from few folders).
 */
function folderHrefs(call: DavCall, t: SpaceTarget): (path: string[], folder: boolean) => string {
  const parents = new Map<string, string>();
  return (path, folder) => {
    // The mount's node itself (and above it) is named by the mount, not below a parent.
    if (path.length <= (t.view?.spaceRoot.length ?? 0)) return call.href(t, path, folder);
    const parentPath = path.slice(0, -1);
    const key = parentPath.join('/');
    let parent = parents.get(key);
    if (parent === undefined) parents.set(key, (parent = call.href(t, parentPath, true)));
    const name = encodeSegment(path[path.length - 1]!);
    // A folder's href ends with a slash (hrefOf), so the member's name follows it.
    return `${parent}${name}${folder ? '/' : ''}`;
  };
}

/** d:lockdiscovery of each node on its own (loadScope lists the first item's covering locks and the others' own). */
async function locksOfEach(call: DavCall, t: SpaceTarget, items: PropItem[], props: PropRequest): Promise<Map<PropItem, DavLock[]> | null> {
  if (props.kind !== 'prop' || !props.props.some((p) => clark(p.ns, p.name) === clark(NS_DAV, 'lockdiscovery'))) return null;
  const out = new Map<PropItem, DavLock[]>();
  for (const item of items) out.set(item, await locksCovering(call, t, item.path));
  return out;
}
