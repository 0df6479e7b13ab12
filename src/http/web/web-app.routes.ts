import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loginPath } from './account-pages.js';
import type { WebDeps } from './deps.js';
import { WebError } from './errors.js';
import { signedIn } from './session-cookie.js';
import { seeOther } from './signin.routes.js';
import { loadShell, type Shell, themeCss, WEB_APP_POLICY, WEB_ASSETS_DIR } from './web-app-assets.js';

/**
 * The web app: its page for signed-in people (everyone else signs in first
 * and comes back), its hashed assets cached for a year, and the theme
 * stylesheet. Everything it shows it reads from WebDAV, OCS and Graph.
 */
export async function webAppRoutes(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const { env, services } = deps;
  let shell: Shell | null | undefined;
  const theme = themeCss(env.color);

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    const me = await signedIn(request, services);
    const here = request.url.startsWith(`${env.basePath}/index.php/`) ? request.url.replace('/index.php/', '/') : request.url;
    if (!me) return seeOther(reply, `${loginPath(env)}?redirect_url=${encodeURIComponent(here)}`);
    if (here !== request.url) return seeOther(reply, here);
    shell ??= loadShell({ basePath: env.basePath, instanceName: env.instanceName, color: env.color });
    if (!shell) throw new WebError(503, 'Not installed', 'The web app has not been built on this server. Run "npm run build" and restart.');
    return reply.code(200).header('Content-Security-Policy', WEB_APP_POLICY).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(shell.html);
  };
  for (const url of ['/apps/files/', '/apps/files/*', '/index.php/apps/files/', '/index.php/apps/files/*']) app.get(url, page);

  app.get('/web/theme.css', async (_request, reply) =>
    reply.header('Cache-Control', 'public, max-age=31536000, immutable').type('text/css; charset=utf-8').send(theme.css),
  );

  // Vite names every asset by its content's hash, so a year of caching is safe.
  await app.register(fastifyStatic, {
    root: WEB_ASSETS_DIR,
    prefix: '/web/assets/',
    decorateReply: false,
    index: false,
    list: false,
    dotfiles: 'deny',
    wildcard: true,
    cacheControl: true,
    immutable: true,
    maxAge: 31536000 * 1000,
  });
}
