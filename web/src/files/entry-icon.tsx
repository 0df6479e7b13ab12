import { useState } from 'preact/hooks';
import type { Entry } from '../api/dav.js';
import { iconName, iconUrl } from './icons.js';

/**
 * A picture's thumbnail where the server can make one (nc:has-preview),
 * through the file's own WebDAV URL with `preview=1` as oCIS's web client
 * asks (the etag as `c`, so a changed file is fetched anew); the type icon
 * otherwise, and when the thumbnail fails to load.
 */
export function EntryIcon({ entry, fileUrl }: { entry: Entry; fileUrl: string }) {
  const [failed, setFailed] = useState(false);
  const icon = iconUrl(iconName(entry.mime, { folder: entry.folder, shared: entry.sharedBy }));
  if (!entry.preview || failed) return <img src={icon} alt="" width="32" height="32" />;
  const src = `${fileUrl}?preview=1&x=64&y=64&a=1&c=${encodeURIComponent(entry.etag)}`;
  return <img class="thumbnail" src={src} alt="" width="32" height="32" loading="lazy" onError={() => setFailed(true)} />;
}
