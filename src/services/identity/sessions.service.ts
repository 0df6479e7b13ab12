import { canManageUser } from '../../domain/access.js';
import { fail } from '../../domain/errors.js';
import type { User } from '../../domain/user.js';
import { loadActor } from '../access/actor.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { type AuthService, csrfTokenOf, passwordProofOf, SESSION_TOKEN_LENGTH } from './auth.service.js';

/** A new browser session: the cookie's token (given once) and the CSRF token its pages and calls carry. */
export interface OpenedSession {
  token: string;
  csrf: string;
  userId: string;
}

/** A device as the "Devices & sessions" page lists it: a browser session or an app password. */
export interface Device {
  kind: 'session' | 'appPassword';
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  /** The session the page is looked at with. */
  current: boolean;
}

/** Names are what the client sent as User-Agent: bounded, never empty. */
const clientName = (raw: string | undefined, fallback: string): string => (raw ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255) || fallback;

/** Web sign-in: browser sessions and the devices list (sessions beside app passwords), as Nextcloud's "Devices & sessions". */
export class SessionsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly auth: AuthService,
  ) {}

  async signIn(login: string, password: string, address: string, userAgent: string | undefined, remember: boolean): Promise<OpenedSession> {
    const user = await this.auth.signIn(login, password, address);
    return this.openFor(user, userAgent, remember);
  }

  /** A browser session for a user whose sign-in was checked (the form's password, or the trusted provider). */
  async openFor(user: User, userAgent: string | undefined, remember: boolean): Promise<OpenedSession> {
    const now = this.ctx.clock.now();
    const token = this.ctx.secrets.token(SESSION_TOKEN_LENGTH);
    await this.ctx.repos.sessions.insert({
      id: this.ctx.secrets.id(),
      tokenHash: this.ctx.secrets.digest(token),
      userId: user.id,
      name: clientName(userAgent, 'Browser'),
      remember,
      passwordProof: passwordProofOf(this.ctx, user),
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + this.ctx.settings.sessions.maxAgeMs,
    });
    // Ended sessions are only rows: drop them now and then.
    if (Math.random() < 0.05) await this.ctx.repos.sessions.pruneExpired(now);
    return { token, csrf: csrfTokenOf(this.ctx, token), userId: user.id };
  }

  /** How long a "stay signed in" cookie may be kept: the idle lifetime it gets, bounded by the absolute one. */
  rememberSeconds(): number {
    return Math.min(this.ctx.settings.sessions.rememberIdleMs, this.ctx.settings.sessions.maxAgeMs) / 1000;
  }

  csrfOf(sessionToken: string): string {
    return csrfTokenOf(this.ctx, sessionToken);
  }

  /** Ends the session everywhere: the row goes, and every process's cache with it. */
  async signOut(sessionToken: string): Promise<void> {
    await this.ctx.repos.sessions.deleteByTokenHash(this.ctx.secrets.digest(sessionToken));
  }

  async devices(userId: string, currentSessionId?: string): Promise<Device[]> {
    const [sessions, appPasswords] = await Promise.all([this.ctx.repos.sessions.listForUser(userId), this.ctx.repos.appPasswords.listForUser(userId)]);
    const now = this.ctx.clock.now();
    const live = sessions.filter((s) => s.expiresAt > now && s.lastUsedAt + (s.remember ? this.ctx.settings.sessions.rememberIdleMs : this.ctx.settings.sessions.idleMs) > now);
    return [
      ...live.map((s): Device => ({ kind: 'session', id: s.id, name: s.name, createdAt: s.createdAt, lastUsedAt: s.lastUsedAt, current: s.id === currentSessionId })),
      ...appPasswords.map((a): Device => ({ kind: 'appPassword', id: a.id, name: a.name, createdAt: a.createdAt, lastUsedAt: a.lastUsedAt, current: false })),
    ];
  }

  /** Revokes one of the caller's own devices; someone else's, or one that is gone, is notFound. */
  async revoke(userId: string, kind: Device['kind'], id: string): Promise<void> {
    const removed = kind === 'session' ? await this.ctx.repos.sessions.delete(userId, id) : await this.ctx.repos.appPasswords.deleteOwn(userId, id);
    if (!removed) fail('notFound', 'No such device');
  }

  /**
   * Signs a user out everywhere (occ user:auth-tokens:delete): every browser
   * session and every app password goes, and every process's cache with them.
   * Only someone who manages the user may; anyone else is told the user does not exist.
   */
  async revokeAllOf(callerId: string, targetId: string): Promise<{ sessions: number; appPasswords: number }> {
    return this.ctx.tx.run(async (repos) => {
      const user = await repos.users.findById(targetId);
      if (!user || !canManageUser(await loadActor(repos, callerId), await repos.groups.groupsOfUser(user.id))) fail('notFound', 'User does not exist', 'userNotFound');
      const [sessions, appPasswords] = await Promise.all([repos.sessions.listForUser(user!.id), repos.appPasswords.listForUser(user!.id)]);
      await repos.sessions.deleteForUser(user!.id);
      await repos.appPasswords.deleteForUser(user!.id);
      // OpenID Connect grants too: their refresh tokens and, at their next use, their access tokens.
      await repos.oidcGrants.deleteForUser(user!.id);
      return { sessions: sessions.length, appPasswords: appPasswords.length };
    });
  }
}
