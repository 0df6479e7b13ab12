import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { authenticateRoutes } from './authenticate.routes.js';
import { avatarRoutes } from './avatar.routes.js';
import { previewRoutes } from './preview.routes.js';
import { downloadRoutes } from './download.routes.js';
import { GONE_MESSAGE, GONE_TITLE, sendError, webErrorHandler } from './errors.js';
import { securityHeaders } from './html.js';
import { pageRoutes } from './page.routes.js';
import { privateLinkRoutes } from './private-link.routes.js';
import { pageEnv, type WebDeps, type WebPluginOptions } from './deps.js';
import { uploadRoutes } from './upload.routes.js';
import { devicesRoutes } from './devices.routes.js';
import { loginFlowRoutes } from './login-flow.routes.js';
import { signinRoutes } from './signin.routes.js';
import { externalSigninRoutes } from './external-signin.routes.js';
import { themingRoutes } from './theming.routes.js';
import { webAppRoutes } from './web-app.routes.js';

/**
 * The server-rendered pages, no script: the public share page under
 * /s/{token}, as Nextcloud's (apps/files_sharing ShareController), and web
 * sign-in (the sign-in form, Login Flow, devices and sessions). Their own
 * plugin so their form parsers, security headers and HTML error pages stay here.
 */
export async function webPlugin(app: FastifyInstance, opts: WebPluginOptions): Promise<void> {
  const deps: WebDeps = { services: opts.services, env: pageEnv(opts), publicUrl: opts.publicUrl, storageId: opts.storageId };
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  // Uploads stream into the files layer, which enforces quota: no size limit here, only on the form's shape.
  await app.register(multipart, { limits: { fileSize: Infinity, files: 1000, fields: 20, fieldSize: 4096, parts: 1020, headerPairs: 100 } });
  app.setErrorHandler(webErrorHandler(deps.env));
  app.addHook('onRequest', async (_request, reply) => {
    securityHeaders(reply, deps.env);
  });
  pageRoutes(app, deps);
  downloadRoutes(app, deps);
  authenticateRoutes(app, deps);
  uploadRoutes(app, deps);
  signinRoutes(app, deps);
  externalSigninRoutes(app, deps);
  loginFlowRoutes(app, deps);
  devicesRoutes(app, deps);
  // Their own scope: the avatar routes answer in JSON, as Nextcloud's AvatarController does, not with pages.
  await app.register(avatarRoutes(deps.services));
  // Previews answer as PreviewController does: the image, or the status with an empty JSON array.
  await app.register(previewRoutes(deps.services));
  themingRoutes(app, deps);
  await webAppRoutes(app, deps);
  privateLinkRoutes(app, deps);
  // Anything else below /s is the share page's own answer, not the server's plain-text 404.
  await app.register(
    async (scope) => {
      scope.setNotFoundHandler((request, reply) => {
        const path = request.url.split('?', 1)[0]!;
        const allowed = ['GET', 'HEAD', 'POST'].filter((m) => m !== request.method && app.findRoute({ method: m as 'GET', url: path }));
        if (allowed.length) return sendError(reply.header('Allow', allowed.join(', ')), deps.env, 405, 'Method not allowed', `${request.method} is not allowed here.`);
        return sendError(reply, deps.env, 404, GONE_TITLE, GONE_MESSAGE);
      });
    },
    { prefix: '/s' },
  );
}
