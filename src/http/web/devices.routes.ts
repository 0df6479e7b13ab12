import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import { accountPath, appPasswordPage, devicesPage, loginPath } from './account-pages.js';
import type { WebDeps } from './deps.js';
import { WebError } from './errors.js';
import { sendPage } from './html.js';
import { CSRF_FIELD, clearSessionCookie, type SignedIn, signedIn } from './session-cookie.js';
import { seeOther } from './signin.routes.js';

type Form = Record<string, unknown>;

/** "Devices & sessions": every browser session and app password of the account, revocable, and new app passwords for clients. */
export function devicesRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { services, env } = deps;
  const server = deps.publicUrl.replace(/\/+$/, '');
  const here = accountPath(env, '/devices');

  const me = async (request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null> => {
    const who = await signedIn(request, services);
    if (!who) seeOther(reply, `${loginPath(env)}?redirect_url=${encodeURIComponent(here)}`);
    return who;
  };
  const checkCsrf = (who: SignedIn, form: Form) => {
    const sent = form[CSRF_FIELD];
    if (typeof sent !== 'string' || !services.auth.csrfMatches(who.token, sent)) throw new WebError(403, 'Access denied', 'The form has expired. Go back and try again.');
  };

  app.get('/account/devices', async (request, reply) => {
    const who = await me(request, reply);
    if (!who) return reply;
    const query = (request.query ?? {}) as Form;
    const notice = query.revoked === '1' ? 'The device was signed out.' : null;
    const devices = await services.sessions.devices(who.principal.userId, who.principal.sessionId);
    return sendPage(reply, 200, devicesPage(env, { devices, csrf: services.sessions.csrfOf(who.token), notice }));
  });

  app.post('/account/devices/revoke', async (request, reply) => {
    const who = await me(request, reply);
    if (!who) return reply;
    const form = (request.body ?? {}) as Form;
    checkCsrf(who, form);
    const kind = form.kind === 'session' || form.kind === 'appPassword' ? form.kind : null;
    const id = typeof form.id === 'string' ? form.id : '';
    if (!kind || !id) throw new WebError(400, 'Bad request', 'Which device should be revoked?');
    try {
      await services.sessions.revoke(who.principal.userId, kind, id);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'notFound') throw new WebError(404, 'Not found', 'That device is not signed in any more.');
      throw err;
    }
    if (kind === 'session' && id === who.principal.sessionId) {
      clearSessionCookie(reply, deps);
      return seeOther(reply, loginPath(env));
    }
    return seeOther(reply, `${here}?revoked=1`);
  });

  app.post('/account/devices/app-password', async (request, reply) => {
    const who = await me(request, reply);
    if (!who) return reply;
    const form = (request.body ?? {}) as Form;
    checkCsrf(who, form);
    const name = (typeof form.name === 'string' ? form.name : '').trim().slice(0, 120);
    if (!name) throw new WebError(400, 'Bad request', 'Give the app password a name, so you can tell it apart later.');
    const password = await services.appPasswords.create(who.principal, name);
    return sendPage(reply, 200, await appPasswordPage(env, { name, loginName: who.principal.userId, password, server }));
  });
}
