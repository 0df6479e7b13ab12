import type { FastifyInstance } from 'fastify';
import type { FileNode } from '../../domain/node.js';
import { PERM } from '../../domain/share.js';
import type { FilesApi, OpenedPlace } from '../../services/access/files.contract.js';
import type { OpenedLink } from '../../services/sharing/public-links.service.js';
import { contentDisposition, sendFile } from '../common/send-file.js';
import { WebError } from './errors.js';
import { missingInShare, sortEntries } from './page.routes.js';
import { openLink } from './session.js';
import { displayName, nodeAt, relativePath, withFilesParam } from './share-paths.js';
import type { WebDeps } from './deps.js';
import { type ZipEntry, zipStream } from '../common/zip-writer.js';

/**
 * Every entry below a folder, depth first in listing order, each folder
 * before what it holds (so empty folders are in the archive too). Listings
 * are fetched as the archive reaches them, and every read goes through the
 * files layer as the link, so a link deleted mid-download stops the archive.
 */
async function* folderEntries(files: FilesApi, folder: OpenedPlace, prefix: string): AsyncGenerator<ZipEntry> {
  yield { name: `${prefix}/`, type: 'folder', mtime: folder.node!.mtime, size: 0 };
  for (const child of sortEntries(await files.children(folder))) {
    const name = `${prefix}/${child.name}`;
    const place = await files.childOf(folder, child);
    if (child.type === 'folder') yield* folderEntries(files, place, name);
    else yield { name, type: 'file', mtime: child.mtime, size: child.size, open: () => files.read(place) };
  }
}

/**
 * GET /s/{token}/download (Nextcloud's route, also with its `files=` beside
 * `path=`): a file as it is, with ranges and conditionals as WebDAV GET; a
 * folder as a ZIP archive named after it, streamed as it is written. Refused
 * when the link hides downloads or only takes uploads.
 */
export function downloadRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { services } = deps;
  app.get('/s/:token/download', async (request, reply) => {
    const { token } = request.params as { token: string };
    const query = (request.query ?? {}) as Record<string, unknown>;
    const link = await openLink(request, services.publicLinks, token);
    if ((link.share.permissions & PERM.read) === 0) throw new WebError(403, 'Download not allowed', 'This share only accepts uploads.');
    if (link.share.hideDownload) throw new WebError(403, 'Download not allowed', 'The owner of this share has disabled downloads.');
    const rel = withFilesParam(relativePath(query.path), query.files);
    const { node, place } = await nodeAt(services.files, link, rel).catch((err: unknown) => {
      throw missingInShare(err);
    });
    if (node.type === 'file') {
      return sendFile(request, reply, node, (range) => services.files.read(place, range));
    }
    const name = rel.length ? node.name : displayName(link);
    reply
      .code(200)
      .header('Content-Type', 'application/zip')
      .header('Content-Disposition', contentDisposition(`${name}.zip`))
      .header('Cache-Control', 'no-store')
      .header('X-Accel-Buffering', 'no');
    if (request.method === 'HEAD') return reply.send();
    return reply.send(zipStream(folderEntries(services.files, place, name)));
  });
}
