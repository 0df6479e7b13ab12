import { fail } from '../../domain/errors.js';
import type { PrincipalType, Space, SpaceMember } from '../../domain/space.js';
import { enabledRoles, findRole, type UnifiedRole } from '../../domain/unified-roles.js';
import type { Repositories } from '../../ports/repositories.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { principalNames } from '../access/principal-names.js';
import { callerFacts, callerRoleIn, canManageMembers, isActive } from '../access/space-access.js';

/** Who a membership is for: a user or group by id (Graph), or by a name that may be either, `first` looked up first (the OCS API). */
export type Grantee = { principalType: PrincipalType; principalId: string } | { name: string | undefined; first: PrincipalType };

export interface GrantInput {
  grantee: Grantee;
  roleId: string;
  /** Epoch ms; null or undefined for none. */
  expiresAt?: number | null;
}

/**
 * Where oCIS's two APIs on the same membership differ. The rows and every
 * other rule are the same; each front door passes its own.
 */
export interface MemberRules {
  /** A grantee that already is a member: Graph's invite refuses it (409: PATCH changes grants), the OCS share replaces its role and expiry (reva upserts). */
  existing: 'refuse' | 'replace';
  /** An expiry that has passed: Graph refuses it, the OCS share stores it and the membership ends at once. */
  pastExpiry: 'refuse' | 'accept';
  /** reva's OCS handler checks the caller's right to share before it reads the request; Graph's invite validates the request first. */
  authorizeFirst: boolean;
  /** Whether an expired grant is one to remove: the OCS unshare still finds it by name, Graph knows active grants only. */
  expiredGrants: 'remove' | 'ignore';
}

export const GRAPH_MEMBER_RULES: MemberRules = { existing: 'refuse', pastExpiry: 'refuse', authorizeFirst: false, expiredGrants: 'ignore' };
export const OCS_MEMBER_RULES: MemberRules = { existing: 'replace', pastExpiry: 'accept', authorizeFirst: true, expiredGrants: 'remove' };

export interface MemberResult {
  member: SpaceMember;
  /** Display names of the member and of whoever invited them. */
  names: Map<string, string>;
}

export interface MemberListing {
  space: Space;
  /** Unexpired grants, oldest first; empty for a personal space, whose owner's access is implicit. */
  members: SpaceMember[];
  names: Map<string, string>;
  /** The caller's role on the space: what they may do, and so which roles they may hand out. */
  callerRole: string;
}

const sameGrantee = (a: SpaceMember, b: { principalType: string; principalId: string }) => a.principalType === b.principalType && a.principalId === b.principalId;
type Action = 'add' | 'update' | 'remove';
const notManager = (action: Action): never => fail('forbidden', `only a space manager may ${action} members`, 'notSpaceManager', { action });
const notFound = (): never => fail('notFound', 'no such member', 'memberNotFound');

/** A root role a Manager may give: enabled and applicable to a space root. */
function rootRole(roleId: string): UnifiedRole {
  const role = findRole(roleId);
  if (!role || !role.enabledByDefault) fail('invalidInput', 'no such role is enabled', 'roleUnavailable');
  if (!role!.conditions.includes('root')) fail('invalidInput', 'the role does not apply to a space root', 'roleNotApplicable');
  return role!;
}

/**
 * Space membership (the space root's grants). Only Managers manage it, the
 * last Manager (user or group) always stays, and expired grants count for
 * nothing. A member's id on the wire is `u:<userId>` or `g:<groupId>`.
 */
export class SpaceMembersService {
  constructor(private readonly ctx: ServiceContext) {}

  /** GET root/permissions: for the space's (effective) members only. */
  async list(userId: string, spaceId: string): Promise<MemberListing> {
    const { space, members, callerRole } = await this.memberContext(this.ctx.repos, userId, spaceId);
    const shown = space.type === 'personal' ? [] : members;
    return { space, members: shown, names: await principalNames(this.ctx.repos, shown), callerRole };
  }

  /**
   * Adds a member (Graph root/invite, the OCS share of type 7 or 8), in the
   * references' order: the space and the caller's membership (404), the
   * caller's right to manage members when the rules check it first (403),
   * the space type (400), the role and the expiry (400), the grantee, the
   * caller's right otherwise, a grant already there, and a Manager without
   * expiry remaining.
   */
  async grant(userId: string, spaceId: string, input: GrantInput, rules: MemberRules): Promise<MemberResult> {
    const member = await this.ctx.tx.run(async (repos) => {
      const { space, members, callerRole } = await this.memberContext(repos, userId, spaceId);
      if (rules.authorizeFirst && !canManageMembers(callerRole)) notManager('add');
      this.assertProject(space, 'add');
      const role = rootRole(input.roleId);
      const expiresAt = input.expiresAt ?? null;
      if (expiresAt !== null && rules.pastExpiry === 'refuse' && expiresAt <= this.ctx.clock.now()) fail('invalidInput', 'the expiry date has passed', 'expiryInPast');
      const grantee = (await this.candidates(repos, input.grantee))[0] ?? fail('notFound', 'no such user or group', 'granteeNotFound');
      if (!canManageMembers(callerRole)) notManager('add');
      const existing = members.find((m) => sameGrantee(m, grantee));
      if (existing && rules.existing === 'refuse') fail('conflict', 'the grantee already is a member', 'alreadyMember');
      const next: SpaceMember = existing
        ? { ...existing, roleId: role.id, expiresAt }
        : { spaceId, ...grantee, roleId: role.id, expiresAt, createdAt: this.ctx.clock.now(), invitedBy: userId };
      this.assertManagerRemains([...members.filter((m) => !sameGrantee(m, grantee)), next], 'add');
      await repos.spaceMembers.upsert(next);
      return next;
    });
    return { member, names: await this.namesFor(member) };
  }

  /** PATCH root/permissions/{id}: role and/or expiry (null removes it). */
  async update(userId: string, spaceId: string, permissionId: string, changes: { roleId?: string; expiresAt?: number | null }): Promise<MemberResult> {
    const member = await this.ctx.tx.run(async (repos) => {
      const { space, members, callerRole } = await this.memberContext(repos, userId, spaceId);
      this.assertProject(space, 'update');
      if (!canManageMembers(callerRole)) notManager('update');
      const target = this.find(members, permissionId);
      const next: SpaceMember = { ...target };
      if (changes.roleId !== undefined) {
        const role = rootRole(changes.roleId);
        if (!canManageMembers(role.id)) this.assertNotLastManager(members, target, 'update');
        next.roleId = role.id;
      }
      if (changes.expiresAt !== undefined) {
        if (changes.expiresAt !== null && changes.expiresAt <= this.ctx.clock.now()) fail('invalidInput', 'the expiry date has passed', 'expiryInPast');
        // An expiring Manager stops counting once it expires: another Manager must remain without an expiry.
        if (changes.expiresAt !== null && canManageMembers(next.roleId)) this.assertNotLastManager(members, target, 'update');
        next.expiresAt = changes.expiresAt;
      }
      await repos.spaceMembers.upsert(next);
      return next;
    });
    return { member, names: await this.namesFor(member) };
  }

  /**
   * Removes a member (Graph DELETE root/permissions/{id} by member id, the
   * OCS unshare by name); a Manager may leave as long as another Manager
   * without expiry stays.
   */
  async revoke(userId: string, spaceId: string, who: Grantee | { permissionId: string }, rules: MemberRules): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      const { space, members, callerRole } = await this.memberContext(repos, userId, spaceId);
      this.assertProject(space, 'remove');
      if (!canManageMembers(callerRole)) notManager('remove');
      let target: SpaceMember;
      if ('permissionId' in who) target = this.find(members, who.permissionId);
      else {
        const candidates = await this.candidates(repos, who);
        if (!candidates.length) fail('notFound', 'no such user or group', 'granteeNotFound');
        const rows = rules.expiredGrants === 'remove' ? await repos.spaceMembers.listForSpace(spaceId) : members;
        target = candidates.map((c) => rows.find((r) => sameGrantee(r, c))).find((r) => r !== undefined) ?? notFound();
      }
      this.assertNotLastManager(members, target, 'remove');
      await repos.spaceMembers.remove(spaceId, target.principalType, target.principalId);
    });
  }

  /** Enabled root roles whose actions the caller holds, weakest first: the reference's allowed values for a space root. */
  allowedRoles(callerRole: string): UnifiedRole[] {
    const mine = findRole(callerRole)?.actions ?? [];
    return enabledRoles()
      .filter((r) => r.conditions.includes('root') && r.actions.every((a) => mine.includes(a)))
      .sort((a, b) => a.actions.length - b.actions.length);
  }

  private async namesFor(member: SpaceMember): Promise<Map<string, string>> {
    const inviter: SpaceMember[] = member.invitedBy ? [{ ...member, principalType: 'user', principalId: member.invitedBy }] : [];
    return principalNames(this.ctx.repos, [member, ...inviter]);
  }

  private find(members: SpaceMember[], permissionId: string): SpaceMember {
    const m = /^([ug]):(.+)$/.exec(permissionId);
    const target = m ? members.find((x) => sameGrantee(x, { principalType: m[1] === 'u' ? 'user' : 'group', principalId: m[2]! })) : undefined;
    return target ?? notFound();
  }

  /** The users and groups a grantee may stand for; a name is looked up as both, the `first` kind first (reva looks both up). */
  private async candidates(repos: Repositories, grantee: Grantee): Promise<Array<{ principalType: PrincipalType; principalId: string }>> {
    const byName = 'name' in grantee;
    if (byName && !grantee.name) fail('invalidInput', 'no grantee named', 'missingGrantee');
    const name = byName ? grantee.name! : grantee.principalId;
    const kinds: PrincipalType[] = byName ? (grantee.first === 'user' ? ['user', 'group'] : ['group', 'user']) : [grantee.principalType];
    const out: Array<{ principalType: PrincipalType; principalId: string }> = [];
    for (const type of kinds) {
      const found = type === 'user' ? await repos.users.findById(name) : await repos.groups.findById(name);
      if (found) out.push({ principalType: type, principalId: found.id });
    }
    return out;
  }

  /** The space must keep a Manager without an expiry date other than `leaving` (libregraph.md §7: 403). */
  private assertNotLastManager(members: SpaceMember[], leaving: SpaceMember, action: Action): void {
    if (!canManageMembers(leaving.roleId)) return;
    this.assertManagerRemains(members.filter((m) => !sameGrantee(m, leaving)), action);
  }

  private assertManagerRemains(after: SpaceMember[], action: Action): void {
    if (!after.some((m) => canManageMembers(m.roleId) && m.expiresAt === null)) fail('forbidden', 'a space keeps a manager without expiry', 'lastManager', { action });
  }

  /** Members are added to and removed from project spaces only (400, as the reference). */
  private assertProject(space: Space, action: Action): void {
    if (space.type !== 'project') fail('invalidInput', 'only project spaces have members to manage', 'notProjectSpace', { action });
  }

  /** The space as its members see it: unknown, disabled or invisible spaces are "not found". */
  private async memberContext(repos: Repositories, userId: string, spaceId: string) {
    const space = await repos.spaces.findById(spaceId);
    if (!space || space.disabledAt !== null) fail('notFound', 'no such space', 'spaceNotFound');
    const now = this.ctx.clock.now();
    const members = (await repos.spaceMembers.listForSpace(spaceId)).filter((m) => isActive(m, now));
    const { groups } = await callerFacts(repos, userId);
    const callerRole = callerRoleIn(members, userId, groups, now) ?? fail('notFound', 'no such space', 'spaceNotFound');
    return { space: space!, members, callerRole };
  }
}
