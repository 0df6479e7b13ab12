import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import { throttleAddress } from '../common/credentials.js';
import { accountPage, accountPath, continuePage, loginPage, loginPath } from './account-pages.js';
import type { WebDeps } from './deps.js';
import { WebError } from './errors.js';
import { sendPage } from './html.js';
import { CSRF_FIELD, clearSessionCookie, loginCsrf, loginCsrfValid, safeRedirect, setSessionCookie, signedIn } from './session-cookie.js';

type Form = Record<string, unknown>;

/** Where a signed-in person starts: the files app, as Nextcloud's default app. */
const startPath = (env: { basePath: string }): string => `${env.basePath}/apps/files/`;
const field = (form: Form, name: string): string => (typeof form[name] === 'string' ? (form[name] as string) : '');

/** Sends a browser on, as Nextcloud's controllers do after a form (303: the next request is a GET). */
export const seeOther = (reply: FastifyReply, location: string): FastifyReply => reply.code(303).header('Location', location).header('Cache-Control', 'no-store').send();

/**
 * The web sign-in: `/` (to the sign-in page, or the start page when signed
 * in, as Nextcloud answers / with a redirect), the sign-in form, sign-out.
 * Nextcloud's paths with and without /index.php are both served.
 */
export function signinRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { services, env } = deps;
  const provider = services.externalSignIn?.providerName ?? null;

  app.get('/', async (request, reply) => seeOther(reply, (await signedIn(request, services)) ? startPath(env) : loginPath(env)));

  const showLogin = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = (request.query ?? {}) as Form;
    const redirect = safeRedirect(deps, query.redirect_url, '') || null;
    if (await signedIn(request, services)) return seeOther(reply, redirect ?? startPath(env));
    return sendPage(reply, 200, loginPage(env, { csrf: loginCsrf(request, reply, deps), redirect, login: field(query, 'user').slice(0, 255), error: null, provider }));
  };
  app.get('/login', showLogin);
  app.get('/index.php/login', showLogin);

  const doLogin = async (request: FastifyRequest, reply: FastifyReply) => {
    const form = (request.body ?? {}) as Form;
    const redirect = safeRedirect(deps, form.redirect_url, '') || null;
    const login = field(form, 'user').slice(0, 255);
    const again = (status: number, error: string) => sendPage(reply, status, loginPage(env, { csrf: loginCsrf(request, reply, deps), redirect, login, error, provider }));
    if (!loginCsrfValid(request, form[CSRF_FIELD])) return again(403, 'The form has expired. Please sign in again.');
    const password = field(form, 'password');
    if (!login || !password) return again(400, 'Please enter your account name and password.');
    try {
      const remember = field(form, 'remember') === '1';
      const session = await services.sessions.signIn(login, password, throttleAddress(request.ip), request.headers['user-agent'], remember);
      const rememberSeconds = Math.floor(services.sessions.rememberSeconds());
      setSessionCookie(reply, deps, session.token, remember ? rememberSeconds : null);
      if (redirect?.startsWith(`${env.basePath}/oidc/`)) return sendPage(reply, 200, continuePage(env, redirect));
      return seeOther(reply, redirect ?? startPath(env));
    } catch (err) {
      if (err instanceof DomainError && err.code === 'unauthenticated') return again(401, 'Wrong login or password.');
      if (err instanceof DomainError && err.code === 'tooManyRequests') {
        return again(429, 'There were too many failed sign-in attempts from your network. Try again later, or contact your administrator.');
      }
      throw err;
    }
  };
  app.post('/login', doLogin);
  app.post('/index.php/login', doLogin);

  const account = async (request: FastifyRequest, reply: FastifyReply) => {
    const me = await signedIn(request, services);
    if (!me) return seeOther(reply, `${loginPath(env)}?redirect_url=${encodeURIComponent(accountPath(env))}`);
    const user = await services.users.profileOf(me.principal.userId);
    return sendPage(reply, 200, accountPage(env, { displayName: user.displayName, userId: user.id, csrf: services.sessions.csrfOf(me.token) }));
  };
  app.get('/account', account);

  /** Sign-out ends the session everywhere; a form post with the session's token, or Nextcloud's GET /logout?requesttoken=… */
  const logout = async (request: FastifyRequest, reply: FastifyReply, sent: unknown) => {
    const me = await signedIn(request, services);
    if (me) {
      if (typeof sent !== 'string' || !services.auth.csrfMatches(me.token, sent)) throw new WebError(403, 'Access denied', 'The sign-out link has expired. Go back and try again.');
      await services.sessions.signOut(me.token);
    }
    clearSessionCookie(reply, deps);
    return seeOther(reply, loginPath(env));
  };
  app.post('/logout', (request, reply) => logout(request, reply, ((request.body ?? {}) as Form)[CSRF_FIELD]));
  app.get('/logout', (request, reply) => logout(request, reply, ((request.query ?? {}) as Form)[CSRF_FIELD]));
  app.get('/index.php/logout', (request, reply) => logout(request, reply, ((request.query ?? {}) as Form)[CSRF_FIELD]));
}
