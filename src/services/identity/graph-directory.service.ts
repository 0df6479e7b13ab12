import { fail } from '../../domain/errors.js';
import { GRAPH_APPLICATION_ID, type GlobalRole, globalRoleById } from '../../domain/global-roles.js';
import { ADMIN_GROUP, type Group } from '../../domain/group.js';
import { assertPasswordAcceptable } from '../../domain/password-policy.js';
import { assertValidDisplayName, isValidEmail, type User } from '../../domain/user.js';
import type { ServiceContext } from '../../ports/service-context.js';
import {
  GRAPH_EMAIL,
  GRAPH_USERNAME,
  GROUP_MEMBERS_PATCH_LIMIT,
  addMembers,
  assertGroupName,
  assertLanguage,
  compare,
  describeUsers,
  evaluateFilter,
  forbidden,
  isEmpty,
  lower,
  orderLike,
  refuseReadOnly,
  searchAcceptable,
  sortUsers,
  type DirectoryUser,
  type GraphUserInput,
  type GroupListQuery,
  type UserExpand,
  type UserListQuery,
} from './graph-directory-queries.js';
import { globalRoleOf, type GlobalRolesService } from '../access/global-roles.service.js';
import type { GroupsService } from './groups.service.js';
import type { UserEditService } from './user-edit.service.js';
import type { UsersService } from './users.service.js';

export { USER_ORDER_FIELDS } from './graph-directory-queries.js';
export type { DirectorySearch, DirectoryUser, GraphUserInput, GroupListQuery, UserExpand, UserFilter, UserListQuery, UserOrderField } from './graph-directory-queries.js';

/**
 * Users, groups and global role assignments with LibreGraph's rules
 * (Accounts.ReadWrite for changes, search-only listings for everyone else)
 * over the same rows OCS provisioning uses. Writes go through the OCS
 * services, so both APIs enforce one set of invariants and every user made
 * here gets a personal space in the same transaction as the account.
 */
export class GraphDirectoryService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly users: UsersService,
    private readonly edits: UserEditService,
    private readonly groups: GroupsService,
    private readonly roles: GlobalRolesService,
  ) {}

  async isAccountAdmin(userId: string): Promise<boolean> {
    return (await globalRoleOf(this.ctx.repos, userId)).permissions.has('Accounts.ReadWrite');
  }

  /** The reference's admin middleware: 403 accessDenied "Forbidden". */
  async requireAccountAdmin(userId: string): Promise<void> {
    if (!(await this.isAccountAdmin(userId))) forbidden();
  }

  async requireRoleAdmin(userId: string): Promise<void> {
    if (!(await globalRoleOf(this.ctx.repos, userId)).permissions.has('Roles.ReadWrite')) forbidden();
  }

  // ---------------------------------------------------------------- /me

  async me(callerId: string, expand: UserExpand): Promise<DirectoryUser> {
    const [d] = await describeUsers(this.ctx.repos, [await this.users.profileOf(callerId)], expand);
    return d!;
  }

  /**
   * PATCH /me: only the preferred language. The reference names the fields a
   * user may not change on themself. Returns undefined when nothing was asked.
   */
  async updateMe(callerId: string, input: GraphUserInput): Promise<DirectoryUser | undefined> {
    if (input.displayName !== undefined) fail('invalidInput', 'user is not allowed to change own displayname', 'invalidField');
    if (input.mail !== undefined) fail('invalidInput', 'user is not allowed to change own mail', 'invalidField');
    if (isEmpty(input)) return undefined;
    refuseReadOnly(input);
    const { preferredLanguage, readOnly: _, ...others } = input;
    for (const [key, value] of Object.entries(others)) {
      if (value !== undefined) fail('invalidInput', `user is not allowed to change own ${key === 'password' ? 'password here, use changePassword' : key}`, 'invalidField');
    }
    if (preferredLanguage !== undefined) {
      assertLanguage(preferredLanguage);
      await this.edits.edit(callerId, callerId, 'language', preferredLanguage);
    }
    return this.me(callerId, {});
  }

  /** POST /me/changePassword, with the reference's checks and messages, then the password policy. */
  async changePassword(callerId: string, current: string, next: string): Promise<void> {
    if (current === '') fail('invalidInput', 'current password cannot be empty', 'invalidField');
    if (next === '') fail('invalidInput', 'new password cannot be empty', 'invalidField');
    // Sic: the reference's wording.
    if (next === current) fail('invalidInput', 'new password must be differnt from current password', 'invalidField');
    const user = await this.users.profileOf(callerId);
    if (!(await this.ctx.hasher.verify(current, user.passwordHash))) fail('invalidInput', 'wrong current password', 'invalidField');
    await this.edits.edit(callerId, callerId, 'password', next);
  }

  // ---------------------------------------------------------------- users

  async listUsers(callerId: string, q: UserListQuery): Promise<{ users: DirectoryUser[]; full: boolean }> {
    const admin = await this.isAccountAdmin(callerId);
    if (!admin) {
      // The reference's order: search length, then the filter, then other query options.
      if (!searchAcceptable(q.search)) forbidden('search term too short');
      if (q.filter && q.filter.op !== 'userType') forbidden('filter has forbidden elements for regular users');
      if (q.expand.size > 0) forbidden('query has forbidden elements for regular users');
    }
    const repos = this.ctx.repos;
    const ids = await repos.users.listIds({ search: q.search?.term || undefined });
    let users = orderLike(await repos.users.findMany(ids), ids);
    if (q.filter) {
      const keep = await evaluateFilter(repos, q.filter, users);
      users = users.filter((u) => keep.has(u.id));
    }
    if (q.orderBy) users = sortUsers(users, q.orderBy.field, q.orderBy.desc);
    const expand = { memberOf: q.expand.has('memberOf'), appRoleAssignments: q.expand.has('appRoleAssignments') };
    return { users: await describeUsers(repos, users, expand), full: admin };
  }

  /** GET /users/{id}: account admins, or the user themself; anyone else 403, even for unknown ids. */
  async getUser(callerId: string, id: string, expand: UserExpand): Promise<DirectoryUser & { full: boolean }> {
    const admin = await this.isAccountAdmin(callerId);
    const user = await this.ctx.repos.users.findById(id);
    if (!admin && user?.id !== callerId) forbidden();
    if (!user) fail('notFound', `user not found: ${id}`, 'userNotFound');
    const [d] = await describeUsers(this.ctx.repos, [user!], expand);
    return { ...d!, full: true };
  }

  async createUser(callerId: string, input: GraphUserInput): Promise<DirectoryUser> {
    await this.requireAccountAdmin(callerId);
    const userId = input.onPremisesSamAccountName ?? '';
    if (!input.displayName) fail('invalidInput', 'Empty displayname', 'invalidField');
    if (!GRAPH_USERNAME.test(userId)) fail('invalidInput', 'Invalid username', 'invalidUserId');
    if (input.mail !== undefined && !GRAPH_EMAIL.test(input.mail)) fail('invalidInput', 'invalid email address', 'invalidEmail');
    refuseReadOnly(input);
    if (input.preferredLanguage !== undefined) assertLanguage(input.preferredLanguage);
    await this.users.create(callerId, {
      userId,
      password: input.password,
      displayName: input.displayName,
      email: input.mail,
      language: input.preferredLanguage,
    });
    if (input.accountEnabled === false) await this.users.setEnabled(callerId, userId, false);
    return this.me(userId, {});
  }

  /**
   * PATCH /users/{id}. Everything is checked before anything is written, so a
   * refused request changes nothing. Returns undefined when there was nothing to change.
   */
  async updateUser(callerId: string, id: string, input: GraphUserInput): Promise<DirectoryUser | undefined> {
    await this.requireAccountAdmin(callerId);
    const user = await this.ctx.repos.users.findById(id);
    if (!user) fail('notFound', `user not found: ${id}`, 'userNotFound');
    const uid = user!.id;
    if (isEmpty(input)) return undefined;
    refuseReadOnly(input);

    const rename = input.onPremisesSamAccountName;
    if (rename !== undefined && lower(rename) !== lower(uid)) {
      if (!GRAPH_USERNAME.test(rename)) fail('invalidInput', 'Invalid username', 'invalidUserId');
      if (await this.ctx.repos.users.findById(rename)) fail('conflict', `a user with the name ${rename} already exists`, 'userExists');
      // The user name is the key every row refers to (memberships, spaces, shares).
      fail('notImplemented', 'changing the user name is not supported');
    }
    if (input.displayName !== undefined) {
      if (input.displayName.trim() === '') fail('invalidInput', 'Empty displayname', 'invalidField');
      assertValidDisplayName(input.displayName);
    }
    if (input.mail !== undefined && (!GRAPH_EMAIL.test(input.mail) || !isValidEmail(input.mail))) {
      fail('invalidInput', `'${input.mail}' is not a valid email address`, 'invalidEmail');
    }
    if (input.preferredLanguage !== undefined) assertLanguage(input.preferredLanguage);
    if (input.password !== undefined) assertPasswordAcceptable(input.password, await this.ctx.passwordPolicy());
    if (input.accountEnabled === false && uid === callerId) fail('forbidden', 'you cannot disable your own account', 'selfOperation');

    if (input.displayName !== undefined) await this.edits.edit(callerId, uid, 'displayname', input.displayName);
    if (input.mail !== undefined) await this.edits.edit(callerId, uid, 'email', input.mail);
    if (input.password !== undefined) await this.edits.edit(callerId, uid, 'password', input.password);
    if (input.preferredLanguage !== undefined) await this.edits.edit(callerId, uid, 'language', input.preferredLanguage);
    if (input.accountEnabled !== undefined && input.accountEnabled !== user!.enabled) await this.users.setEnabled(callerId, uid, input.accountEnabled);
    return this.me(uid, {});
  }

  /** DELETE /users/{id}: the account, its personal space and its memberships go in one transaction. */
  async deleteUser(callerId: string, id: string): Promise<void> {
    await this.requireAccountAdmin(callerId);
    const user = await this.ctx.repos.users.findById(id);
    if (!user) fail('notFound', `user not found: ${id}`, 'userNotFound');
    if (user!.id === callerId) fail('forbidden', 'self deletion forbidden', 'selfOperation');
    await this.users.delete(callerId, user!.id);
  }

  // ---------------------------------------------------------------- role assignments

  /** The user's (single) global role, for GET /users/{id}/appRoleAssignments. */
  async roleAssignment(callerId: string, userId: string): Promise<DirectoryUser & { role: GlobalRole }> {
    await this.requireRoleAdmin(callerId);
    const user = await this.ctx.repos.users.findById(userId);
    if (!user) fail('notFound', `user not found: ${userId}`, 'userNotFound');
    return { user: user!, role: await globalRoleOf(this.ctx.repos, user!.id) };
  }

  async assignRole(callerId: string, userId: string, body: { principalId: string; resourceId: string; appRoleId: string }): Promise<DirectoryUser & { role: GlobalRole }> {
    await this.requireRoleAdmin(callerId);
    if (body.principalId !== userId) fail('invalidInput', `user id ${userId} does not match principal id ${body.principalId}`, 'invalidField');
    if (body.resourceId !== GRAPH_APPLICATION_ID) {
      fail('invalidInput', `resource id ${body.resourceId} does not match expected application id ${GRAPH_APPLICATION_ID}`, 'invalidField');
    }
    if (!globalRoleById(body.appRoleId)) fail('invalidInput', `unknown app role id ${body.appRoleId}`, 'invalidField');
    const role = await this.roles.assign(callerId, userId, body.appRoleId);
    const user = (await this.ctx.repos.users.findById(userId))!;
    return { user, role };
  }

  /** Removing the assignment leaves the default User role (a user always has exactly one). */
  async unassignRole(callerId: string, userId: string): Promise<void> {
    await this.roles.unassign(callerId, userId);
  }

  // ---------------------------------------------------------------- groups

  async listGroups(callerId: string, q: GroupListQuery): Promise<{ groups: Array<{ group: Group; members?: User[] }>; full: boolean }> {
    const admin = await this.isAccountAdmin(callerId);
    if (!admin) {
      if (!searchAcceptable(q.search)) forbidden('search term too short');
      if (q.expandMembers || q.filtered) forbidden('query has forbidden elements for regular users');
    }
    // The reference's directory ignores group filters; answering unfiltered results would mislead.
    if (q.filtered) fail('notImplemented', 'unsupported filter');
    let groups: Group[] = await this.ctx.repos.groups.list({ search: q.search?.term || undefined });
    if (q.orderDesc !== undefined) {
      const dir = q.orderDesc ? -1 : 1;
      groups = [...groups].sort((a, b) => dir * compare(lower(a.displayName), lower(b.displayName)) || compare(a.id, b.id));
    }
    const out = [];
    for (const group of groups) out.push({ group, members: q.expandMembers ? await this.membersOf(group.id) : undefined });
    return { groups: out, full: admin };
  }

  async getGroup(callerId: string, id: string): Promise<{ group: Group; members: User[] }> {
    await this.requireAccountAdmin(callerId);
    const group = await this.ctx.repos.groups.findById(id);
    if (!group) fail('notFound', `group not found: ${id}`, 'groupNotFound');
    return { group: group!, members: await this.membersOf(group!.id) };
  }

  /** POST /groups: the group's id is its name, so OCS and Graph address the same row. */
  async createGroup(callerId: string, displayName: string): Promise<Group> {
    await this.requireAccountAdmin(callerId);
    assertGroupName(displayName);
    if (await this.ctx.repos.groups.findById(displayName)) fail('conflict', `a group with the name ${displayName} already exists`, 'groupExists');
    await this.groups.create(callerId, displayName, displayName);
    return (await this.ctx.repos.groups.findById(displayName))!;
  }

  /** PATCH /groups/{id}: a new display name and/or members, all or nothing. */
  async updateGroup(callerId: string, id: string, change: { displayName?: string; addMembers?: string[] }): Promise<void> {
    await this.requireAccountAdmin(callerId);
    if (change.displayName === undefined && change.addMembers === undefined) return;
    if (change.displayName !== undefined) assertGroupName(change.displayName);
    if ((change.addMembers?.length ?? 0) > GROUP_MEMBERS_PATCH_LIMIT) {
      fail('invalidInput', `Request is limited to ${GROUP_MEMBERS_PATCH_LIMIT} members`, 'invalidField');
    }
    await this.ctx.tx.run(async (repos) => {
      const group = await repos.groups.findById(id);
      if (!group) fail('notFound', `group not found: ${id}`, 'groupNotFound');
      if (change.displayName !== undefined) await repos.groups.update(group!.id, { displayName: change.displayName });
      if (change.addMembers) await addMembers(repos, group!.id, change.addMembers);
    });
  }

  async deleteGroup(callerId: string, id: string): Promise<void> {
    await this.requireAccountAdmin(callerId);
    const group = await this.ctx.repos.groups.findById(id);
    if (!group) fail('notFound', `group not found: ${id}`, 'groupNotFound');
    // The admin group is what makes an account an Admin (for OCS and Graph alike).
    if (group!.id === ADMIN_GROUP) fail('forbidden', 'the admin group cannot be deleted', 'adminGroup');
    await this.groups.delete(callerId, group!.id);
  }

  async membersOfGroup(callerId: string, id: string): Promise<User[]> {
    return (await this.getGroup(callerId, id)).members;
  }

  async addMember(callerId: string, groupId: string, userId: string): Promise<void> {
    await this.requireAccountAdmin(callerId);
    await this.ctx.tx.run(async (repos) => {
      const group = await repos.groups.findById(groupId);
      if (!group) fail('notFound', `group not found: ${groupId}`, 'groupNotFound');
      await addMembers(repos, group!.id, [userId]);
    });
  }

  async removeMember(callerId: string, groupId: string, userId: string): Promise<void> {
    await this.requireAccountAdmin(callerId);
    await this.ctx.tx.run(async (repos) => {
      const group = await repos.groups.findById(groupId);
      if (!group) fail('notFound', `group not found: ${groupId}`, 'groupNotFound');
      const user = await repos.users.findById(userId);
      if (!user || !(await repos.groups.isMember(group!.id, user.id))) fail('notFound', `${userId} is not a member of ${group!.id}`, 'userNotFound');
      // Leaving the admin group would be an admin changing their own role, which the reference refuses.
      if (group!.id === ADMIN_GROUP && user!.id === callerId) fail('forbidden', 'you cannot remove yourself from the admin group', 'selfOperation');
      await repos.groups.removeMember(group!.id, user!.id);
    });
  }

  // ---------------------------------------------------------------- helpers

  private async membersOf(groupId: string): Promise<User[]> {
    const ids = await this.ctx.repos.groups.membersOf(groupId);
    return orderLike(await this.ctx.repos.users.findMany(ids), ids);
  }
}
