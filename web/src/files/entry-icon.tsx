import { useState } from 'preact/hooks';
import type { Entry } from '../api/dav.js';
import { iconName, iconUrl } from './icons.js';

/**
 * A picture's thumbnail where the server can make one (nc:has-preview),
 * through the file's own WebDAV URL with `preview=1` as oCIS's web client
 * asks (the etag as `c`, so a changed file is fetched anew); the type icon
 * otherwise, and when the thumbnail fails to load. `crop` asks for a square
 * filled by the picture (`a=0`) instead of the whole picture in the box.
 */
export function EntryIcon({ entry, fileUrl, size = 32, crop = false }: { entry: Entry; fileUrl: string; size?: number; crop?: boolean }) {
  const [failed, setFailed] = useState(false);
  const icon = iconUrl(iconName(entry.mime, { folder: entry.folder, shared: entry.sharedBy }));
  if (!entry.preview || failed) return <img class="type-icon" src={icon} alt="" width={size} height={size} />;
  // Twice the drawn size, so the picture stays sharp on high-density screens.
  const side = size * 2;
  const src = `${fileUrl}?preview=1&x=${side}&y=${side}&a=${crop ? 0 : 1}&c=${encodeURIComponent(entry.etag)}`;
  return <img class="thumbnail" src={src} alt="" width={size} height={size} loading="lazy" onError={() => setFailed(true)} />;
}
