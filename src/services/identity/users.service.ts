import type { Share } from '../../domain/share.js';
import { type Actor, canManageUser, isSubadmin } from '../../domain/access.js';
import { DomainError, fail } from '../../domain/errors.js';
import { ADMIN_GROUP } from '../../domain/group.js';
import { LANGUAGES } from '../../domain/languages.js';
import { assertPasswordAcceptable, MAX_PASSWORD_LENGTH, type PasswordPolicy } from '../../domain/password-policy.js';
import { effectiveQuotaBytes, normaliseQuota, type QuotaBlock, quotaBlock } from '../../domain/quota.js';
import { assertValidDisplayName, assertValidUserId, isValidEmail, MAX_DISPLAY_NAME_LENGTH, newUser, type User } from '../../domain/user.js';
import type { Page, Repositories } from '../../ports/repositories.js';
import { loadActor } from '../access/actor.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { settleBlobs } from '../files/blob-settlement.js';
import { createPersonalSpace, removeUserSpaces } from '../spaces/personal-space.js';

export interface CreateUserInput {
  userId: string;
  password?: string;
  displayName?: string;
  email?: string;
  groups?: string[];
  subadmin?: string[];
  quota?: string;
  language?: string;
}

/** A user as the external provider's claims describe them. */
export interface ExternalUserInput {
  issuer: string;
  subject: string;
  userId: string;
  displayName?: string;
  email?: string;
  groups: string[];
}

export interface UserDetails {
  user: User;
  groups: string[];
  subadminOf: string[];
  quota: QuotaBlock;
  /** The caller looks at themself: scope fields are shown. */
  isSelf: boolean;
  /** Admins and subadmins over the user see `enabled`. */
  managedByViewer: boolean;
}

/** Provisioning of users: who may create, list, read, enable, disable and delete whom. */
export class UsersService {
  constructor(
    private readonly ctx: ServiceContext,
    /** Told of the shares that went with a deleted user, once the deletion committed. */
    private readonly onSharesDropped: (shares: Share[]) => Promise<void> = async () => {},
  ) {}

  actor(userId: string): Promise<Actor> {
    return loadActor(this.ctx.repos, userId);
  }

  async create(callerId: string, input: CreateUserInput): Promise<string> {
    // Every check runs before the (deliberately slow) password hash, so refused
    // requests cost nothing; they run again inside the transaction against races.
    const policy = await this.ctx.passwordPolicy();
    await this.checkCreate(this.ctx.repos, callerId, input, policy);
    const passwordHash = input.password ? await this.ctx.hasher.hash(input.password) : null;
    return this.ctx.tx.run(async (repos) => {
      const { resolvedGroups, subadminGroups, quota } = await this.checkCreate(repos, callerId, input, policy);
      const id = input.userId;
      await this.insertUser(repos, input, passwordHash, quota, resolvedGroups);
      for (const gid of subadminGroups) await repos.groups.addSubadmin(gid, id);
      return id;
    });
  }

  /**
   * A user of the trusted external provider on first sight
   * (OIDC_AUTOPROVISION): the same row, personal space and memberships an
   * admin's create makes, without a password (the provider signs them in),
   * in the groups the claims name that exist here (never the admin group:
   * the role claim decides that), linked to the provider's subject in the
   * same transaction, so two first requests at once make one account.
   * Answers false when the user id or the subject is taken meanwhile.
   */
  async provisionExternal(input: ExternalUserInput): Promise<boolean> {
    assertValidUserId(input.userId);
    const displayName = input.displayName && input.displayName.length <= MAX_DISPLAY_NAME_LENGTH ? input.displayName : input.userId;
    const email = input.email && isValidEmail(input.email) ? input.email : undefined;
    return this.ctx.tx.run(async (repos) => {
      if (await repos.users.findById(input.userId)) return false;
      if (await repos.oidcIdentities.find(input.issuer, input.subject)) return false;
      const groups: string[] = [];
      for (const gid of dedupe(input.groups)) {
        const group = gid === ADMIN_GROUP ? undefined : await repos.groups.findById(gid);
        if (group) groups.push(group.id);
      }
      await this.insertUser(repos, { userId: input.userId, displayName, email }, null, 'default', groups);
      return repos.oidcIdentities.insertIfAbsent({ issuer: input.issuer, subject: input.subject, userId: input.userId, createdAt: this.ctx.clock.now() });
    });
  }

  private async insertUser(repos: Repositories, input: CreateUserInput, passwordHash: string | null, quota: string, groups: string[]): Promise<void> {
    const id = input.userId;
    const now = this.ctx.clock.now();
    await repos.users.insert(
      newUser({
        id,
        displayName: input.displayName || id,
        email: input.email || null,
        // Without a password the account can only be reached through an
        // app password an admin mints (or its provider); an unguessable hash keeps Basic auth shut.
        passwordHash: passwordHash ?? `!${this.ctx.secrets.token(32)}`,
        quota,
        language: input.language ?? '',
        createdAt: now,
      }),
    );
    await createPersonalSpace(repos, { id, displayName: input.displayName || id }, now, this.ctx.secrets);
    for (const gid of groups) await repos.groups.addMember(gid, id);
  }

  /**
   * Nextcloud's addUser checks, in its order: 102 exists; 104/105 per group;
   * 106 no group for a subadmin; 102/103/403 per subadmin group; 101 overlong
   * password; 108 no password nor email; then user creation validates the uid
   * (101) before the password policy (107).
   */
  private async checkCreate(
    repos: Repositories,
    callerId: string,
    input: CreateUserInput,
    policy: PasswordPolicy | null,
  ): Promise<{ resolvedGroups: string[]; subadminGroups: string[]; quota: string }> {
    const actor = await loadActor(repos, callerId);
    requireAdminOrSubadmin(actor);
    const id = input.userId;
    if (await repos.users.findById(id)) fail('invalidInput', 'User already exists', 'userExists');

    const resolvedGroups: string[] = [];
    for (const gid of dedupe(input.groups ?? [])) {
      const group = await repos.groups.findById(gid);
      if (!group) fail('invalidInput', `group ${gid} does not exist`, 'groupNotFound');
      if (!actor.isAdmin && !actor.subadminOf.has(group!.id)) {
        fail('forbidden', `insufficient privileges for group ${gid}`, 'groupPrivilege');
      }
      resolvedGroups.push(group!.id);
    }
    if (!actor.isAdmin && resolvedGroups.length === 0) {
      fail('invalidInput', 'no group specified (required for subadmins)', 'noGroupForSubadmin');
    }
    const subadminGroups: string[] = [];
    for (const gid of dedupe(input.subadmin ?? [])) {
      const group = await repos.groups.findById(gid);
      if (!group) fail('invalidInput', 'Subadmin group does not exist', 'subadminGroupNotFound');
      if (group!.id === ADMIN_GROUP) fail('invalidInput', 'Cannot create subadmins for admin group', 'adminGroup');
      // A subadmin may hand on the groups they administer themselves.
      if (!actor.isAdmin && !actor.subadminOf.has(group!.id)) fail('forbidden', 'No permissions to promote subadmins', 'notAdmin');
      subadminGroups.push(group!.id);
    }
    const password = input.password ?? '';
    if (password.length > MAX_PASSWORD_LENGTH) fail('invalidInput', 'Invalid password value', 'passwordTooLong');
    if (password === '' && !input.email) {
      fail('invalidInput', 'To send a password link to the user an email address is required.', 'passwordRequired');
    }
    assertValidUserId(id);
    if (password !== '') assertPasswordAcceptable(password, policy);
    if (input.email !== undefined && input.email !== '' && !isValidEmail(input.email)) {
      fail('invalidInput', 'Invalid email address', 'invalidEmail');
    }
    if (input.displayName !== undefined) assertValidDisplayName(input.displayName);
    const quota = input.quota !== undefined && input.quota !== '' ? normaliseQuota(input.quota) : 'default';
    if (input.language !== undefined && input.language !== '' && input.language !== 'en' && !LANGUAGES.has(input.language)) {
      fail('invalidInput', 'Invalid language', 'invalidLanguage');
    }
    return { resolvedGroups, subadminGroups, quota };
  }

  async list(callerId: string, page: Page): Promise<string[]> {
    const actor = await this.actor(callerId);
    requireAdminOrSubadmin(actor);
    if (actor.isAdmin) return this.ctx.repos.users.listIds(page);
    return this.ctx.repos.users.listIdsInGroups([...actor.subadminOf], page);
  }

  /** The user as the caller may see them; hidden users answer like missing ones (Nextcloud's 998). */
  async details(callerId: string, targetId: string): Promise<UserDetails> {
    const repos = this.ctx.repos;
    const user = await repos.users.findById(targetId);
    if (!user) fail('notFound', 'User does not exist', 'userNotFound');
    const target = user!;
    const [groups, subadminOf] = await Promise.all([
      repos.groups.groupsOfUser(target.id),
      repos.groups.subadminGroupsOf(target.id),
    ]);
    const isSelf = target.id === callerId;
    const managed = canManageUser(await this.actor(callerId), groups);
    if (!isSelf && !managed) fail('notFound', 'User does not exist', 'hiddenUser');
    return {
      user: target,
      groups,
      subadminOf,
      quota: await this.quotaOf(target),
      isSelf,
      managedByViewer: managed,
    };
  }

  /** The provisioning quota block: the limit from the user's quota, `used` from their personal space's size (kept by the file tree, never scanned). */
  async quotaOf(user: User): Promise<QuotaBlock> {
    const personal = await this.ctx.repos.spaces.findById(user.id);
    return quotaBlock(effectiveQuotaBytes(user.quota, this.ctx.settings.defaultQuota), personal?.type === 'personal' ? personal.size : 0);
  }

  async setEnabled(callerId: string, targetId: string, enabled: boolean): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      const actor = await loadActor(repos, callerId);
      requireAdminOrSubadmin(actor);
      const user = await repos.users.findById(targetId);
      if (!user || user.id === callerId) fail('invalidInput', 'Invalid user', 'selfOperation');
      if (!canManageUser(actor, await repos.groups.groupsOfUser(user!.id))) fail('notFound', 'User does not exist', 'hiddenUser');
      await repos.users.update(user!.id, { enabled });
    });
  }

  async delete(callerId: string, targetId: string): Promise<void> {
    let dropped: Share[] = [];
    const released = await this.ctx.tx.run(async (repos) => {
      const actor = await loadActor(repos, callerId);
      requireAdminOrSubadmin(actor);
      // Nextcloud's order: missing 998, yourself 101, then not permitted 998.
      const user = await repos.users.findById(targetId);
      if (!user) fail('notFound', 'User does not exist', 'hiddenUser');
      if (user!.id === callerId) fail('invalidInput', 'Cannot delete yourself', 'selfOperation');
      if (!canManageUser(actor, await repos.groups.groupsOfUser(user!.id))) fail('notFound', 'User does not exist', 'hiddenUser');
      const made = await repos.shares.byOwner(user!.id);
      dropped = [...made, ...(await repos.shares.byFileOwner(user!.id)).filter((s) => !made.some((m) => m.id === s.id))];
      const blobs = await removeUserSpaces(repos, user!.id, this.ctx.blobs.owner, this.ctx.clock.now());
      // Shares they made go with them (foreign key); shares made to them are dropped here.
      await repos.shares.deleteForRecipient(0, user!.id);
      await repos.users.delete(user!.id);
      return blobs;
    });
    await settleBlobs(this.ctx.repos, this.ctx.blobs, released);
    if (dropped.length) await this.onSharesDropped(dropped);
  }

  /** The caller's own record without the access checks of details(): enough for capabilities. */
  async profileOf(userId: string): Promise<User> {
    const user = await this.ctx.repos.users.findById(userId);
    if (!user) fail('unauthenticated', 'Current user is not logged in');
    return user!;
  }

  /** Resolves the caller's own record; a deleted account behind a live credential is unauthenticated. */
  async self(callerId: string): Promise<UserDetails> {
    return this.details(callerId, callerId).catch((e: unknown) => {
      if (e instanceof DomainError && e.code === 'notFound') fail('unauthenticated', 'Current user is not logged in');
      throw e;
    });
  }
}

export function requireAdminOrSubadmin(actor: Actor): void {
  if (!actor.isAdmin && !isSubadmin(actor)) {
    fail('forbidden', 'Logged in account must be at least a sub admin', 'notAdminOrSubadmin');
  }
}

export function requireAdmin(actor: Actor): void {
  if (!actor.isAdmin) fail('forbidden', 'Logged in account must be an admin', 'notAdmin');
}

const dedupe = (xs: string[]): string[] => [...new Set(xs.filter((x) => x !== ''))];
