import Provider, { type Configuration, type KoaContextWithOIDC, interactionPolicy } from 'oidc-provider';
import { isLoopbackRedirect, type OidcClientDefinition } from '../../domain/oidc-clients.js';
import type { Services } from '../../services/index.js';
import { SIGNING_ALG } from '../../services/identity/oidc.service.js';
import { SESSION_COOKIE } from '../common/credentials.js';
import { esc, layout } from '../web/html.js';
import type { PageEnv } from '../web/pages.js';
import { adapterFor } from './adapter.js';

/** Where the provider's own endpoints live below PUBLIC_URL; discovery is also served at the root, as the apps look for it there. */
export const OIDC_PREFIX = '/oidc';
export const SCOPES = ['openid', 'offline_access', 'profile', 'email', 'groups'];

const clientMetadata = (c: OidcClientDefinition) => ({
  client_id: c.clientId,
  ...(c.clientSecret ? { client_secret: c.clientSecret, token_endpoint_auth_method: 'client_secret_basic' as const } : { token_endpoint_auth_method: 'none' as const }),
  client_name: c.name,
  application_type: c.applicationType,
  redirect_uris: c.redirectUris,
  post_logout_redirect_uris: c.postLogoutRedirectUris,
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code' as const],
});

/** The Nimbus browser session behind a request, if any (the provider's own session is only a pointer to it). */
async function nimbusUser(services: Services, cookieHeader: string | undefined): Promise<string | null> {
  const token = /(?:^|;\s*)nimbus_session=([A-Za-z0-9]{1,200})/.exec(cookieHeader ?? '')?.[1];
  if (!token || SESSION_COOKIE !== 'nimbus_session') return null;
  try {
    return (await services.auth.session(token)).userId;
  } catch {
    return null;
  }
}

/**
 * The provider (panva's oidc-provider) configured as oCIS's: code flow with
 * PKCE S256 only, refresh tokens for offline_access with rotation, JWT access
 * tokens for this server (audience = issuer), revocation, introspection and
 * RP-initiated logout. Sign-in and consent are Nimbus's pages (interactions).
 */
export async function buildProvider(services: Services, env: PageEnv): Promise<Provider> {
  const oidc = services.oidc;
  const issuer = oidc.issuer;
  const ttl = oidc.settings.accessTokenTtlSeconds;
  const refreshTtl = oidc.settings.refreshTokenTtlSeconds;
  const clients = oidc.clients();

  const policy = interactionPolicy.base();
  // The ownCloud desktop app sends prompt=select_account: the signed-in account is the one selected.
  policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }), 1);
  // Signed out of Nimbus (or signed in as someone else) means signing in again, whatever the provider's own session says.
  policy.get('login')!.checks.add(
    new interactionPolicy.Check('nimbus_session', 'the Nimbus sign-in ended', 'login_required', async (ctx: KoaContextWithOIDC) => {
      const user = await nimbusUser(services, ctx.get('cookie'));
      return user === null || user !== ctx.oidc.session?.accountId;
    }),
  );

  const page = (title: string, body: string) => layout(title, { value: body } as never, env, { narrow: true });
  const config: Configuration = {
    adapter: adapterFor(oidc),
    clients: clients.map(clientMetadata),
    jwks: { keys: (await oidc.signingKeys()) as never },
    cookies: { keys: await oidc.cookieKeys(), long: { signed: true, httpOnly: true, sameSite: 'lax' }, short: { signed: true, httpOnly: true, sameSite: 'lax' } },
    scopes: SCOPES,
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'], groups: ['groups'] },
    conformIdTokenClaims: false,
    discovery: { userinfo_endpoint: `${issuer}${OIDC_PREFIX}/userinfo`, claims_parameter_supported: false },
    responseTypes: ['code'],
    pkce: { required: () => true, methods: ['S256'] },
    enabledJWA: { idTokenSigningAlgValues: [SIGNING_ALG] },
    findAccount: async (_ctx, sub, token) => {
      const grantId = (token as { grantId?: string } | undefined)?.grantId;
      // A refresh token or code whose grant was ended (password change, disabled user, revoked sessions) finds no account.
      if (grantId && !(await oidc.grantAlive(grantId, sub))) return undefined;
      const claims = await oidc.claimsOf(sub);
      return claims ? { accountId: sub, claims: async () => ({ ...claims }) } : undefined;
    },
    extraTokenClaims: async (_ctx, token) => ('grantId' in token && token.grantId ? { gid: token.grantId } : undefined),
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: true,
    ttl: { AccessToken: ttl, IdToken: ttl, AuthorizationCode: 60, RefreshToken: refreshTtl, Grant: refreshTtl, Session: refreshTtl, Interaction: 3600 },
    interactions: { policy, url: (_ctx, interaction) => `${env.basePath}${OIDC_PREFIX}/interaction/${interaction.uid}` },
    clientBasedCORS: (_ctx, origin) => origin === new URL(issuer).origin,
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: true },
      // The ownCloud desktop app reads its user with the access token; ours are JWTs for this server, so Nimbus answers userinfo itself.
      userinfo: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Sign out', `<h1>Sign out</h1><p>Sign out of ${esc(env.instanceName)} in this browser's apps?</p>${form}<p><button form="op.logoutForm" name="logout" value="yes">Sign out</button></p>`);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Signed out', `<h1>Signed out</h1><p>You can close this window.</p>`);
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => issuer,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: SCOPES.join(' '), audience: issuer, accessTokenTTL: ttl, accessTokenFormat: 'jwt', jwt: { sign: { alg: SIGNING_ALG } } }),
      },
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Sign-in failed', `<h1>Sign-in failed</h1><p>${esc(String(out.error))}: ${esc(String(out.error_description ?? ''))}</p>`);
    },
  };
  const provider = new Provider(issuer, config);
  // The endpoints are named after PUBLIC_URL, whatever Host a request came with (see oidc.plugin.ts).
  provider.proxy = true;
  // RFC 8252 7.3: a native app's loopback redirect may use any port; oidc-provider matches redirect URIs exactly.
  const allowed = provider.Client.prototype.redirectUriAllowed;
  provider.Client.prototype.redirectUriAllowed = function (this: InstanceType<typeof provider.Client>, value: string): boolean {
    if (allowed.call(this, value)) return true;
    const def = oidc.client(this.clientId);
    return !!def && isLoopbackRedirect(def, value);
  };
  return provider;
}
