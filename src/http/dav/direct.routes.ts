import type { FastifyInstance, HTTPMethods } from 'fastify';
import type { Services } from '../../services/index.js';
import { throttleAddress } from '../common/credentials.js';
import { sendFile } from '../common/send-file.js';
import { davErrorHandler, forbidden, notFound } from './errors.js';

export const DIRECT_PREFIX = '/remote.php/direct';

/**
 * Nextcloud's DirectFile and DirectHome throw Forbidden on writes. Here every
 * method but GET and HEAD is 403 before the token is even looked up, so no
 * method tells a live token from a dead one: every method Fastify knows,
 * which includes WebDAV's once the DAV plugin has taught them to it.
 */
const refused = (app: FastifyInstance): HTTPMethods[] => app.supportedMethods.filter((m) => m !== 'GET' && m !== 'HEAD') as HTTPMethods[];

export interface DirectPluginOptions {
  services: Services;
}

/**
 * `/remote.php/direct/<token>` (Nextcloud apps/dav Direct\Server): anyone
 * holding the token downloads the file, no credentials asked or read; the
 * link serves GET and HEAD only and answers every write with 403. Errors
 * are Sabre's XML bodies. A sibling of the DAV plugin, not inside it:
 * Fastify applies a plugin's hooks to all its routes, and the DAV plugin's
 * first hook demands credentials.
 */
export async function directPlugin(app: FastifyInstance, opts: DirectPluginOptions): Promise<void> {
  app.setErrorHandler(davErrorHandler);
  // Registered under DIRECT_PREFIX: anything else below it is a DAV 404, not the server's plain one.
  app.setNotFoundHandler(async () => {
    throw notFound('File not found');
  });
  const url = '/:token';

  app.route({
    method: ['GET', 'HEAD'],
    url,
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      const { token } = request.params as { token: string };
      const link = await opts.services.directLinks.open(token, throttleAddress(request.ip));
      return sendFile(request, reply, link.node, link.read);
    },
  });

  app.route({
    method: refused(app),
    url,
    // Refused before any body is read: a large PUT is never taken in.
    onRequest: async () => {
      throw forbidden('');
    },
    handler: async () => {
      throw forbidden('');
    },
  });
}
