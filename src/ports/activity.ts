/** One stored event as one affected user sees it (Nextcloud's `activity` row). */
export interface ActivityRecord {
  id: number;
  affectedUser: string;
  /** The acting user; null for events without one. */
  author: string | null;
  app: string;
  type: string;
  subject: string;
  subjectParams: Record<string, unknown>;
  objectType: string;
  objectId: number;
  objectName: string;
  link: string | null;
  createdAt: number;
}

/** What a listing keeps: rows of these apps, by the user themselves or by others, of one object. */
export interface ActivitySelection {
  apps?: readonly string[];
  author?: 'self' | 'others';
  objectType?: string;
  objectId?: number;
}

export interface ActivityListQuery extends ActivitySelection {
  /** Rows after this id in the sort direction (exclusive); 0 or absent from the start. */
  since?: number;
  /** Rows to skip first (the v1 API's `start`). */
  offset?: number;
  limit: number;
  sort: 'asc' | 'desc';
}

export interface ActivityRepository {
  insert(rows: ActivityRecord[]): Promise<void>;
  /** The user's rows (where they are the affected user) matching the query, in its order. */
  list(userId: string, query: ActivityListQuery): Promise<ActivityRecord[]>;
  /** Whose row an id is, for checking a `since` cursor; undefined when there is no such row. */
  affectedUserOf(id: number): Promise<string | undefined>;
  /** The id the listing in that order starts from: newest for desc, oldest for asc; null when nothing matches. */
  firstKnown(userId: string, selection: ActivitySelection, sort: 'asc' | 'desc'): Promise<number | null>;
}
