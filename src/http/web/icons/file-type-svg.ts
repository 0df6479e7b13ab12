import type { FileTypeIcon } from '../../../domain/file-type-icons.js';

/**
 * Nimbus's own file-type artwork (32×32, drawn here, not Nextcloud's): a
 * folder, or a page with a folded corner carrying a small glyph, in the
 * instance's theming colour. The share page and the web app use the same
 * drawings as the theming route clients fetch.
 */

type Glyph = (c: string) => string;

const svg = (body: string): string => `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">${body}</svg>`;

const FOLDER = (c: string) => `<path d="M3 7.5A1.5 1.5 0 0 1 4.5 6h7.4l2.6 2.6h13A1.5 1.5 0 0 1 29 10.1V25a1.5 1.5 0 0 1-1.5 1.5h-23A1.5 1.5 0 0 1 3 25z" fill="${c}"/><path d="M3 12h26v13a1.5 1.5 0 0 1-1.5 1.5h-23A1.5 1.5 0 0 1 3 25z" fill="#fff" fill-opacity=".18"/>`;
/** A mark drawn in white over the folder's front. */
const onFolder = (mark: string): Glyph => (c) => FOLDER(c) + `<g fill="none" stroke="#fff" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${mark}</g>`;

const PAGE = (c: string) => `<path d="M7.5 3h11.8L25.5 9.2V27.5A1.5 1.5 0 0 1 24 29H7.5A1.5 1.5 0 0 1 6 27.5v-23A1.5 1.5 0 0 1 7.5 3z" fill="#fff" stroke="${c}" stroke-width="1.5"/><path d="M19.3 3v4.7a1.5 1.5 0 0 0 1.5 1.5h4.7" fill="none" stroke="${c}" stroke-width="1.5" stroke-linejoin="round"/>`;
const onPage = (glyph: Glyph): Glyph => (c) => PAGE(c) + glyph(c);
const lines = (c: string, ys: number[], x2 = 21.5) => ys.map((y) => `<path d="M10 ${y}h${x2 - 10}" stroke="${c}" stroke-width="1.6" stroke-linecap="round"/>`).join('');
const label = (text: string) => (c: string) => `<rect x="8.5" y="17" width="15" height="7.5" rx="1.2" fill="${c}"/><text x="16" y="22.9" font-family="Arial,Helvetica,sans-serif" font-size="6" font-weight="700" text-anchor="middle" fill="#fff">${text}</text>`;

const GLYPHS: Record<FileTypeIcon, Glyph> = {
  folder: FOLDER,
  'folder-shared': onFolder('<circle cx="13" cy="18.5" r="1.6"/><circle cx="20" cy="15" r="1.6"/><circle cx="20" cy="22" r="1.6"/><path d="M14.5 17.7 18.5 15.8M14.5 19.3 18.5 21.2"/>'),
  'folder-public': onFolder('<path d="M14.6 20.4 17.4 17.6"/><path d="M13.8 17.8 12.6 19a2.2 2.2 0 0 0 3.1 3.1l1.2-1.2M18.2 20.2l1.2-1.2a2.2 2.2 0 0 0-3.1-3.1l-1.2 1.2"/>'),
  'folder-external': onFolder('<path d="M14 22.5 20 16.5M16 16.5h4v4"/>'),
  'folder-encrypted': onFolder('<rect x="12.5" y="18" width="7" height="5.2" rx="1"/><path d="M14 18v-1.6a2 2 0 0 1 4 0V18"/>'),
  file: PAGE,
  text: onPage((c) => lines(c, [13, 16.5, 20, 23.5])),
  'text-code': onPage((c) => `<path d="m13 14.5-3.2 3.5 3.2 3.5M19 14.5l3.2 3.5-3.2 3.5M17.2 13.5l-2.4 9" fill="none" stroke="${c}" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/>`),
  'text-calendar': onPage((c) => `<rect x="9.5" y="13" width="13" height="11" rx="1.2" fill="none" stroke="${c}" stroke-width="1.5"/><path d="M9.5 16.5h13M13 11.5v3M19 11.5v3" stroke="${c}" stroke-width="1.5" stroke-linecap="round"/><rect x="12" y="18.5" width="3" height="3" fill="${c}"/>`),
  'text-vcard': onPage((c) => `<circle cx="16" cy="15.5" r="2.8" fill="${c}"/><path d="M10.5 24.5a5.5 5.5 0 0 1 11 0z" fill="${c}"/>`),
  image: onPage((c) => `<rect x="9.5" y="13" width="13" height="11" rx="1.2" fill="none" stroke="${c}" stroke-width="1.5"/><circle cx="19" cy="16.3" r="1.4" fill="${c}"/><path d="m10.5 23 4-5 3 3.5 1.7-1.8 2.3 3.3z" fill="${c}"/>`),
  video: onPage((c) => `<path d="M13 13.5v10l8.5-5z" fill="${c}"/>`),
  audio: onPage((c) => `<path d="M14.5 22V13.8l6.5-1.6V20" fill="none" stroke="${c}" stroke-width="1.6" stroke-linejoin="round"/><circle cx="13" cy="22.2" r="2" fill="${c}"/><circle cx="19.5" cy="20.3" r="2" fill="${c}"/>`),
  application: onPage((c) => `<circle cx="16" cy="18.5" r="3.6" fill="none" stroke="${c}" stroke-width="2.4" stroke-dasharray="2.2 1.6"/><circle cx="16" cy="18.5" r="1.3" fill="${c}"/>`),
  'application-pdf': onPage(label('PDF')),
  'x-office-document': onPage((c) => lines(c, [12.5, 15.5]) + label('DOC')(c)),
  'x-office-spreadsheet': onPage((c) => `<rect x="9.5" y="12.5" width="13" height="12" fill="none" stroke="${c}" stroke-width="1.4"/><path d="M9.5 16.5h13M9.5 20.5h13M14 12.5v12M18.5 12.5v12" stroke="${c}" stroke-width="1.2"/>`),
  'x-office-presentation': onPage((c) => `<rect x="9" y="12.5" width="14" height="9" rx="1" fill="${c}"/><path d="M16 21.5v3M13 25h6" stroke="${c}" stroke-width="1.5" stroke-linecap="round"/><path d="M12 18.5l2.5-2.5 2 1.8 3.5-3.3" fill="none" stroke="#fff" stroke-width="1.3" stroke-linecap="round" stroke-linejoin="round"/>`),
  'package-x-generic': onPage((c) => `<path d="M16 12.5l6 3v7l-6 3-6-3v-7z" fill="none" stroke="${c}" stroke-width="1.5" stroke-linejoin="round"/><path d="M10 15.5l6 3 6-3M16 18.5v7" fill="none" stroke="${c}" stroke-width="1.5" stroke-linejoin="round"/>`),
};

/** The SVG document of a file-type icon in a colour (#rrggbb). */
export function fileTypeSvg(name: FileTypeIcon, color: string): string {
  return svg(GLYPHS[name](color));
}

/** Icons of the pages' own actions (navigation entries), same style. */
export const ACTION_ICONS = {
  user: (c: string) => svg(`<circle cx="16" cy="11" r="5.5" fill="${c}"/><path d="M5.5 27.5a10.5 10.5 0 0 1 21 0z" fill="${c}"/>`),
  devices: (c: string) =>
    svg(`<rect x="3" y="6" width="20" height="14" rx="1.5" fill="none" stroke="${c}" stroke-width="2"/><path d="M9 25h8M13 20v5" stroke="${c}" stroke-width="2" stroke-linecap="round"/><rect x="21" y="12" width="8" height="15" rx="1.5" fill="#fff" stroke="${c}" stroke-width="2"/><path d="M24 24h2" stroke="${c}" stroke-width="1.6" stroke-linecap="round"/>`),
} as const;
export type ActionIcon = keyof typeof ACTION_ICONS;
export const isActionIcon = (name: string): name is ActionIcon => Object.hasOwn(ACTION_ICONS, name);
