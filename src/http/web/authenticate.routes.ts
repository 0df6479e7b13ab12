import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import { throttleAddress } from '../common/credentials.js';
import { WebError } from './errors.js';
import { sendPage } from './html.js';
import { passwordPage, shareUrl } from './pages.js';
import { CSRF_FIELD, csrfToken, csrfValid, setProofCookie } from './session.js';
import { pathQuery, relativePath } from './share-paths.js';
import type { WebDeps } from './deps.js';

export const formExpired = (): WebError => new WebError(403, 'Form expired', 'The form has expired or was sent from another site. Reload the page and try again.');

/**
 * POST /s/{token}/authenticate (Nextcloud's ShareController::authenticate):
 * the password from the prompt's form. Right: a cookie proving it, scoped to
 * the link, and back to the page (303). Wrong: the prompt again with
 * Nextcloud's message, 403, counted against the address; past the limit 429.
 */
export function authenticateRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { services, env } = deps;
  app.post('/s/:token/authenticate', async (request, reply) => {
    const { token } = request.params as { token: string };
    const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
    if (!csrfValid(request, token, body[CSRF_FIELD])) throw formExpired();
    let rel: string[] = [];
    try {
      rel = relativePath(body.path);
    } catch {
      // An unusable way back leads to the top of the share.
    }
    const password = typeof body.password === 'string' ? body.password : '';
    let share;
    try {
      ({ share } = await services.publicLinks.open(token, password, throttleAddress(request.ip)));
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'unauthenticated')) throw err;
      return sendPage(reply, 403, passwordPage(env, { token, csrf: csrfToken(request, reply, token), rel, wrong: true }));
    }
    setProofCookie(request, reply, token, services.publicLinks.proofFor(share));
    return reply.redirect(`${shareUrl(env, token)}${pathQuery(rel)}`, 303);
  });
}
