import { davError } from './errors.js';
import { BASE, call } from './http.js';

const D = 'DAV:';
const NC = 'http://nextcloud.org/ns';

/** An earlier content of a file, as Nextcloud's versions endpoint lists it. */
export interface Version {
  /** The revision: the last segment of its URL. */
  revision: string;
  url: string;
  size: number;
  modified: number;
  label: string;
  author: string;
  /** The file's content now (Nextcloud lists it first, among the versions). */
  current: boolean;
}

const PROPS = `<?xml version="1.0"?>
<d:propfind xmlns:d="DAV:" xmlns:nc="http://nextcloud.org/ns">
 <d:prop><d:getcontentlength/><d:getlastmodified/><nc:version-label/><nc:version-author/></d:prop>
</d:propfind>`;

const root = (user: string): string => `${BASE}/remote.php/dav/versions/${encodeURIComponent(user)}`;

function text(el: Element, ns: string, name: string): string {
  return el.getElementsByTagNameNS(ns, name)[0]?.textContent ?? '';
}

/**
 * A file's versions, newest first (PROPFIND Depth 1 of versions/{fileid}):
 * the first answer is the collection itself, the next the current content.
 */
export async function listVersions(user: string, fileId: string): Promise<Version[]> {
  const url = `${root(user)}/versions/${encodeURIComponent(fileId)}`;
  const res = await call({ method: 'PROPFIND', url, headers: { Depth: '1', 'Content-Type': 'application/xml; charset=utf-8' }, body: PROPS });
  if (res.status !== 207) throw await davError(res, 'list the versions of this file');
  const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
  return Array.from(doc.getElementsByTagNameNS(D, 'response'))
    .slice(1)
    .map((r, i) => {
      const href = text(r, D, 'href');
      const revision = href.split('/').filter(Boolean).pop() ?? '';
      return {
        revision,
        url: `${url}/${encodeURIComponent(revision)}`,
        size: Number(text(r, D, 'getcontentlength')) || 0,
        modified: Date.parse(text(r, D, 'getlastmodified')) || 0,
        label: text(r, NC, 'version-label'),
        author: text(r, NC, 'version-author'),
        current: i === 0,
      };
    });
}

/** Makes a version the file's content again: MOVE it to restore/target, as Nextcloud's files app does. */
export async function restoreVersion(user: string, version: Version): Promise<void> {
  const destination = new URL(`${root(user)}/restore/target`, location.href).href;
  const res = await call({ method: 'MOVE', url: version.url, headers: { Destination: destination } });
  if (res.status !== 201 && res.status !== 204) throw await davError(res, 'restore this version');
}
