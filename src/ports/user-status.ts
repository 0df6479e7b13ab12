import type { UserStatus } from '../domain/user-status.js';

/** One row per user who ever had a status (user_status); removed with the user. */
export interface UserStatusRepository {
  find(userId: string): Promise<UserStatus | undefined>;
  /** Statuses by user id, for listing; offset and limit as the caller pages. */
  list(limit: number | undefined, offset: number | undefined): Promise<UserStatus[]>;
  upsert(status: UserStatus): Promise<void>;
}
