import { fail } from '../domain/errors.js';
import type { ExternalIssuerClient } from '../ports/external-issuer.js';
import type { ExternalOidcSettings } from '../domain/external-oidc.js';
import { hostKey } from './address-policy.js';
import { HttpFederationTransport } from './http-transport.js';

/** Discovery documents and key sets are small; a larger answer is refused rather than read. */
const LIMIT = 256 * 1024;

/**
 * Outbound HTTP to the trusted provider. The issuer's own host is reached as
 * an explicitly allowed server (like a host named in
 * FEDERATION_ALLOWED_SERVERS it may be on loopback or a private network:
 * the admin named it in OIDC_ISSUER); an endpoint the metadata puts on
 * another host is reached only at a public address. Both are time-limited,
 * never follow redirects, and read bounded answers.
 */
export class HttpExternalIssuer implements ExternalIssuerClient {
  private readonly trusted: HttpFederationTransport;
  private readonly public: HttpFederationTransport;
  private readonly issuerHost: string;

  constructor(private readonly settings: ExternalOidcSettings, verifyTls: boolean) {
    this.issuerHost = hostKey(new URL(settings.issuer)).hostPort;
    const base = { outgoing: true, incoming: false, allowHttp: settings.allowHttp, verifyTls, timeoutMs: settings.timeoutMs };
    this.trusted = new HttpFederationTransport({ ...base, allowedServers: [this.issuerHost], allowPrivateAddresses: false });
    this.public = new HttpFederationTransport({ ...base, allowedServers: 'public', allowPrivateAddresses: false });
  }

  discovery(): Promise<unknown> {
    return this.getJson(`${this.settings.issuer}/.well-known/openid-configuration`);
  }

  keys(jwksUri: string): Promise<unknown> {
    return this.getJson(jwksUri);
  }

  userinfo(endpoint: string, accessToken: string): Promise<unknown> {
    return this.getJson(endpoint, { authorization: `Bearer ${accessToken}` });
  }

  async token(tokenEndpoint: string, form: Record<string, string>): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const fields = { ...form };
    const { clientId, clientSecret } = this.settings;
    // RFC 6749 2.3.1: the id and secret are form-urlencoded before they are joined for Basic.
    if (clientSecret) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
    else fields.client_id = clientId;
    const res = await this.transportFor(tokenEndpoint).fetchText(tokenEndpoint, { method: 'POST', headers, body: new URLSearchParams(fields).toString() }, LIMIT);
    return { status: res.status, body: parseJson(res.text, tokenEndpoint) };
  }

  private async getJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
    const res = await this.transportFor(url).fetchText(url, { method: 'GET', headers: { accept: 'application/json', ...headers } }, LIMIT);
    if (res.status !== 200) fail('unavailable', `${new URL(url).host} answered ${res.status}`, 'remoteUnreachable');
    return parseJson(res.text, url);
  }

  private transportFor(raw: string): HttpFederationTransport {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return fail('unavailable', 'the provider named an invalid endpoint', 'remoteUnreachable');
    }
    return hostKey(url).hostPort === this.issuerHost ? this.trusted : this.public;
  }
}

function parseJson(text: string, url: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fail('unavailable', `${new URL(url).host} did not answer JSON`, 'remoteUnreachable');
  }
}
