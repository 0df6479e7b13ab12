import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import { isFlowRefusal } from '../../services/identity/external-signin.service.js';
import { throttleAddress } from '../common/credentials.js';
import { loginPage } from './account-pages.js';
import type { WebDeps } from './deps.js';
import { sendPage } from './html.js';
import { seeOther } from './signin.routes.js';
import { CSRF_FIELD, loginCsrf, loginCsrfValid, safeRedirect, setSessionCookie } from './session-cookie.js';

/** The sealed flow between the start and the provider's return; Lax, so the provider's redirect back (a top-level GET) carries it. */
const FLOW_COOKIE = 'nimbus_oidc_flow';
const SEALED = /^[A-Za-z0-9_-]{1,4000}$/;

type Form = Record<string, unknown>;

/**
 * "Sign in with <provider>" (OIDC_ISSUER): POST /login/oidc starts the code
 * flow (with the sign-in form's CSRF token), GET /login/oidc/callback is
 * where the provider sends the browser back; a session cookie is set as
 * the password form sets it.
 */
export function externalSigninRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { services, env } = deps;
  const signIn = services.externalSignIn;
  if (!signIn) return;
  const secure = deps.publicUrl.startsWith('https:') ? '; Secure' : '';
  const cookiePath = `${env.basePath}/login/oidc`;
  const flowCookie = (value: string, maxAge: number) => `${FLOW_COOKIE}=${value}; Path=${cookiePath}; HttpOnly; SameSite=Lax${secure}; Max-Age=${maxAge}`;
  const refused = (request: FastifyRequest, reply: FastifyReply, status: number, error: string, redirect: string | null = null) =>
    sendPage(reply, status, loginPage(env, { csrf: loginCsrf(request, reply, deps), redirect, login: '', error, provider: signIn.providerName }));

  // The start answers a form post with a redirect to the provider, and browsers hold redirects of a
  // form to its page's form-action: the sign-in pages name the provider there beside 'self'.
  const signInPages = new Set([`/login`, `/index.php/login`, `/login/oidc`, `/login/oidc/callback`]);
  app.addHook('onSend', async (request, reply, payload) => {
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp === 'string' && signInPages.has(request.url.split('?')[0]!)) {
      reply.header('content-security-policy', csp.replace("form-action 'self'", `form-action 'self' ${signIn.formTargets().join(' ')}`));
    }
    return payload;
  });

  app.post('/login/oidc', async (request, reply) => {
    const form = (request.body ?? {}) as Form;
    const redirect = safeRedirect(deps, form.redirect_url, '') || null;
    if (!loginCsrfValid(request, form[CSRF_FIELD])) return refused(request, reply, 403, 'The form has expired. Please sign in again.', redirect);
    try {
      const { location, sealed } = await signIn.begin(redirect);
      reply.header('set-cookie', flowCookie(sealed, signIn.flowSeconds));
      return seeOther(reply, location);
    } catch (err) {
      if (err instanceof DomainError && (err.code === 'unavailable' || err.code === 'forbidden')) {
        return refused(request, reply, 503, `${signIn.providerName} cannot be reached now. Try again later, or sign in with your password.`, redirect);
      }
      throw err;
    }
  });

  app.get('/login/oidc/callback', async (request, reply) => {
    const query = (request.query ?? {}) as Form;
    const raw = /(?:^|;\s*)nimbus_oidc_flow=([^;]*)/.exec(request.headers.cookie ?? '')?.[1];
    reply.header('set-cookie', flowCookie('', 0));
    try {
      const { session, redirect } = await signIn.finish(raw && SEALED.test(raw) ? raw : undefined, query, throttleAddress(request.ip), request.headers['user-agent']);
      setSessionCookie(reply, deps, session.token, null);
      return seeOther(reply, redirect ?? `${env.basePath}/apps/files/`);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'tooManyRequests') {
        return refused(request, reply, 429, 'There were too many failed sign-in attempts from your network. Try again later, or contact your administrator.');
      }
      if (err instanceof DomainError && (err.code === 'unavailable' || err.code === 'forbidden')) {
        return refused(request, reply, 503, `${signIn.providerName} cannot be reached now. Try again later, or sign in with your password.`);
      }
      if (isFlowRefusal(err)) {
        const why = err.reason === 'flowExpired' ? err.message : `${signIn.providerName} did not sign you in to an account here.`;
        return refused(request, reply, err.code === 'invalidInput' ? 400 : 401, why);
      }
      throw err;
    }
  });
}
