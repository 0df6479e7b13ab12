import type { RemoteShareRepository } from './remote-shares.js';
import type { Group } from '../domain/group.js';
import type { DirectLinkRepository } from './direct-links.js';
import type { ActivityRepository } from './activity.js';
import type { NotificationRepository } from './notifications.js';
import type { NewSpace, Space, SpaceMember } from '../domain/space.js';
import type { BlobJournalRepository, CounterRepository, DavLockRepository, DavPropertyRepository, NodeRepository, NodeSearchRepository, SpaceTreeRepository } from './files.js';
import type { User } from '../domain/user.js';
import type { ShareRepository } from './shares.js';
import type { LoginFlowRepository, SessionRepository } from './sessions.js';
import type { OidcGrantRepository, OidcIdentityRepository, OidcModelRepository, OidcSigningKeyRepository } from './oidc.js';
import type { ConsistencyRepository } from './consistency.js';
import type { AvatarRepository } from './avatars.js';
import type { UserStatusRepository } from './user-status.js';
import type { VersionRepository } from './versions.js';
import type { TrashRepository } from './trash.js';

export interface Page {
  search?: string;
  limit?: number;
  offset?: number;
}

/** A share dialog's search (Nextcloud's user and group backends' search, bounded in SQL). */
export interface ShareeQuery {
  search: string;
  /** 'contains': the text anywhere in an id, display name (or a user's email); 'equals': one of them whole. Case-insensitive; an empty 'equals' finds nobody. */
  match: 'contains' | 'equals';
  /** Only members of these groups (users), or only these groups (groups); absent: everyone. */
  within?: string[];
  /** A user left out (the caller). */
  except?: string;
  limit: number;
  offset: number;
}

export interface UserRepository {
  insert(user: User): Promise<void>;
  /** False when a user with that id already exists (made meanwhile by another transaction, which this one waits for). */
  insertIfAbsent(user: User): Promise<boolean>;
  /** Exact id, then case-insensitive: logins and URLs are case-insensitive like Nextcloud's. */
  findById(id: string): Promise<User | undefined>;
  findByLogin(login: string): Promise<User | undefined>;
  /** Users whose email is this one, case-insensitively (at most two are read: only a unique match signs anyone in). */
  findByEmail(email: string): Promise<User[]>;
  /** Several users at once (exact ids); missing ones are simply absent. */
  findMany(ids: string[]): Promise<User[]>;
  /** Ids ordered case-insensitively, searching id, display name and email. */
  listIds(page: Page): Promise<string[]>;
  /** Like listIds, restricted to members of any of the given groups. */
  listIdsInGroups(groupIds: string[], page: Page): Promise<string[]>;
  /** Enabled users a share dialog finds, ordered by display name, then id. */
  searchSharees(query: ShareeQuery): Promise<User[]>;
  update(id: string, changes: Partial<Omit<User, 'id' | 'createdAt'>>): Promise<void>;
  delete(id: string): Promise<void>;
  count(): Promise<number>;
  /** The stored non-default global roles of many users at once (the rows UserRoleRepository keeps), for directory listings. */
  storedRolesOf(ids: string[]): Promise<Map<string, string>>;
}

export interface GroupRepository {
  insert(group: Group): Promise<void>;
  /** False when a group with that id already exists (made meanwhile by another transaction, which this one waits for). */
  insertIfAbsent(group: Group): Promise<boolean>;
  findById(id: string): Promise<Group | undefined>;
  findMany(ids: string[]): Promise<Group[]>;
  listIds(page: Page): Promise<string[]>;
  list(page: Page): Promise<Array<Group & { userCount: number }>>;
  /** Groups a share dialog finds, ordered by id. */
  searchSharees(query: ShareeQuery): Promise<Group[]>;
  update(id: string, changes: { displayName: string }): Promise<void>;
  delete(id: string): Promise<void>;

  addMember(groupId: string, userId: string): Promise<void>;
  removeMember(groupId: string, userId: string): Promise<void>;
  isMember(groupId: string, userId: string): Promise<boolean>;
  groupsOfUser(userId: string): Promise<string[]>;
  membersOf(groupId: string, page?: Page): Promise<string[]>;
  /** Memberships of many users at once, so a directory listing costs one query, not one per user. */
  membershipsOf(userIds: string[]): Promise<Array<{ groupId: string; userId: string }>>;

  addSubadmin(groupId: string, userId: string): Promise<void>;
  removeSubadmin(groupId: string, userId: string): Promise<void>;
  subadminGroupsOf(userId: string): Promise<string[]>;
  subadminsOf(groupId: string): Promise<string[]>;
}

export interface AppPasswordRecord {
  id: string;
  userId: string;
  name: string;
  tokenHash: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface AppPasswordRepository {
  insert(record: AppPasswordRecord): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<AppPasswordRecord | undefined>;
  delete(id: string): Promise<void>;
  deleteForUser(userId: string): Promise<void>;
  /** Records a use of the app password (at most once a minute, by its token digest). */
  touch(tokenHash: string, at: number): Promise<void>;
  listForUser(userId: string): Promise<AppPasswordRecord[]>;
  /** Removes one of the user's app passwords; false when it is not theirs or gone. */
  deleteOwn(userId: string, id: string): Promise<boolean>;
}

export interface AppStateRepository {
  /** Explicit states only; apps without a row use their default. */
  all(): Promise<Map<string, boolean>>;
  set(appId: string, enabled: boolean): Promise<void>;
}

export interface LoginFailureRepository {
  record(address: string, login: string, at: number): Promise<void>;
  /**
   * Counts one attempt as a failure before its credentials are checked, and
   * only while both counts (this login from this address, every login from
   * it) stay within their limits, as one step across all processes: however
   * many guesses arrive at once, at most the limit are ever checked. Returns
   * the attempt's id (release it when the credentials were right), or null
   * when the limit is reached.
   */
  reserve(address: string, login: string, at: number, since: number, limits: { forLogin: number; forAddress: number }): Promise<string | null>;
  release(attemptId: string): Promise<void>;
  countSince(address: string, login: string | null, since: number): Promise<number>;
  /** Both throttle counts (this login from this address, and all logins from it) in one query: it runs on every Basic request. */
  countsSince(address: string, login: string, since: number): Promise<{ forLogin: number; forAddress: number }>;
  clear(address: string, login: string): Promise<void>;
  pruneBefore(at: number): Promise<void>;
}

/** Repositories bound to one transaction. */
export interface Repositories {
  users: UserRepository;
  groups: GroupRepository;
  appPasswords: AppPasswordRepository;
  appStates: AppStateRepository;
  loginFailures: LoginFailureRepository;
  spaces: SpaceRepository;
  spaceMembers: SpaceMemberRepository;
  userRoles: UserRoleRepository;
  instanceSettings: InstanceSettingsRepository;
  nodes: NodeRepository;
  nodeSearch: NodeSearchRepository;
  trash: TrashRepository;
  spaceTree: SpaceTreeRepository;
  counters: CounterRepository;
  davProperties: DavPropertyRepository;
  davLocks: DavLockRepository;
  blobJournal: BlobJournalRepository;
  versions: VersionRepository;
  /** Whole-instance reads of `nimbus check`. */
  consistency: ConsistencyRepository;
  privateData: PrivateDataRepository;
  avatars: AvatarRepository;
  userStatuses: UserStatusRepository;
  directLinks: DirectLinkRepository;
  activities: ActivityRepository;
  notifications: NotificationRepository;
  shares: ShareRepository;
  remoteShares: RemoteShareRepository;
  sessions: SessionRepository;
  loginFlows: LoginFlowRepository;
  oidcModels: OidcModelRepository;
  oidcGrants: OidcGrantRepository;
  oidcSigningKeys: OidcSigningKeyRepository;
  oidcIdentities: OidcIdentityRepository;
}

export interface PrivateDataEntry {
  app: string;
  key: string;
  value: string;
}

export interface PrivateDataRepository {
  /** A user's entries, optionally of one app and one key, ordered by app then key. */
  list(userId: string, app?: string, key?: string): Promise<PrivateDataEntry[]>;
  set(userId: string, entry: PrivateDataEntry): Promise<void>;
  remove(userId: string, app: string, key: string): Promise<void>;
}

export interface TxRunner {
  /** Runs fn with repositories bound to one transaction; rolls back if it throws. */
  run<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
}

export interface SpaceRepository {
  /** Inserts the space, giving its root a file id from the shared sequence. */
  insert(space: NewSpace): Promise<void>;
  findById(id: string): Promise<Space | undefined>;
  /** Every space, for holders of Drives.List. */
  listAll(): Promise<Space[]>;
  /** Spaces where the user is a member directly or through one of the groups. */
  listForPrincipal(userId: string, groupIds: string[]): Promise<Space[]>;
  update(id: string, changes: Partial<Omit<Space, 'id' | 'type' | 'createdAt' | 'rootFileId'>>): Promise<void>;
  delete(id: string): Promise<void>;
}

export interface SpaceMemberRepository {
  upsert(member: SpaceMember): Promise<void>;
  find(spaceId: string, principalType: string, principalId: string): Promise<SpaceMember | undefined>;
  listForSpace(spaceId: string): Promise<SpaceMember[]>;
  /** Members of many spaces at once, so drive listings stay one query per page, not one per space. */
  listForSpaces(spaceIds: string[]): Promise<SpaceMember[]>;
  /** Every member of every space the user belongs to, directly or through one of the groups: one query whatever the count. */
  listForSpacesOfPrincipal(userId: string, groupIds: string[]): Promise<SpaceMember[]>;
  /** Every membership of every space (listings for Drives.List holders). */
  listAll(): Promise<SpaceMember[]>;
  remove(spaceId: string, principalType: string, principalId: string): Promise<void>;
  removePrincipal(principalType: string, principalId: string): Promise<void>;
}

export interface UserRoleRepository {
  /** The stored non-default global role of a user, if any ("spaceAdmin", "userLight"). */
  get(userId: string): Promise<string | undefined>;
  set(userId: string, role: string | null): Promise<void>;
}

export interface InstanceSettingsRepository {
  get(key: string): Promise<string | undefined>;
  /** Sets the value unless one exists; returns the value in force. */
  setIfAbsent(key: string, value: string): Promise<string>;
}
