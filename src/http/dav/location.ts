import { badRequest } from './errors.js';

/**
 * Where a DAV URL points, before any lookup:
 * - `webdav`  /remote.php/webdav/…                      the caller's personal space (legacy)
 * - `files`   /remote.php/dav/files/{user}/…            {user}'s personal space; only the caller's own
 * - `spaces`  /remote.php/dav/spaces/{space}/…, /dav/spaces/{space}/…   a space by id (`storage$space`, `storage%24space` or the plain id)
 * - `uploads` /remote.php/dav/uploads/{user}/{upload}/… chunked uploads (Nextcloud chunking v2)
 * - `public`  a public link's node, by one of three entry points (`scheme`):
 *             `legacy` /public.php/webdav/…                  token as the Basic user name (Nextcloud LegacyPublicAuth)
 *             `token`  /public.php/dav/files/{token}/…       token in the path, password by Basic with any user (Nextcloud PublicAuth)
 *             `ocis`   /dav/public-files/{token}/…, /remote.php/dav/public-files/{token}/…   as oCIS (Basic user `public`)
 * - `versions` /remote.php/dav/versions/{user}/…         Nextcloud's file versions: versions/{fileid}/{revision}, restore/target
 * - `meta`    /remote.php/dav/meta/{fileid}/…, /dav/meta/{fileid}/…   oCIS's file metadata: v (the versions), v/{revision}
 * - `trashbin` /remote.php/dav/trashbin/{user}/…          {user}'s trash bin as Nextcloud serves it (`trash/…`, `restore/…`)
 * - `spaceTrash` /remote.php/dav/spaces/trash-bin/{space}/…, /dav/spaces/trash-bin/{space}/…   a space's trash bin as oCIS serves it
 * - `root`    the collections above those (/remote.php/dav/, /remote.php/dav/files/, /dav/spaces/, /public.php/dav/): OPTIONS only
 */
export type DavFamily = 'webdav' | 'files' | 'spaces' | 'uploads' | 'public' | 'versions' | 'meta' | 'trashbin' | 'spaceTrash' | 'root';

/** How a public link is named and authenticated: see DavFamily. */
export type PublicScheme = 'legacy' | 'token' | 'ocis';

export interface DavLocation {
  family: DavFamily;
  /** Href of the entry point's root, encoded, without trailing slash: `/remote.php/dav/files/admin`. */
  base: string;
  /** files/uploads/versions: the user named in the URL; spaces: the space reference as decoded; meta: the file id as given; public: the link token ('' for legacy, where it is the Basic user name). */
  ref: string;
  /** public: which entry point. */
  scheme?: PublicScheme;
  /** uploads: the upload id. */
  uploadId?: string;
  /** Decoded segments below the base; [] is the root of the space (or upload folder). */
  path: string[];
}

export const ENTRY_PREFIXES = ['/remote.php/webdav', '/remote.php/dav', '/dav', '/public.php/webdav', '/public.php/dav'] as const;

/** Whether a request path is one of the public-link entry points (authenticated by the link, never by a user). */
export function isPublicPathname(pathname: string): boolean {
  return /^\/(public\.php\/(webdav|dav)|dav\/public-files|remote\.php\/dav\/public-files)(\/|$)/.test(pathname);
}

/** Splits a raw URL path into decoded segments, refusing anything that could leave the tree. */
export function decodeSegments(raw: string): string[] {
  const out: string[] = [];
  for (const seg of raw.split('/')) {
    if (seg === '') continue;
    let name: string;
    try {
      name = decodeURIComponent(seg);
    } catch {
      throw badRequest('The URL is not correctly encoded');
    }
    // Traversal and smuggled separators are refused outright, whatever their encoding (`..`, `%2e%2e`, `%2F`, NUL).
    if (name === '.' || name === '..') throw badRequest('The path may not contain . or .. segments');
    if (name.includes('/') || name.includes('\0')) throw badRequest('The path contains an invalid character');
    out.push(name);
  }
  return out;
}

const UNRESERVED = /^[A-Za-z0-9_.~():@-]*$/;

/** Sabre's encodePathSegment: everything but `A-Za-z0-9_-.~():@` percent-encoded as UTF-8. */
export function encodeSegment(name: string): string {
  // Most names need nothing encoded: answered as they are (a favourites REPORT encodes 10,000).
  if (UNRESERVED.test(name)) return name;
  return encodeURIComponent(name).replace(/[!'*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%3A/gi, ':').replace(/%40/gi, '@');
}

export const encodePath = (segments: readonly string[]): string => segments.map(encodeSegment).join('/');

/** The href of a resource: folders end with a slash, as Nextcloud writes them. */
export function hrefOf(base: string, path: readonly string[], folder: boolean): string {
  const rel = encodePath(path);
  return `${base}/${rel}${folder && rel !== '' ? '/' : ''}`;
}

/** Parses the path of a request URL (query already removed); null when it is not a DAV URL at all. */
export function parseDavPathname(pathname: string): DavLocation | null {
  const segs = pathname.split('/');
  // segs[0] is '' (leading slash).
  if (segs[1] === 'remote.php' && segs[2] === 'webdav') {
    return { family: 'webdav', base: '/remote.php/webdav', ref: '', path: decodeSegments(segs.slice(3).join('/')) };
  }
  if (segs[1] === 'public.php') return parsePublicPathname(segs);
  let rest: string[];
  let basePrefix: string;
  if (segs[1] === 'remote.php' && segs[2] === 'dav') {
    rest = segs.slice(3);
    basePrefix = '/remote.php/dav';
  } else if (segs[1] === 'dav') {
    rest = segs.slice(2);
    basePrefix = '/dav';
    // Only spaces, file metadata and public links live under /dav.
    if (rest[0] !== undefined && rest[0] !== '' && rest[0] !== 'spaces' && rest[0] !== 'meta' && rest[0] !== 'public-files') return { family: 'root', base: basePrefix, ref: '', path: decodeSegments(rest.join('/')) };
  } else return null;
  const [collection, rawRef, ...tail] = rest;
  if (!collection || rawRef === undefined || rawRef === '') {
    return { family: 'root', base: basePrefix, ref: collection ?? '', path: decodeSegments(rest.join('/')) };
  }
  const ref = decodeSegments(rawRef)[0]!;
  if (collection === 'spaces' && ref === 'trash-bin') return parseSpaceTrash(basePrefix, tail);
  const base = `${basePrefix}/${collection}/${rawRef}`;
  if (collection === 'trashbin' && basePrefix === '/remote.php/dav') return { family: 'trashbin', base, ref, path: decodeSegments(tail.join('/')) };
  if (collection === 'files') return { family: 'files', base, ref, path: decodeSegments(tail.join('/')) };
  if (collection === 'spaces') return { family: 'spaces', base, ref, path: decodeSegments(tail.join('/')) };
  if (collection === 'versions') return { family: 'versions', base, ref, path: decodeSegments(tail.join('/')) };
  if (collection === 'meta') return { family: 'meta', base, ref, path: decodeSegments(tail.join('/')) };
  if (collection === 'public-files') return { family: 'public', scheme: 'ocis', base, ref, path: decodeSegments(tail.join('/')) };
  if (collection === 'uploads') {
    const [rawUpload, ...below] = tail;
    if (rawUpload === undefined || rawUpload === '') return { family: 'root', base, ref, path: [] };
    const uploadId = decodeSegments(rawUpload)[0]!;
    return { family: 'uploads', base: `${base}/${rawUpload}`, ref, uploadId, path: decodeSegments(below.join('/')) };
  }
  return { family: 'root', base: basePrefix, ref: collection, path: decodeSegments(rest.join('/')) };
}

/** oCIS's `spaces/trash-bin/{space id}/{item key}/…` (ocdav's TrashbinHandler on the spaces router); without a space id it is the bare collection. */
function parseSpaceTrash(basePrefix: string, tail: string[]): DavLocation {
  const [rawSpace, ...below] = tail;
  if (rawSpace === undefined || rawSpace === '') return { family: 'root', base: basePrefix, ref: 'spaces', path: ['trash-bin'] };
  const ref = decodeSegments(rawSpace)[0]!;
  return { family: 'spaceTrash', base: `${basePrefix}/spaces/trash-bin/${rawSpace}`, ref, path: decodeSegments(below.join('/')) };
}

/** /public.php/webdav/… and /public.php/dav/files/{token}/…; anything else under /public.php/dav is the root collection. */
function parsePublicPathname(segs: string[]): DavLocation | null {
  if (segs[2] === 'webdav') return { family: 'public', scheme: 'legacy', base: '/public.php/webdav', ref: '', path: decodeSegments(segs.slice(3).join('/')) };
  if (segs[2] !== 'dav') return null;
  const [collection, rawToken, ...tail] = segs.slice(3);
  if (collection !== 'files' || rawToken === undefined || rawToken === '') {
    return { family: 'root', base: '/public.php/dav', ref: collection ?? '', path: decodeSegments(segs.slice(3).join('/')) };
  }
  const token = decodeSegments(rawToken)[0]!;
  return { family: 'public', scheme: 'token', base: `/public.php/dav/files/${rawToken}`, ref: token, path: decodeSegments(tail.join('/')) };
}

/** The path of a Destination or If-header resource: an absolute URL or an absolute path. */
export function pathnameOfHref(href: string): string | null {
  // Taken apart by hand: URL parsing would resolve `..` and `%2e%2e`, hiding a traversal the path checks must see.
  const abs = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(href);
  const path = abs ? href.slice(abs[0].length) || '/' : href;
  if (!path.startsWith('/')) return null;
  const q = path.search(/[?#]/);
  return q < 0 ? path : path.slice(0, q);
}
