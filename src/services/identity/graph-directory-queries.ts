import { fail } from '../../domain/errors.js';
import { GLOBAL_ROLES, type GlobalRole, globalRole, type GlobalRoleKey, globalRoleById } from '../../domain/global-roles.js';
import { ADMIN_GROUP, type Group } from '../../domain/group.js';
import { LANGUAGES } from '../../domain/languages.js';
import type { User } from '../../domain/user.js';
import type { Repositories } from '../../ports/repositories.js';

/**
 * The directory's types and the query side of Graph users and groups: input
 * checks, filter evaluation, ordering and bulk expansion of memberships and
 * roles. Pure apart from the repositories handed in.
 */

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
export const GRAPH_USERNAME =
  /^[a-zA-Z_][a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]*(@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*)*$/;
// The reference's email rule (the HTML5 one).
export const GRAPH_EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export const lower = (s: string | null | undefined): string => (s ?? '').toLowerCase();
export const forbidden = (message = 'Forbidden'): never => fail('forbidden', message, 'notAdmin');

export function searchAcceptable(search: DirectorySearch | undefined): boolean {
  return search !== undefined && search.rawLength >= MIN_SEARCH + (search.quoted ? 2 : 0);
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
export async function addMembers(repos: Repositories, groupId: string, userIds: string[]): Promise<void> {
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

export const isEmpty = (input: GraphUserInput): boolean =>
  (input.readOnly?.length ?? 0) === 0 && Object.entries(input).every(([k, v]) => k === 'readOnly' || v === undefined);

const READ_ONLY_MESSAGES = { id: 'user id is a read-only attribute', memberOf: 'memberOf id is a read-only attribute', userType: 'userType is a read-only attribute' };

export function refuseReadOnly(input: GraphUserInput): void {
  const first = input.readOnly?.[0];
  if (first) fail('invalidInput', READ_ONLY_MESSAGES[first], 'fieldNotEditable');
}

export function assertGroupName(name: string): void {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 256) fail('invalidInput', 'Invalid displayName', 'invalidGroupId');
}

export function assertLanguage(language: string): void {
  if (language !== 'en' && !LANGUAGES.has(language)) fail('invalidInput', `invalid preferredLanguage: ${language}`, 'invalidLanguage');
}

export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function orderLike(users: User[], ids: string[]): User[] {
  const pos = new Map(ids.map((id, i) => [id, i]));
  return [...users].sort((a, b) => (pos.get(a.id) ?? 0) - (pos.get(b.id) ?? 0));
}

/** Case-insensitive, as the reference sorts; ties keep a stable order by id. */
export function sortUsers(users: User[], field: UserOrderField, desc: boolean): User[] {
  const key = (u: User): string => lower(field === 'displayName' ? u.displayName : field === 'mail' ? u.email : u.id);
  const dir = desc ? -1 : 1;
  return [...users].sort((a, b) => dir * compare(key(a), key(b)) || compare(lower(a.id), lower(b.id)));
}

/** Expands many users with a fixed number of queries, whatever their count. */
export async function describeUsers(repos: Repositories, users: User[], expand: UserExpand): Promise<DirectoryUser[]> {
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
export async function evaluateFilter(repos: Repositories, f: UserFilter, users: User[]): Promise<Set<string>> {
  switch (f.op) {
    case 'and': {
      const [l, r] = [await evaluateFilter(repos, f.left, users), await evaluateFilter(repos, f.right, users)];
      return new Set([...l].filter((id) => r.has(id)));
    }
    case 'or':
      return new Set([...(await evaluateFilter(repos, f.left, users)), ...(await evaluateFilter(repos, f.right, users))]);
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
