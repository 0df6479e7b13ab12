import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import type { FileNode } from '../../domain/node.js';
import { PERM } from '../../domain/share.js';
import { WebError } from './errors.js';
import { sendPage } from './html.js';
import { passwordPage, sharePage, type UploadBox } from './pages.js';
import { csrfToken, openLink, PasswordRequired } from './session.js';
import { displayName, nodeAt, relativePath } from './share-paths.js';
import type { WebDeps } from './deps.js';

/** Folders first, then by name, as Nextcloud's file list sorts by default. */
export function sortEntries(nodes: FileNode[]): FileNode[] {
  return [...nodes].sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.type === 'folder' ? -1 : 1));
}

/** `uploaded=n` after an upload's redirect: a small count or nothing. */
function uploadedCount(raw: unknown): number | null {
  return typeof raw === 'string' && /^\d{1,5}$/.test(raw) ? Number(raw) : null;
}

/** A place below a live link that is not there: not the link's 404, which would say the link is gone. */
export function missingInShare(err: unknown): unknown {
  if (err instanceof DomainError && err.code === 'notFound') return new WebError(404, 'Not found', 'This file or folder does not exist in the share.');
  return err;
}

/**
 * GET /s/{token}: Nextcloud's public share page. A file shows its name, size
 * and download button; a folder also lists what it holds, with links into
 * subfolders (`?path=/sub`); links that allow creating get an upload box;
 * upload-only links (file drops) show the upload box and nothing else.
 */
export function pageRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { services, env } = deps;
  app.get('/s/:token', async (request, reply) => {
    const { token } = request.params as { token: string };
    const query = (request.query ?? {}) as Record<string, unknown>;
    let link;
    try {
      link = await openLink(request, services.publicLinks, token);
    } catch (err) {
      if (!(err instanceof PasswordRequired)) throw err;
      let rel: string[] = [];
      try {
        rel = relativePath(query.path);
      } catch {
        // The way back is only a convenience.
      }
      return sendPage(reply, 200, passwordPage(env, { token, csrf: csrfToken(request, reply, token), rel, wrong: false }));
    }
    const rel = relativePath(query.path);
    const perms = link.share.permissions;
    const folderLink = link.node.type === 'folder';
    const uploadOnly = folderLink && (perms & PERM.read) === 0;
    const name = displayName(link);
    const uploaded = uploadedCount(query.uploaded);
    if (uploadOnly) {
      if (rel.length) throw new WebError(404, 'Not found', 'This file or folder does not exist in the share.');
      const upload: UploadBox = { target: [], csrf: csrfToken(request, reply, token), nickname: isFileRequest(link.share.attributes) ? 'required' : 'optional', canReplace: false };
      return sendPage(reply, 200, sharePage(env, { token, name, note: link.share.note, node: null, rel, children: null, canDownload: false, upload, uploaded }));
    }
    const { node, place } = await nodeAt(services.files, link, rel).catch((err: unknown) => {
      throw missingInShare(err);
    });
    const isFolder = node.type === 'folder';
    const children = isFolder ? sortEntries(await services.files.children(place)) : null;
    const upload: UploadBox | null =
      isFolder && (perms & PERM.create) !== 0 ? { target: rel, csrf: csrfToken(request, reply, token), nickname: 'none', canReplace: (perms & PERM.update) !== 0 } : null;
    return sendPage(reply, 200, sharePage(env, { token, name, note: link.share.note, node, rel, children, canDownload: !link.share.hideDownload, upload, uploaded }));
  });
}

/** A file request (Nextcloud 30) asks every uploader for a name; the share's attributes say so. */
export function isFileRequest(attributes: string | null): boolean {
  if (!attributes) return false;
  try {
    const list = JSON.parse(attributes) as unknown;
    return Array.isArray(list) && list.some((a) => a && a.scope === 'fileRequest' && a.key === 'enabled' && a.value === true);
  } catch {
    return false;
  }
}
