import { DomainError } from '../../domain/errors.js';
import { assertValidPath } from '../../domain/file-names.js';
import type { FileNode } from '../../domain/node.js';
import type { FilesApi, OpenedPlace } from '../../services/access/files.contract.js';
import type { OpenedLink } from '../../services/sharing/public-links.service.js';

const invalid = (message: string): never => {
  throw new DomainError('invalidInput', message);
};

/**
 * `?path=/sub/dir` below the shared folder, as Nextcloud's share page takes
 * it: segments already decoded by the query parser; empty segments ignored;
 * `.`, `..`, separators and control characters refused as every file name is.
 */
export function relativePath(raw: unknown): string[] {
  if (raw === undefined || raw === '') return [];
  if (typeof raw !== 'string') return invalid('The path must be given once');
  const segments = raw.split('/').filter((s) => s !== '');
  assertValidPath(segments);
  return segments;
}

/** Nextcloud's `files=name` beside `path` names one entry inside that folder. */
export function withFilesParam(rel: string[], files: unknown): string[] {
  if (files === undefined || files === '') return rel;
  if (typeof files !== 'string') return invalid('Only one name may be given in files');
  return relativePath(`${rel.join('/')}/${files}`);
}

/** The query string `?path=…` for a place below the shared node ('' for the shared node itself). */
export function pathQuery(rel: readonly string[]): string {
  return rel.length ? `?path=${encodeURIComponent(`/${rel.join('/')}`)}` : '';
}

/**
 * The node at a place below the shared node, through the files layer as the
 * link's pseudo-user, so the link's permissions decide. A file link has
 * nothing below it.
 */
export async function nodeAt(files: FilesApi, link: OpenedLink, rel: string[]): Promise<{ node: FileNode; place: OpenedPlace }> {
  if (rel.length > 0 && link.node.type !== 'folder') throw new DomainError('notFound', 'A shared file has nothing below it');
  const place = await files.open(link.caller, link.space.id, [...link.path, ...rel]);
  const node = files.stat(place);
  if (!node) throw new DomainError('notFound', 'File not found');
  return { node, place };
}

/** What the page calls the shared node: a shared space root has no name of its own. */
export function displayName(link: OpenedLink): string {
  return link.node.name || link.share.targetName || link.space.name || 'Shared folder';
}
