/**
 * The external OpenID Connect provider as seen from the services: its
 * documents fetched over HTTP (src/federation implements this with the
 * outbound rules, timeouts and size bounds). Answers are parsed JSON, checked
 * by the caller; a provider that cannot be reached throws DomainError
 * 'unavailable', one the rules forbid 'forbidden'.
 */
export interface ExternalIssuerClient {
  /** `<issuer>/.well-known/openid-configuration`. */
  discovery(): Promise<unknown>;
  /** The key set at the metadata's `jwks_uri`. */
  keys(jwksUri: string): Promise<unknown>;
  /** The userinfo endpoint's claims for an access token (OpenID Connect Core 5.3). */
  userinfo(endpoint: string, accessToken: string): Promise<unknown>;
  /** A form posted to the token endpoint with the client's credentials (client_secret_basic when it has a secret). */
  token(tokenEndpoint: string, form: Record<string, string>): Promise<{ status: number; body: unknown }>;
}
