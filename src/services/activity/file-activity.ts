import { ACTIVITY_APPS, fileActivityType, fileSubject, fileSubjectParams, type FileVerb } from '../../domain/activity.js';
import type { Repositories } from '../../ports/repositories.js';
import { fileAudience } from './activity-audience.js';
import { type ActivityInput, recordActivities } from './activity.service.js';
import { linkShareIdOf } from '../access/share-access.js';
import { type ShareMount, shareAudienceAt, shareMountsIn } from './share-activity.js';

export interface FileEvent {
  /** `moved` is told as `renamed` when the node stays in its folder (Nextcloud's rule). */
  verb: FileVerb;
  /** The acting user. */
  author: string;
  /** Spaces whose members are told: the one changed, and the source of a move between spaces. */
  spaceIds: string[];
  fileId: number;
  /** Space-relative path segments of the node after the change. */
  path: readonly string[];
  /** Where it was before a rename or move. */
  oldPath?: readonly string[];
}

const slashed = (path: readonly string[]): string => `/${path.join('/')}`;

function verbOf(e: FileEvent): FileVerb {
  if (e.verb !== 'moved' || !e.oldPath || new Set(e.spaceIds).size > 1) return e.verb;
  return slashed(e.oldPath.slice(0, -1)) === slashed(e.path.slice(0, -1)) ? 'renamed' : 'moved';
}

/**
 * Records a file event for everyone with access, inside the caller's
 * transaction: the author reads `created_self`, the others `created_by`
 * (Nextcloud's files app writes both from one change).
 */
export function recordFileActivity(repos: Repositories, now: number, e: FileEvent): Promise<void> {
  return recordFileActivities(repos, now, [e]);
}

/**
 * Several file events at once (a bulk upload's group): who hears of each
 * space is read once, and every row is written in one insert, numbered as
 * if the events had been recorded one after the other.
 */
export async function recordFileActivities(repos: Repositories, now: number, events: readonly FileEvent[]): Promise<void> {
  const members = new Map<string, string[]>();
  const mounts = new Map<string, ShareMount[]>();
  for (const spaceId of new Set(events.flatMap((e) => e.spaceIds))) {
    members.set(spaceId, await fileAudience(repos, spaceId, now));
    mounts.set(spaceId, await shareMountsIn(repos, spaceId));
  }
  const inputs: ActivityInput[] = [];
  for (const e of events) inputs.push(...(await activitiesOf(e, members, mounts)));
  await recordActivities(repos, now, inputs);
}

async function activitiesOf(e: FileEvent, members: Map<string, string[]>, mounts: Map<string, ShareMount[]>): Promise<ActivityInput[]> {
  const spaceIds = [...new Set(e.spaceIds)];
  const audience = new Set<string>(spaceIds.flatMap((id) => members.get(id)!));
  const objectName = slashed(e.path);
  const oldPath = e.oldPath ? slashed(e.oldPath) : undefined;
  const verb = verbOf(e);
  // A public link's visitor is nobody: no stream of their own, and a creation is told as `created_public` (Nextcloud's FilesHooks without a user).
  const author = linkShareIdOf(e.author) === null ? e.author : null;
  const othersSubject = author === null && verb === 'created' ? 'created_public' : fileSubject(verb, false);
  const base = { author, app: ACTIVITY_APPS.files, type: fileActivityType(verb), objectType: 'files' as const, objectId: e.fileId, objectName };
  const out: ActivityInput[] = [];
  // The author hears of their own change even without a grant left (a move out of a space they may no longer see).
  for (const self of author === null ? [false] : [true, false]) {
    const affectedUsers = self ? [e.author] : [...audience].filter((u) => u !== e.author);
    const subjectParams = fileSubjectParams(verb, author, self, { id: e.fileId, path: objectName }, oldPath);
    out.push({ ...base, subject: self ? fileSubject(verb, true) : othersSubject, subjectParams, affectedUsers });
  }
  // Recipients of shares covering the place hear of it under their mount's name.
  const byView = new Map<string, string[]>();
  for (const spaceId of spaceIds) {
    for (const [user, view] of await shareAudienceAt(mounts.get(spaceId)!, e.path)) {
      if (user === e.author || audience.has(user)) continue;
      const key = slashed(view);
      byView.set(key, [...(byView.get(key) ?? []), user]);
    }
  }
  for (const [viewPath, affectedUsers] of byView) {
    const subjectParams = fileSubjectParams(verb, author, false, { id: e.fileId, path: viewPath }, oldPath);
    out.push({ ...base, objectName: viewPath, subject: othersSubject, subjectParams, affectedUsers });
  }
  return out;
}
