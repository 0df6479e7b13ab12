import type { Group } from '../../domain/group.js';
import { SHARE_TYPE } from '../../domain/share.js';
import type { User } from '../../domain/user.js';
import type { Recommendation, RemoteSharee, ShareeResults } from '../../services/sharing/sharees.service.js';

/** UserPlugin's entry; no user status module here, so no subline and an empty status (PHP's []). */
const userJson = (u: User) => ({
  label: u.displayName,
  subline: '',
  icon: 'icon-user',
  value: { shareType: SHARE_TYPE.user, shareWith: u.id },
  shareWithDisplayNameUnique: u.email ? u.email : u.id,
  status: [],
});

const groupJson = (g: Group) => ({ label: g.displayName, value: { shareType: SHARE_TYPE.group, shareWith: g.id } });

const remoteJson = (r: RemoteSharee) => ({
  label: `${r.user} (${r.server})`,
  uuid: r.user,
  name: r.user,
  value: { shareType: SHARE_TYPE.remote, shareWith: r.shareWith, server: r.server },
});

/**
 * ShareesAPIController::search's answer: every key Nextcloud always sends,
 * in its order; mail, room and circle shares and the lookup server do not
 * exist here, so those lists stay empty.
 */
export function shareesJson(r: ShareeResults): Record<string, unknown> {
  return {
    exact: {
      users: r.users.exact.map(userJson),
      groups: r.groups.exact.map(groupJson),
      remotes: r.remotes.exact.map(remoteJson),
      remote_groups: [],
      emails: [],
      circles: [],
      rooms: [],
    },
    users: r.users.wide.map(userJson),
    groups: r.groups.wide.map(groupJson),
    remotes: r.remotes.wide.map(remoteJson),
    remote_groups: [],
    emails: [],
    lookup: [],
    circles: [],
    rooms: [],
    lookupEnabled: false,
  };
}

const KEY_OF: Record<number, 'users' | 'groups' | 'remotes'> = { [SHARE_TYPE.user]: 'users', [SHARE_TYPE.group]: 'groups', [SHARE_TYPE.remote]: 'remotes' };

/** findRecommended's answer: a SearchResult of the five kinds it maps, recommendations in the wide lists with their count. */
export function recommendedJson(list: Recommendation[]): Record<string, unknown> {
  const out = { users: [] as unknown[], groups: [] as unknown[], remotes: [] as unknown[] };
  for (const r of list) out[KEY_OF[r.type]!].push({ count: r.count, label: r.label, value: { shareType: r.type, shareWith: r.shareWith } });
  return {
    exact: { users: [], groups: [], remotes: [], remote_groups: [], emails: [] },
    ...out,
    remote_groups: [],
    emails: [],
  };
}
