/**
 * The OpenID Connect clients every Nimbus knows, as oCIS and OpenCloud
 * register them by default (owncloud/ocis and opencloud-eu/opencloud,
 * services/idp/pkg/config/defaults/defaultconfig.go). The native apps' ids
 * and secrets are built into the apps, so they are public knowledge: the
 * desktop apps are confidential clients in name only, PKCE is what protects
 * their codes. The desktop apps redirect to a loopback address on any port
 * (RFC 8252 section 7.3), registered without one.
 */
export interface OidcClientDefinition {
  clientId: string;
  /** null: a public client (no secret, PKCE only). */
  clientSecret: string | null;
  name: string;
  applicationType: 'web' | 'native';
  /** `{PUBLIC_URL}` stands for the server's public address. */
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** A loopback redirect (http://127.0.0.1, http://localhost) matches on any port. */
  loopbackAnyPort: boolean;
  /** First-party: consent is implicit (oCIS's `Trusted`, and its native apps). */
  firstParty: boolean;
}

const LOOPBACK = ['http://127.0.0.1', 'http://localhost'];

export const DEFAULT_OIDC_CLIENTS: readonly OidcClientDefinition[] = [
  {
    clientId: 'web',
    clientSecret: null,
    name: 'ownCloud Web app',
    applicationType: 'web',
    redirectUris: ['{PUBLIC_URL}/', '{PUBLIC_URL}/oidc-callback.html', '{PUBLIC_URL}/oidc-silent-redirect.html'],
    postLogoutRedirectUris: ['{PUBLIC_URL}/'],
    loopbackAnyPort: false,
    firstParty: true,
  },
  {
    clientId: 'xdXOt13JKxym1B1QcEncf2XDkLAexMBFwiT9j6EfhhHFJhs2KM9jbjTmf8JBXE69',
    clientSecret: 'UBntmLjC2yYCeHwsyj73Uwo9TAaecAetRwMw0xYcvNL9yRdLSUi0hUAHfvCHFeFh',
    name: 'ownCloud desktop app',
    applicationType: 'native',
    redirectUris: LOOPBACK,
    postLogoutRedirectUris: [],
    loopbackAnyPort: true,
    firstParty: true,
  },
  {
    clientId: 'e4rAsNUSIUs0lF4nbv9FmCeUkTlV9GdgTLDH1b5uie7syb90SzEVrbN7HIpmWJeD',
    clientSecret: 'dInFYGV33xKzhbRmpqQltYNdfLdJIfJ9L5ISoKhNoT9qZftpdWSP71VrpGR9pmoD',
    name: 'ownCloud Android app',
    applicationType: 'native',
    redirectUris: ['oc://android.owncloud.com'],
    postLogoutRedirectUris: [],
    loopbackAnyPort: false,
    firstParty: true,
  },
  {
    clientId: 'mxd5OQDk6es5LzOzRvidJNfXLUZS2oN3oUFeXPP8LpPrhx3UroJFduGEYIBOxkY1',
    clientSecret: 'KFeFWWEZO9TkisIQzR3fo7hfiMXlOpaqP8CFuTbSHzV1TUuGECglPxpiVKJfOXIx',
    name: 'ownCloud iOS app',
    applicationType: 'native',
    redirectUris: ['oc://ios.owncloud.com', 'oc.ios://ios.owncloud.com'],
    postLogoutRedirectUris: [],
    loopbackAnyPort: false,
    firstParty: true,
  },
  {
    clientId: 'OpenCloudDesktop',
    clientSecret: null,
    name: 'OpenCloud Desktop Client',
    applicationType: 'native',
    redirectUris: LOOPBACK,
    postLogoutRedirectUris: [],
    loopbackAnyPort: true,
    firstParty: true,
  },
  {
    clientId: 'OpenCloudAndroid',
    clientSecret: null,
    name: 'OpenCloud Android App',
    applicationType: 'native',
    redirectUris: ['oc://android.opencloud.eu'],
    postLogoutRedirectUris: ['oc://android.opencloud.eu'],
    loopbackAnyPort: false,
    firstParty: true,
  },
  {
    clientId: 'OpenCloudIOS',
    clientSecret: null,
    name: 'OpenCloud iOS App',
    applicationType: 'native',
    redirectUris: ['oc://ios.opencloud.eu'],
    postLogoutRedirectUris: ['oc://ios.opencloud.eu'],
    loopbackAnyPort: false,
    firstParty: true,
  },
];

/** Whether `uri` is one of the client's loopback redirects on some port (RFC 8252 7.3: the port is the client's choice). */
export function isLoopbackRedirect(client: OidcClientDefinition, uri: string): boolean {
  if (!client.loopbackAnyPort) return false;
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' || parsed.username || parsed.password || parsed.hash) return false;
  return client.redirectUris.some((r) => new URL(r).hostname === parsed.hostname);
}

/** OpenID Connect settings: the provider's token lifetimes and the clients added by configuration. */
export interface OidcSettings {
  enabled: boolean;
  /** Access and ID tokens (oCIS: 5 minutes). */
  accessTokenTtlSeconds: number;
  /** Refresh tokens and grants (oCIS: 30 days). */
  refreshTokenTtlSeconds: number;
  extraClients: OidcClientDefinition[];
}
