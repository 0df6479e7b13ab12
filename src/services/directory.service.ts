import { fail } from '../domain/errors.js';
import { GLOBAL_ROLES, GRAPH_APPLICATION_ID, type GlobalRole, globalRole, type GlobalRoleKey, globalRoleById } from '../domain/global-roles.js';
import { ADMIN_GROUP, type Group } from '../domain/group.js';
import { LANGUAGES } from '../domain/languages.js';
import { assertPasswordAcceptable } from '../domain/password-policy.js';
import { assertValidDisplayName, isValidEmail, type User } from '../domain/user.js';
import type { Repositories } from '../ports/repositories.js';
import type { ServiceContext } from './context.js';
import { globalRoleOf, type GlobalRolesService } from './global-roles.service.js';
import type { GroupsService } from './groups.service.js';
import type { UserEditService } from './user-edit.service.js';
import type { UsersService } from './users.service.js';

/** A user with what a Graph request asked to expand. */
export interface DirectoryUser {
  user: User;
  groups?: Group[];
  role?: GlobalRole;
}

/** `$search` as parsed at the boundary: the term, and how long the raw value was (the reference measures that). */
export interface DirectorySearch {
  term: string;
  quoted: boolean;
  rawLength: number;
}

/** `$filter` on users, as far as the reference implements it. */
export type UserFilter =
  | { op: 'and' | 'or'; left: UserFilter; right: UserFilter }
  | { op: 'memberOf'; groupId: string }
  | { op: 'appRole'; roleId: string }
  | { op: 'userType'; value: string }
  | { op: 'startswith' | 'contains'; value: string };

export type UserOrderField = 'displayName' | 'mail' | 'onPremisesSamAccountName';
export const USER_ORDER_FIELDS: readonly UserOrderField[] = ['displayName', 'mail', 'onPremisesSamAccountName'];

export interface UserExpand {
  memberOf?: boolean;
  appRoleAssignments?: boolean;
}

export interface UserListQuery {
  search?: DirectorySearch;
  filter?: UserFilter;
  /** Every $expand name given; callers without account permissions may not expand anything. */
  expand: ReadonlySet<string>;
  orderBy?: { field: UserOrderField; desc: boolean };
}

export interface GraphUserInput {
  displayName?: string;
  onPremisesSamAccountName?: string;
  mail?: string;
  password?: string;
  accountEnabled?: boolean;
  preferredLanguage?: string;
  /** Read-only properties the body set; refused with the reference's messages. */
  readOnly?: ReadonlyArray<'id' | 'memberOf' | 'userType'>;
}

export interface GroupListQuery {
  search?: DirectorySearch;
  expandMembers: boolean;
  filtered: boolean;
  orderDesc?: boolean;
}

/** The reference's minimum $search length for callers without account permissions (quotes count, so +2 when quoted). */
const MIN_SEARCH = 3;
/** Members per PATCH /groups/{id} (members@odata.bind), as the spec and the reference limit it. */
export const GROUP_MEMBERS_PATCH_LIMIT = 20;

// The reference's default username rule ("at least the local part of an email", not starting with a digit).
const GRAPH_USERNAME =
  /^[a-zA-Z_][a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]*(@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*)*$/;
// The reference's email rule (the HTML5 one).
const GRAPH_EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

const lower = (s: string | null | undefined): string => (s ?? '').toLowerCase();
const forbidden = (message = 'Forbidden'): never => fail('forbidden', message, 'notAdmin');

function searchAcceptable(search: DirectorySearch | undefined): boolean {
  return search !== undefined && search.rawLength >= MIN_SEARCH + (search.quoted ? 2 : 0);
}

/**
 * Users, groups and global role assignments with LibreGraph's rules
 * (Accounts.ReadWrite for changes, search-only listings for everyone else)
 * over the same rows OCS provisioning uses. Writes go through the OCS
 * services, so both APIs enforce one set of invariants and every user made
 * here gets a personal space in the same transaction as the account.
 */
export class DirectoryService {
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
    const [d] = await this.describe([await this.users.profileOf(callerId)], expand);
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
      const keep = await this.evaluate(q.filter, users);
      users = users.filter((u) => keep.has(u.id));
    }
    if (q.orderBy) users = sortUsers(users, q.orderBy.field, q.orderBy.desc);
    const expand = { memberOf: q.expand.has('memberOf'), appRoleAssignments: q.expand.has('appRoleAssignments') };
    return { users: await this.describe(users, expand), full: admin };
  }

  /** GET /users/{id}: account admins, or the user themself; anyone else 403, even for unknown ids. */
  async getUser(callerId: string, id: string, expand: UserExpand): Promise<DirectoryUser & { full: boolean }> {
    const admin = await this.isAccountAdmin(callerId);
    const user = await this.ctx.repos.users.findById(id);
    if (!admin && user?.id !== callerId) forbidden();
    if (!user) fail('notFound', `user not found: ${id}`, 'userNotFound');
    const [d] = await this.describe([user!], expand);
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

  /** Expands many users with a fixed number of queries, whatever their count. */
  private async describe(users: User[], expand: UserExpand): Promise<DirectoryUser[]> {
    const repos = this.ctx.repos;
    const out: DirectoryUser[] = users.map((user) => ({ user }));
    if (users.length === 0 || (!expand.memberOf && !expand.appRoleAssignments)) return out;
    const memberships = await repos.groups.membershipsOf(users.map((u) => u.id));
    if (expand.memberOf) {
      const groups = new Map((await repos.groups.findMany([...new Set(memberships.map((m) => m.groupId))])).map((g) => [g.id, g]));
      for (const d of out) {
        d.groups = memberships
          .filter((m) => m.userId === d.user.id)
          .map((m) => groups.get(m.groupId)!)
          .filter(Boolean)
          .sort((a, b) => compare(lower(a.id), lower(b.id)));
      }
    }
    if (expand.appRoleAssignments) {
      const roles = await rolesOf(repos, users.map((u) => u.id), memberships);
      for (const d of out) d.role = roles.get(d.user.id);
    }
    return out;
  }

  /** The ids of the candidate users the filter keeps. */
  private async evaluate(f: UserFilter, users: User[]): Promise<Set<string>> {
    const repos = this.ctx.repos;
    switch (f.op) {
      case 'and': {
        const [l, r] = [await this.evaluate(f.left, users), await this.evaluate(f.right, users)];
        return new Set([...l].filter((id) => r.has(id)));
      }
      case 'or':
        return new Set([...(await this.evaluate(f.left, users)), ...(await this.evaluate(f.right, users))]);
      case 'memberOf': {
        const group = await repos.groups.findById(f.groupId);
        return new Set(group ? await repos.groups.membersOf(group.id) : []);
      }
      case 'appRole': {
        const wanted = globalRoleById(f.roleId);
        if (!wanted) return new Set();
        const ids = users.map((u) => u.id);
        const roles = await rolesOf(repos, ids, await repos.groups.membershipsOf(ids));
        return new Set(ids.filter((id) => roles.get(id)?.id === wanted.id));
      }
      case 'userType': {
        const t = f.value.toLowerCase();
        if (t !== 'member' && t !== 'guest') fail('invalidInput', `invalid userType: ${f.value}`, 'invalidFilter');
        // Every local account is a Member; guests (federated users) are not in the directory.
        return new Set(t === 'member' ? users.map((u) => u.id) : []);
      }
      case 'startswith':
        return new Set(users.filter((u) => u.displayName.startsWith(f.value)).map((u) => u.id));
      case 'contains':
        return new Set(users.filter((u) => u.displayName.includes(f.value)).map((u) => u.id));
    }
  }
}

/** Global roles of many users: Admin is membership of the admin group, the rest is stored per user. */
async function rolesOf(repos: Repositories, ids: string[], memberships: Array<{ groupId: string; userId: string }>): Promise<Map<string, GlobalRole>> {
  const admins = new Set(memberships.filter((m) => m.groupId === ADMIN_GROUP).map((m) => m.userId));
  const stored = await repos.users.storedRolesOf(ids);
  const known = new Set(GLOBAL_ROLES.map((r) => r.key));
  const out = new Map<string, GlobalRole>();
  for (const id of ids) {
    const key = stored.get(id) as GlobalRoleKey | undefined;
    out.set(id, globalRole(admins.has(id) ? 'admin' : key && key !== 'admin' && known.has(key) ? key : 'user'));
  }
  return out;
}

/** Adds users to a group: every one must exist and none may be a member yet (repeats in one request count once). */
async function addMembers(repos: Repositories, groupId: string, userIds: string[]): Promise<void> {
  const seen = new Set<string>();
  const resolved: string[] = [];
  for (const uid of userIds) {
    const user = await repos.users.findById(uid);
    if (!user) fail('notFound', `user not found: ${uid}`, 'userNotFound');
    if (seen.has(user!.id)) continue;
    seen.add(user!.id);
    if (await repos.groups.isMember(groupId, user!.id)) fail('invalidInput', `${user!.id} is already a member of ${groupId}`, 'invalidField');
    resolved.push(user!.id);
  }
  for (const uid of resolved) await repos.groups.addMember(groupId, uid);
}

const isEmpty = (input: GraphUserInput): boolean =>
  (input.readOnly?.length ?? 0) === 0 && Object.entries(input).every(([k, v]) => k === 'readOnly' || v === undefined);

const READ_ONLY_MESSAGES = { id: 'user id is a read-only attribute', memberOf: 'memberOf id is a read-only attribute', userType: 'userType is a read-only attribute' };

function refuseReadOnly(input: GraphUserInput): void {
  const first = input.readOnly?.[0];
  if (first) fail('invalidInput', READ_ONLY_MESSAGES[first], 'fieldNotEditable');
}

function assertGroupName(name: string): void {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 256) fail('invalidInput', 'Invalid displayName', 'invalidGroupId');
}

function assertLanguage(language: string): void {
  if (language !== 'en' && !LANGUAGES.has(language)) fail('invalidInput', `invalid preferredLanguage: ${language}`, 'invalidLanguage');
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function orderLike(users: User[], ids: string[]): User[] {
  const pos = new Map(ids.map((id, i) => [id, i]));
  return [...users].sort((a, b) => (pos.get(a.id) ?? 0) - (pos.get(b.id) ?? 0));
}

/** Case-insensitive, as the reference sorts; ties keep a stable order by id. */
function sortUsers(users: User[], field: UserOrderField, desc: boolean): User[] {
  const key = (u: User): string => lower(field === 'displayName' ? u.displayName : field === 'mail' ? u.email : u.id);
  const dir = desc ? -1 : 1;
  return [...users].sort((a, b) => dir * compare(key(a), key(b)) || compare(lower(a.id), lower(b.id)));
}
