import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AVATAR_UPLOAD_LIMIT } from '../../../domain/avatar.js';
import type { Services } from '../../../services/index.js';
import { type GraphEnv, graphRoute, type GraphVersion } from '../route.js';

/** oCIS words every photo failure this way (api_users_user_profile_photo.go). */
const PHOTO_ERRORS = {
  avatarNotSet: { status: 404, code: 'generalException', message: 'failed to get photo' },
  notAnImage: { status: 400, code: 'invalidRequest' },
  imageTooLarge: { status: 413, code: 'invalidRequest' },
} as const;

/**
 * Profile photos (v1.0 only, as OpenCloud mounts them): the caller's own under
 * /me/photo/$value, and another user's when the directory lets the caller see
 * that user (GET /users/{id}'s rule). No photo is a 404, as in oCIS: the web
 * then draws its own initials. A body is any raster image, told by its bytes
 * whatever its Content-Type, stored as a square PNG.
 */
export function photoRoutes(app: FastifyInstance, s: Services, version: GraphVersion, env: GraphEnv): void {
  if (version !== 'v1.0') return;
  void app.register(async (scope) => {
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: AVATAR_UPLOAD_LIMIT }, (_request, body, done) => done(null, body));
    const route = (spec: Parameters<typeof graphRoute>[3]) => graphRoute(scope, version, env, { ...spec, errors: PHOTO_ERRORS });

    const send = async (reply: FastifyReply, request: FastifyRequest, callerId: string, userId: string) => {
      const photo = await s.avatars.photo(callerId, userId);
      const etag = `"${photo.etag}"`;
      reply.header('ETag', etag).header('Cache-Control', 'private, no-cache');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.code(200).type(photo.contentType).send(photo.bytes);
    };

    scope.route({
      method: 'GET',
      url: '/me/photo/$value',
      config: { graphAuth: true, graphErrors: PHOTO_ERRORS },
      handler: (request, reply) => send(reply, request, request.principal!.userId, request.principal!.userId),
    });
    scope.route({
      method: 'GET',
      url: '/users/:userId/photo/$value',
      config: { graphAuth: true, graphErrors: PHOTO_ERRORS },
      handler: async (request, reply) => {
        const callerId = request.principal!.userId;
        const { userId } = request.params as { userId: string };
        const seen = await s.graphDirectory.getUser(callerId, userId, { memberOf: false, appRoleAssignments: false });
        return send(reply, request, callerId, seen.user.id);
      },
    });

    const upsert = async (c: Parameters<Parameters<typeof graphRoute>[3]['handler']>[0]) => {
      const body = Buffer.isBuffer(c.body) ? c.body : Buffer.alloc(0);
      await s.avatars.setPhoto(c.userId(), body);
      // oCIS answers an empty 200.
      return { status: 200 };
    };
    route({ method: 'PUT', url: '/me/photo/$value', handler: upsert });
    route({ method: 'PATCH', url: '/me/photo/$value', handler: upsert });
    route({
      method: 'DELETE',
      url: '/me/photo/$value',
      handler: async (c) => {
        await s.avatars.remove(c.userId());
        return { status: 200 };
      },
    });
  });
}
