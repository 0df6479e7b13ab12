import { davError } from './errors.js';
import { BASE, call } from './http.js';

const D = 'DAV:';
const NC = 'http://nextcloud.org/ns';

/** One item of the signed-in user's trash bin, as Nextcloud's trashbin endpoint lists it. */
export interface TrashItem {
  /** The name in the trash (`report.pdf.d1700000000`): what restore and delete address. */
  key: string;
  name: string;
  /** Where it was, from the root of the user's files ('Reports/q1.txt'). */
  originalLocation: string;
  /** Epoch milliseconds. */
  deletedAt: number;
  deletedBy: string;
  folder: boolean;
  size: number;
  mime: string;
}

const PROPS = `<?xml version="1.0"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
 <d:prop><d:resourcetype/><d:getcontentlength/><d:getcontenttype/><oc:size/>
  <nc:trashbin-filename/><nc:trashbin-original-location/><nc:trashbin-deletion-time/><nc:trashbin-deleted-by-display-name/></d:prop>
</d:propfind>`;

const text = (el: Element, ns: string, name: string): string => el.getElementsByTagNameNS(ns, name)[0]?.textContent ?? '';

/** The user's trash bin over the public WebDAV endpoint (/remote.php/dav/trashbin/{user}/…), as Nextcloud's files app uses it. */
export class TrashBin {
  private readonly root: string;

  constructor(user: string) {
    this.root = `${BASE}/remote.php/dav/trashbin/${encodeURIComponent(user)}`;
  }

  private itemUrl(key: string): string {
    return `${this.root}/trash/${encodeURIComponent(key)}`;
  }

  async list(): Promise<TrashItem[]> {
    const res = await call({ method: 'PROPFIND', url: `${this.root}/trash`, headers: { Depth: '1', 'Content-Type': 'application/xml; charset=utf-8' }, body: PROPS });
    if (res.status !== 207) throw await davError(res, 'open the trash');
    const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
    return Array.from(doc.getElementsByTagNameNS(D, 'response'))
      .slice(1)
      .map((r) => {
        const href = text(r, D, 'href').replace(/\/$/, '');
        const folder = r.getElementsByTagNameNS(D, 'collection').length > 0;
        return {
          key: decodeURIComponent(href.slice(href.lastIndexOf('/') + 1)),
          name: text(r, NC, 'trashbin-filename'),
          originalLocation: text(r, NC, 'trashbin-original-location'),
          deletedAt: Number(text(r, NC, 'trashbin-deletion-time')) * 1000,
          deletedBy: text(r, NC, 'trashbin-deleted-by-display-name'),
          folder,
          size: Number(folder ? text(r, 'http://owncloud.org/ns', 'size') : text(r, D, 'getcontentlength')) || 0,
          mime: folder ? 'httpd/unix-directory' : text(r, D, 'getcontenttype') || 'application/octet-stream',
        };
      });
  }

  /** Back to where it was deleted from (or the root of the files when that folder is gone; "name (restored)" when the name is taken). */
  async restore(item: TrashItem): Promise<void> {
    const destination = new URL(`${this.root}/restore/${encodeURIComponent(item.key)}`, location.href).href;
    const res = await call({ method: 'MOVE', url: this.itemUrl(item.key), headers: { Destination: destination } });
    if (res.status !== 201 && res.status !== 204) throw await davError(res, 'restore this');
  }

  async remove(item: TrashItem): Promise<void> {
    const res = await call({ method: 'DELETE', url: this.itemUrl(item.key) });
    if (res.status !== 204) throw await davError(res, 'delete this for good');
  }

  async empty(): Promise<void> {
    const res = await call({ method: 'DELETE', url: `${this.root}/trash` });
    if (res.status !== 204) throw await davError(res, 'empty the trash');
  }
}
