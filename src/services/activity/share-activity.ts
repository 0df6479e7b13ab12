import { ACTIVITY_APPS, ACTIVITY_TYPES, type ActivityParam } from '../../domain/activity.js';
import { type Share, SHARE_TYPE } from '../../domain/share.js';
import type { Repositories } from '../../ports/repositories.js';
import { recordActivity } from './activity.service.js';

/** Members of a group, for telling them about a share (a group of any size, page by page). */
async function membersOf(repos: Repositories, groupId: string): Promise<string[]> {
  const out: string[] = [];
  for (let offset = 0; ; offset += 10_000) {
    const page = await repos.groups.membersOf(groupId, { limit: 10_000, offset });
    out.push(...page);
    if (page.length < 10_000) return out;
  }
}

/** Who a share reaches: its user, or its group's members (never the sharer). */
export async function recipientsOf(repos: Repositories, share: Share): Promise<string[]> {
  if (share.type === SHARE_TYPE.user) return share.shareWith && share.shareWith !== share.ownerId ? [share.shareWith] : [];
  if (share.type === SHARE_TYPE.group) return (await membersOf(repos, share.shareWith!)).filter((u) => u !== share.ownerId);
  return [];
}

/**
 * The files_sharing activities of a share made or removed (Nextcloud's
 * Sharing provider): the sharer reads `shared_user_self` and the like, each
 * recipient `shared_with_by` under the name the share is mounted with.
 */
export async function recordShareActivity(repos: Repositories, now: number, share: Share, actor: string, made: boolean, file: { fileId: number; ownerPath: string }): Promise<void> {
  const fileParam = (path: string): ActivityParam => ({ type: 'file', id: file.fileId, path });
  const base = { author: actor, app: ACTIVITY_APPS.sharing, type: ACTIVITY_TYPES.shared, objectType: 'files' as const, objectId: file.fileId };
  const verb = made ? 'shared' : 'unshared';
  const self: Record<number, [string, Record<string, ActivityParam>]> = {
    [SHARE_TYPE.user]: [`${verb}_user_self`, { file: fileParam(file.ownerPath), user: { type: 'user', id: share.shareWith ?? '' } }],
    [SHARE_TYPE.group]: [`${verb}_group_self`, { file: fileParam(file.ownerPath), group: { type: 'group', id: share.shareWith ?? '' } }],
    [SHARE_TYPE.link]: [`${verb}_link_self`, { file: fileParam(file.ownerPath) }],
    [SHARE_TYPE.remote]: [`${verb}_user_self_remote`, { file: fileParam(file.ownerPath), remote: { type: 'cloud', id: share.shareWith ?? '' } }],
  };
  const [subject, subjectParams] = self[share.type] ?? [`${verb}_user_self`, { file: fileParam(file.ownerPath), user: { type: 'user', id: share.shareWith ?? '' } }];
  await recordActivity(repos, now, { ...base, subject, subjectParams, objectName: file.ownerPath, affectedUsers: [actor] });
  const recipients = (await recipientsOf(repos, share)).filter((u) => u !== actor);
  if (!recipients.length) return;
  const mounted = `/${share.targetName}`;
  await recordActivity(repos, now, {
    ...base,
    subject: made ? 'shared_with_by' : 'unshared_by',
    subjectParams: { file: fileParam(mounted), actor: { type: 'user', id: actor } },
    objectName: mounted,
    affectedUsers: recipients,
  });
}

/** The internal shares of a space as activity needs them: where each is rooted (space-relative), its mount name and who receives it. */
export interface ShareMount {
  at: string[];
  targetName: string;
  /** Read on first need and kept: most paths lie under no share. */
  recipients: () => Promise<string[]>;
}

/** Read once per space, then asked of any number of its paths (shareAudienceAt). */
export async function shareMountsIn(repos: Repositories, spaceId: string): Promise<ShareMount[]> {
  const shares = await repos.shares.internalInSpace(spaceId);
  if (!shares.length) return [];
  const nodes = new Map((await repos.nodes.byIds(shares.filter((s) => s.nodeId !== spaceId).map((s) => s.nodeId))).map((n) => [n.id, n.path.split('/')]));
  const out: ShareMount[] = [];
  for (const share of shares) {
    const at = share.nodeId === spaceId ? [] : nodes.get(share.nodeId);
    if (!at) continue;
    let recipients: Promise<string[]> | undefined;
    out.push({ at, targetName: share.targetName, recipients: () => (recipients ??= recipientsOf(repos, share)) });
  }
  return out;
}

/**
 * Recipients of shares covering a place of a space, each with where the
 * place shows in their home (under the share's mount name): they hear of
 * changes there as members of the space do.
 */
export async function shareAudienceAt(mounts: readonly ShareMount[], path: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const m of mounts) {
    if (m.at.length > path.length || !m.at.every((seg, i) => path[i] === seg)) continue;
    for (const user of await m.recipients()) if (!out.has(user)) out.set(user, [m.targetName, ...path.slice(m.at.length)]);
  }
  return out;
}
