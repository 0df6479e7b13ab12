import { FOLDER_MIME_TYPE } from '../../../domain/mime.js';
import type { FileNode } from '../../../domain/node.js';
import { type DavCall, isMountRoot, type SpaceTarget } from '../context.js';
import { shareAccess } from '../../../services/access/share-access.js';
import { badRequest, DavError } from '../errors.js';
import { locksCovering } from '../locks.js';
import { propResponse, sendMultistatus } from '../multistatus.js';
import { allProps, LIVE_PROPS, propNames, resolveProps } from '../props/index.js';
import { FAVORITE } from '../props/oc.js';
import type { PropItem, PropScope } from '../props/types.js';
import { type DavLock, lockPath } from '../state.js';
import { child, clark, elements, is, NS_DAV, NS_OC, parseXmlBody, type XmlElement } from '../xml.js';
import { DAV_HEADER } from './options.js';
import { remoteMountItems } from '../remote-mount.js';

export type PropRequest = { kind: 'allprop'; include: Array<{ ns: string; name: string }> } | { kind: 'propname' } | { kind: 'prop'; props: Array<{ ns: string; name: string }> };

/** Depth 0 or 1; a missing header is 1 as in Sabre (getHTTPDepth(1)); infinity is refused (RFC 4918 §9.1 propfind-finite-depth). */
export function propfindDepth(raw: string | undefined): 0 | 1 {
  const v = (raw ?? '1').trim().toLowerCase();
  if (v === '0') return 0;
  if (v === '1') return 1;
  if (v === 'infinity') {
    throw new DavError(403, 'Sabre\\DAV\\Exception\\PreconditionFailed', 'PROPFIND requests with a Depth of infinity are not allowed', {}, '\n  <d:propfind-finite-depth/>');
  }
  throw badRequest('The HTTP Depth header may only be "0", "1" or "infinity"');
}

/** The PROPFIND body: empty means allprop (RFC 4918 §9.1); unknown children of <propfind> are ignored (litmus propextended). */
export function parsePropfind(body: XmlElement | null): PropRequest {
  if (!body) return { kind: 'allprop', include: [] };
  if (!is(body, NS_DAV, 'propfind')) throw badRequest('The root element of a PROPFIND body must be {DAV:}propfind');
  const prop = child(body, NS_DAV, 'prop');
  if (prop) return { kind: 'prop', props: elements(prop).map((e) => ({ ns: e.ns, name: e.name })) };
  if (child(body, NS_DAV, 'propname')) return { kind: 'propname' };
  const include = child(body, NS_DAV, 'include');
  return { kind: 'allprop', include: include ? elements(include).map((e) => ({ ns: e.ns, name: e.name })) : [] };
}

/** `Brief: t` or `Prefer: return=minimal`: only the properties found (Sabre's minimal answer). */
const minimal = (call: DavCall): boolean => call.header('brief')?.toLowerCase() === 't' || /return=minimal/i.test(call.header('prefer') ?? '');

/** PROPFIND: 1 depth, 2 body, 3 resolve the target (404), 4 members, 5 load what the asked properties need, 6 answer 207. */
export async function propfind(call: DavCall): Promise<unknown> {
  call.reply.header('DAV', DAV_HEADER).header('Vary', 'Brief,Prefer');
  if (call.loc.family === 'root') return rootCollection(call);
  const depth = propfindDepth(call.header('depth'));
  const request = parsePropfind(parseXmlBody(call.request.body as Buffer | undefined));
  const t = await call.target();
  const mountRoot = isMountRoot(t);
  const stat = await call.mustStat(t);
  const node = mountRoot ? { ...stat, name: t.mount!.name } : stat;
  const items: PropItem[] = t.fileWrapper
    ? fileWrapperItems(call, t, stat, depth)
    : [{ node, path: t.path, href: call.href(t, t.path, node.type === 'folder'), mountRoot }];
  if (depth === 1 && node.type === 'folder') {
    const members: PropItem[] = [];
    // Below a shared node its members can be deleted and renamed as the share allows, unlike the node itself.
    const via = t.access.viaShare;
    const access = via?.atRoot ? shareAccess(via.permissions, false) : undefined;
    for (const c of await call.files.children(t.place)) {
      const path = [...t.path, c.name];
      members.push({ node: c, path, href: call.href(t, path, c.type === 'folder'), access });
    }
    if (isHomeRoot(call, t)) members.push(...(await mountItems(call, t)), ...(await remoteMountItems(call, t.loc.base)));
    // Code-point order, as Nextcloud lists members (sample 25: upper case first).
    items.push(...members.sort((a, b) => (a.node.name < b.node.name ? -1 : a.node.name > b.node.name ? 1 : 0)));
  }
  const scope = await loadScope(call, t, items, request);
  const drop = minimal(call);
  const responses = items.map((item) => {
    let results =
      request.kind === 'prop'
        ? resolveProps(item, scope, request.props)
        : request.kind === 'propname'
          ? propNames(item, scope)
          : [...allProps(item, scope), ...resolveProps(item, scope, request.include).filter((r) => r.status === 200)];
    if (drop) results = results.filter((r) => r.status === 200);
    return propResponse(item.href, results);
  });
  return sendMultistatus(call.reply, responses);
}

/** oCIS's collection around a shared file (ocdav getPublicFileInfos): the collection, then the file as its only member. */
function fileWrapperItems(call: DavCall, t: SpaceTarget, file: FileNode, depth: 0 | 1): PropItem[] {
  const wrapper: PropItem = { node: { ...file, type: 'folder', name: '', mimeType: FOLDER_MIME_TYPE }, path: t.path, href: `${t.loc.base}/` };
  return depth === 0 ? [wrapper] : [wrapper, { node: file, path: t.path, href: call.href(t, t.path, false) }];
}

const isHomeRoot = (call: DavCall, t: SpaceTarget): boolean =>
  (t.loc.family === 'files' || t.loc.family === 'webdav') && !t.mount && t.spaceId === call.userId && t.path.length === 0;

/** The received shares at the top of the caller's home, named by their mount points. */
async function mountItems(call: DavCall, t: SpaceTarget): Promise<PropItem[]> {
  return (await call.mounts()).map((m) => ({
    node: { ...m.node, name: m.name },
    path: [m.name],
    href: call.href(t, [m.name], m.node.type === 'folder'),
    access: shareAccess(m.permissions, true),
    mountRoot: true,
    spaceId: m.spaceId,
  }));
}

/** `knownDead`: the items' dead properties when the caller read them already (node id → Clark name → value). */
export async function loadScope(call: DavCall, t: SpaceTarget, items: PropItem[], request: PropRequest, knownDead?: Map<string, Map<string, string>>): Promise<PropScope> {
  const wanted = request.kind === 'prop' ? new Set(request.props.map((p) => clark(p.ns, p.name))) : null;
  const wants = (key: string) => wanted === null || wanted.has(key);
  const needsDead = wanted === null || [...wanted].some((k) => !LIVE_PROPS.has(k) || k === FAVORITE);
  const needsQuota = wants(clark(NS_DAV, 'quota-available-bytes'));
  const needsLocks = wanted !== null && wanted.has(clark(NS_DAV, 'lockdiscovery'));
  const needsOwner = wanted !== null && wanted.has('{http://owncloud.org/ns}owner-display-name');
  const needsShareTypes = wanted !== null && wanted.has(clark(NS_OC, 'share-types'));

  const [dead, quota, ownerDisplayName, locks, shareTypes] = await Promise.all([
    knownDead ?? (needsDead ? call.deps.state.props.list(items.map((i) => i.node.id)) : new Map<string, Map<string, string>>()),
    needsQuota ? call.files.quota(t.space) : { used: 0, limit: null },
    needsOwner ? ownerName(call, t) : '',
    needsLocks ? locksFor(call, t, items) : new Map<PropItem, DavLock[]>(),
    needsShareTypes ? shareTypesOf(call, t, items) : new Map<string, number[]>(),
  ]);
  return {
    env: call.deps.env,
    userId: call.userId,
    space: t.space,
    access: t.access,
    quota,
    ownerDisplayName,
    dead,
    shareTypes,
    locksOf: (item) => locks.get(item) ?? [],
    lockHref: (l) => call.href(t, l.path === '' ? [] : l.path.split('/'), false),
    hasPreview: (node) => call.deps.services.previews.available(node),
  };
}

/** The share types on every listed item, one query per space the items come from. */
async function shareTypesOf(call: DavCall, t: SpaceTarget, items: PropItem[]): Promise<Map<string, number[]>> {
  const bySpace = new Map<string, string[]>();
  for (const item of items) {
    const spaceId = item.spaceId ?? t.spaceId;
    bySpace.set(spaceId, [...(bySpace.get(spaceId) ?? []), item.node.id]);
  }
  const out = new Map<string, number[]>();
  for (const [spaceId, nodeIds] of bySpace) {
    for (const [id, types] of await call.deps.services.shares.typesOn(call.userId, spaceId, nodeIds)) out.set(id, types);
  }
  return out;
}

/** Locks covering the target, plus those rooted at each listed member. */
async function locksFor(call: DavCall, t: SpaceTarget, items: PropItem[]): Promise<Map<PropItem, DavLock[]>> {
  const covering = await locksCovering(call, t, t.path);
  const members = items.slice(1);
  const own = members.length ? await call.deps.state.locks.onPaths(t.spaceId, members.map((i) => lockPath(i.path))) : [];
  const out = new Map<PropItem, DavLock[]>();
  out.set(items[0]!, covering);
  const inherited = covering.filter((l) => l.depth === 'infinity');
  for (const item of members) {
    const p = lockPath(item.path);
    out.set(item, [...inherited, ...own.filter((l) => l.path === p)]);
  }
  return out;
}

async function ownerName(call: DavCall, t: SpaceTarget): Promise<string> {
  if (t.space.type !== 'personal') return t.space.name;
  try {
    return (await call.deps.services.users.profileOf(t.space.ownerId)).displayName || t.space.ownerId;
  } catch {
    return t.space.ownerId;
  }
}

/** The collections above the spaces (/remote.php/dav/, /dav/spaces/): a bare collection, so clients probing them see one. */
function rootCollection(call: DavCall): unknown {
  const href = call.request.url.split(/[?#]/, 1)[0]!;
  return sendMultistatus(call.reply, [propResponse(href.endsWith('/') ? href : `${href}/`, [{ ns: NS_DAV, name: 'resourcetype', status: 200, value: { xml: '<d:collection/>' } }])]);
}
