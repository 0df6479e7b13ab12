import { DomainError } from './errors.js';
import type { PathSegments } from './node.js';

/** Nextcloud's default forbidden names (compared case-insensitively) and extensions (its `files` capabilities). */
export const FORBIDDEN_FILENAMES = ['.htaccess'] as const;
export const FORBIDDEN_FILENAME_EXTENSIONS = ['.filepart', '.part'] as const;
/** Always refused inside a name: the separators, and control characters a client cannot show. */
export const FORBIDDEN_FILENAME_CHARACTERS = ['\\', '/'] as const;

/** Names are at most 255 bytes (most file systems' limit); whole paths 2,000 bytes, so one index entry holds a path on every database. */
const MAX_NAME_BYTES = 255;
const MAX_PATH_BYTES = 2000;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const invalid = (message: string): never => {
  throw new DomainError('invalidInput', message, 'invalidField');
};

/**
 * A name a client may create (Nextcloud's FilenameValidator with its
 * defaults). Names are kept exactly as given: NFC and NFD spellings are
 * different names, as on the reference's storage.
 */
export function assertValidName(name: string): void {
  if (name === '' || name.trim() === '') invalid('Empty filename is not allowed');
  if (name === '.' || name === '..') invalid(`Dot files are not allowed`);
  for (const c of FORBIDDEN_FILENAME_CHARACTERS) if (name.includes(c)) invalid(`"${c}" is not allowed inside a filename.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) invalid('Filenames must not contain control characters.');
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) invalid('Filename is too long');
  const lower = name.toLowerCase();
  if ((FORBIDDEN_FILENAMES as readonly string[]).includes(lower)) invalid(`"${name}" is a forbidden file or folder name.`);
  for (const ext of FORBIDDEN_FILENAME_EXTENSIONS) if (lower.endsWith(ext)) invalid(`"${ext}" is a forbidden file type.`);
  if (LONE_SURROGATE.test(name)) invalid('Filename is not valid UTF-8');
}

/** Every segment valid, and the whole path within the length every store can index. */
export function assertValidPath(path: PathSegments): void {
  for (const seg of path) assertValidName(seg);
  if (Buffer.byteLength(path.join('/'), 'utf8') > MAX_PATH_BYTES) invalid('Path is too long');
}

export const joinPath = (path: PathSegments): string => path.join('/');

/** Paths of every ancestor folder of a path, nearest last; the space root ('') is not included. */
export function ancestorPaths(path: PathSegments): string[] {
  const out: string[] = [];
  for (let i = 1; i < path.length; i++) out.push(path.slice(0, i).join('/'));
  return out;
}

/** Whether `inner` is `outer` or lies below it. */
export const isWithin = (outer: PathSegments, inner: PathSegments): boolean =>
  inner.length >= outer.length && outer.every((seg, i) => inner[i] === seg);
