import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { davAvatarSizeValid } from '../../domain/avatar.js';
import { DomainError } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import { httpDate } from '../common/http-date.js';
import { DavError, notFound } from './errors.js';

const NOT_ALLOWED = 'Sabre\\DAV\\Exception\\MethodNotAllowed';

/**
 * /remote.php/dav/avatars/{user}/{size}.{png|jpeg}, the avatar the desktop
 * and mobile clients fetch after signing in (apps/dav/lib/Avatars): any
 * signed-in user may read any account's, at the size asked from 1 to 1024.
 */
export function davAvatarRoutes(app: FastifyInstance, services: Services): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const { userId, name } = request.params as { userId: string; name: string };
    const dot = name.lastIndexOf('.');
    const ext = dot < 0 ? '' : name.slice(dot + 1);
    const stem = dot < 0 ? name : name.slice(0, dot);
    // AvatarHome::getChild checks the format first, then the size ((int) of the name: 0 for anything not a number).
    if (ext !== 'png' && ext !== 'jpeg') throw new DavError(405, NOT_ALLOWED, 'File format not allowed');
    const size = /^\d{1,5}$/.test(stem) ? Number(stem) : 0;
    if (!davAvatarSizeValid(size)) throw new DavError(405, NOT_ALLOWED, 'Invalid image size');
    let avatar;
    try {
      avatar = await services.avatars.avatar(request.principal!.userId, userId, size, { format: ext });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'notFound') throw notFound(`Principal with name ${userId} not found`);
      throw err;
    }
    const etag = `"${avatar.etag}"`;
    reply.header('ETag', etag).header('Content-Type', avatar.contentType);
    if (avatar.lastModified !== null) reply.header('Last-Modified', httpDate(avatar.lastModified));
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    reply.header('Content-Length', String(avatar.bytes.length));
    return reply.code(200).send(request.method === 'HEAD' ? undefined : avatar.bytes);
  };
  app.route({ method: ['GET', 'HEAD'], url: '/remote.php/dav/avatars/:userId/:name', exposeHeadRoute: false, handler });
}
