import { MAX_SEARCH_RESULTS } from '../../../domain/file-search.js';
import { KqlError, parseKql } from '../../../domain/kql.js';
import type { SpaceHit, SpacesSearchLimits } from '../../../services/files/file-search.service.js';
import { type DavCall, shareJailRef } from '../context.js';
import { nameScore } from '../../../domain/search-score.js';
import type { SearchCondition } from '../../../domain/file-search.js';
import { DavError } from '../errors.js';
import { encodePath, encodeSegment } from '../location.js';
import { MULTISTATUS_OPEN, MULTISTATUS_CLOSE, propResponse, type PropResult } from '../multistatus.js';
import { permissionLetters } from '../props/oc.js';
import { elements, NS_DAV, NS_OC, textOf, type XmlElement } from '../xml.js';

const bad = (message: string): DavError => new DavError(400, 'Sabre\\DAV\\Exception\\BadRequest', message);

/** What oCIS's search service pages by when the client names no limit. */
export const DEFAULT_SEARCH_LIMIT = 200;

/** The body ownCloud Web sends (web-client webdav/client/builders.ts): `<oc:search-files><d:prop/><oc:search><oc:pattern/><oc:limit/></oc:search>`. */
export function isSearchFiles(body: XmlElement | null): body is XmlElement {
  return body !== null && body.name === 'search-files';
}

/** ocis webdav search.go reads the children by local name, whatever their namespace. */
const byName = (el: XmlElement, name: string): XmlElement | undefined => elements(el).find((c) => c.name === name);

function number(el: XmlElement | undefined, what: string): number {
  if (!el) return 0;
  const text = textOf(el).trim();
  if (text === '') return 0;
  if (!/^\d{1,9}$/.test(text)) throw bad(`${what} must be a whole number`);
  return Number(text);
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * REPORT oc:search-files, as oCIS's webdav service answers it
 * (owncloud/ocis services/webdav/pkg/service/v0/search.go): on
 * /remote.php/dav/spaces/ (every space of the caller, what ownCloud Web
 * sends), on one space's URL (that space, below the path), or on the
 * caller's files URL (every space, as oCIS routes it there too). The
 * pattern is KQL (domain/kql.ts). The answer is a fixed set of properties
 * per hit, whatever `d:prop` asks, as oCIS writes them, with
 * `Content-Range: rows 0-{n-1}/{total}`. Hits in a received share are named
 * as oCIS names them, in its share jail below the share
 * (`/remote.php/dav/spaces/{jail}!{shareId}/…`, which Nimbus serves too),
 * with the share's oc:shareid and oc:shareroot. oc:score is a plain name
 * relevance (domain/search-score.ts); there are no highlights (oCIS has them
 * only from content extraction) and no tags, so oc:highlights and oc:tags
 * are not written.
 */
export async function searchFiles(call: DavCall, body: XmlElement): Promise<unknown> {
  const { loc, deps } = call;
  const limits: SpacesSearchLimits = {};
  if (loc.family === 'spaces') {
    const target = await call.target();
    const node = await call.mustStat(target);
    limits.spaceId = target.spaceId;
    if (target.path.length > 0) limits.within = [{ spaceId: target.spaceId, nodeId: node.id }];
  } else if (loc.family === 'files') {
    await call.target();
  } else if (!(loc.family === 'webdav' || (loc.family === 'root' && loc.ref === 'spaces' && loc.path.length === 1))) {
    throw new DavError(501, 'Sabre\\DAV\\Exception\\NotImplemented', 'search-files is answered on the spaces and files collections');
  }
  const search = byName(body, 'search');
  const patternEl = search && byName(search, 'pattern');
  if (!patternEl) throw bad('missing search pattern');
  const requested = number(byName(search, 'limit'), 'oc:limit');
  const offset = number(byName(search, 'offset'), 'oc:offset');
  const limit = Math.min(requested === 0 ? DEFAULT_SEARCH_LIMIT : requested, MAX_SEARCH_RESULTS);
  let query;
  try {
    query = parseKql(textOf(patternEl), Date.now());
  } catch (err) {
    if (err instanceof KqlError) throw bad(err.message);
    throw err;
  }
  for (const s of query.scopes) {
    const id = parseResourceId(s, deps.env.storageId);
    if (!id) throw bad(`scope: ${s} is not a resource id`);
    (limits.within ??= []).push(id);
  }
  const { hits, total } = await deps.services.fileSearch.acrossSpaces(call.userId, { where: query.where, order: [], limit, offset }, limits);
  const responses: string[] = [];
  for (const hit of hits) {
    const response = await hitResponse(call, hit, query.where);
    if (response) responses.push(response);
  }
  if (responses.length > 0) call.reply.header('content-range', `rows ${offset}-${offset + responses.length - 1}/${total}`);
  return call.reply
    .code(207)
    .type('application/xml; charset=utf-8')
    .send(MULTISTATUS_OPEN + responses.join('') + MULTISTATUS_CLOSE);
}

/** `storage$space!node`, `space!node` or a space id alone (its root), as the web app passes the current folder's id. */
export function parseResourceId(raw: string, storageId: string): { spaceId: string; nodeId: string } | null {
  const bang = raw.indexOf('!');
  const spacePart = bang < 0 ? raw : raw.slice(0, bang);
  const dollar = spacePart.indexOf('$');
  if (dollar >= 0 && spacePart.slice(0, dollar) !== storageId) return null;
  const spaceId = dollar >= 0 ? spacePart.slice(dollar + 1) : spacePart;
  const nodeId = bang < 0 ? spaceId : raw.slice(bang + 1);
  return spaceId && nodeId ? { spaceId, nodeId } : null;
}

/** One hit as oCIS's matchToPropResponse writes it; the hit is opened as the caller first, so what they may no longer read is left out. */
async function hitResponse(call: DavCall, { node, mount }: SpaceHit, where: SearchCondition | null): Promise<string | null> {
  const path = node.path === '' ? [] : node.path.split('/');
  const place = await call.open(node.spaceId, path).catch(() => null);
  if (!place || !place.access.can.read) return null;
  const storage = call.deps.env.storageId;
  const id = (nodeId: string) => `${storage}$${node.spaceId}!${nodeId}`;
  const folder = node.type === 'folder';
  const mountRoot = mount !== null && mount.path.join('/') === node.path;
  const ok = (ns: string, name: string, value: PropResult['value']): PropResult => ({ ns, name, status: 200, value });
  const props: PropResult[] = [ok(NS_OC, 'fileid', id(node.id))];
  if (node.parentId !== null) props.push(ok(NS_OC, 'file-parent', id(node.parentId)));
  if (mount) props.push(ok(NS_OC, 'shareid', mount.share.id), ok(NS_OC, 'shareroot', mount.name), ok(NS_OC, 'remote-item-id', id(mount.node.id)));
  props.push(
    ok(NS_OC, 'name', mountRoot ? mount.name : node.name),
    ok(NS_DAV, 'getlastmodified', iso(node.mtime)),
    ok(NS_DAV, 'getcontenttype', folder ? 'httpd/unix-directory' : node.mimeType),
    ok(NS_OC, 'permissions', permissionLetters(node, place.access, mountRoot)),
    ok(NS_DAV, 'getetag', `"${node.etag}"`),
    ok(NS_DAV, 'resourcetype', folder ? { xml: '<d:collection/>' } : null),
    folder ? ok(NS_OC, 'size', String(node.size)) : ok(NS_DAV, 'getcontentlength', String(node.size)),
    // strconv.FormatFloat(score, 'f', -1, 64): 1, 0.75, …
    ok(NS_OC, 'score', String(nameScore(where, mountRoot ? mount.name : node.name))),
  );
  // oCIS: path.Join("/remote.php/dav/spaces/", ref), so no trailing slash on folders; in a share the ref is the
  // jail's `{jail}!{shareId}` and the path below the shared node (search service.go, searchIndex).
  const [space, below] = mount ? [shareJailRef(encodeSegment(mount.share.id)), path.slice(mount.path.length)] : [`${encodeSegment(storage)}$${encodeSegment(node.spaceId)}`, path];
  const href = `/remote.php/dav/spaces/${space}${below.length ? `/${encodePath(below)}` : ''}`;
  return propResponse(href, props);
}
