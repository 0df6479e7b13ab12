/**
 * File-type icon names as Nextcloud clients request them
 * (/apps/theming/img/core/filetypes/{name}.svg) and how a media type picks
 * one: Nextcloud's mimetypealiases (the common part), then the type with `/`
 * as `-`, then its first half, then the generic file (MimeIconProvider).
 */
export const FILE_TYPE_ICONS = [
  'folder',
  'folder-shared',
  'folder-public',
  'folder-external',
  'folder-encrypted',
  'file',
  'text',
  'text-code',
  'text-calendar',
  'text-vcard',
  'image',
  'video',
  'audio',
  'application',
  'application-pdf',
  'x-office-document',
  'x-office-spreadsheet',
  'x-office-presentation',
  'package-x-generic',
] as const;
export type FileTypeIcon = (typeof FILE_TYPE_ICONS)[number];

const KNOWN: ReadonlySet<string> = new Set(FILE_TYPE_ICONS);
export const isFileTypeIcon = (name: string): name is FileTypeIcon => KNOWN.has(name);

/** Media types (and Nextcloud's pseudo types for folders) whose icon is not their own name. */
const ALIASES: Record<string, string> = {
  'httpd/unix-directory': 'dir',
  dir: 'folder',
  'dir-shared': 'folder-shared',
  'dir-public': 'folder-public',
  'dir-external': 'folder-external',
  'dir-encrypted': 'folder-encrypted',
  'application/msword': 'x-office/document',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'x-office/document',
  'application/vnd.oasis.opendocument.text': 'x-office/document',
  'application/rtf': 'x-office/document',
  'application/vnd.ms-excel': 'x-office/spreadsheet',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'x-office/spreadsheet',
  'application/vnd.oasis.opendocument.spreadsheet': 'x-office/spreadsheet',
  'text/csv': 'x-office/spreadsheet',
  'application/vnd.ms-powerpoint': 'x-office/presentation',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'x-office/presentation',
  'application/vnd.oasis.opendocument.presentation': 'x-office/presentation',
  'application/zip': 'package/x-generic',
  'application/gzip': 'package/x-generic',
  'application/x-gzip': 'package/x-generic',
  'application/x-tar': 'package/x-generic',
  'application/x-7z-compressed': 'package/x-generic',
  'application/x-bzip2': 'package/x-generic',
  'application/x-rar-compressed': 'package/x-generic',
  'application/javascript': 'text/code',
  'application/json': 'text/code',
  'application/xml': 'text/html',
  'text/html': 'text/code',
  'text/css': 'text/code',
  'text/x-c': 'text/code',
  'text/x-c++src': 'text/code',
  'text/x-h': 'text/code',
  'text/x-java-source': 'text/code',
  'text/x-python': 'text/code',
  'text/x-shellscript': 'text/code',
  'application/x-php': 'text/code',
  'text/markdown': 'text',
  'text/plain': 'text',
  'text/vcard': 'text/vcard',
  'message/rfc822': 'text',
  'application/epub+zip': 'text',
};

/** The icon of a media type (or `dir`, `dir-shared`…), falling back to the generic file. */
export function fileTypeIconOf(mime: string): FileTypeIcon {
  let m = mime.toLowerCase();
  for (let hops = 0; ALIASES[m] !== undefined && hops < 3; hops++) m = ALIASES[m]!;
  const own = m.replace(/\//g, '-');
  if (isFileTypeIcon(own)) return own;
  const part = m.split('/')[0]!;
  return isFileTypeIcon(part) ? part : 'file';
}
