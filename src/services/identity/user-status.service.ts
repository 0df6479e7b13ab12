import { fail } from '../../domain/errors.js';
import {
  HEARTBEAT_STATUSES,
  isSingleEmoji,
  isStatusType,
  MAX_STATUS_MESSAGE,
  morePressing,
  PERSISTENT_STATUSES,
  predefinedStatus,
  PREDEFINED_STATUSES,
  type PredefinedStatus,
  STATUS_STALE_MS,
  statusAsOf,
  type UserStatus,
} from '../../domain/user-status.js';
import type { Repositories } from '../../ports/repositories.js';
import type { ServiceContext } from '../../ports/service-context.js';

/** A user without a status row yet: offline, automatic, as Nextcloud's StatusService starts one. */
const fresh = (userId: string): UserStatus => ({ userId, status: 'offline', statusAt: 0, userDefined: false, messageId: null, icon: null, message: null, clearAt: null });

const sameStatus = (a: UserStatus, b: UserStatus): boolean =>
  a.status === b.status && a.statusAt === b.statusAt && a.userDefined === b.userDefined && a.messageId === b.messageId && a.icon === b.icon && a.message === b.message && a.clearAt === b.clearAt;

/**
 * User status (Nextcloud's user_status StatusService and its controllers):
 * the only writer of user_status rows. Clients send clearAt in epoch seconds;
 * it is kept in ms like every other time here.
 */
export class UserStatusService {
  constructor(private readonly ctx: ServiceContext) {}

  /** The caller's status as it reads now; 404 before the first status was set. */
  async own(userId: string): Promise<UserStatus> {
    return this.ctx.tx.run(async (r) => (await this.current(r, userId)) ?? fail('notFound', 'No status for the current user', 'noUserStatus', { whose: 'own' }));
  }

  /** Someone's status, for another user to see (the caller renders invisible as offline). */
  async of(userId: string): Promise<UserStatus> {
    return this.ctx.tx.run(async (r) => (await this.current(r, userId)) ?? fail('notFound', 'No status for the requested user', 'noUserStatus', { whose: 'other' }));
  }

  async list(limit: number | undefined, offset: number | undefined): Promise<UserStatus[]> {
    const now = this.ctx.clock.now();
    return (await this.ctx.repos.userStatuses.list(limit, offset)).map((s) => statusAsOf(s, now));
  }

  predefined(): PredefinedStatus[] {
    return PREDEFINED_STATUSES.filter((p) => p.visible);
  }

  /** The user chooses a status; it stays until they change it (online still goes stale without heartbeats). */
  async setStatus(userId: string, statusType: string): Promise<UserStatus> {
    if (!isStatusType(statusType)) fail('invalidInput', `Status type ${statusType} is not supported`, 'invalidStatusType', { value: statusType });
    return this.update(userId, (s, now) => ({ ...s, status: statusType as UserStatus['status'], statusAt: now, userDefined: true }));
  }

  async setPredefinedMessage(userId: string, messageId: string, clearAtSeconds: number | null): Promise<UserStatus> {
    if (!predefinedStatus(messageId)) fail('invalidInput', `Message id ${messageId} is not supported`, 'invalidMessageId', { value: messageId });
    return this.update(userId, (s, now) => ({ ...s, messageId, icon: null, message: null, clearAt: this.clearAt(clearAtSeconds, now) }));
  }

  /**
   * A custom message and icon. With neither a message nor a clearAt it clears
   * the message instead (UserStatusController::setCustomMessage).
   */
  async setCustomMessage(userId: string, icon: string | null, message: string | null, clearAtSeconds: number | null): Promise<UserStatus> {
    if ((message === null || message === '') && (clearAtSeconds === null || clearAtSeconds === 0)) {
      await this.clearMessage(userId);
      return this.own(userId);
    }
    if (icon !== null && !isSingleEmoji(icon)) fail('invalidInput', 'The status icon must be one emoji', 'invalidStatusIcon');
    if (message !== null && [...message].length > MAX_STATUS_MESSAGE) fail('invalidInput', `The message may be at most ${MAX_STATUS_MESSAGE} characters`, 'statusMessageTooLong', { max: MAX_STATUS_MESSAGE });
    return this.update(userId, (s, now) => ({ ...s, messageId: null, icon, message, clearAt: this.clearAt(clearAtSeconds, now) }));
  }

  async clearMessage(userId: string): Promise<void> {
    await this.ctx.tx.run(async (r) => {
      const s = await r.userStatuses.find(userId);
      if (s) await r.userStatuses.upsert({ ...s, messageId: null, icon: null, message: null, clearAt: null });
    });
  }

  /**
   * A client's heartbeat (UserLiveStatusListener): renews or raises the
   * automatic status; a status the user chose among the persistent ones
   * (away, busy, dnd, invisible) is left alone, and null says so (204).
   */
  async heartbeat(userId: string, status: string): Promise<UserStatus | null> {
    if (!isStatusType(status) || !HEARTBEAT_STATUSES.includes(status)) fail('invalidInput', 'A heartbeat reports online or away', 'invalidStatusType', { value: status });
    const reported = status as UserStatus['status'];
    return this.ctx.tx.run(async (r) => {
      const now = this.ctx.clock.now();
      const s = (await this.current(r, userId)) ?? fresh(userId);
      if (s.userDefined && PERSISTENT_STATUSES.includes(s.status)) return null;
      if (s.statusAt < now - STATUS_STALE_MS || morePressing(reported, s.status)) {
        const next = { ...s, status: reported, statusAt: now, userDefined: false };
        await r.userStatuses.upsert(next);
        return next;
      }
      return s;
    });
  }

  private clearAt(seconds: number | null, now: number): number | null {
    if (seconds === null) return null;
    if (seconds * 1000 < now - (now % 1000)) fail('invalidInput', 'The clearAt time is in the past', 'clearAtInPast');
    return seconds * 1000;
  }

  /** The stored status as it reads now; what has gone stale or expired is written back, as Nextcloud's processStatus does. */
  private async current(r: Repositories, userId: string): Promise<UserStatus | undefined> {
    const stored = await r.userStatuses.find(userId);
    if (!stored) return undefined;
    const now = statusAsOf(stored, this.ctx.clock.now());
    if (!sameStatus(now, stored)) await r.userStatuses.upsert(now);
    return now;
  }

  private async update(userId: string, change: (s: UserStatus, now: number) => UserStatus): Promise<UserStatus> {
    return this.ctx.tx.run(async (r) => {
      const now = this.ctx.clock.now();
      // The user must exist: statuses belong to accounts (the row references the user).
      if (!(await r.users.findById(userId))) fail('notFound', 'No such user', 'userNotFound');
      const next = change((await r.userStatuses.find(userId)) ?? fresh(userId), now);
      await r.userStatuses.upsert(next);
      return next;
    });
  }
}
