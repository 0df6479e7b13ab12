import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { fail } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import { authenticate } from '../common/credentials.js';
import { graphErrorHandler, sendGraphError } from './errors.js';
import type { GraphEnv, GraphRoutes, GraphVersion } from './route.js';

export interface GraphPluginOptions {
  services: Services;
  env: GraphEnv;
  routes: GraphRoutes[];
}

function versionPlugin(version: GraphVersion, opts: GraphPluginOptions): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    // Bodies are JSON only; anything else is refused by Fastify with 415, rendered as an OData error.
    app.decorateRequest('principal', null);
    app.setErrorHandler(graphErrorHandler);
    app.setNotFoundHandler((request, reply) =>
      sendGraphError(request, reply, { status: 404, code: 'itemNotFound' }, `no route for ${request.method} ${request.url.split('?')[0]}`),
    );
    app.addHook('onRequest', async (request) => {
      request.principal = await authenticate(request, opts.services.auth);
      if (request.routeOptions.config?.graphAuth !== false && !request.principal) fail('unauthenticated', 'Unauthorized');
    });
    for (const routes of opts.routes) routes(app, opts.services, version, opts.env);
  };
}

/** LibreGraph under /graph/v1.0 and /graph/v1beta1; each route module decides which versions it serves. */
export async function graphPlugin(app: FastifyInstance, opts: GraphPluginOptions): Promise<void> {
  await app.register(versionPlugin('v1.0', opts), { prefix: '/graph/v1.0' });
  await app.register(versionPlugin('v1beta1', opts), { prefix: '/graph/v1beta1' });
  // Any other path below /graph (an unknown version) is still answered as LibreGraph, not with the server's plain-text 404.
  await app.register(
    async (scope) => {
      scope.setErrorHandler(graphErrorHandler);
      scope.setNotFoundHandler((request, reply) =>
        sendGraphError(request, reply, { status: 404, code: 'itemNotFound' }, `no route for ${request.method} ${request.url.split('?')[0]}`),
      );
    },
    { prefix: '/graph' },
  );
}
