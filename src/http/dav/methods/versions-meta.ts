import type { VersionedFileRef } from '../../../services/files/versions.service.js';
import type { DavCall } from '../context.js';
import { notFound, notImplemented } from '../errors.js';
import { assertRestorable, collectionItem, revisionOf, sendVersion, sendVersionPropfind, versionItem } from './versions-common.js';

/** ocdav's answer for its versions endpoint. */
const DAV_HEADER = '1, 3, extended-mkcol';

/**
 * A file id as the meta endpoint takes it: the numeric oc:fileid, the
 * oc:id Nimbus serves (eight or more digits, then the instance id), or an
 * oCIS resource id `<storage>$<space>!<node>` as Graph items carry it.
 */
export function metaFileRef(raw: string, env: { storageId: string; instanceId: string }): VersionedFileRef {
  if (/^\d{1,15}$/.test(raw)) return { fileId: Number(raw) };
  const ocId = /^(\d{8,15})(oc[A-Za-z0-9_-]+)$/.exec(raw);
  if (ocId && ocId[2] === env.instanceId) return { fileId: Number(ocId[1]) };
  const dollar = raw.indexOf('$');
  const bang = raw.indexOf('!');
  if (dollar > 0 && bang > dollar + 1 && bang < raw.length - 1 && raw.slice(0, dollar) === env.storageId) {
    return { spaceId: raw.slice(dollar + 1, bang), nodeId: raw.slice(bang + 1) };
  }
  throw notFound('Resource not found');
}

/**
 * oCIS's versions (reva ocdav VersionsHandler) under /remote.php/dav/meta/{fileid}
 * and /dav/meta/{fileid}: PROPFIND `v` lists them (the collection first),
 * GET or HEAD `v/{key}` reads one, COPY `v/{key}` restores it — ocdav
 * ignores the Destination (the web client sends the file's own DAV path)
 * and answers 204. Everything else is 501, as there.
 */
export async function metaTree(call: DavCall): Promise<unknown> {
  const { loc } = call;
  const versions = call.deps.services.versions;
  if (!versions.enabled) throw notFound('Versions are disabled');
  const [v, key, ...rest] = loc.path;
  if (call.request.method === 'OPTIONS') return call.reply.code(200).header('DAV', DAV_HEADER).header('Allow', 'OPTIONS, GET, HEAD, PROPFIND, COPY').header('Content-Length', '0').send();
  if (v !== 'v' || rest.length) throw notFound('Resource not found');
  const file = await versions.open(call.userId, metaFileRef(loc.ref, call.deps.env));
  const base = `${loc.base}/v`;
  if (key === undefined) {
    if (call.request.method !== 'PROPFIND') throw notImplemented(`${call.request.method} is not supported here`);
    const list = await versions.list(file);
    return sendVersionPropfind(call, [collectionItem(`${base}/`), ...list.map((x) => versionItem(`${base}/${x.revision}`, x, `"${x.etag}"`))], DAV_HEADER);
  }
  const version = await versions.version(file, revisionOf(key));
  switch (call.request.method) {
    case 'GET':
    case 'HEAD':
      return sendVersion(call, file, version);
    case 'PROPFIND':
      return sendVersionPropfind(call, [versionItem(`${base}/${version.revision}`, version, `"${version.etag}"`)], DAV_HEADER);
    case 'COPY':
      await assertRestorable(call, file);
      await versions.restore(file, version.revision);
      return call.reply.code(204).send();
    default:
      throw notImplemented(`${call.request.method} is not supported here`);
  }
}
