import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import { throttleAddress } from '../common/credentials.js';
import { grantedPage, grantPage, loginPath, ncLoginUrl } from './account-pages.js';
import type { WebDeps } from './deps.js';
import { WebError } from './errors.js';
import { sendPage } from './html.js';
import { CSRF_FIELD, signedIn } from './session-cookie.js';
import { seeOther } from './signin.routes.js';

type Form = Record<string, unknown>;

const EXPIRED = new WebError(404, 'Access denied', 'Your login token is invalid or has expired. Start signing in again from your app.');

/**
 * Nextcloud's client login flows (developer manual, client_apis/LoginFlow):
 * v2 for the current desktop and mobile apps (start, grant in the browser,
 * poll once for an app password) and v1 for older ones (grant ends in a
 * redirect to nc://login/…), and GET /index.php/204 the Android app probes.
 */
export function loginFlowRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { services, env } = deps;
  const server = deps.publicUrl.replace(/\/+$/, '');

  const start = async (request: FastifyRequest, reply: FastifyReply) => {
    const { pollToken, loginToken } = await services.loginFlows.startV2(clientNameOf(request));
    return reply
      .header('Cache-Control', 'no-store')
      .type('application/json; charset=utf-8')
      .send({ poll: { token: pollToken, endpoint: `${server}/login/v2/poll` }, login: `${server}/login/v2/flow/${loginToken}` });
  };
  app.post('/login/v2', start);
  app.post('/index.php/login/v2', start);

  /** The page the client opens: sign in first when needed, then the grant. */
  const flowPage = (version: 1 | 2) => async (request: FastifyRequest, reply: FastifyReply) => {
    const token = String((request.params as { token: string }).token);
    const here = `${env.basePath}/login/v${version}/flow/${token}`;
    const flow = await services.loginFlows.pending(token).catch((err: unknown) => {
      throw err instanceof DomainError && err.code === 'notFound' ? EXPIRED : err;
    });
    if (flow.version !== version) throw EXPIRED;
    const me = await signedIn(request, services);
    if (!me) return seeOther(reply, `${loginPath(env)}?redirect_url=${encodeURIComponent(here)}`);
    const user = await services.users.profileOf(me.principal.userId);
    return sendPage(
      reply,
      200,
      grantPage(env, { clientName: flow.clientName, displayName: user.displayName, csrf: services.sessions.csrfOf(me.token), loginToken: token, action: `${env.basePath}/login/v${version}/grant` }),
    );
  };
  app.get('/login/v2/flow/:token', flowPage(2));
  app.get('/index.php/login/v2/flow/:token', flowPage(2));
  app.get('/login/v1/flow/:token', flowPage(1));

  const grant = (version: 1 | 2) => async (request: FastifyRequest, reply: FastifyReply) => {
    const form = (request.body ?? {}) as Form;
    const me = await signedIn(request, services);
    if (!me) return seeOther(reply, loginPath(env));
    if (typeof form[CSRF_FIELD] !== 'string' || !services.auth.csrfMatches(me.token, form[CSRF_FIELD] as string)) {
      throw new WebError(403, 'Access denied', 'The form has expired. Go back and try again.');
    }
    const token = typeof form.token === 'string' ? form.token : '';
    const { clientName } = await services.loginFlows.pending(token).catch((err: unknown) => {
      throw err instanceof DomainError && err.code === 'notFound' ? EXPIRED : err;
    });
    const granted = await services.loginFlows.grant(me.principal, token).catch((err: unknown) => {
      throw err instanceof DomainError && err.code === 'notFound' ? EXPIRED : err;
    });
    if (granted.version !== version) throw EXPIRED;
    if (granted.version === 1) return reply.code(303).header('Cache-Control', 'no-store').header('Location', ncLoginUrl(server, granted.loginName!, granted.appPassword!)).send();
    return sendPage(reply, 200, grantedPage(env, clientName));
  };
  app.post('/login/v2/grant', grant(2));
  app.post('/login/v1/grant', grant(1));

  /** 200 with the credentials once the flow is granted, else 404 with an empty JSON array, as Nextcloud's ClientFlowLoginV2Controller. */
  const poll = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = (request.body ?? {}) as Form;
    const token = typeof body.token === 'string' ? body.token : '';
    reply.header('Cache-Control', 'no-store').type('application/json; charset=utf-8');
    try {
      const creds = await services.loginFlows.poll(token, throttleAddress(request.ip));
      if (!creds) return reply.code(404).send('[]');
      return reply.code(200).send({ server, loginName: creds.loginName, appPassword: creds.appPassword });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'tooManyRequests') return reply.code(429).send('[]');
      throw err;
    }
  };
  app.post('/login/v2/poll', poll);
  app.post('/index.php/login/v2/poll', poll);

  /** Login Flow v1: only a client's webview sends OCS-APIRequest (the manual asks it to), a browser tab gets the error page. */
  const startV1 = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers['ocs-apirequest'];
    if (typeof header !== 'string' || header.toLowerCase() !== 'true') {
      throw new WebError(400, 'Access denied', 'This page is opened by your Nextcloud app when it signs in, not by hand.');
    }
    const { loginToken } = await services.loginFlows.startV1(clientNameOf(request));
    return seeOther(reply, `${env.basePath}/login/v1/flow/${loginToken}`);
  };
  app.get('/login/flow', startV1);
  app.get('/index.php/login/flow', startV1);

  const noContent = async (_request: FastifyRequest, reply: FastifyReply) => reply.code(204).header('Cache-Control', 'no-store').send();
  app.get('/index.php/204', noContent);
  app.get('/204', noContent);

  /** Nextcloud's /csrftoken: the signed-in browser's CSRF token, for a page's scripts to send as `requesttoken`. */
  const csrf = async (request: FastifyRequest, reply: FastifyReply) => {
    const me = await signedIn(request, services);
    reply.header('Cache-Control', 'no-store').type('application/json; charset=utf-8');
    if (!me) return reply.code(401).send({ message: 'Not signed in' });
    return reply.send({ token: services.sessions.csrfOf(me.token) });
  };
  app.get('/csrftoken', csrf);
  app.get('/index.php/csrftoken', csrf);
}

/** The app's name for its new app password: its User-Agent, as Nextcloud names login-flow tokens. */
function clientNameOf(request: FastifyRequest): string {
  const ua = request.headers['user-agent'];
  return typeof ua === 'string' && ua.trim() ? ua : 'Unknown client';
}
