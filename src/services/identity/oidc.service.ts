import { createLocalJWKSet, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK, jwtVerify } from 'jose';
import { fail } from '../../domain/errors.js';
import { DEFAULT_OIDC_CLIENTS, type OidcClientDefinition } from '../../domain/oidc-clients.js';
import type { Principal } from '../../domain/principal.js';
import type { OidcModelRecord } from '../../ports/oidc.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { passwordProofOf } from './auth.service.js';
import { CheckedTokens } from './checked-tokens.js';

/** The first key's id is fixed, so processes starting together on an empty database keep one key. */
const FIRST_KID = 'nimbus-signing-1';
export const SIGNING_ALG = 'RS256';
/** An unknown kid re-reads the keys (a rotation by another process), at most this often: tokens with made-up kids cost one read a second at most. */
const KEY_RELOAD_MS = 1000;

/** What the userinfo endpoint and the ID token say of a user. */
export interface OidcClaims {
  sub: string;
  preferred_username: string;
  name: string;
  email?: string;
  email_verified?: boolean;
  groups: string[];
}

/**
 * Nimbus as an OpenID Connect provider: its clients, its signing keys, the
 * provider library's stored state, and the check of a Bearer JWT. The check
 * verifies the signature with keys held in memory and then reads the token's
 * grant and user from the cache of hot rows, so no query runs for a valid
 * token unless another process changed one of them; a token checked once is
 * remembered until it expires, so its later requests skip the signature.
 */
export class OidcService {
  private keys: JWK[] | null = null;
  private jwks: ReturnType<typeof createLocalJWKSet> | null = null;
  private keysReadAt = 0;
  /** Tokens whose signature and claims were checked: what remains per request is the grant's check. */
  private readonly verified: CheckedTokens<{ sub: string; grantId: string }>;

  constructor(
    private readonly ctx: ServiceContext,
    readonly issuer: string,
  ) {
    this.verified = new CheckedTokens('own-at', ctx.clock, ctx.secrets);
  }

  get settings() {
    return this.ctx.settings.oidc;
  }

  clients(): OidcClientDefinition[] {
    return [...DEFAULT_OIDC_CLIENTS, ...this.ctx.settings.oidc.extraClients].map((c) => ({
      ...c,
      redirectUris: c.redirectUris.map((u) => u.replace('{PUBLIC_URL}', this.issuer)),
      postLogoutRedirectUris: c.postLogoutRedirectUris.map((u) => u.replace('{PUBLIC_URL}', this.issuer)),
    }));
  }

  client(clientId: string): OidcClientDefinition | undefined {
    return this.clients().find((c) => c.clientId === clientId);
  }

  /** The private signing keys, newest first; the first start makes one. */
  async signingKeys(): Promise<JWK[]> {
    let rows = await this.ctx.repos.oidcSigningKeys.list();
    if (rows.length === 0) {
      await this.ctx.repos.oidcSigningKeys.insertIfAbsent({ kid: FIRST_KID, privateJwk: JSON.stringify(await newKey(FIRST_KID)), createdAt: this.ctx.clock.now() });
      rows = await this.ctx.repos.oidcSigningKeys.list();
    }
    this.keys = rows.map((r) => JSON.parse(r.privateJwk) as JWK);
    this.jwks = createLocalJWKSet(publicSet(this.keys));
    this.keysReadAt = this.ctx.clock.now();
    return this.keys;
  }

  /**
   * A new signing key signs from now on; the previous ones stay published
   * until every token they signed has expired (the longest lived is the ID
   * and access token), then `rotateKeys` drops them on a later run.
   */
  async rotateKeys(): Promise<{ added: string; removed: string[] }> {
    const now = this.ctx.clock.now();
    const kid = `nimbus-${now.toString(36)}-${this.ctx.secrets.token(6)}`;
    await this.ctx.repos.oidcSigningKeys.insert({ kid, privateJwk: JSON.stringify(await newKey(kid)), createdAt: now });
    const rows = await this.ctx.repos.oidcSigningKeys.list();
    const removed: string[] = [];
    // Keep the new key and the one before it; older ones have signed nothing still alive.
    const retireBefore = now - this.ctx.settings.oidc.accessTokenTtlSeconds * 1000;
    for (const r of rows.slice(2)) {
      if (r.createdAt < retireBefore) {
        await this.ctx.repos.oidcSigningKeys.delete(r.kid);
        removed.push(r.kid);
      }
    }
    await this.signingKeys();
    return { added: kid, removed };
  }

  /** The keys the provider signs its cookies with: one for the instance, so every process reads the others' cookies. */
  async cookieKeys(): Promise<string[]> {
    return [await this.ctx.repos.instanceSettings.setIfAbsent('oidc_cookie_key', this.ctx.secrets.token(48))];
  }

  // ---- the provider library's state (its adapter calls these) ----

  saveModel(record: OidcModelRecord): Promise<void> {
    return this.ctx.repos.oidcModels.upsert(record);
  }

  async findModel(model: string, by: 'id' | 'uid' | 'userCode', value: string): Promise<OidcModelRecord | undefined> {
    const repo = this.ctx.repos.oidcModels;
    const found = by === 'id' ? await repo.find(model, value) : by === 'uid' ? await repo.findByUid(model, value) : await repo.findByUserCode(model, value);
    if (found && found.expiresAt !== null && found.expiresAt <= this.ctx.clock.now()) return undefined;
    return found;
  }

  consumeModel(model: string, id: string): Promise<boolean> {
    return this.ctx.repos.oidcModels.consume(model, id, this.ctx.clock.now());
  }

  destroyModel(model: string, id: string): Promise<void> {
    return this.ctx.repos.oidcModels.destroy(model, id);
  }

  /** A revoked grant (token revocation, a replayed code): its tokens go, and every access token naming it fails at its next use. */
  async revokeGrant(grantId: string): Promise<void> {
    await this.ctx.repos.oidcModels.destroyByGrantId(grantId);
    await this.ctx.repos.oidcGrants.delete(grantId);
  }

  /** Records whose grant it is, with the user's password as it is now: a later change ends the grant. */
  async bindGrant(grantId: string, userId: string, clientId: string): Promise<void> {
    const user = await this.ctx.repos.users.findById(userId);
    if (!user?.enabled) fail('unauthenticated', 'Unauthorised');
    const now = this.ctx.clock.now();
    // Ended flows and tokens are only rows: drop them now and then.
    if (Math.random() < 0.05) await this.pruneExpired();
    await this.ctx.repos.oidcGrants.insert({
      grantId,
      userId,
      clientId,
      passwordProof: passwordProofOf(this.ctx, user!),
      createdAt: now,
      expiresAt: now + this.ctx.settings.oidc.refreshTokenTtlSeconds * 1000,
    });
  }

  /** Whether a grant still stands for its user: it exists, the user is enabled and has the password they granted with. */
  async grantAlive(grantId: string, userId: string): Promise<boolean> {
    const grant = await this.ctx.repos.oidcGrants.find(grantId);
    if (!grant || grant.userId !== userId || grant.expiresAt <= this.ctx.clock.now()) return false;
    const user = await this.ctx.repos.users.findById(userId);
    return !!user?.enabled && passwordProofOf(this.ctx, user) === grant.passwordProof;
  }

  /** Drops what has expired now and then (codes, sessions, interactions and tokens keep their end). */
  async pruneExpired(): Promise<void> {
    const now = this.ctx.clock.now();
    await this.ctx.repos.oidcModels.pruneExpired(now);
    await this.ctx.repos.oidcGrants.pruneExpired(now);
  }

  // ---- accounts ----

  async claimsOf(userId: string): Promise<OidcClaims | null> {
    const user = await this.ctx.repos.users.findById(userId);
    if (!user?.enabled) return null;
    const groups = await this.ctx.repos.groups.groupsOfUser(user.id);
    return {
      sub: user.id,
      preferred_username: user.id,
      name: user.displayName || user.id,
      ...(user.email ? { email: user.email, email_verified: false } : {}),
      groups,
    };
  }

  // ---- Bearer JWT ----

  /**
   * The principal of an access token this provider signed: signature (keys
   * in memory), issuer, audience, type, expiry, then its grant and user
   * (cached rows). Anything else is unauthenticated.
   */
  async verifyAccessToken(token: string): Promise<Principal> {
    const hit = this.verified.get(token);
    if (hit) {
      if (!(await this.grantAlive(hit.grantId, hit.sub))) return fail('unauthenticated', 'Unauthorised');
      return { userId: hit.sub, method: 'oidc', oidcGrantId: hit.grantId };
    }
    if (!this.jwks || (this.ctx.clock.now() - this.keysReadAt > KEY_RELOAD_MS && !this.knowsKid(token))) await this.signingKeys();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.jwks!, {
        issuer: this.issuer,
        audience: this.issuer,
        algorithms: [SIGNING_ALG],
        typ: 'at+jwt',
        currentDate: new Date(this.ctx.clock.now()),
      }));
    } catch {
      return fail('unauthenticated', 'Unauthorised');
    }
    const sub = payload.sub;
    const grantId = payload.gid;
    if (typeof sub !== 'string' || typeof grantId !== 'string' || !(await this.grantAlive(grantId, sub))) return fail('unauthenticated', 'Unauthorised');
    if (typeof payload.exp === 'number') this.verified.remember(token, { sub, grantId }, payload.exp * 1000);
    return { userId: sub, method: 'oidc', oidcGrantId: grantId };
  }

  private knowsKid(token: string): boolean {
    try {
      const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { kid?: unknown };
      return typeof header.kid === 'string' && !!this.keys?.some((k) => k.kid === header.kid);
    } catch {
      return false;
    }
  }
}

async function newKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { modulusLength: 2048, extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG, use: 'sig' };
}

/** The public halves of private RSA JWKs. */
export function publicSet(keys: JWK[]): JSONWebKeySet {
  return { keys: keys.map(({ kty, n, e, kid, alg, use }) => ({ kty, n, e, kid, alg, use }) as JWK) };
}
