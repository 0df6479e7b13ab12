import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify, type JWTPayload } from 'jose';
import { DomainError, fail } from '../../domain/errors.js';
import { type ExternalOidcSettings, type IssuerMetadata, roleFromClaim } from '../../domain/external-oidc.js';
import type { Principal } from '../../domain/principal.js';
import type { User } from '../../domain/user.js';
import type { ExternalIssuerClient } from '../../ports/external-issuer.js';
import type { ServiceContext } from '../../ports/service-context.js';
import type { GlobalRolesService } from '../access/global-roles.service.js';
import { CheckedTokens } from './checked-tokens.js';
import type { UsersService } from './users.service.js';

/** Asymmetric signatures only: `none` and the HMAC family (a key the provider shares with every client) are refused. */
export const EXTERNAL_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** A token naming a key we do not hold makes us fetch the provider's keys again, at most this often. */
const KEY_REFETCH_MS = 10_000;
/** Clocks of two servers disagree a little. */
const CLOCK_TOLERANCE_SECONDS = 30;

const unauthenticated = (): never => fail('unauthenticated', 'Unauthorised');

/**
 * Trusting an external OpenID Connect provider (OIDC_ISSUER): its metadata
 * and keys are fetched once and held in memory; an access token is checked
 * against them (signature, `iss`, `aud`, `exp`, an asymmetric `alg`), its
 * subject found in the link table (or matched by the configured claim and
 * linked, or provisioned), the role claim applied. A token seen before is
 * remembered by its digest until it expires, so a repeated request costs
 * cached reads of the link and the user, as an app password's of its row
 * and user: a disabled or deleted user is refused at the next request on
 * every process.
 */
export class ExternalOidcService {
  private meta: IssuerMetadata | null = null;
  private jwks: ReturnType<typeof createLocalJWKSet> | null = null;
  private kids = new Set<string>();
  private keysFetchedAt = -Infinity;
  private loading: Promise<void> | null = null;
  private readonly remembered: CheckedTokens<{ subject: string; userId: string }>;

  constructor(
    private readonly ctx: ServiceContext,
    readonly settings: ExternalOidcSettings,
    private readonly client: ExternalIssuerClient,
    private readonly users: UsersService,
    private readonly roles: GlobalRolesService,
  ) {
    this.remembered = new CheckedTokens('external-at', ctx.clock, ctx.secrets);
  }

  get issuer(): string {
    return this.settings.issuer;
  }

  /** The provider's endpoints (fetched on first use, then held). */
  async metadata(): Promise<IssuerMetadata> {
    if (!this.meta) await this.load();
    return this.meta!;
  }

  /** Where the code flow sends browsers: the issuer's origin, and the authorization endpoint's once the metadata is known. */
  authorizationOrigins(): string[] {
    const origins = new Set([new URL(this.settings.issuer).origin]);
    if (this.meta) origins.add(new URL(this.meta.authorizationEndpoint).origin);
    return [...origins];
  }

  /** Whether a JWT's unverified `iss` names this provider (the caller then owes it a full check). */
  claimsIssuer(iss: unknown): boolean {
    return typeof iss === 'string' && (iss === this.settings.issuer || iss === `${this.settings.issuer}/`);
  }

  /** The principal of an access token the provider signed for this server. */
  async verifyAccessToken(token: string): Promise<Principal> {
    const hit = this.remembered.get(token);
    if (hit) {
      // The link too (a cached read): a user deleted and another made under the same id is not the token's.
      const link = await this.ctx.repos.oidcIdentities.find(this.issuer, hit.subject);
      const user = link?.userId === hit.userId ? await this.ctx.repos.users.findById(hit.userId) : undefined;
      if (!user?.enabled) unauthenticated();
      return { userId: user!.id, method: 'oidc' };
    }
    const payload = await this.verify(token, { audience: this.settings.audience });
    const user = await this.signIn(payload, token);
    this.remembered.remember(token, { subject: payload.sub!, userId: user.id }, payload.exp! * 1000);
    return { userId: user.id, method: 'oidc' };
  }

  /** The token endpoint's answer to a form (the code flow's redemption). */
  redeem(tokenEndpoint: string, form: Record<string, string>): Promise<{ status: number; body: unknown }> {
    return this.client.token(tokenEndpoint, form);
  }

  /** An ID token from the code flow: for this client, with the nonce the browser's flow made. */
  async verifyIdToken(idToken: string, nonce: string): Promise<JWTPayload> {
    const payload = await this.verify(idToken, { audience: this.settings.clientId });
    if (typeof payload.nonce !== 'string' || !this.ctx.secrets.equal(payload.nonce, nonce)) unauthenticated();
    return payload;
  }

  /**
   * The Nimbus user the claims name, as oCIS's proxy resolves it: by the
   * link of issuer and subject; else by the configured claim, linking an
   * existing account that has no link to this provider yet; else created
   * when autoprovisioning is on. Then the role claim, when one is
   * configured, sets the user's role (no mapped role: no sign-in, as oCIS).
   */
  async signIn(verified: JWTPayload, accessToken: string | null): Promise<User> {
    const sub = verified.sub;
    if (typeof sub !== 'string' || sub === '') return unauthenticated();
    let claims: Record<string, unknown> = verified;
    const link = await this.ctx.repos.oidcIdentities.find(this.issuer, sub);
    const needsClaims = !link || this.settings.roleClaim !== null;
    if (needsClaims && accessToken && !this.hasClaimsFor(claims, !link)) claims = { ...(await this.userinfo(accessToken, sub)), ...verified };
    const role = this.settings.roleClaim === null ? null : roleFromClaim(claims[this.settings.roleClaim], this.settings.roleMapping);
    if (this.settings.roleClaim !== null && role === null) unauthenticated();
    const user = link ? await this.ctx.repos.users.findById(link.userId) : await this.match(sub, claims);
    if (!user?.enabled) return unauthenticated();
    if (role) await this.roles.applyFromProvider(user.id, role);
    return user;
  }

  private hasClaimsFor(claims: Record<string, unknown>, matching: boolean): boolean {
    if (matching && typeof claims[this.settings.userClaim] !== 'string') return false;
    if (matching && this.settings.autoprovision && claims.name === undefined) return false;
    return this.settings.roleClaim === null || claims[this.settings.roleClaim] !== undefined;
  }

  private async userinfo(accessToken: string, sub: string): Promise<Record<string, unknown>> {
    const endpoint = (await this.metadata()).userinfoEndpoint;
    if (!endpoint) return {};
    let info: unknown;
    try {
      info = await this.client.userinfo(endpoint, accessToken);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'unavailable') return unauthenticated();
      throw err;
    }
    // OpenID Connect Core 5.3.2: a userinfo answer for another subject must not be used.
    if (!info || typeof info !== 'object' || (info as { sub?: unknown }).sub !== sub) return unauthenticated();
    return info as Record<string, unknown>;
  }

  private async match(sub: string, claims: Record<string, unknown>): Promise<User | undefined> {
    const value = claims[this.settings.userClaim];
    if (typeof value !== 'string' || value === '' || value.length > 64) return unauthenticated();
    // An address the provider says it did not verify names nobody's account.
    if (this.settings.userClaim === 'email' && claims.email_verified === false) return unauthenticated();
    const existing = await this.existingUser(value);
    if (existing) {
      // An account already linked to another subject of this provider stays theirs: a reused name is not a key.
      if (await this.ctx.repos.oidcIdentities.findByUser(this.issuer, existing.id)) return unauthenticated();
      await this.ctx.repos.oidcIdentities.insertIfAbsent({ issuer: this.issuer, subject: sub, userId: existing.id, createdAt: this.ctx.clock.now() });
    } else {
      if (!this.settings.autoprovision) return unauthenticated();
      const groups = Array.isArray(claims.groups) ? claims.groups.filter((g): g is string => typeof g === 'string') : [];
      try {
        await this.users.provisionExternal({
          issuer: this.issuer,
          subject: sub,
          userId: value,
          displayName: typeof claims.name === 'string' ? claims.name : undefined,
          email: typeof claims.email === 'string' ? claims.email : undefined,
          groups,
        });
      } catch (err) {
        // A claim that is no valid user id here cannot name an account.
        if (err instanceof DomainError && err.code === 'invalidInput') return unauthenticated();
        throw err;
      }
    }
    // Whoever won a race of two first requests, the link now says whose account it is.
    const link = await this.ctx.repos.oidcIdentities.find(this.issuer, sub);
    return link ? this.ctx.repos.users.findById(link.userId) : undefined;
  }

  private async existingUser(value: string): Promise<User | undefined> {
    if (this.settings.userClaim !== 'email') return this.ctx.repos.users.findById(value);
    const byEmail = await this.ctx.repos.users.findByEmail(value);
    return byEmail.length === 1 ? byEmail[0] : (await this.ctx.repos.users.findById(value)) ?? undefined;
  }

  private async verify(token: string, opts: { audience: string }): Promise<JWTPayload> {
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (typeof header.alg !== 'string' || !EXTERNAL_ALGS.includes(header.alg)) return unauthenticated();
      kid = header.kid;
    } catch {
      return unauthenticated();
    }
    if (!this.jwks || (kid !== undefined && !this.kids.has(kid) && this.ctx.clock.now() - this.keysFetchedAt >= KEY_REFETCH_MS)) await this.load();
    try {
      const { payload } = await jwtVerify(token, this.jwks!, {
        issuer: this.meta!.issuer,
        audience: opts.audience,
        algorithms: EXTERNAL_ALGS,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(this.ctx.clock.now()),
      });
      return payload;
    } catch {
      return unauthenticated();
    }
  }

  /** Discovery, then the key set; one load at a time however many requests wait for it. */
  private load(): Promise<void> {
    this.loading ??= this.fetchAll().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async fetchAll(): Promise<void> {
    this.keysFetchedAt = this.ctx.clock.now();
    const meta = parseMetadata(await this.client.discovery());
    // OpenID Connect Discovery 1.0, 4.3: the issuer in the metadata must be the one asked for.
    if (!meta || !this.claimsIssuer(meta.issuer)) fail('unavailable', 'the provider\'s metadata names another issuer', 'remoteUnreachable');
    const set = await this.client.keys(meta!.jwksUri);
    if (!set || typeof set !== 'object' || !Array.isArray((set as JSONWebKeySet).keys)) fail('unavailable', 'the provider\'s key set is not a JWK set', 'remoteUnreachable');
    const keys = (set as JSONWebKeySet).keys.filter((k) => k && typeof k === 'object' && k.kty !== 'oct');
    this.meta = meta;
    this.jwks = createLocalJWKSet({ keys });
    this.kids = new Set(keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string'));
  }
}

function parseMetadata(raw: unknown): (IssuerMetadata & { userinfoEndpoint: string | null }) | null {
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as Record<string, unknown>;
  const url = (v: unknown): string | null => {
    if (typeof v !== 'string') return null;
    try {
      return /^https?:$/.test(new URL(v).protocol) ? v : null;
    } catch {
      return null;
    }
  };
  const issuer = typeof m.issuer === 'string' ? m.issuer : null;
  const authorizationEndpoint = url(m.authorization_endpoint);
  const tokenEndpoint = url(m.token_endpoint);
  const jwksUri = url(m.jwks_uri);
  if (!issuer || !authorizationEndpoint || !tokenEndpoint || !jwksUri) return null;
  return { issuer, authorizationEndpoint, tokenEndpoint, jwksUri, userinfoEndpoint: url(m.userinfo_endpoint), endSessionEndpoint: url(m.end_session_endpoint) };
}
