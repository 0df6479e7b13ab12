import { type Actor, canManageUser, isSubadmin } from '../domain/access.js';
import { DomainError, fail } from '../domain/errors.js';
import { ADMIN_GROUP } from '../domain/group.js';
import { assertPasswordAcceptable } from '../domain/password-policy.js';
import { effectiveQuotaBytes, normaliseQuota, type QuotaBlock, quotaBlock } from '../domain/quota.js';
import { assertValidDisplayName, assertValidUserId, emptyProfile, isValidEmail, type User } from '../domain/user.js';
import type { Page } from '../ports/repositories.js';
import { loadActor } from './actor.service.js';
import type { ServiceContext } from './context.js';
import { createPersonalSpace, removeUserSpaces } from './personal-space.js';

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
  constructor(private readonly ctx: ServiceContext) {}

  actor(userId: string): Promise<Actor> {
    return loadActor(this.ctx.repos, userId);
  }

  async create(callerId: string, input: CreateUserInput): Promise<string> {
    const policy = await this.ctx.passwordPolicy();
    const passwordHash = input.password ? await this.ctx.hasher.hash(input.password) : null;
    return this.ctx.tx.run(async (repos) => {
      const actor = await loadActor(repos, callerId);
      requireAdminOrSubadmin(actor);
      const id = input.userId;
      if (await repos.users.findById(id)) fail('invalidInput', 'User already exists', 'userExists');
      assertValidUserId(id);

      const groups = dedupe(input.groups ?? []);
      const resolvedGroups: string[] = [];
      for (const gid of groups) {
        const group = await repos.groups.findById(gid);
        if (!group) fail('invalidInput', `Group ${gid} does not exist`, 'groupNotFound');
        if (!actor.isAdmin && !actor.subadminOf.has(group!.id)) {
          fail('forbidden', `Insufficient privileges for group ${gid}`, 'groupPrivilege');
        }
        resolvedGroups.push(group!.id);
      }
      if (!actor.isAdmin && resolvedGroups.length === 0) {
        fail('invalidInput', 'No group specified (required for subadmins)', 'noGroupForSubadmin');
      }
      const subadminGroups: string[] = [];
      for (const gid of dedupe(input.subadmin ?? [])) {
        const group = await repos.groups.findById(gid);
        if (!group) fail('invalidInput', 'Subadmin group does not exist', 'subadminGroupNotFound');
        if (group!.id === ADMIN_GROUP) fail('invalidInput', 'Cannot create subadmins for admin group', 'adminGroup');
        if (!actor.isAdmin) fail('forbidden', 'No permissions to promote subadmins', 'notAdmin');
        subadminGroups.push(group!.id);
      }
      if (input.password === undefined || input.password === '') {
        if (!input.email) fail('invalidInput', 'To send a password link to the user an email address is required.', 'passwordRequired');
      } else {
        assertPasswordAcceptable(input.password, policy);
      }
      if (input.email !== undefined && input.email !== '' && !isValidEmail(input.email)) {
        fail('invalidInput', 'Invalid email address', 'invalidEmail');
      }
      if (input.displayName !== undefined) assertValidDisplayName(input.displayName);
      const quota = input.quota !== undefined && input.quota !== '' ? normaliseQuota(input.quota) : 'default';
      if (quota !== 'default' && !actor.isAdmin && !isSubadmin(actor)) fail('forbidden', 'No permission to set quota', 'notAdmin');

      const now = this.ctx.clock.now();
      await repos.users.insert({
        id,
        displayName: input.displayName || id,
        email: input.email || null,
        // Without a password the account can only be reached through an
        // app password an admin mints; an unguessable hash keeps Basic auth shut.
        passwordHash: passwordHash ?? `!${this.ctx.secrets.token(32)}`,
        enabled: true,
        quota,
        language: input.language ?? '',
        locale: '',
        timezone: '',
        manager: '',
        profile: emptyProfile(),
        createdAt: now,
        firstLoginAt: null,
        lastLoginAt: null,
      });
      await createPersonalSpace(repos, { id, displayName: input.displayName || id }, now, this.ctx.secrets);
      for (const gid of resolvedGroups) await repos.groups.addMember(gid, id);
      for (const gid of subadminGroups) await repos.groups.addSubadmin(gid, id);
      return id;
    });
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
      quota: this.quotaOf(target),
      isSelf,
      managedByViewer: managed,
    };
  }

  quotaOf(user: User): QuotaBlock {
    // Storage arrives with the files module; until then nothing is stored.
    return quotaBlock(effectiveQuotaBytes(user.quota, this.ctx.settings.defaultQuota), 0);
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
    await this.ctx.tx.run(async (repos) => {
      const actor = await loadActor(repos, callerId);
      requireAdminOrSubadmin(actor);
      const user = await repos.users.findById(targetId);
      if (!user || !canManageUser(actor, await repos.groups.groupsOfUser(user.id))) {
        fail('notFound', 'User does not exist', 'hiddenUser');
      }
      if (user!.id === callerId) fail('invalidInput', 'Cannot delete yourself', 'selfOperation');
      await removeUserSpaces(repos, user!.id);
      await repos.users.delete(user!.id);
    });
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
