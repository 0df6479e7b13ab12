import { davError } from './errors.js';
import { ApiError, BASE, authHeaders, call } from './http.js';

const D = 'DAV:';
const OC = 'http://owncloud.org/ns';
const NC = 'http://nextcloud.org/ns';

/** One entry of a folder, as PROPFIND reports it. */
export interface Entry {
  name: string;
  /** Path segments from the root of the listed tree. */
  path: string[];
  folder: boolean;
  size: number;
  modified: number;
  mime: string;
  etag: string;
  fileId: string;
  permissions: string;
  favorite: boolean;
  sharedBy: boolean;
  /** The server can make a preview of it (nc:has-preview). */
  preview: boolean;
}

export interface Listing {
  folder: Entry;
  children: Entry[];
}

const PROPS = `<?xml version="1.0"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
 <d:prop><d:getlastmodified/><d:getcontentlength/><d:getcontenttype/><d:resourcetype/><d:getetag/>
  <oc:fileid/><oc:size/><oc:permissions/><oc:favorite/><oc:share-types/><nc:has-preview/></d:prop>
</d:propfind>`;

/** A tree the app browses over WebDAV: the signed-in user's files, or a space. */
export class DavTree {
  constructor(readonly root: string) {}

  static personal(user: string): DavTree {
    return new DavTree(`${BASE}/remote.php/dav/files/${encodeURIComponent(user)}`);
  }

  static space(spaceId: string): DavTree {
    return new DavTree(`${BASE}/dav/spaces/${encodeURIComponent(spaceId)}`);
  }

  url(path: string[]): string {
    return this.root + '/' + path.map(encodeURIComponent).join('/');
  }

  async list(path: string[]): Promise<Listing> {
    const res = await call({ method: 'PROPFIND', url: this.url(path), headers: { Depth: '1', 'Content-Type': 'application/xml; charset=utf-8' }, body: PROPS });
    if (res.status !== 207) throw await davError(res, 'open this folder');
    const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
    const rootPath = new URL(this.root, location.href).pathname;
    const entries = Array.from(doc.getElementsByTagNameNS(D, 'response')).map((r) => entryOf(r, rootPath));
    const self = entries.find((e) => e.path.join('/') === path.join('/')) ?? entries[0];
    if (!self) throw new ApiError('The server answered without the folder itself.', 207);
    return { folder: self, children: entries.filter((e) => e !== self) };
  }

  async mkdir(path: string[]): Promise<void> {
    const res = await call({ method: 'MKCOL', url: this.url(path) });
    if (res.status !== 201) throw await davError(res, 'create this folder');
  }

  /** A folder that may exist already (a folder upload recreating its tree). */
  async ensureFolder(path: string[]): Promise<void> {
    const res = await call({ method: 'MKCOL', url: this.url(path) });
    if (res.status !== 201 && res.status !== 405) throw await davError(res, 'create this folder');
  }

  async remove(path: string[]): Promise<void> {
    const res = await call({ method: 'DELETE', url: this.url(path) });
    if (res.status !== 204 && res.status !== 200) throw await davError(res, 'delete this');
  }

  /** Marks or unmarks an entry as one of the signed-in user's favorites (PROPPATCH oc:favorite, per user). */
  async setFavorite(path: string[], on: boolean): Promise<void> {
    const body = `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:set><d:prop><oc:favorite>${on ? 1 : 0}</oc:favorite></d:prop></d:set></d:propertyupdate>`;
    const res = await call({ method: 'PROPPATCH', url: this.url(path), headers: { 'Content-Type': 'application/xml; charset=utf-8' }, body });
    if (res.status !== 207) throw await davError(res, on ? 'add this to your favorites' : 'remove this from your favorites');
  }

  /** The user's favorites below the tree's root, as Nextcloud's files app asks for them (REPORT oc:filter-files). */
  async favorites(): Promise<Entry[]> {
    const body = PROPS.replace('<d:propfind', '<oc:filter-files').replace('</d:propfind>', '<oc:filter-rules><oc:favorite>1</oc:favorite></oc:filter-rules></oc:filter-files>');
    const res = await call({ method: 'REPORT', url: this.url([]), headers: { 'Content-Type': 'application/xml; charset=utf-8' }, body });
    if (res.status !== 207) throw await davError(res, 'list your favorites');
    const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
    const rootPath = new URL(this.root, location.href).pathname;
    return Array.from(doc.getElementsByTagNameNS(D, 'response')).map((r) => entryOf(r, rootPath));
  }

  /**
   * Files and folders whose name contains `term`, anywhere in the signed-in
   * user's files and the shares they received (WebDAV SEARCH, Nextcloud's
   * basicsearch), as the Nextcloud web app's search asks; the personal tree only.
   */
  async search(user: string, term: string, limit = 200): Promise<Entry[]> {
    const literal = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const select = PROPS.slice(PROPS.indexOf('<d:prop>'), PROPS.indexOf('</d:prop>') + '</d:prop>'.length);
    const body = `<?xml version="1.0"?>
<d:searchrequest xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns"><d:basicsearch>
 <d:select>${select}</d:select>
 <d:from><d:scope><d:href>/files/${encodeURIComponent(user)}</d:href><d:depth>infinity</d:depth></d:scope></d:from>
 <d:where><d:like><d:prop><d:displayname/></d:prop><d:literal>${escapeXml(literal)}</d:literal></d:like></d:where>
 <d:orderby><d:order><d:prop><d:getlastmodified/></d:prop><d:descending/></d:order></d:orderby>
 <d:limit><d:nresults>${limit}</d:nresults></d:limit>
</d:basicsearch></d:searchrequest>`;
    const res = await call({ method: 'SEARCH', url: `${BASE}/remote.php/dav/`, headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body });
    if (res.status !== 207) throw await davError(res, 'search your files');
    const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
    const rootPath = new URL(this.root, location.href).pathname;
    return Array.from(doc.getElementsByTagNameNS(D, 'response')).map((r) => entryOf(r, rootPath));
  }

  async transfer(kind: 'MOVE' | 'COPY', from: string[], to: DavTree, toPath: string[], overwrite = false): Promise<void> {
    const destination = new URL(to.url(toPath), location.href).href;
    const res = await call({ method: kind, url: this.url(from), headers: { Destination: destination, Overwrite: overwrite ? 'T' : 'F' } });
    if (res.status !== 201 && res.status !== 204) throw await davError(res, kind === 'MOVE' ? 'move this' : 'copy this');
  }
}

const escapeXml = (v: string): string => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function text(el: Element, ns: string, name: string): string {
  return el.getElementsByTagNameNS(ns, name)[0]?.textContent ?? '';
}

function entryOf(response: Element, rootPath: string): Entry {
  const href = decodeURI(text(response, D, 'href'));
  const relative = href.startsWith(decodeURI(rootPath)) ? href.slice(decodeURI(rootPath).length) : href;
  const path = relative.split('/').filter(Boolean).map((s) => safeDecode(s));
  const folder = response.getElementsByTagNameNS(D, 'collection').length > 0;
  const size = Number(folder ? text(response, OC, 'size') : text(response, D, 'getcontentlength')) || 0;
  return {
    name: path[path.length - 1] ?? '',
    path,
    folder,
    size,
    modified: Date.parse(text(response, D, 'getlastmodified')) || 0,
    mime: folder ? 'httpd/unix-directory' : text(response, D, 'getcontenttype') || 'application/octet-stream',
    etag: text(response, D, 'getetag'),
    fileId: text(response, OC, 'fileid'),
    permissions: text(response, OC, 'permissions'),
    favorite: text(response, OC, 'favorite') === '1',
    sharedBy: response.getElementsByTagNameNS(OC, 'share-type').length > 0 || response.getElementsByTagNameNS(NC, 'share-type').length > 0,
    preview: text(response, NC, 'has-preview') === 'true',
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Progress of one transfer, bytes sent so far. */
export type Progress = (sent: number) => void;

/** A PUT with upload progress (fetch reports none), cancelled by the signal. */
export async function putWithProgress(url: string, body: Blob, headers: Record<string, string>, onProgress: Progress, signal: AbortSignal): Promise<{ status: number; body: string }> {
  const auth = await authHeaders('PUT');
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [k, v] of Object.entries({ ...auth, ...headers })) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.responseText });
    xhr.onerror = () => reject(new ApiError('The connection was lost during the upload. Try again.', 0));
    xhr.onabort = () => reject(new DOMException('Cancelled', 'AbortError'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}
