import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { DomainError } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import { parseAuthorization } from '../common/credentials.js';
import { basePathOf, pageEnv } from '../web/deps.js';
import { esc, layout, sendPage } from '../web/html.js';
import { buildProvider, OIDC_PREFIX, SCOPES } from './provider.js';

export interface OidcPluginOptions {
  services: Services;
  publicUrl: string;
  instanceName: string;
  color: string;
}

/** The provider's endpoints (oidc-provider lib/helpers/initialize_app.js, with the features enabled in provider.ts). */
const PROVIDER_ROUTES: Array<['GET' | 'POST', string]> = [
  ['GET', '/auth'],
  ['POST', '/auth'],
  ['GET', '/auth/:uid'],
  ['POST', '/token'],
  ['GET', '/jwks'],
  ['POST', '/token/revocation'],
  ['POST', '/token/introspection'],
  ['GET', '/session/end'],
  ['POST', '/session/end'],
  ['POST', '/session/end/confirm'],
  ['GET', '/session/end/success'],
];

const ISSUER_REL = 'http://openid.net/specs/connect/1.0/issuer';
// opencloud-eu/opencloud services/webfinger (relations): the apps look for the instance beside the issuer.
const INSTANCE_REL = 'http://webfinger.opencloud/rel/server-instance';

/**
 * Nimbus as an OpenID Connect provider. oidc-provider is a Koa application:
 * its callback serves everything below /oidc (and discovery at the root,
 * where the apps look for it). That scope parses no bodies, so the provider
 * reads the request stream itself; every forwarded request is named with
 * PUBLIC_URL's scheme and host, so the endpoints it announces are the public ones.
 */
export async function oidcPlugin(app: FastifyInstance, opts: OidcPluginOptions): Promise<void> {
  const { services } = opts;
  const env = pageEnv(opts);
  const base = basePathOf(opts.publicUrl);
  const publicUrl = new URL(opts.publicUrl);
  const provider = await buildProvider(services, env);
  const callback = provider.callback();

  const forward = (path?: string) => (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.raw;
    const url = raw.url ?? '/';
    const rest = path ?? (url.slice(OIDC_PREFIX.length) || '/');
    (raw as { originalUrl?: string }).originalUrl = `${base}${OIDC_PREFIX}${rest}`;
    raw.url = rest;
    raw.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
    raw.headers['x-forwarded-host'] = publicUrl.host;
    reply.hijack();
    callback(raw, reply.raw);
  };

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    for (const [method, path] of PROVIDER_ROUTES) scope.route({ method, url: `${OIDC_PREFIX}${path}`, handler: forward() });
    scope.get('/.well-known/openid-configuration', forward('/.well-known/openid-configuration'));
  });

  await app.register(async (scope) => {
    scope.get(`${OIDC_PREFIX}/interaction/:uid`, (request, reply) => interaction(services, provider, base, env, request, reply));
    const userinfo = async (request: FastifyRequest, reply: FastifyReply) => {
      const creds = parseAuthorization(request.headers.authorization);
      const refuse = () => reply.code(401).header('WWW-Authenticate', 'Bearer error="invalid_token"').send({ error: 'invalid_token', error_description: 'invalid token provided' });
      if (creds?.kind !== 'bearer') return refuse();
      try {
        const principal = await services.oidc.verifyAccessToken(creds.token);
        const claims = await services.oidc.claimsOf(principal.userId);
        return claims ? reply.header('Cache-Control', 'no-store').send(claims) : refuse();
      } catch (err) {
        if (err instanceof DomainError && err.code === 'unauthenticated') return refuse();
        throw err;
      }
    };
    scope.get(`${OIDC_PREFIX}/userinfo`, userinfo);
    scope.post(`${OIDC_PREFIX}/userinfo`, userinfo);

    // RFC 7033, as OpenCloud's webfinger service answers an `acct:` or `https:` resource: the issuer to sign in with.
    scope.get('/.well-known/webfinger', async (request, reply) => {
      const resource = (request.query as Record<string, unknown>).resource;
      if (typeof resource !== 'string' || !/^(acct:[^@\s]+@[^@\s]+|https?:\/\/\S+)$/.test(resource)) {
        return reply.code(400).type('application/json').send({ error: 'invalid_request', error_description: 'resource must be an acct: or https: URI' });
      }
      return reply
        .type('application/jrd+json')
        .header('Access-Control-Allow-Origin', '*')
        .send({ subject: resource, links: [{ rel: ISSUER_REL, href: services.oidc.issuer }, { rel: INSTANCE_REL, href: opts.publicUrl, titles: { en: opts.instanceName } }] });
    });

    // What ownCloud Web reads at start (owncloud/web, config.json): this server, and how to sign in to it.
    scope.get('/config.json', async (_request, reply) =>
      reply.header('Cache-Control', 'no-cache').send({
        server: `${opts.publicUrl}/`,
        theme: `${opts.publicUrl}/themes/owncloud/theme.json`,
        openIdConnect: {
          metadata_url: `${opts.publicUrl}/.well-known/openid-configuration`,
          authority: opts.publicUrl,
          client_id: 'web',
          response_type: 'code',
          scope: 'openid profile email',
        },
        options: {},
      }),
    );
  });
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * An interaction of the provider: sign in with the Nimbus sign-in page (and
 * come back here), then finish login, account selection and consent at once;
 * first-party clients have implicit consent, as oCIS's trusted clients.
 */
async function interaction(services: Services, provider: Provider, base: string, env: ReturnType<typeof pageEnv>, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const page = (status: number, title: string, text: string) => sendPage(reply, status, layout(title, { value: `<h1>${esc(title)}</h1><p>${esc(text)}</p>` } as never, env, { narrow: true }));
  let details: Details;
  try {
    details = await provider.interactionDetails(request.raw, reply.raw);
  } catch {
    return page(400, 'Sign-in expired', 'This sign-in request has expired or was opened in another browser. Start again from the app.');
  }
  const { uid } = request.params as { uid: string };
  if (details.uid !== uid) return page(400, 'Sign-in expired', 'This sign-in request does not belong to this browser.');
  const token = /(?:^|;\s*)nimbus_session=([A-Za-z0-9]{1,200})/.exec(request.headers.cookie ?? '')?.[1];
  let userId: string | null = null;
  if (token) {
    try {
      userId = (await services.auth.session(token)).userId;
    } catch {
      userId = null;
    }
  }
  if (!userId) {
    return reply.code(303).header('Cache-Control', 'no-store').header('Location', `${base}/login?redirect_url=${encodeURIComponent(`${base}${OIDC_PREFIX}/interaction/${uid}`)}`).send();
  }
  const clientId = String(details.params.client_id);
  const client = services.oidc.client(clientId);
  if (!client) return page(400, 'Unknown app', 'This app is not registered with this server.');
  const requested = String(details.params.scope ?? 'openid').split(' ').filter((s) => SCOPES.includes(s));
  const grant = new provider.Grant({ accountId: userId, clientId });
  grant.addOIDCScope(requested.join(' '));
  grant.addResourceScope(services.oidc.issuer, requested.join(' '));
  const grantId = await grant.save();
  await services.oidc.bindGrant(grantId, userId, clientId);
  reply.hijack();
  await provider.interactionFinished(request.raw, reply.raw, { login: { accountId: userId }, consent: { grantId }, select_account: {} }, { mergeWithLastSubmission: false });
  return reply;
}
