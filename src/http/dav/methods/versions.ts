import type { VersionedFile } from '../../../services/files/versions.service.js';
import type { DavCall } from '../context.js';
import { badRequest, forbidden, methodNotAllowed, notFound, notImplemented } from '../errors.js';
import { encodeSegment } from '../location.js';
import { type PropResult, propResponse, sendMultistatus } from '../multistatus.js';
import { clark, NS_NC, parseXmlBody, textOf } from '../xml.js';
import { DAV_INTERFACE_TEXT } from './get.js';
import { parsePropertyUpdate } from './proppatch.js';
import { assertRestorable, collectionItem, revisionOf, sendVersion, sendVersionPropfind, versionItem, type VersionItem } from './versions-common.js';

const VERSION_LABEL = clark(NS_NC, 'version-label');
const DAV_HEADER = '1, 3';

/**
 * Nextcloud's versions tree (apps/files_versions lib/Sabre) under
 * /remote.php/dav/versions/{user}: `versions/{fileid}` lists a file's
 * earlier contents, each `versions/{fileid}/{revision}` can be read,
 * labelled (PROPPATCH nc:version-label), deleted, and restored by moving
 * it to `restore/target` (RestoreFolder::moveInto). Only the caller's own
 * tree exists; the file is any they may read (share recipients included).
 */
export async function versionsTree(call: DavCall): Promise<unknown> {
  const { loc } = call;
  if (loc.ref !== call.userId) throw notFound('Principal not found');
  if (!call.deps.services.versions.enabled) throw notFound('Versions are disabled');
  const [top, fileRef, rev, ...rest] = loc.path;
  const method = call.request.method;
  if (method === 'OPTIONS') return optionsAnswer(call);
  if (rest.length || (top !== undefined && top !== 'versions' && top !== 'restore') || (top === 'restore' && fileRef !== undefined)) {
    throw notFound(`File with name ${loc.path.join('/')} could not be located`);
  }
  if (top === 'versions' && fileRef !== undefined) {
    if (!/^\d{1,15}$/.test(fileRef)) throw notFound('File not found');
    const file = await call.deps.services.versions.open(call.userId, { fileId: Number(fileRef) });
    if (rev !== undefined) return versionFile(call, file, rev);
    return versionCollection(call, file);
  }
  // The home, `versions` and `restore`: plain collections.
  if (method === 'PROPFIND') {
    const here = collectionItem(`${loc.base}/${loc.path.map(encodeSegment).join('/')}${loc.path.length ? '/' : ''}`);
    const members = top === undefined ? [collectionItem(`${loc.base}/versions/`), collectionItem(`${loc.base}/restore/`)] : [];
    return sendVersionPropfind(call, [here, ...members], DAV_HEADER);
  }
  return collectionMethod(call);
}

/** The collection, then the current content (listed as a version, as LegacyVersionsBackend::getVersionsForFile does), then the earlier ones, newest first. */
async function versionCollection(call: DavCall, file: VersionedFile): Promise<unknown> {
  if (call.request.method !== 'PROPFIND') return collectionMethod(call);
  const service = call.deps.services.versions;
  const base = `${call.loc.base}/versions/${file.node.fileId}`;
  const versions = await service.list(file);
  const current = await service.current(file, versions);
  const items: VersionItem[] = [collectionItem(`${base}/`), ...[current, ...versions].map((v) => versionItem(`${base}/${v.revision}`, v, String(v.revision)))];
  return sendVersionPropfind(call, items, DAV_HEADER);
}

/** The current content among the versions: readable; restoring it changes nothing; it cannot be labelled or deleted here. */
async function currentVersion(call: DavCall, file: VersionedFile, href: string): Promise<unknown> {
  const service = call.deps.services.versions;
  const current = await service.current(file, await service.list(file));
  switch (call.request.method) {
    case 'GET':
    case 'HEAD':
      return sendVersion(call, file, current);
    case 'PROPFIND':
      return sendVersionPropfind(call, [versionItem(href, current, String(current.revision))], DAV_HEADER);
    case 'MOVE':
    case 'COPY':
      restoreDestination(call);
      if (!file.place.access.can.write) throw forbidden('You are not allowed to restore versions of this file');
      return call.reply.code(201).header('Content-Length', '0').send();
    case 'PROPPATCH': {
      const ops = parsePropertyUpdate(parseXmlBody(call.request.body as Buffer | undefined));
      return sendMultistatus(call.reply, [propResponse(href, ops.map((op) => ({ ns: op.ns, name: op.name, status: 403 })))]);
    }
    case 'DELETE':
    case 'PUT':
    case 'MKCOL':
      throw forbidden('The current version cannot be changed here');
    default:
      return unhandled(call);
  }
}

/** A version goes nowhere but back into its file (RestoreFolder is the only move target that takes one). */
function restoreDestination(call: DavCall): void {
  const header = call.header('destination');
  if (!header) throw badRequest('The destination header was not supplied');
  const dest = call.locationOfHref(header);
  if (dest.family !== 'versions' || dest.ref !== call.userId || dest.path.length !== 2 || dest.path[0] !== 'restore') {
    throw forbidden('A version can only be restored, by moving it into the restore folder');
  }
}

async function versionFile(call: DavCall, file: VersionedFile, segment: string): Promise<unknown> {
  const versions = call.deps.services.versions;
  const revision = revisionOf(segment);
  const hrefOf = (rev: number) => `${call.loc.base}/versions/${file.node.fileId}/${rev}`;
  if (revision === versions.currentRevision(file, await versions.list(file))) return currentVersion(call, file, hrefOf(revision));
  const v = await versions.version(file, revision);
  const href = hrefOf(v.revision);
  switch (call.request.method) {
    case 'GET':
    case 'HEAD':
      return sendVersion(call, file, v);
    case 'PROPFIND':
      return sendVersionPropfind(call, [versionItem(href, v, String(v.revision))], DAV_HEADER);
    case 'PROPPATCH':
      return labelVersion(call, file, v.revision, href);
    case 'DELETE':
      await versions.remove(file, v.revision);
      return call.reply.code(204).send();
    case 'MOVE':
    case 'COPY': {
      restoreDestination(call);
      await assertRestorable(call, file);
      await versions.restore(file, v.revision);
      return call.reply.code(201).header('Content-Length', '0').send();
    }
    case 'PUT':
    case 'MKCOL':
      throw forbidden('Versions cannot be changed');
    default:
      return unhandled(call);
  }
}

/** PROPPATCH of a version: nc:version-label only (set, or removed); anything else is 403 and the rest 424, all or nothing like Sabre. */
async function labelVersion(call: DavCall, file: VersionedFile, revision: number, href: string): Promise<unknown> {
  const ops = parsePropertyUpdate(parseXmlBody(call.request.body as Buffer | undefined));
  const statuses = new Map<string, PropResult>();
  let label: string | null | undefined;
  for (const op of ops) {
    const key = clark(op.ns, op.name);
    const status = key === VERSION_LABEL ? (file.place.access.can.write ? 200 : 403) : 403;
    statuses.set(key, { ns: op.ns, name: op.name, status: Math.max(statuses.get(key)?.status ?? 0, status) });
    if (key === VERSION_LABEL) label = op.value === null ? null : textOf(op.el);
  }
  const results = [...statuses.values()];
  if (results.some((r) => r.status !== 200)) {
    for (const r of results) if (r.status === 200) r.status = 424;
  } else if (label !== undefined) {
    await call.deps.services.versions.setLabel(file, revision, label ?? '');
  }
  return sendMultistatus(call.reply, [propResponse(href, results.map((r) => ({ ...r, value: null })))]);
}

function collectionMethod(call: DavCall): unknown {
  switch (call.request.method) {
    case 'GET':
    case 'HEAD':
      // Nextcloud's DummyGetResponsePlugin answers a GET of any collection.
      return call.reply.code(200).type('text/html; charset=UTF-8').send(DAV_INTERFACE_TEXT);
    case 'PUT':
    case 'MKCOL':
    case 'DELETE':
    case 'MOVE':
    case 'COPY':
    case 'PROPPATCH':
      throw forbidden('The versions tree cannot be changed this way');
    default:
      return unhandled(call);
  }
}

function unhandled(call: DavCall): never {
  if (call.request.method === 'POST' || call.request.method === 'PATCH') throw methodNotAllowed(`${call.request.method} is not allowed here`, 'OPTIONS, GET, HEAD, PROPFIND');
  throw notImplemented(`There was no plugin in the system that was willing to handle this ${call.request.method} method.`);
}

function optionsAnswer(call: DavCall): unknown {
  return call.reply.code(200).header('Allow', 'OPTIONS, GET, HEAD, DELETE, PROPFIND, PROPPATCH, COPY, MOVE').header('DAV', DAV_HEADER).header('Content-Length', '0').send();
}
