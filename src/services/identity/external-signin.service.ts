import { base64url } from 'jose';
import { DomainError, fail } from '../../domain/errors.js';
import type { ServiceContext } from '../../ports/service-context.js';
import type { AuthService } from './auth.service.js';
import type { ExternalOidcService } from './external-oidc.service.js';
import type { OpenedSession, SessionsService } from './sessions.service.js';

/** A browser has this long between leaving for the provider and coming back. */
const FLOW_SECONDS = 600;
/** Failed returns from the provider count against the address under this login name (the throttle of the sign-in form). */
const THROTTLE_LOGIN = 'oidc:external';

/** What the browser carries (sealed, in a cookie) between the start of the flow and the callback. */
interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  redirect: string | null;
  expiresAt: number;
}

/**
 * "Sign in with <provider>": the authorization code flow against the
 * trusted provider with PKCE (S256), state and nonce. The flow's secrets
 * travel sealed in an HttpOnly cookie under an instance-wide key, so any
 * process can finish a flow another started and no row is written until a
 * session is opened. The state binds the callback to the browser that
 * started it (no login CSRF); the nonce binds the ID token to the flow.
 */
export class ExternalSignInService {
  private key: string | null = null;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly external: ExternalOidcService,
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly callbackUrl: string,
  ) {}

  get providerName(): string {
    return this.external.settings.name;
  }

  /** Origins the start may send a browser to: the issuer's, and its authorization endpoint's once known. */
  formTargets(): string[] {
    return this.external.authorizationOrigins();
  }

  get flowSeconds(): number {
    return FLOW_SECONDS;
  }

  /** Where to send the browser, and the sealed flow it keeps until it comes back. */
  async begin(redirect: string | null): Promise<{ location: string; sealed: string }> {
    const meta = await this.external.metadata();
    const flow: Flow = {
      state: this.ctx.secrets.token(32),
      nonce: this.ctx.secrets.token(32),
      verifier: this.ctx.secrets.token(64),
      redirect,
      expiresAt: this.ctx.clock.now() + FLOW_SECONDS * 1000,
    };
    const url = new URL(meta.authorizationEndpoint);
    const params = {
      response_type: 'code',
      client_id: this.external.settings.clientId,
      redirect_uri: this.callbackUrl,
      scope: 'openid profile email',
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: await challengeOf(flow.verifier),
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return { location: url.toString(), sealed: this.ctx.secrets.seal(await this.flowKey(), JSON.stringify(flow)) };
  }

  /**
   * The provider sent the browser back: the flow must be this browser's and
   * unexpired, the state must match, the code is redeemed with the verifier,
   * the ID token checked (signature, issuer, audience, expiry, nonce), the
   * user resolved as for a Bearer token, and a browser session opened.
   */
  async finish(sealed: string | undefined, query: { code?: unknown; state?: unknown; error?: unknown }, address: string, userAgent: string | undefined): Promise<{ session: OpenedSession; redirect: string | null }> {
    const flow = sealed ? this.open(await this.flowKey(), sealed) : null;
    if (!flow || flow.expiresAt <= this.ctx.clock.now()) fail('unauthenticated', 'The sign-in has expired or was started in another browser.', 'flowExpired');
    if (typeof query.state !== 'string' || !this.ctx.secrets.equal(query.state, flow!.state)) fail('unauthenticated', 'The sign-in does not belong to this browser.', 'flowExpired');
    if (typeof query.error === 'string') fail('unauthenticated', 'The provider did not sign you in.', 'providerRefused');
    if (typeof query.code !== 'string' || query.code === '' || query.code.length > 4096) fail('invalidInput', 'The provider sent no code.', 'invalidField');
    const user = await this.auth.throttled(address, THROTTLE_LOGIN, async () => {
      const meta = await this.external.metadata();
      const res = await this.external.redeem(meta.tokenEndpoint, { grant_type: 'authorization_code', code: query.code as string, redirect_uri: this.callbackUrl, code_verifier: flow!.verifier });
      const body = (res.body ?? {}) as { id_token?: unknown; access_token?: unknown };
      if (res.status !== 200 || typeof body.id_token !== 'string') fail('unauthenticated', 'The provider refused the code.', 'providerRefused');
      const claims = await this.external.verifyIdToken(body.id_token as string, flow!.nonce);
      return this.external.signIn(claims, typeof body.access_token === 'string' ? body.access_token : null);
    });
    return { session: await this.sessions.openFor(user, userAgent, false), redirect: flow!.redirect };
  }

  private open(key: string, sealed: string): Flow | null {
    const text = this.ctx.secrets.unseal(key, sealed);
    if (!text) return null;
    try {
      const flow = JSON.parse(text) as Flow;
      return typeof flow.state === 'string' && typeof flow.nonce === 'string' && typeof flow.verifier === 'string' && typeof flow.expiresAt === 'number' ? flow : null;
    } catch {
      return null;
    }
  }

  private async flowKey(): Promise<string> {
    this.key ??= await this.ctx.repos.instanceSettings.setIfAbsent('external_oidc_flow_key', this.ctx.secrets.token(48));
    return this.key;
  }
}

/** RFC 7636 4.2: BASE64URL(SHA256(verifier)). */
async function challengeOf(verifier: string): Promise<string> {
  return base64url.encode(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

export const isFlowRefusal = (err: unknown): err is DomainError => err instanceof DomainError && (err.code === 'unauthenticated' || err.code === 'invalidInput');
