import { httpDate } from '../../common/http-date.js';
import { escapeText, NS_DAV } from '../xml.js';
import type { DavLock } from '../state.js';
import type { LiveProp, PropItem, PropScope } from './types.js';

const isFolder = (item: PropItem): boolean => item.node.type === 'folder';

/** -3 is Nextcloud's "unlimited" (FileInfo::SPACE_UNLIMITED). */
export function quotaAvailable(scope: PropScope): string {
  const { used, limit } = scope.quota;
  return limit === null ? '-3' : String(Math.max(0, limit - used));
}

export const SUPPORTED_LOCK_XML =
  '<d:lockentry><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockentry>' +
  '<d:lockentry><d:lockscope><d:shared/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockentry>';

export function activeLockXml(lock: DavLock, rootHref: string, now: number): string {
  const remaining = Math.max(0, Math.round((lock.expiresAt - now) / 1000));
  return (
    '<d:activelock>' +
    `<d:lockscope><d:${lock.scope}/></d:lockscope><d:locktype><d:write/></d:locktype>` +
    `<d:depth>${lock.depth === 0 ? '0' : 'infinity'}</d:depth>` +
    (lock.owner ? `<d:owner>${lock.owner}</d:owner>` : '') +
    `<d:timeout>Second-${remaining}</d:timeout>` +
    `<d:locktoken><d:href>${escapeText(lock.token)}</d:href></d:locktoken>` +
    `<d:lockroot><d:href>${escapeText(rootHref)}</d:href></d:lockroot>` +
    '</d:activelock>'
  );
}

/** Nextcloud's allprop order (sample 25): getlastmodified, getcontentlength, resourcetype, quota-*, getetag, getcontenttype. */
export const DAV_PROPS: LiveProp[] = [
  { ns: NS_DAV, name: 'getlastmodified', allprop: true, get: (i) => httpDate(i.node.mtime) },
  { ns: NS_DAV, name: 'getcontentlength', allprop: true, get: (i) => (isFolder(i) ? undefined : String(i.node.size)) },
  { ns: NS_DAV, name: 'resourcetype', allprop: true, get: (i) => (isFolder(i) ? { xml: '<d:collection/>' } : null) },
  { ns: NS_DAV, name: 'quota-used-bytes', allprop: true, get: (i) => (isFolder(i) ? String(i.node.size) : undefined) },
  { ns: NS_DAV, name: 'quota-available-bytes', allprop: true, get: (i, s) => (isFolder(i) ? quotaAvailable(s) : undefined) },
  { ns: NS_DAV, name: 'getetag', allprop: true, get: (i) => `"${i.node.etag}"` },
  { ns: NS_DAV, name: 'getcontenttype', allprop: true, get: (i) => (isFolder(i) ? undefined : i.node.mimeType) },
  { ns: NS_DAV, name: 'displayname', get: (i, s) => (i.path.length === 0 ? s.space.name : i.node.name) },
  { ns: NS_DAV, name: 'creationdate', get: (i) => new Date(i.node.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z') },
  { ns: NS_DAV, name: 'supportedlock', get: () => ({ xml: SUPPORTED_LOCK_XML }) },
  {
    ns: NS_DAV,
    name: 'lockdiscovery',
    get: (i, s) => {
      const now = Date.now();
      const xml = s
        .locksOf(i)
        .map((l) => activeLockXml(l, s.lockHref(l), now))
        .join('');
      return xml ? { xml } : null;
    },
  },
];
