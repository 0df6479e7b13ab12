import { canManageUser } from '../../domain/access.js';
import { fail } from '../../domain/errors.js';
import { ADMIN_GROUP, type Group } from '../../domain/group.js';
import type { User } from '../../domain/user.js';
import type { Repositories } from '../../ports/repositories.js';
import { loadActor } from '../access/actor.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { requireAdmin, requireAdminOrSubadmin } from './users.service.js';

/** cloud/users/{id}/groups and cloud/users/{id}/subadmins. */
export class MembershipsService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Self and admins see every group; a subadmin sees only the groups they administer. */
  async groupsOf(callerId: string, targetId: string): Promise<string[]> {
    const repos = this.ctx.repos;
    const user = await repos.users.findById(targetId);
    if (!user) fail('notFound', 'User does not exist', 'userNotFound');
    const groups = await repos.groups.groupsOfUser(user!.id);
    if (user!.id === callerId) return groups;
    const actor = await loadActor(repos, callerId);
    if (actor.isAdmin) return groups;
    if (!canManageUser(actor, groups)) fail('notFound', 'User does not exist', 'hiddenUser');
    return groups.filter((g) => actor.subadminOf.has(g));
  }

  async addToGroup(callerId: string, targetId: string, groupId: string | undefined): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      const actor = await loadActor(repos, callerId);
      requireAdminOrSubadmin(actor);
      if (!groupId) fail('invalidInput', 'Group ID is missing', 'missingParameter');
      const group = await repos.groups.findById(groupId!);
      if (!group) fail('invalidInput', 'Group does not exist', 'groupNotFound');
      const user = await repos.users.findById(targetId);
      if (!user) fail('invalidInput', 'User does not exist', 'userNotFound');
      if (!actor.isAdmin && !actor.subadminOf.has(group!.id)) fail('forbidden', 'Insufficient privileges', 'groupPrivilege');
      await repos.groups.addMember(group!.id, user!.id);
    });
  }

  async removeFromGroup(callerId: string, targetId: string, groupId: string | undefined): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      const actor = await loadActor(repos, callerId);
      requireAdminOrSubadmin(actor);
      // Nextcloud trims here (but not when adding): a blank groupid is missing.
      if (!groupId?.trim()) fail('invalidInput', 'Group ID is missing', 'missingParameter');
      const group = await repos.groups.findById(groupId!);
      if (!group) fail('invalidInput', 'Group does not exist', 'groupNotFound');
      const user = await repos.users.findById(targetId);
      if (!user) fail('invalidInput', 'User does not exist', 'userNotFound');
      if (!actor.isAdmin && !actor.subadminOf.has(group!.id)) fail('forbidden', 'Insufficient privileges', 'groupPrivilege');
      const gid = group!.id;
      const uid = user!.id;
      if (uid === callerId) {
        if (actor.isAdmin && gid === ADMIN_GROUP) fail('invalidInput', 'Cannot remove yourself from the admin group', 'selfOperation');
        if (!actor.isAdmin && actor.subadminOf.has(gid)) {
          fail('invalidInput', 'Cannot remove yourself from this group as you are a SubAdmin', 'selfOperation');
        }
      } else if (!actor.isAdmin) {
        // Nextcloud refuses whenever the user is in at most one of the subadmin's
        // groups, whichever group is named, so a subadmin never strands a user.
        const theirs = (await repos.groups.groupsOfUser(uid)).filter((g) => actor.subadminOf.has(g));
        if (theirs.length <= 1) {
          fail('invalidInput', 'Not viable to remove user from the last group you are SubAdmin of', 'lastSubadminGroup');
        }
      }
      await repos.groups.removeMember(gid, uid);
    });
  }

  async subadminGroupsOf(callerId: string, targetId: string): Promise<string[]> {
    const repos = this.ctx.repos;
    requireAdmin(await loadActor(repos, callerId));
    const user = await repos.users.findById(targetId);
    if (!user) fail('notFound', 'User does not exist', 'userNotFound');
    return repos.groups.subadminGroupsOf(user!.id);
  }

  async addSubadmin(callerId: string, targetId: string, groupId: string | undefined): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      const { user, group } = await subadminTarget(repos, callerId, targetId, groupId);
      if (group.id === ADMIN_GROUP) fail('invalidInput', 'Cannot create subadmins for admin group', 'adminGroup');
      await repos.groups.addSubadmin(group.id, user.id);
    });
  }

  async removeSubadmin(callerId: string, targetId: string, groupId: string | undefined): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      const { user, group } = await subadminTarget(repos, callerId, targetId, groupId);
      const current = await repos.groups.subadminGroupsOf(user.id);
      if (!current.includes(group.id)) fail('invalidInput', 'User is not a subadmin of this group', 'notSubadmin');
      await repos.groups.removeSubadmin(group.id, user.id);
    });
  }
}

/** An admin naming a user and a group for a subadmin change: both must exist (Nextcloud answers 101/102 as invalid input). */
async function subadminTarget(repos: Repositories, callerId: string, targetId: string, groupId: string | undefined): Promise<{ user: User; group: Group }> {
  requireAdmin(await loadActor(repos, callerId));
  const user = await repos.users.findById(targetId);
  if (!user) fail('invalidInput', 'User does not exist', 'userNotFound');
  const group = groupId ? await repos.groups.findById(groupId) : undefined;
  if (!group) fail('invalidInput', 'Group does not exist', 'groupNotFound');
  return { user: user!, group: group! };
}
