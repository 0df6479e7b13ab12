import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, fail } from '../../domain/errors.js';
import { PERM } from '../../domain/share.js';
import type { Services } from '../../services/index.js';
import { authenticate } from '../common/credentials.js';
import { previewAskOf as askOf, sendPreview } from '../common/preview-reply.js';
import { RequestRefused } from '../common/request-guards.js';
import { PasswordRequired, openLink } from './session.js';
import { nodeAt, relativePath } from './share-paths.js';

/** Nextcloud answers a refused preview with an empty JSON array and the status alone. */
class PreviewFailure extends Error {
  constructor(readonly status: number) {
    super('preview refused');
  }
}

type Query = Record<string, unknown>;
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Nextcloud's preview routes, with and without /index.php:
 * core/preview?fileId= and core/preview.png?file= for a signed-in caller
 * (a session, an app password, Basic), and files_sharing's
 * publicpreview/{token}?file= for a link. Errors are the status with `[]`,
 * as PreviewController's DataResponse.
 */
export function previewRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    app.setErrorHandler((error: FastifyError | Error, request, reply) => {
      if (error instanceof PreviewFailure) return reply.code(error.status).send([]);
      if (error instanceof PasswordRequired) return reply.code(403).send([]);
      if (error instanceof DomainError) {
        if (error.code === 'unauthenticated') return reply.code(401).send({ message: 'Current user is not logged in' });
        if (error.code === 'tooManyRequests') return reply.code(429).send({ message: 'Reached maximum delay' });
        const status = error.code === 'notFound' ? 404 : error.code === 'forbidden' ? 403 : 400;
        return reply.code(status).send([]);
      }
      if (error instanceof RequestRefused) return reply.code(400).send([]);
      const status = (error as FastifyError).statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500) return reply.code(status).send([]);
      request.log.error({ err: error }, 'preview request failed');
      return reply.code(500).send([]);
    });

    const me = async (request: FastifyRequest): Promise<string> => (await authenticate(request, services.auth))?.userId ?? fail('unauthenticated', 'Current user is not logged in');

    const byFileId = async (request: FastifyRequest, reply: FastifyReply) => {
      const q = (request.query ?? {}) as Query;
      const raw = text(q.fileId);
      if (raw === undefined || !/^\d{1,16}$/.test(raw)) throw new PreviewFailure(400);
      const userId = await me(request);
      return sendPreview(request, reply, await services.previews.ofFileId(userId, Number(raw), askOf(q)));
    };

    const byPath = async (request: FastifyRequest, reply: FastifyReply) => {
      const q = (request.query ?? {}) as Query;
      const file = text(q.file);
      if (!file) throw new PreviewFailure(400);
      const userId = await me(request);
      return sendPreview(request, reply, await services.previews.ofHomePath(userId, relativePath(file), askOf(q)));
    };

    const publicPreview = async (request: FastifyRequest, reply: FastifyReply) => {
      const { token } = request.params as { token: string };
      const q = (request.query ?? {}) as Query;
      const ask = askOf(q);
      const link = await openLink(request, services.publicLinks, token);
      // A file drop shows nothing of what it holds, and a link that hides downloads no previews of it (PublicPreviewController).
      if ((link.share.permissions & PERM.read) === 0 || link.share.hideDownload) throw new PreviewFailure(403);
      const { place } = await nodeAt(services.files, link, relativePath(q.file));
      return sendPreview(request, reply, await services.previews.preview(place, ask));
    };

    for (const base of ['', '/index.php']) {
      app.get(`${base}/core/preview`, byFileId);
      app.get(`${base}/core/preview.png`, byPath);
      app.get(`${base}/apps/files_sharing/publicpreview/:token`, publicPreview);
    }
  };
}
