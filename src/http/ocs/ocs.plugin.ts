import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { DomainError, fail } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import { authenticate } from '../common/credentials.js';
import type { OcsResult, OcsVersion } from './envelope.js';
import { CsrfCheckFailed, LoginRefused, ocsErrorHandler, sendOcs, UNKNOWN_ROUTE_MESSAGE, UnknownOcsRoute } from './errors.js';
import type { OcsRoutes } from './route.js';

declare module 'fastify' {
  interface FastifyReply {
    ocs(result: OcsResult): FastifyReply;
  }
}

export interface OcsPluginOptions {
  services: Services;
  routes: OcsRoutes[];
  requireOcsApiRequest: boolean;
}

/** One OCS API version: its parsers, auth and CSRF hooks, error and not-found handlers, and every module's routes. */
function versionPlugin(version: OcsVersion, opts: OcsPluginOptions): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    await app.register(formbody);
    // An empty body sent as JSON is no parameters at all for Nextcloud (clients send
    // Content-Type: application/json on bodiless DELETEs); Fastify's parser refuses it.
    const json = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      if ((body as string).trim() === '') return done(null, undefined);
      return json(request, body as string, done);
    });
    // Nextcloud ignores bodies it cannot read rather than refusing the request.
    app.addContentTypeParser('*', (_req, payload, done) => {
      payload.resume();
      payload.on('end', () => done(null, undefined));
      payload.on('error', (err) => done(err, undefined));
    });
    app.decorateRequest('principal', null);
    app.decorateRequest('ocsVersion', version);
    app.decorateReply('ocs', function (this: FastifyReply, result: OcsResult) {
      return sendOcs(this.request, this, result);
    });
    app.setErrorHandler(ocsErrorHandler);
    app.setNotFoundHandler((request, reply) => {
      // A known route asked with another verb: Nextcloud answers a bare 405, without an envelope.
      const path = request.url.split('?')[0]!;
      const allowed = ['GET', 'POST', 'PUT', 'DELETE'].filter((m) => m !== request.method && app.findRoute({ method: m as 'GET', url: path }));
      if (allowed.length) return reply.code(405).header('Allow', allowed.join(', ')).send();
      return sendOcs(request, reply, { status: 998, message: UNKNOWN_ROUTE_MESSAGE }, true);
    });

    app.addHook('onRequest', async (request) => {
      request.ocsVersion = version;
      // Nextcloud logs the caller in before it matches the route, so refused
      // credentials win over an unknown route, and a disabled module's route
      // (which answers as unknown) behaves the same way.
      try {
        request.principal = await authenticate(request, opts.services.auth, { ocsHeaderPasses: true });
      } catch (err) {
        if (err instanceof DomainError && err.reason === 'csrfFailed') throw new CsrfCheckFailed();
        throw err instanceof DomainError ? new LoginRefused(err) : err;
      }
      const config = request.routeOptions.config?.ocs;
      if (config?.app && !(await opts.services.apps.isEnabled(config.app))) {
        throw new UnknownOcsRoute();
      }
    });
    app.addHook('preHandler', async (request) => {
      const config = request.routeOptions.config?.ocs;
      if (!config) return;
      if (config.auth === 'user' && !request.principal) fail('unauthenticated', 'Current user is not logged in');
      // A browser session proved itself in authenticate (its CSRF token on unsafe calls); the header rule is Basic's.
      if (config.csrf && opts.requireOcsApiRequest && request.principal && request.principal.method !== 'session' && !passesCsrf(request.headers)) {
        throw new CsrfCheckFailed();
      }
    });

    for (const routes of opts.routes) routes(app, opts.services);
  };
}

/** Recent Nextcloud: any non-empty OCS-APIRequest header passes, and so does a Bearer token. */
function passesCsrf(headers: Record<string, string | string[] | undefined>): boolean {
  const h = headers['ocs-apirequest'];
  if (typeof h === 'string' && h.trim() !== '') return true;
  const auth = headers.authorization;
  return typeof auth === 'string' && /^bearer\s/i.test(auth);
}

export async function ocsPlugin(app: FastifyInstance, opts: OcsPluginOptions): Promise<void> {
  await app.register(versionPlugin(1, opts), { prefix: '/ocs/v1.php' });
  await app.register(versionPlugin(2, opts), { prefix: '/ocs/v2.php' });
}
