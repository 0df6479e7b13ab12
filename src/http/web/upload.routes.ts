import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import { assertValidName } from '../../domain/file-names.js';
import { PERM } from '../../domain/share.js';
import { freeName, type OpenedLink } from '../../services/sharing/public-links.service.js';
import type { Services } from '../../services/index.js';
import { formExpired } from './authenticate.routes.js';
import { WebError } from './errors.js';
import { isFileRequest, missingInShare } from './page.routes.js';
import { shareUrl } from './pages.js';
import { CSRF_FIELD, csrfValid, openLink } from './session.js';
import { nodeAt, pathQuery, relativePath } from './share-paths.js';
import type { WebDeps } from './deps.js';

interface Uploader {
  nickname: string | null;
  /** Replace a same-named file instead of keeping both (links that may change files only). */
  replace: boolean;
}

/** Browsers send the bare name; some old ones a whole client path. */
const baseName = (filename: string): string => filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);

/**
 * Once the form is being read, the request is piped into the multipart
 * parser, and Node no longer drains what is left when the answer is sent: a
 * refused upload would leave the browser blocked sending the rest and never
 * showing the error page. Whatever is left is read and thrown away.
 */
function discardRest(raw: IncomingMessage): void {
  raw.unpipe();
  raw.resume();
}

/**
 * A file dropped on an upload-only link: where Nextcloud's FilesDropPlugin
 * puts it (below the uploader's nickname when given), never over anything.
 */
async function dropFile(services: Services, link: OpenedLink, who: Uploader, name: string, body: Readable): Promise<void> {
  const plan = await services.publicLinks.dropPlan(link, who.nickname ? [who.nickname, name] : [name]);
  for (const folder of plan.folders) {
    try {
      await services.files.mkdir(await services.files.open(link.caller, link.space.id, folder));
    } catch (err) {
      // Another upload made it in the meantime: use it.
      if (!(err instanceof DomainError && err.code === 'conflict')) throw err;
    }
  }
  await services.files.write(await services.files.open(link.caller, link.space.id, plan.path), body, {});
}

/**
 * A file uploaded into a folder the link can read: Nextcloud's upload asks
 * on a name clash and keeps both unless told to replace; a form cannot ask,
 * so both are kept (`a (2).txt`) unless the uploader ticked "replace", which
 * only links with the update permission offer.
 */
async function storeFile(services: Services, link: OpenedLink, dir: string[], who: Uploader, name: string, body: Readable): Promise<void> {
  const { files } = services;
  const exists = async (candidate: string): Promise<boolean> => {
    try {
      return files.stat(await files.open(link.caller, link.space.id, [...dir, candidate])) !== null;
    } catch (err) {
      if (err instanceof DomainError && err.code === 'notFound') return false;
      throw err;
    }
  };
  const canReplace = who.replace && (link.share.permissions & PERM.update) !== 0;
  const target = canReplace ? name : await freeName(name, exists);
  await files.write(await files.open(link.caller, link.space.id, [...dir, target]), body, {});
}

/**
 * POST /s/{token}/upload?path=/sub: the upload box's multipart form, files
 * streamed one by one into the files layer as they arrive. The form's CSRF
 * field comes before the files, so nothing is stored for a forged form.
 */
export function uploadRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { services, env } = deps;
  app.post('/s/:token/upload', async (request, reply) => {
    const { token } = request.params as { token: string };
    const query = (request.query ?? {}) as Record<string, unknown>;
    const link = await openLink(request, services.publicLinks, token);
    const perms = link.share.permissions;
    if (link.node.type !== 'folder' || (perms & PERM.create) === 0) throw new WebError(403, 'Upload not allowed', 'This share does not accept uploads.');
    const uploadOnly = (perms & PERM.read) === 0;
    const rel = relativePath(query.path);
    let dir: string[] = [];
    if (!uploadOnly) {
      const { node: folder } = await nodeAt(services.files, link, rel).catch((err: unknown) => {
        throw missingInShare(err);
      });
      if (folder.type !== 'folder') throw new WebError(400, 'Bad request', 'Files can only be uploaded into a folder.');
      dir = [...link.path, ...rel];
    } else if (rel.length) {
      throw new WebError(404, 'Not found', 'This file or folder does not exist in the share.');
    }
    if (!request.isMultipart()) throw new WebError(400, 'Bad request', 'The upload must be sent as a multipart form.');

    let csrfOk = false;
    const who: Uploader = { nickname: null, replace: false };
    let count = 0;
    // What the multipart parser itself failed with (a form that is not one, a body cut short) is the sender's mistake:
    // it surfaces from the parts iterator, or as the error a file stream was destroyed with.
    const formErrors = new Set<unknown>();
    const fileStreams: Readable[] = [];
    const parts = request.parts()[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await parts.next().catch((err: unknown) => {
          formErrors.add(err);
          throw err;
        });
        if (next.done) break;
        const part = next.value;
        if (part.type === 'field') {
          const value = typeof part.value === 'string' ? part.value : '';
          if (part.fieldname === CSRF_FIELD) csrfOk = csrfValid(request, token, value);
          else if (part.fieldname === 'nickname' && uploadOnly) who.nickname = value.trim() || null;
          else if (part.fieldname === 'replace') who.replace = value === '1';
          continue;
        }
        if (!csrfOk) throw formExpired();
        // An empty file input still sends one part, without a name.
        if (!part.filename) {
          part.file.resume();
          continue;
        }
        fileStreams.push(part.file);
        const name = baseName(part.filename);
        assertValidName(name);
        if (uploadOnly) {
          if (!who.nickname && isFileRequest(link.share.attributes)) throw new WebError(400, 'Name required', 'Enter your name before uploading to this file request.');
          await dropFile(services, link, who, name, part.file);
        } else {
          await storeFile(services, link, dir, who, name, part.file);
        }
        count++;
      }
    } catch (err) {
      discardRest(request.raw);
      const cause = (err as Error | null)?.cause;
      if (formErrors.has(err) || fileStreams.some((f) => f.errored !== null && (f.errored === err || f.errored === cause))) {
        if (typeof (err as { statusCode?: unknown }).statusCode === 'number') throw err;
        throw new WebError(400, 'Bad request', 'The upload form could not be read.');
      }
      throw err;
    }
    if (!csrfOk) throw formExpired();
    if (count === 0) throw new WebError(400, 'No file chosen', 'Choose at least one file to upload.');
    const back = `${shareUrl(env, token)}${uploadOnly ? '' : pathQuery(rel)}`;
    return reply.redirect(`${back}${back.includes('?') ? '&' : '?'}uploaded=${count}`, 303);
  });
}
