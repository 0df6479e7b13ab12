import type { DavCall } from '../context.js';
import { badRequest, DavError } from '../errors.js';
import { sendMultistatusStream } from '../multistatus.js';
import { LIVE_PROPS } from '../props/index.js';
import { viewPathOf } from '../../../services/access/share-mounts.js';
import { child, clark, elements, is, NS_DAV, NS_NC, NS_OC, parseXmlBody, textOf } from '../xml.js';
import { type KnownHomeNode, knownHomeResponses } from './home-items.js';
import { isSearchFiles, searchFiles } from './search-files.js';
import type { PropRequest } from './propfind.js';
import { notImplemented } from './unhandled.js';

/** sabre/dav's ReportNotSupported: a report no plugin answers (415 with the supported-report precondition). */
const reportNotSupported = (): DavError => new DavError(415, 'Sabre\\DAV\\Exception\\ReportNotSupported', '', {}, '\n  <d:supported-report/>');

interface FilterFiles {
  props: PropRequest;
  favorite: boolean;
  systemTags: number;
  limit?: number;
  offset?: number;
}

function parseFilterFiles(body: ReturnType<typeof parseXmlBody>): FilterFiles | null {
  if (!body) return null;
  if (!is(body, NS_OC, 'filter-files')) return null;
  const prop = child(body, NS_DAV, 'prop');
  const rules = child(body, NS_OC, 'filter-rules');
  const ruleList = rules ? elements(rules) : [];
  // FilesReportPlugin: an empty filter would list every file.
  if (ruleList.length === 0) throw badRequest('Missing filter-rule block in request');
  const out: FilterFiles = {
    props: prop ? { kind: 'prop', props: elements(prop).map((e) => ({ ns: e.ns, name: e.name })) } : { kind: 'allprop', include: [] },
    favorite: ruleList.some((r) => is(r, NS_OC, 'favorite')),
    systemTags: ruleList.filter((r) => is(r, NS_OC, 'systemtag')).length,
  };
  const limit = child(body, NS_DAV, 'limit');
  if (limit) {
    const n = child(limit, NS_DAV, 'nresults');
    const first = child(limit, NS_NC, 'firstresult');
    // PHP's (int) cast: what is not a number counts as 0.
    if (n) out.limit = Math.max(0, parseInt(textOf(n).trim(), 10) || 0);
    if (first) out.offset = Math.max(0, parseInt(textOf(first).trim(), 10) || 0);
  }
  return out;
}

/**
 * REPORT oc:filter-files on a folder of the caller's home (Nextcloud's
 * FilesReportPlugin): `<oc:filter-rules><oc:favorite>1</oc:favorite>` lists
 * the caller's favorites below that folder — their own files, and what they
 * marked inside shares they received, under the mount's name — with the
 * `<d:prop>` asked for, as PROPFIND answers them. Nimbus keeps no system
 * tags, so a systemtag rule names a tag that does not exist (412, as
 * Nextcloud for an unknown tag id). Other reports are 415 ReportNotSupported,
 * as sabre/dav; entry points other than the personal ones keep the 501.
 */
export async function report(call: DavCall): Promise<unknown> {
  const { family, ref } = call.loc;
  const searchable = family === 'files' || family === 'webdav' || family === 'spaces' || (family === 'root' && ref === 'spaces');
  if (!searchable) return notImplemented(call, false);
  const body = parseXmlBody(call.request.body as Buffer | undefined);
  // sabre/xml refuses an empty document before any plugin sees the report.
  if (!body) throw badRequest('The input element to parse is empty. Do not attempt to parse');
  if (isSearchFiles(body)) return searchFiles(call, body);
  if (family !== 'files' && family !== 'webdav') return notImplemented(call, false);
  const request = parseFilterFiles(body);
  const t = await call.target();
  const target = await call.mustStat(t);
  if (!request || target.type !== 'folder') throw reportNotSupported();
  if (request.systemTags > 0) throw new DavError(412, 'Sabre\\DAV\\Exception\\PreconditionFailed', 'Cannot filter by non-existing tag');

  const found: Array<KnownHomeNode & { key: string }> = [];
  if (request.favorite) {
    const mounts = await call.mounts();
    // Live properties read no dead ones but the favourite mark itself: then the other dead properties are not read.
    const allProperties = request.props.kind !== 'prop' || request.props.props.some((p) => !LIVE_PROPS.has(clark(p.ns, p.name)));
    for (const f of await call.deps.state.props.favoriteNodes(call.userId, allProperties)) {
      const inHome = viewPathOf(mounts, call.userId, f.spaceId, f.path);
      if (!inHome || inHome.length === 0) continue;
      if (inHome.length <= call.loc.path.length || !call.loc.path.every((s, i) => inHome[i] === s)) continue;
      found.push({ homePath: inHome, node: f.node, properties: f.properties, key: inHome.join('/') });
    }
  }
  found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const page = found.slice(request.offset ?? 0, request.limit === undefined ? undefined : (request.offset ?? 0) + request.limit);

  const responses = await knownHomeResponses(call, call.loc, page, request.props);
  return sendMultistatusStream(call.reply, responses);
}
