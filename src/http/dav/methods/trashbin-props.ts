import type { FileNode } from '../../../domain/node.js';
import type { ListedTrashItem } from '../../../services/files/trash.service.js';
import { httpDate } from '../../common/http-date.js';
import { type PropResult, type PropValue, propResponse } from '../multistatus.js';
import { ocId } from '../props/oc.js';
import type { DavCall } from '../context.js';
import { encodeSegment } from '../location.js';
import { DAV_HEADER } from './options.js';
import { parsePropfind, propfindDepth, type PropRequest } from './propfind.js';
import { clark, NS_DAV, NS_NC, NS_OC, parseXmlBody } from '../xml.js';

/** One resource of a trash listing: an item, or a member of a trashed folder (`below` its node). */
export interface TrashProp {
  item: ListedTrashItem;
  node: FileNode;
  /** Segments below the item's node; [] for the item itself. */
  below: readonly string[];
  href: string;
  spaceId: string;
  instanceId: string;
}

type Getter = (p: TrashProp) => PropValue | undefined;

const seconds = (ms: number): number => Math.floor(ms / 1000);
const location = (p: TrashProp): string => [p.item.originalPath, ...p.below].join('/');
const folder = (p: TrashProp): boolean => p.node.type === 'folder';
/** Go's time.RFC1123Z in UTC, as ocdav writes oc:trashbin-delete-datetime. */
const rfc1123z = (ms: number): string => new Date(ms).toUTCString().replace('GMT', '+0000');

/**
 * The properties of trashed entries. Nextcloud's TrashbinPlugin adds the
 * nc:trashbin-* set to the usual file properties (permissions are always
 * `GD`: read and delete); ocdav's trashbin handler answers its oc:trashbin-*
 * set, oc:size for folders and d:getcontentlength for files only.
 */
const PROPS = new Map<string, Getter>([
  [clark(NS_DAV, 'resourcetype'), (p) => (folder(p) ? { xml: '<d:collection/>' } : null)],
  [clark(NS_DAV, 'getcontentlength'), (p) => (folder(p) ? undefined : String(p.node.size))],
  [clark(NS_DAV, 'getcontenttype'), (p) => p.node.mimeType],
  [clark(NS_DAV, 'getlastmodified'), (p) => httpDate(p.node.mtime)],
  [clark(NS_DAV, 'getetag'), (p) => `"${p.node.etag}"`],
  [clark(NS_DAV, 'displayname'), (p) => p.node.name],
  [clark(NS_OC, 'fileid'), (p) => String(p.node.fileId)],
  [clark(NS_OC, 'id'), (p) => ocId(p.node.fileId, p.instanceId)],
  [clark(NS_OC, 'size'), (p) => String(p.node.size)],
  [clark(NS_OC, 'permissions'), () => 'GD'],
  [clark(NS_OC, 'spaceid'), (p) => p.spaceId],
  [clark(NS_NC, 'trashbin-filename'), (p) => p.node.name],
  [clark(NS_NC, 'trashbin-title'), (p) => p.node.name],
  [clark(NS_NC, 'trashbin-original-location'), location],
  [clark(NS_NC, 'trashbin-deletion-time'), (p) => String(seconds(p.item.deletedAt))],
  [clark(NS_NC, 'trashbin-deleted-by-id'), (p) => p.item.deletedBy],
  [clark(NS_NC, 'trashbin-deleted-by-display-name'), (p) => p.item.deletedByName],
  [clark(NS_NC, 'has-preview'), () => 'false'],
  [clark(NS_NC, 'mount-type'), () => null],
  [clark(NS_OC, 'trashbin-original-filename'), (p) => p.node.name],
  [clark(NS_OC, 'trashbin-original-location'), location],
  [clark(NS_OC, 'trashbin-delete-timestamp'), (p) => String(seconds(p.item.deletedAt))],
  [clark(NS_OC, 'trashbin-delete-datetime'), (p) => rfc1123z(p.item.deletedAt)],
]);

/** What an allprop PROPFIND answers on each family's trash. */
export const NEXTCLOUD_ALLPROP = [
  'resourcetype', 'getcontentlength', 'getcontenttype', 'getlastmodified', 'getetag',
].map((name) => ({ ns: NS_DAV, name })).concat(
  ['trashbin-filename', 'trashbin-original-location', 'trashbin-deletion-time', 'trashbin-deleted-by-id', 'trashbin-deleted-by-display-name'].map((name) => ({ ns: NS_NC, name })),
  ['fileid', 'size', 'permissions'].map((name) => ({ ns: NS_OC, name })),
);
// ocdav trashbin.go itemToPropResponse (allprop): the oc:trashbin-* set, resourcetype, size or length, spaceid.
export const OCIS_ALLPROP = [
  ...['trashbin-original-filename', 'trashbin-original-location', 'trashbin-delete-timestamp', 'trashbin-delete-datetime'].map((name) => ({ ns: NS_OC, name })),
  { ns: NS_DAV, name: 'resourcetype' },
  { ns: NS_OC, name: 'size' },
  { ns: NS_DAV, name: 'getcontentlength' },
  { ns: NS_OC, name: 'spaceid' },
];

/** One entry's `<d:response>`: asked properties (404 for unknown or not applying ones), allprop's set, or the names. */
export function trashResponse(p: TrashProp, request: PropRequest, allprop: Array<{ ns: string; name: string }>): string {
  const wanted = request.kind === 'prop' ? request.props : allprop;
  const results: PropResult[] = [];
  for (const { ns, name } of wanted) {
    const value = PROPS.get(clark(ns, name))?.(p);
    if (value !== undefined) results.push({ ns, name, status: 200, value: request.kind === 'propname' ? null : value });
    else if (request.kind === 'prop') results.push({ ns, name, status: 404 });
  }
  if (request.kind === 'allprop') {
    for (const { ns, name } of request.include) {
      const value = PROPS.get(clark(ns, name))?.(p);
      if (value !== undefined && !wanted.some((w) => w.ns === ns && w.name === name)) results.push({ ns, name, status: 200, value });
    }
  }
  return propResponse(p.href, results);
}

/** The collections around the items (`trash`, `restore`, the trash-bin root): a collection and nothing else. */
export function collectionResponse(href: string, request: PropRequest): string {
  const asked = request.kind === 'prop' ? request.props : [{ ns: NS_DAV, name: 'resourcetype' }];
  return propResponse(
    href,
    asked.map(({ ns, name }) =>
      ns === NS_DAV && name === 'resourcetype' ? { ns, name, status: 200, value: request.kind === 'propname' ? null : { xml: '<d:collection/>' } } : { ns, name, status: 404 },
    ),
  );
}

/** An entry of a listing: `hrefPath` names it below the family's base, `below` is its place under the item's node. */
export function trashProp(call: DavCall, item: ListedTrashItem, node: FileNode, hrefPath: readonly string[], below: readonly string[], base: string): TrashProp {
  const href = `${base}/${hrefPath.map(encodeSegment).join('/')}${node.type === 'folder' ? '/' : ''}`;
  return { item, node, below, href, spaceId: item.spaceId, instanceId: call.deps.env.instanceId };
}

export function readPropfind(call: DavCall): { depth: 0 | 1; request: PropRequest } {
  call.reply.header('DAV', DAV_HEADER);
  return { depth: propfindDepth(call.header('depth')), request: parsePropfind(parseXmlBody(call.request.body as Buffer | undefined)) };
}

