import { canManageGroup } from '../../domain/access.js';
import { fail } from '../../domain/errors.js';
import { ADMIN_GROUP, assertValidGroupId, type Group } from '../../domain/group.js';
import type { Page } from '../../ports/repositories.js';
import { loadActor } from '../access/actor.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { requireAdmin, requireAdminOrSubadmin } from './users.service.js';

export interface GroupDetails extends Group {
  userCount: number;
  canAdd: boolean;
  canRemove: boolean;
}

/** cloud/groups: listing for admins and subadmins, everything else for admins. */
export class GroupsService {
  constructor(private readonly ctx: ServiceContext) {}

  async list(callerId: string, page: Page): Promise<string[]> {
    requireAdminOrSubadmin(await loadActor(this.ctx.repos, callerId));
    return this.ctx.repos.groups.listIds(page);
  }

  async details(callerId: string, page: Page): Promise<GroupDetails[]> {
    const actor = await loadActor(this.ctx.repos, callerId);
    requireAdminOrSubadmin(actor);
    const groups = await this.ctx.repos.groups.list(page);
    return groups.map((g) => ({
      ...g,
      canAdd: actor.isAdmin || actor.subadminOf.has(g.id),
      canRemove: actor.isAdmin || actor.subadminOf.has(g.id),
    }));
  }

  async create(callerId: string, groupId: string | undefined, displayName?: string): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      requireAdmin(await loadActor(repos, callerId));
      if (!groupId) fail('invalidInput', 'Invalid group name', 'invalidGroupId');
      assertValidGroupId(groupId!);
      if (await repos.groups.findById(groupId!)) fail('invalidInput', 'group exists', 'groupExists');
      await repos.groups.insert({ id: groupId!, displayName: displayName || groupId!, createdAt: this.ctx.clock.now() });
    });
  }

  async members(callerId: string, groupId: string, page: Page = {}): Promise<string[]> {
    const actor = await loadActor(this.ctx.repos, callerId);
    requireAdminOrSubadmin(actor);
    const group = await this.ctx.repos.groups.findById(groupId);
    if (!group) fail('notFound', 'The requested group could not be found', 'groupNotFound');
    if (!canManageGroup(actor, group!.id)) fail('forbidden', 'User is not a subadmin of this group', 'groupPrivilege');
    return this.ctx.repos.groups.membersOf(group!.id, page);
  }

  /**
   * The members behind users/details. Nextcloud's getGroupUsersDetails hides a
   * group the caller may not manage behind the same "not found" as a missing one.
   */
  async membersForDetails(callerId: string, groupId: string, page: Page = {}): Promise<string[]> {
    const actor = await loadActor(this.ctx.repos, callerId);
    requireAdminOrSubadmin(actor);
    const group = await this.ctx.repos.groups.findById(groupId);
    if (!group || !canManageGroup(actor, group.id)) fail('notFound', 'The requested group could not be found', 'groupNotFound');
    return this.ctx.repos.groups.membersOf(group!.id, page);
  }

  async subadmins(callerId: string, groupId: string): Promise<string[]> {
    requireAdmin(await loadActor(this.ctx.repos, callerId));
    const group = await this.ctx.repos.groups.findById(groupId);
    if (!group) fail('invalidInput', 'Group does not exist', 'groupNotFound');
    return this.ctx.repos.groups.subadminsOf(group!.id);
  }

  async rename(callerId: string, groupId: string, key: string | undefined, value: string | undefined): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      requireAdmin(await loadActor(repos, callerId));
      // Nextcloud's updateGroup looks at the key first (an unknown key fails even for a missing group); it answers 999, Nimbus the caller's 400.
      if (key !== 'displayname') fail('invalidInput', 'Unsupported key', 'invalidField');
      const group = await repos.groups.findById(groupId);
      if (!group) fail('notFound', 'Group does not exist', 'groupNotFound');
      if (!value || value.length > 255) fail('invalidInput', 'Invalid display name', 'invalidGroupId');
      await repos.groups.update(group!.id, { displayName: value! });
    });
  }

  async delete(callerId: string, groupId: string): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      requireAdmin(await loadActor(repos, callerId));
      const group = await repos.groups.findById(groupId);
      if (!group) fail('invalidInput', 'Group does not exist', 'groupNotFound');
      if (group!.id === ADMIN_GROUP) fail('forbidden', 'Cannot delete the admin group', 'adminGroup');
      await repos.spaceMembers.removePrincipal('group', group!.id);
      await repos.shares.deleteForRecipient(1, group!.id);
      await repos.groups.delete(group!.id);
    });
  }
}
