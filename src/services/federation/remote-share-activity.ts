import { ACTIVITY_APPS, ACTIVITY_TYPES, type ActivityParam } from '../../domain/activity.js';
import type { Repositories } from '../../ports/repositories.js';
import { recordActivity } from '../activity/activity.service.js';

/** What happened to a share between servers, for the activity stream of `users`. */
export interface RemoteShareEvent {
  users: string[];
  /** The other side's cloud id. */
  author: string;
  subject: 'remote_share' | 'remote_share_accepted' | 'remote_share_declined' | 'remote_share_unshared';
  objectId: number;
  name: string;
}

/** Activity authors are at most 64 characters; longer cloud ids are named in the parameters only. */
const authorOf = (cloudId: string): string | null => (cloudId.length <= 64 ? cloudId : null);

export async function recordRemoteShareActivity(repos: Repositories, now: number, e: RemoteShareEvent): Promise<void> {
  const params: Record<string, ActivityParam> = { file: { type: 'text', id: e.name }, remote: { type: 'cloud', id: e.author } };
  await recordActivity(repos, now, {
    author: authorOf(e.author),
    app: ACTIVITY_APPS.sharing,
    type: ACTIVITY_TYPES.remoteShare,
    subject: e.subject,
    subjectParams: params,
    objectType: 'remote_share',
    objectId: e.objectId,
    objectName: e.name,
    affectedUsers: e.users,
  });
}
