/** One stored notification of one user (Nextcloud's `notifications` row), before it is rendered. */
export interface NotificationRecord {
  id: number;
  userId: string;
  app: string;
  objectType: string;
  objectId: string;
  /** The subject's key and what its wording needs. */
  subject: string;
  subjectParams: Record<string, unknown>;
  /** The message's key; '' when there is none. */
  message: string;
  messageParams: Record<string, unknown>;
  /** The share or remote share it is about, when it is about one: the notification goes with that row. */
  shareId: string | null;
  remoteShareId: string | null;
  createdAt: number;
}

export interface NotificationRepository {
  insert(rows: NotificationRecord[]): Promise<void>;
  /** A user's newest notifications first, at most `limit`. */
  listForUser(userId: string, limit: number): Promise<NotificationRecord[]>;
  /** One of the user's notifications; another user's is not found. */
  byId(userId: string, id: number): Promise<NotificationRecord | undefined>;
  /** Deletes these of the user's notifications; answers how many were theirs. */
  delete(userId: string, ids: number[]): Promise<number>;
  deleteForUser(userId: string): Promise<number>;
  /** The notifications about a share, of one recipient or of all. */
  deleteForShare(shareId: string, userId?: string): Promise<void>;
  deleteForRemoteShare(remoteShareId: string): Promise<void>;
}
