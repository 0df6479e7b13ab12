import { BASE } from '../api/http.js';

/**
 * The file-type icon of an entry: the theming icons Nextcloud clients use
 * (`/apps/theming/img/core/filetypes/{name}.svg`), picked from the MIME type
 * as Nextcloud's mimetype aliases group them.
 */
export function iconName(mime: string, opts: { folder: boolean; shared?: boolean }): string {
  if (opts.folder) return opts.shared ? 'folder-shared' : 'folder';
  const [major] = mime.split('/');
  if (mime === 'application/pdf') return 'application-pdf';
  if (/(zip|tar|gzip|x-7z|x-rar|x-bzip|x-xz)/.test(mime)) return 'package-x-generic';
  if (/(wordprocessingml|msword|opendocument\.text|rtf)/.test(mime)) return 'x-office-document';
  if (/(spreadsheetml|ms-excel|opendocument\.spreadsheet|text\/csv)/.test(mime)) return 'x-office-spreadsheet';
  if (/(presentationml|ms-powerpoint|opendocument\.presentation)/.test(mime)) return 'x-office-presentation';
  if (/(javascript|json|xml|x-sh|x-python|x-php|typescript|x-c)/.test(mime)) return 'text-code';
  if (major === 'image' || major === 'video' || major === 'audio' || major === 'text') return major;
  return 'file';
}

export const iconUrl = (name: string): string => `${BASE}/index.php/apps/theming/img/core/filetypes/${name}.svg`;
