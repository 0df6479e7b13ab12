import { fail } from '../domain/errors.js';
import type { GlobalRole } from '../domain/global-roles.js';
import { ADMIN_GROUP, assertValidGroupId, type Group } from '../domain/group.js';
import type { User } from '../domain/user.js';
import type { ServiceContext } from './context.js';
import { globalRoleOf } from './global-roles.service.js';
import type { GroupsService } from './groups.service.js';
import type { UserEditService } from './user-edit.service.js';
import type { UsersService } from './users.service.js';

export interface DirectoryUser {
  user: User;
  groups?: Group[];
  role?: GlobalRole;
}

export interface GraphUserInput {
  displayName?: string;
  onPremisesSamAccountName?: string;
  mail?: string;
  password?: string;
  accountEnabled?: boolean;
  preferredLanguage?: string;
}

/** Minimum $search length for callers without account permissions (the reference's rule). */
const MIN_SEARCH = 3;

/**
 * Users and groups with LibreGraph's rules (Accounts.ReadWrite for changes,
 * search-only listings for everyone else) over the same rows OCS provisioning
 * uses: edits go through the OCS services so both APIs enforce one set of
 * invariants.
 */
export class DirectoryService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly users: UsersService,
    private readonly edits: UserEditService,
    private readonly groups: GroupsService,
  ) {}

  async isAccountAdmin(userId: string): Promise<boolean> {
    return (await globalRoleOf(this.ctx.repos, userId)).permissions.has('Accounts.ReadWrite');
  }

  private async requireAccountAdmin(userId: string): Promise<void> {
    if (!(await this.isAccountAdmin(userId))) fail('forbidden', 'Forbidden', 'notAdmin');
  }

  async me(userId: string, expand: { memberOf?: boolean; roles?: boolean }): Promise<DirectoryUser> {
    return this.describe(await this.users.profileOf(userId), expand);
  }

  async describe(user: User, expand: { memberOf?: boolean; roles?: boolean }): Promise<DirectoryUser> {
    const out: DirectoryUser = { user };
    if (expand.memberOf) out.groups = await this.ctx.repos.groups.findMany(await this.ctx.repos.groups.groupsOfUser(user.id));
    if (expand.roles) out.role = await globalRoleOf(this.ctx.repos, user.id);
    return out;
  }

  async listUsers(callerId: string, search: string | undefined, expandMemberOf: boolean, withRoles = false): Promise<{ users: DirectoryUser[]; full: boolean }> {
    const admin = await this.isAccountAdmin(callerId);
    const term = search?.replace(/^"(.*)"$/, '$1');
    if (!admin) {
      if (!term || term.length < MIN_SEARCH) fail('forbidden', 'search term too short', 'notAdmin');
      if (expandMemberOf || withRoles) fail('forbidden', 'Forbidden', 'notAdmin');
    }
    const ids = await this.ctx.repos.users.listIds({ search: term || undefined });
    const users = await this.ctx.repos.users.findMany(ids);
    const described = await Promise.all(users.map((u) => this.describe(u, { memberOf: expandMemberOf, roles: withRoles })));
    return { users: described, full: admin };
  }

  async getUser(callerId: string, id: string, expand: { memberOf?: boolean; roles?: boolean }): Promise<DirectoryUser> {
    const admin = await this.isAccountAdmin(callerId);
    const user = await this.ctx.repos.users.findById(id);
    if (!admin && user?.id !== callerId) fail('forbidden', 'Forbidden', 'notAdmin');
    if (!user) fail('notFound', `user not found: ${id}`);
    return this.describe(user!, expand);
  }

  async createUser(callerId: string, input: GraphUserInput): Promise<DirectoryUser> {
    await this.requireAccountAdmin(callerId);
    const userId = input.onPremisesSamAccountName ?? '';
    if (!userId) fail('invalidInput', 'missing required Attribute: onPremisesSamAccountName', 'invalidUserId');
    if (!input.displayName) fail('invalidInput', 'missing required Attribute: displayName', 'invalidField');
    await this.users.create(callerId, {
      userId,
      password: input.password,
      displayName: input.displayName,
      email: input.mail,
      language: input.preferredLanguage,
    });
    if (input.accountEnabled === false) await this.users.setEnabled(callerId, userId, false);
    return this.describe(await this.users.profileOf(userId), {});
  }

  /** Admin edits of another user's account; the caller editing themself goes through updateMe. */
  async updateUser(callerId: string, id: string, input: GraphUserInput): Promise<DirectoryUser> {
    await this.requireAccountAdmin(callerId);
    const user = await this.ctx.repos.users.findById(id);
    if (!user) fail('notFound', `user not found: ${id}`);
    const uid = user!.id;
    if (input.displayName !== undefined) await this.edits.edit(callerId, uid, 'displayname', input.displayName);
    if (input.mail !== undefined) await this.edits.edit(callerId, uid, 'email', input.mail);
    if (input.password !== undefined) await this.edits.edit(callerId, uid, 'password', input.password);
    if (input.preferredLanguage !== undefined) await this.edits.edit(callerId, uid, 'language', input.preferredLanguage);
    if (input.accountEnabled !== undefined) {
      if (uid === callerId) fail('forbidden', 'cannot disable yourself', 'selfOperation');
      await this.users.setEnabled(callerId, uid, input.accountEnabled);
    }
    return this.describe(await this.users.profileOf(uid), {});
  }

  async updateMe(callerId: string, input: GraphUserInput): Promise<DirectoryUser> {
    if (input.displayName !== undefined) fail('invalidInput', 'user is not allowed to change own displayname', 'invalidField');
    if (input.mail !== undefined) fail('invalidInput', 'user is not allowed to change own mail', 'invalidField');
    if (input.preferredLanguage !== undefined) await this.edits.edit(callerId, callerId, 'language', input.preferredLanguage);
    return this.me(callerId, {});
  }

  async changePassword(callerId: string, current: string, next: string): Promise<void> {
    const user = await this.users.profileOf(callerId);
    if (!(await this.ctx.hasher.verify(current, user.passwordHash))) fail('invalidInput', 'the current password is invalid', 'invalidField');
    await this.edits.edit(callerId, callerId, 'password', next);
  }

  async deleteUser(callerId: string, id: string): Promise<void> {
    await this.requireAccountAdmin(callerId);
    const user = await this.ctx.repos.users.findById(id);
    if (!user) fail('notFound', `user not found: ${id}`);
    if (user!.id === callerId) fail('forbidden', 'self deletion forbidden', 'selfOperation');
    await this.users.delete(callerId, user!.id);
  }

  async listGroups(callerId: string, search: string | undefined, expandMembers: boolean): Promise<Array<{ group: Group; members?: User[] }>> {
    const admin = await this.isAccountAdmin(callerId);
    const term = search?.replace(/^"(.*)"$/, '$1');
    if (!admin && (!term || term.length < MIN_SEARCH)) fail('forbidden', 'search term too short', 'notAdmin');
    if (!admin && expandMembers) fail('forbidden', 'Forbidden', 'notAdmin');
    const groups = await this.ctx.repos.groups.list({ search: term || undefined });
    return Promise.all(
      groups.map(async (g) => ({ group: g, members: expandMembers ? await this.membersOf(g.id) : undefined })),
    );
  }

  async getGroup(callerId: string, id: string): Promise<{ group: Group; members: User[] }> {
    await this.requireAccountAdmin(callerId);
    const group = await this.ctx.repos.groups.findById(id);
    if (!group) fail('notFound', `group not found: ${id}`);
    return { group: group!, members: await this.membersOf(group!.id) };
  }

  async createGroup(callerId: string, displayName: string): Promise<Group> {
    await this.requireAccountAdmin(callerId);
    assertValidGroupId(displayName);
    if (await this.ctx.repos.groups.findById(displayName)) fail('conflict', 'group already exists', 'groupExists');
    await this.groups.create(callerId, displayName, displayName);
    return (await this.ctx.repos.groups.findById(displayName))!;
  }

  async updateGroup(callerId: string, id: string, displayName: string | undefined, addMembers: string[]): Promise<void> {
    await this.requireAccountAdmin(callerId);
    const group = await this.ctx.repos.groups.findById(id);
    if (!group) fail('notFound', `group not found: ${id}`);
    if (addMembers.length > 20) fail('invalidInput', 'Request is limited to 20 members', 'invalidField');
    if (displayName !== undefined) await this.groups.rename(callerId, group!.id, 'displayname', displayName);
    for (const uid of addMembers) await this.addMember(callerId, group!.id, uid);
  }

  async deleteGroup(callerId: string, id: string): Promise<void> {
    await this.requireAccountAdmin(callerId);
    const group = await this.ctx.repos.groups.findById(id);
    if (!group) fail('notFound', `group not found: ${id}`);
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
      const user = await repos.users.findById(userId);
      if (!group || !user) fail('notFound', 'user or group not found');
      if (await repos.groups.isMember(group!.id, user!.id)) fail('invalidInput', 'user is already a member of the group', 'invalidField');
      await repos.groups.addMember(group!.id, user!.id);
    });
  }

  async removeMember(callerId: string, groupId: string, userId: string): Promise<void> {
    await this.requireAccountAdmin(callerId);
    await this.ctx.tx.run(async (repos) => {
      const group = await repos.groups.findById(groupId);
      const user = await repos.users.findById(userId);
      if (!group || !user || !(await repos.groups.isMember(group.id, user.id))) fail('notFound', 'member not found');
      if (group!.id === ADMIN_GROUP && user!.id === callerId) fail('forbidden', 'cannot remove yourself from the admin group', 'selfOperation');
      await repos.groups.removeMember(group!.id, user!.id);
    });
  }

  private async membersOf(groupId: string): Promise<User[]> {
    return this.ctx.repos.users.findMany(await this.ctx.repos.groups.membersOf(groupId));
  }
}
