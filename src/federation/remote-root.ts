import { XMLParser } from 'fast-xml-parser';
import { FOLDER_MIME_TYPE } from '../domain/mime.js';
import type { RemoteRoot } from '../ports/federation.js';

/** The PROPFIND body asking a remote share's root for what a listing shows. */
export const REMOTE_ROOT_PROPFIND =
  '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><d:resourcetype/><d:getetag/><d:getlastmodified/><d:getcontentlength/><d:getcontenttype/><oc:size/><oc:fileid/><oc:permissions/></d:prop></d:propfind>';

const parser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, isArray: (name) => name === 'response' || name === 'propstat' });

/** The first response of a depth-0 multistatus as a RemoteRoot; null when it is not one. */
export function parseRemoteRoot(xml: string): RemoteRoot | null {
  let doc: { multistatus?: { response?: { propstat?: { status?: unknown; prop?: Record<string, unknown> }[] }[] } };
  try {
    doc = parser.parse(xml);
  } catch {
    return null;
  }
  const response = doc?.multistatus?.response?.[0];
  if (!response) return null;
  const prop = (response.propstat ?? []).find((ps) => / 200 /.test(String(ps.status)))?.prop;
  if (!prop || typeof prop !== 'object') return null;
  const type = prop.resourcetype;
  const folder = typeof type === 'object' && type !== null && 'collection' in type;
  const size = Number(prop.size ?? prop.getcontentlength ?? 0);
  const mtime = Date.parse(String(prop.getlastmodified ?? ''));
  return {
    folder,
    size: Number.isFinite(size) && size >= 0 ? size : 0,
    etag: String(prop.getetag ?? '').replace(/^"|"$/g, ''),
    mtime: Number.isNaN(mtime) ? null : mtime,
    mimeType: folder ? FOLDER_MIME_TYPE : String(prop.getcontenttype || 'application/octet-stream'),
    permissions: String(prop.permissions ?? ''),
    fileId: Number(prop.fileid) || 0,
  };
}
