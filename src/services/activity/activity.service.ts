import { ACTIVITY_FILTERS, type ActivityFilter, findActivityFilter, MAX_ACTIVITY_PAGE, OBJECT_FILTER, type RenderNames, renderSubject, type RichParam } from '../../domain/activity.js';
import { fail } from '../../domain/errors.js';
import type { ActivityRecord, ActivitySelection } from '../../ports/activity.js';
import type { Repositories } from '../../ports/repositories.js';
import type { ServiceContext } from '../../ports/service-context.js';

/** One event to record; one row is written per affected user. */
export interface ActivityInput {
  author: string | null;
  app: string;
  type: string;
  subject: string;
  subjectParams: Record<string, unknown>;
  /** `files` for files and folders; `remote_share` for a share offered by another server, which has no local file yet. */
  objectType: 'files' | 'remote_share';
  objectId: number;
  objectName: string;
  affectedUsers: string[];
}

/**
 * Records an event for every affected user (duplicates dropped) with the
 * given repositories, so a caller passes its transaction's and the event
 * commits or rolls back with the change it describes.
 */
export function recordActivity(repos: Repositories, now: number, input: ActivityInput): Promise<void> {
  return recordActivities(repos, now, [input]);
}

/** Several events at once: their ids in one counter bump, their rows in one insert, numbered in the order given. */
export async function recordActivities(repos: Repositories, now: number, inputs: readonly ActivityInput[]): Promise<void> {
  const perEvent = inputs.map((input) => ({ input, users: [...new Set(input.affectedUsers)] }));
  const count = perEvent.reduce((n, e) => n + e.users.length, 0);
  if (!count) return;
  let next = await repos.counters.allocate('activity_id', count);
  const rows: ActivityRecord[] = [];
  for (const { input, users } of perEvent) {
    for (const affectedUser of users) {
      rows.push({
        id: next++,
        affectedUser,
        author: input.author,
        app: input.app,
        type: input.type,
        subject: input.subject,
        subjectParams: input.subjectParams,
        objectType: input.objectType,
        objectId: input.objectId,
        objectName: input.objectName,
        link: null,
        createdAt: now,
      });
    }
  }
  await repos.activities.insert(rows);
}

export interface ActivityQuery {
  /** A filter id (`all`, `self`, …, or `filter` for one object). */
  filter: string;
  /** The id cursor; 0 starts from the newest (desc) or oldest (asc). */
  since: number;
  limit: number;
  sort: 'asc' | 'desc';
  /** Honoured by the `filter` filter only, and only together (Nextcloud's APIv2Controller). */
  objectType?: string;
  objectId?: number;
}

/** One activity as a user sees it, with its subject rendered. */
export interface ActivityItem {
  id: number;
  app: string;
  type: string;
  author: string | null;
  subject: string;
  subjectRich: [string, Record<string, RichParam>];
  message: string;
  messageRich: [string, Record<string, RichParam>];
  objectType: string;
  objectId: number;
  objectName: string;
  createdAt: number;
}

export interface ActivityPage {
  items: ActivityItem[];
  /** Set when the listing started from the beginning (no or an unknown `since`): the first id in its order. */
  firstKnown: number | null;
  /** The id to pass as `since` for the next page. */
  lastGiven: number | null;
  hasMore: boolean;
}

export interface RenderOptions {
  /** A link for a file in rich parameters, when the caller knows where files are shown. */
  fileLink?(fileId: number, path: string): string;
}

/** The activity stream of one user: only rows where they are the affected user. */
export class ActivityService {
  constructor(private readonly ctx: ServiceContext) {}

  filters(): readonly ActivityFilter[] {
    return ACTIVITY_FILTERS;
  }

  /**
   * Nextcloud's Data::get: an unknown filter is notFound; a `since` that is
   * another user's activity is forbidden; an unknown one starts from the
   * beginning and reports the user's first activity in that order.
   */
  async list(userId: string, query: ActivityQuery, opts: RenderOptions = {}): Promise<ActivityPage> {
    const selection = this.selectionOf(query);
    let since = Math.max(0, Math.trunc(query.since) || 0);
    let firstKnown: number | null = null;
    if (since) {
      const owner = await this.ctx.repos.activities.affectedUserOf(since);
      if (owner === undefined) since = 0;
      else if (owner !== userId) fail('forbidden', 'Invalid since');
    }
    if (!since) firstKnown = await this.ctx.repos.activities.firstKnown(userId, {}, query.sort);
    const limit = clampLimit(query.limit);
    const rows = await this.ctx.repos.activities.list(userId, { ...selection, since, limit: limit + 1, sort: query.sort });
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit);
    return { items: await this.render(page, opts), firstKnown, lastGiven: page.length ? page[page.length - 1]!.id : null, hasMore };
  }

  /** The v1 list (seed 004 ACTIVITY): newest first, `start` entries skipped, `count` given. */
  async listNewest(userId: string, start: number, count: number, opts: RenderOptions = {}): Promise<ActivityItem[]> {
    const rows = await this.ctx.repos.activities.list(userId, { offset: Math.max(0, start), limit: clampLimit(count), sort: 'desc' });
    return this.render(rows, opts);
  }

  private selectionOf(query: ActivityQuery): ActivitySelection {
    if (query.filter === OBJECT_FILTER) {
      // Nextcloud matches object_type = '' and object_id = 0 when either is missing: nothing.
      const both = query.objectType && query.objectId;
      return { objectType: both ? query.objectType : '', objectId: both ? query.objectId : 0 };
    }
    const filter = findActivityFilter(query.filter);
    if (!filter) fail('notFound', 'Invalid filter');
    return { apps: filter!.apps, author: filter!.author };
  }

  /** Subjects rendered with the current display names of the users and groups they mention. */
  private async render(rows: ActivityRecord[], opts: RenderOptions): Promise<ActivityItem[]> {
    const userIds = new Set<string>();
    const groupIds = new Set<string>();
    for (const r of rows) {
      for (const v of Object.values(r.subjectParams)) {
        const p = v as { type?: unknown; id?: unknown };
        if (p && typeof p.id === 'string' && p.type === 'user') userIds.add(p.id);
        if (p && typeof p.id === 'string' && p.type === 'group') groupIds.add(p.id);
      }
    }
    const [users, groups] = await Promise.all([
      userIds.size ? this.ctx.repos.users.findMany([...userIds]) : [],
      groupIds.size ? this.ctx.repos.groups.findMany([...groupIds]) : [],
    ]);
    const userNames = new Map(users.map((u) => [u.id, u.displayName]));
    const groupNames = new Map(groups.map((g) => [g.id, g.displayName]));
    // A deleted user or group still renders, under its id (Nextcloud does the same).
    const names: RenderNames = { user: (id) => userNames.get(id) ?? id, group: (id) => groupNames.get(id) ?? id, fileLink: opts.fileLink };
    return rows.map((r) => {
      const rendered = renderSubject(r.subject, r.subjectParams, names);
      return {
        id: r.id,
        app: r.app,
        type: r.type,
        author: r.author,
        subject: rendered.subject,
        subjectRich: rendered.rich,
        message: '',
        messageRich: ['', {}],
        objectType: r.objectType,
        objectId: r.objectId,
        objectName: r.objectName,
        createdAt: r.createdAt,
      };
    });
  }
}

const clampLimit = (limit: number): number => Math.min(MAX_ACTIVITY_PAGE, Math.max(1, Math.trunc(limit) || 1));
