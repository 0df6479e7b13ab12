import { fail } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import type { User } from '../../domain/user.js';
import type { ServiceContext } from '../../ports/service-context.js';

/** Nextcloud app passwords are 72 alphanumeric characters; anything else is tried as a real password. */
export const APP_PASSWORD_LENGTH = 72;
const APP_PASSWORD = /^[A-Za-z0-9]{72}$/;
/** Session cookie tokens are 64 alphanumeric characters. */
export const SESSION_TOKEN_LENGTH = 64;
const SESSION_TOKEN = /^[A-Za-z0-9]{64}$/;
/** A compact JWS: three base64url parts (the signature may be empty, as alg none would have it, and is then refused). */
const JWT_SHAPE = /^[A-Za-z0-9_-]{2,4096}\.[A-Za-z0-9_-]{2,16384}\.[A-Za-z0-9_-]{0,1024}$/;

interface RememberedLogin {
  userId: string;
  /** The password hash (or app-password hash) the credentials matched; a change invalidates the entry. */
  proof: string;
  appPasswordId?: string;
  expiresAt: number;
}

const MAX_REMEMBERED = 10_000;
/** A session's or app password's last use is written at most this often. */
const TOUCH_EVERY_MS = 60_000;

/** What a session proves of the password it was opened with: a change of password ends it. */
export const passwordProofOf = (ctx: ServiceContext, user: User): string => ctx.secrets.digest(`password-proof\u0000${user.passwordHash}`);

/** The CSRF token a session's pages and API calls carry (Nextcloud's requesttoken): derived, so any process can check it. */
export const csrfTokenOf = (ctx: ServiceContext, sessionToken: string): string => ctx.secrets.digest(`requesttoken\u0000${sessionToken}`);
// Bounds requests from one address across all logins: an attacker spraying
// many accounts is slowed without locking any one user out.
const ADDRESS_FACTOR = 10;

/**
 * Checks Basic and Bearer credentials. A successful Basic check is remembered
 * under a keyed digest of the credentials for a short time, so clients that
 * send Basic on every request do not pay scrypt every time; the entry dies
 * with a password change because it is checked against the stored hash.
 */
export class AuthService {
  private readonly remembered = new Map<string, RememberedLogin>();
  /** Checks in flight, by credentials and address: the same credentials sent in parallel are checked once. */
  private readonly checking = new Map<string, Promise<Principal>>();
  private jwt: ((token: string) => Promise<Principal>) | null = null;

  constructor(private readonly ctx: ServiceContext) {}

  async basic(login: string, password: string, address: string): Promise<Principal> {
    const now = this.ctx.clock.now();
    // Before the remembered-login shortcut: a throttled address must get 429 even
    // for right credentials (as Nextcloud does), or an attacker guessing past the
    // limit could tell a hit (200 from the cache) from a miss (429).
    await this.assertNotThrottled(address, login, now);
    const key = this.ctx.secrets.keyedDigest(`${login}\u0000${password}`);
    const hit = this.remembered.get(key);
    if (hit && hit.expiresAt > now) {
      const principal = await this.confirmRemembered(hit);
      if (principal) return principal;
    }
    this.remembered.delete(key);

    // A client opening many connections at once sends the same credentials on each:
    // one check answers them all, so they hold one throttle slot, not one each.
    const flight = `${key}\u0000${address}`;
    let check = this.checking.get(flight);
    if (!check) {
      check = this.check(login, password, address, key, now).finally(() => this.checking.delete(flight));
      this.checking.set(flight, check);
    }
    return check;
  }

  private async check(login: string, password: string, address: string, key: string, now: number): Promise<Principal> {
    // The attempt counts as a failure before the hash is checked, so parallel
    // guesses cannot all slip through while the first ones are still hashing.
    const attempt = await this.ctx.repos.loginFailures.reserve(address, login, now, now - this.ctx.settings.loginFailureWindowMs, this.limits());
    if (attempt === null) fail('tooManyRequests', 'Reached maximum delay', 'throttled');
    const user = await this.userOfLogin(login);
    const result = user?.enabled ? await this.verify(user, password) : null;
    if (!result) fail('unauthenticated', 'Unauthorised');
    await this.ctx.repos.loginFailures.clear(address, login);
    await this.recordLogin(user!, now);
    if (this.ctx.settings.basicAuthCacheMs > 0) {
      if (this.remembered.size >= MAX_REMEMBERED) this.evictExpired(now);
      this.remembered.set(key, { ...result!, userId: user!.id, expiresAt: now + this.ctx.settings.basicAuthCacheMs });
    }
    return { userId: user!.id, method: result!.appPasswordId ? 'appPassword' : 'password', appPasswordId: result!.appPasswordId };
  }

  /**
   * A sign-in decided elsewhere (the external provider's code flow), under
   * the sign-in form's throttle: refused while the address is throttled,
   * counted as a failure until `run` succeeds.
   */
  async throttled<T>(address: string, login: string, run: () => Promise<T>): Promise<T> {
    const now = this.ctx.clock.now();
    await this.assertNotThrottled(address, login, now);
    const attempt = await this.ctx.repos.loginFailures.reserve(address, login, now, now - this.ctx.settings.loginFailureWindowMs, this.limits());
    if (attempt === null) fail('tooManyRequests', 'Reached maximum delay', 'throttled');
    const result = await run();
    await this.ctx.repos.loginFailures.clear(address, login);
    return result;
  }

  /** OpenID Connect access tokens (JWTs) are checked by the provider's service, which signed them. */
  acceptJwt(verify: (token: string) => Promise<Principal>): void {
    this.jwt = verify;
  }

  async bearer(token: string): Promise<Principal> {
    if (this.jwt && JWT_SHAPE.test(token)) return this.jwt(token);
    if (!APP_PASSWORD.test(token)) fail('unauthenticated', 'Unauthorised');
    const record = await this.ctx.repos.appPasswords.findByTokenHash(this.ctx.secrets.digest(token));
    const user = record ? await this.ctx.repos.users.findById(record.userId) : undefined;
    if (!record || !user?.enabled) fail('unauthenticated', 'Unauthorised');
    await this.touchAppPassword(record!.tokenHash, record!.lastUsedAt);
    return { userId: user!.id, method: 'appPassword', appPasswordId: record!.id };
  }

  /**
   * The web sign-in form: the same throttle as Basic (counted per account and
   * address, in the database, so all processes share it) and the user id or a
   * unique email as the login, but only the real password opens a browser
   * session (an app password belongs to its device).
   */
  async signIn(login: string, password: string, address: string): Promise<User> {
    const now = this.ctx.clock.now();
    await this.assertNotThrottled(address, login, now);
    const attempt = await this.ctx.repos.loginFailures.reserve(address, login, now, now - this.ctx.settings.loginFailureWindowMs, this.limits());
    if (attempt === null) fail('tooManyRequests', 'Reached maximum delay', 'throttled');
    const user = await this.userOfLogin(login);
    const ok = user?.enabled ? await this.ctx.hasher.verify(password, user.passwordHash) : false;
    if (!ok) fail('unauthenticated', 'Wrong login or password.', 'wrongCredentials');
    await this.ctx.repos.loginFailures.clear(address, login);
    await this.recordLogin(user!, now);
    return user!;
  }

  /**
   * A browser session's cookie token: unexpired (idle and absolute), its user
   * enabled and still with the password the session was opened with. All of
   * it is read from the cache of hot rows, which every process keeps true, so
   * a sign-out, a revocation, a password change or a disabled user counts at
   * the next request everywhere.
   */
  async session(token: string): Promise<Principal> {
    if (!SESSION_TOKEN.test(token)) fail('unauthenticated', 'Unauthorised');
    const now = this.ctx.clock.now();
    const record = await this.ctx.repos.sessions.findByTokenHash(this.ctx.secrets.digest(token));
    if (!record) fail('unauthenticated', 'Unauthorised');
    const idle = record!.remember ? this.ctx.settings.sessions.rememberIdleMs : this.ctx.settings.sessions.idleMs;
    if (record!.expiresAt <= now || record!.lastUsedAt + idle <= now) {
      await this.ctx.repos.sessions.deleteByTokenHash(record!.tokenHash);
      fail('unauthenticated', 'Unauthorised');
    }
    const user = await this.ctx.repos.users.findById(record!.userId);
    if (!user?.enabled || passwordProofOf(this.ctx, user) !== record!.passwordProof) fail('unauthenticated', 'Unauthorised');
    if (now - record!.lastUsedAt >= TOUCH_EVERY_MS) await this.ctx.repos.sessions.touch(record!.tokenHash, now);
    return { userId: user!.id, method: 'session', sessionId: record!.id };
  }

  /** Whether a request made with a session carries that session's CSRF token. */
  csrfMatches(sessionToken: string, sent: string | undefined): boolean {
    return sent !== undefined && this.ctx.secrets.equal(sent, csrfTokenOf(this.ctx, sessionToken));
  }

  /** The user a login names: a user id (case-insensitive), or an email that exactly one user has (as Nextcloud's login by email). */
  private async userOfLogin(login: string): Promise<User | undefined> {
    const byId = await this.ctx.repos.users.findByLogin(login);
    if (byId || !login.includes('@')) return byId;
    const byEmail = await this.ctx.repos.users.findByEmail(login);
    return byEmail.length === 1 ? byEmail[0] : undefined;
  }

  private async touchAppPassword(tokenHash: string, lastUsedAt: number | null): Promise<void> {
    const now = this.ctx.clock.now();
    if (lastUsedAt === null || now - lastUsedAt >= TOUCH_EVERY_MS) await this.ctx.repos.appPasswords.touch(tokenHash, now);
  }

  private async confirmRemembered(hit: RememberedLogin): Promise<Principal | null> {
    const user = await this.ctx.repos.users.findById(hit.userId);
    if (!user?.enabled) return null;
    if (hit.appPasswordId) {
      const record = await this.ctx.repos.appPasswords.findByTokenHash(hit.proof);
      if (!record || record.userId !== user.id) return null;
      await this.touchAppPassword(record.tokenHash, record.lastUsedAt);
      return { userId: user.id, method: 'appPassword', appPasswordId: record.id };
    }
    return user.passwordHash === hit.proof ? { userId: user.id, method: 'password' } : null;
  }

  private async verify(user: User, password: string): Promise<{ proof: string; appPasswordId?: string } | null> {
    if (APP_PASSWORD.test(password)) {
      const digest = this.ctx.secrets.digest(password);
      const record = await this.ctx.repos.appPasswords.findByTokenHash(digest);
      if (record && record.userId === user.id) return { proof: digest, appPasswordId: record.id };
    }
    const ok = await this.ctx.hasher.verify(password, user.passwordHash);
    return ok ? { proof: user.passwordHash } : null;
  }

  private async assertNotThrottled(address: string, login: string, now: number): Promise<void> {
    const since = now - this.ctx.settings.loginFailureWindowMs;
    const limits = this.limits();
    const { forLogin, forAddress } = await this.ctx.repos.loginFailures.countsSince(address, login, since);
    if (forLogin >= limits.forLogin || forAddress >= limits.forAddress) {
      fail('tooManyRequests', 'Reached maximum delay', 'throttled');
    }
  }

  /** Failures allowed per window: for one login from one address, and for all logins from that address. */
  private limits(): { forLogin: number; forAddress: number } {
    const max = this.ctx.settings.loginMaxFailures;
    return { forLogin: max, forAddress: max * ADDRESS_FACTOR };
  }

  private async recordLogin(user: User, now: number): Promise<void> {
    await this.ctx.repos.users.update(user.id, {
      lastLoginAt: now,
      ...(user.firstLoginAt === null ? { firstLoginAt: now } : {}),
    });
    // Old failures are only evidence inside the window; drop the rest now and then.
    if (Math.random() < 0.05) await this.ctx.repos.loginFailures.pruneBefore(now - this.ctx.settings.loginFailureWindowMs);
  }

  private evictExpired(now: number): void {
    for (const [k, v] of this.remembered) if (v.expiresAt <= now) this.remembered.delete(k);
    if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear();
  }
}
