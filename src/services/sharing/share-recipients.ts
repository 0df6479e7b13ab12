import { fail } from '../../domain/errors.js';
import { formatCloudId, parseCloudId } from '../../domain/federation.js';
import { isExpired, type Share, SHARE_STATE, SHARE_TYPE, type ShareType, uniqueName } from '../../domain/share.js';
import type { Repositories } from '../../ports/repositories.js';
import type { ServiceContext } from '../../ports/service-context.js';
import type { FederatedOffers } from '../federation/federated-offers.js';

/** Who a new share goes to, as stored in `shareWith`: an existing user or group, a federated cloud id, nobody for a link. */
export async function checkRecipient(
  ctx: ServiceContext,
  offers: FederatedOffers | undefined,
  type: ShareType,
  shareWith: string | undefined,
  userId: string,
  fileOwnerId: string,
): Promise<string | null> {
  const repos = ctx.repos;
  const settings = ctx.settings.sharing;
  switch (type) {
    case SHARE_TYPE.user: {
      const user = shareWith ? await repos.users.findById(shareWith) : undefined;
      if (!user) fail('notFound', 'no such user to share with', 'recipientUserNotFound');
      if (user!.id === userId) fail('forbidden', 'a user cannot share with themselves', 'shareWithSelf');
      if (user!.id === fileOwnerId) fail('forbidden', 'the recipient owns the item', 'shareWithOwner');
      if (settings.onlyShareWithGroupMembers) {
        const mine = await repos.groups.groupsOfUser(userId);
        const theirs = await repos.groups.groupsOfUser(user!.id);
        if (!theirs.some((g) => mine.includes(g))) fail('forbidden', 'sharing is only allowed with members of your groups', 'recipientOutsideGroups');
      }
      return user!.id;
    }
    case SHARE_TYPE.group: {
      if (!settings.allowGroupSharing) fail('forbidden', 'group sharing is off', 'groupSharingDisabled');
      const group = shareWith ? await repos.groups.findById(shareWith) : undefined;
      if (!group) fail('notFound', 'no such group to share with', 'recipientGroupNotFound');
      if (settings.onlyShareWithGroupMembers && !(await repos.groups.isMember(group!.id, userId))) fail('forbidden', 'sharing is only allowed within your own groups', 'groupNotJoined');
      return group!.id;
    }
    case SHARE_TYPE.link:
      if (!settings.allowLinks) fail('forbidden', 'links are off', 'linksDisabled');
      return null;
    case SHARE_TYPE.remote: {
      if (!offers || !shareWith) fail('notFound', 'no federated account to share with', 'recipientRemoteInvalid');
      const cloud = parseCloudId(shareWith!);
      await offers!.assertMayOffer(cloud, userId);
      return formatCloudId(cloud.user, cloud.remote);
    }
    default:
      return fail('invalidInput', 'unknown share type', 'unknownShareType');
  }
}

/**
 * Recipients get the share under a name not taken in their home (Nextcloud
 * picks the mount point when it shares); they accept it first when the
 * admin turned automatic acceptance off. Answers who now has it pending.
 */
export async function addRecipients(repos: Repositories, autoAccept: boolean, share: Share, now: number): Promise<string[]> {
  const state = autoAccept ? SHARE_STATE.accepted : SHARE_STATE.pending;
  let users: string[] = [];
  if (share.type === SHARE_TYPE.user) users = [share.shareWith!];
  else if (share.type === SHARE_TYPE.group && state === SHARE_STATE.pending) users = (await repos.groups.membersOf(share.shareWith!)).filter((u) => u !== share.ownerId);
  for (const user of users) {
    const name = await freeMountName(repos, user, share.targetName, now, share.id);
    await repos.shares.setRecipient(share.id, user, state, name);
  }
  return state === SHARE_STATE.pending ? users : [];
}

/** A name free among the user's own top-level entries and their other mounts (names only: no node lookups, so sharing stays cheap with many mounts). */
export async function freeMountName(repos: Repositories, userId: string, wanted: string, now: number, shareId: string): Promise<string> {
  const received = await repos.shares.receivedBy(userId, await repos.groups.groupsOfUser(userId));
  const taken = new Set(received.filter((r) => r.id !== shareId && r.state === SHARE_STATE.accepted && !isExpired(r, now)).map((r) => r.mountName));
  for (const r of await repos.remoteShares.ofUser(userId, true)) if (r.mountName) taken.add(r.mountName);
  const personal = await repos.spaces.findById(userId);
  if (personal) {
    for (const n of await repos.nodes.children(userId)) taken.add(n.name);
  }
  return uniqueName(wanted, taken);
}
