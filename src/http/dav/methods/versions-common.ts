import type { FileVersion } from '../../../domain/file-versions.js';
import type { VersionedFile } from '../../../services/files/versions.service.js';
import { sendFile } from '../../common/send-file.js';
import { httpDate } from '../../common/http-date.js';
import type { DavCall } from '../context.js';
import { hrefOf } from '../location.js';
import { assertUnlocked } from '../locks.js';
import { type PropResult, type PropValue, propResponse, sendMultistatus } from '../multistatus.js';
import { clark, NS_DAV, NS_NC, parseXmlBody } from '../xml.js';
import { parsePropfind, propfindDepth } from './propfind.js';

/** One resource of a versions answer: its href and the properties it has (absent ones are 404 when asked for). */
export interface VersionItem {
  href: string;
  props: Map<string, PropValue>;
}

const COLLECTION: PropValue = { xml: '<d:collection/>' };

export const collectionItem = (href: string): VersionItem => ({ href, props: new Map([[clark(NS_DAV, 'resourcetype'), COLLECTION]]) });

/**
 * A version as a DAV file. Nextcloud's VersionFile answers the revision id
 * as getetag, unquoted (VersionFile::getETag); oCIS the content's etag, so
 * the caller says which. Label and author only when there is one
 * (files_versions Sabre\Plugin handles them with null otherwise: 404).
 */
export function versionItem(href: string, v: FileVersion, etag: string): VersionItem {
  const props = new Map<string, PropValue>([
    [clark(NS_DAV, 'resourcetype'), null],
    [clark(NS_DAV, 'getcontentlength'), String(v.size)],
    [clark(NS_DAV, 'getcontenttype'), v.mimeType],
    [clark(NS_DAV, 'getlastmodified'), httpDate(v.mtime)],
    [clark(NS_DAV, 'getetag'), etag],
    [clark(NS_NC, 'has-preview'), 'false'],
  ]);
  if (v.label !== null) props.set(clark(NS_NC, 'version-label'), v.label);
  if (v.author !== null) props.set(clark(NS_NC, 'version-author'), v.author);
  return { href, props };
}

const splitKey = (key: string): { ns: string; name: string } => ({ ns: key.slice(1, key.indexOf('}')), name: key.slice(key.indexOf('}') + 1) });

/** PROPFIND over a fixed set of items: the first is the request URI, the rest its members (sent with Depth 1 only). */
export function sendVersionPropfind(call: DavCall, items: VersionItem[], davHeader: string): unknown {
  const depth = propfindDepth(call.header('depth'));
  const request = parsePropfind(parseXmlBody(call.request.body as Buffer | undefined));
  const minimal = call.header('brief')?.toLowerCase() === 't' || /return=minimal/i.test(call.header('prefer') ?? '');
  const listed = depth === 0 ? items.slice(0, 1) : items;
  const responses = listed.map((item) => {
    let results: PropResult[];
    if (request.kind === 'prop') {
      results = request.props.map(({ ns, name }) => {
        const key = clark(ns, name);
        return item.props.has(key) ? { ns, name, status: 200, value: item.props.get(key)! } : { ns, name, status: 404 };
      });
    } else {
      results = [...item.props].map(([key, value]) => ({ ...splitKey(key), status: 200, value: request.kind === 'propname' ? null : value }));
    }
    if (minimal) results = results.filter((r) => r.status === 200);
    return propResponse(item.href, results);
  });
  call.reply.header('DAV', davHeader).header('Vary', 'Brief,Prefer');
  return sendMultistatus(call.reply, responses);
}

/** GET or HEAD of a version: its bytes with the validators of that content, as a download named like the file (files_versions Sabre\Plugin::afterGet). */
export function sendVersion(call: DavCall, file: VersionedFile, v: FileVersion): Promise<unknown> {
  const node = { ...file.node, size: v.size, mtime: v.mtime, etag: v.etag, mimeType: v.mimeType, checksums: v.checksums };
  return sendFile(call.request, call.reply, node, (range) => call.deps.services.versions.read(v, range));
}

/** A revision segment: digits only, else the version does not exist. */
export const revisionOf = (segment: string | undefined): number => (segment !== undefined && /^\d{1,15}$/.test(segment) ? Number(segment) : -1);

/**
 * A restore changes the file like a PUT: a WebDAV lock on it (or a depth
 * infinity one above it) needs its token in the If header (423 otherwise).
 * The lock root is named by its space path under the caller's files, the
 * versions tree having no place of its own for it.
 */
export async function assertRestorable(call: DavCall, file: VersionedFile): Promise<void> {
  const { place } = file;
  const caller = {
    deps: call.deps,
    userId: call.userId,
    submittedTokens: () => call.submittedTokens(),
    href: (_t: unknown, path: readonly string[], folder: boolean) => hrefOf(`/remote.php/dav/spaces/${encodeURIComponent(place.space.id)}`, path, folder),
  };
  await assertUnlocked(caller, { spaceId: place.space.id, place }, place.path, { membership: false, descendants: false });
}
