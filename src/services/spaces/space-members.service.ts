import { fail } from '../../domain/errors.js';
import type { PrincipalType, Space, SpaceMember } from '../../domain/space.js';
import { enabledRoles, findRole, type UnifiedRole } from '../../domain/unified-roles.js';
import type { Repositories } from '../../ports/repositories.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { principalNames } from '../access/principal-names.js';
import { callerFacts, callerRoleIn, canManageMembers, isActive } from '../access/space-access.js';

export interface InviteInput {
  recipientId: string;
  recipientType: PrincipalType;
  roleId: string;
  expiresAt?: number;
}

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

const NOT_FOUND = 'getting space';
const sameGrantee = (a: SpaceMember, b: { principalType: string; principalId: string }) => a.principalType === b.principalType && a.principalId === b.principalId;

/** A root role a Manager may give: enabled and applicable to a space root. */
function rootRole(roleId: string): UnifiedRole {
  const role = findRole(roleId);
  if (!role || !role.enabledByDefault) fail('invalidInput', "Key: 'DriveItemInvite.Roles[0]' Error:Field validation for 'Roles[0]' failed on the 'available_role' tag", 'invalidField');
  if (!role!.conditions.includes('root')) fail('invalidInput', 'role not applicable to this resource', 'invalidField');
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
    const { space, members, callerRole } = await this.memberContext(this.ctx.repos, userId, spaceId, false);
    const shown = space.type === 'personal' ? [] : members;
    return { space, members: shown, names: await principalNames(this.ctx.repos, shown), callerRole };
  }

  /**
   * POST root/invite, in the reference's order: the space (404), its type
   * (400), the role's applicability (400), the recipient (400), then the
   * caller's right to share (403).
   */
  async invite(userId: string, spaceId: string, input: InviteInput): Promise<MemberResult> {
    const member = await this.ctx.tx.run(async (repos) => {
      const { members, callerRole } = await this.memberContext(repos, userId, spaceId, true);
      const role = rootRole(input.roleId);
      if (input.expiresAt !== undefined && input.expiresAt <= this.ctx.clock.now()) {
        fail('invalidInput', "Key: 'DriveItemInvite.ExpirationDateTime' Error:Field validation for 'ExpirationDateTime' failed on the 'gt' tag", 'invalidField');
      }
      const recipient = input.recipientType === 'user' ? await repos.users.findById(input.recipientId) : await repos.groups.findById(input.recipientId);
      if (!recipient) fail('invalidInput', 'itemNotFound: not found', 'invalidField');
      if (!canManageMembers(callerRole)) fail('forbidden', 'permission denied: no permission to add members to this space', 'notAdmin');
      const grantee = { principalType: input.recipientType, principalId: recipient!.id };
      // An existing grant is changed with PATCH; only an expired one may be replaced by a new invitation.
      if (members.some((m) => sameGrantee(m, grantee))) fail('conflict', 'the recipient is already a member of this space; update the permission instead');
      const m: SpaceMember = { spaceId, ...grantee, roleId: role.id, expiresAt: input.expiresAt ?? null, createdAt: this.ctx.clock.now(), invitedBy: userId };
      await repos.spaceMembers.upsert(m);
      return m;
    });
    return { member, names: await this.namesFor(member) };
  }

  /** PATCH root/permissions/{id}: role and/or expiry (null removes it). */
  async update(userId: string, spaceId: string, permissionId: string, changes: { roleId?: string; expiresAt?: number | null }): Promise<MemberResult> {
    const member = await this.ctx.tx.run(async (repos) => {
      const { members, callerRole } = await this.memberContext(repos, userId, spaceId, true);
      if (!canManageMembers(callerRole)) fail('forbidden', 'permission denied: no permission to update members of this space', 'notAdmin');
      const target = this.find(members, permissionId);
      const next: SpaceMember = { ...target };
      if (changes.roleId !== undefined) {
        const role = rootRole(changes.roleId);
        if (!canManageMembers(role.id)) this.assertNotLastManager(members, target);
        next.roleId = role.id;
      }
      if (changes.expiresAt !== undefined) {
        if (changes.expiresAt !== null && changes.expiresAt <= this.ctx.clock.now()) fail('invalidInput', 'expiration date is in the past', 'invalidField');
        // An expiring Manager stops counting once it expires: another Manager must remain without an expiry.
        if (changes.expiresAt !== null && canManageMembers(next.roleId)) this.assertNotLastManager(members, target);
        next.expiresAt = changes.expiresAt;
      }
      await repos.spaceMembers.upsert(next);
      return next;
    });
    return { member, names: await this.namesFor(member) };
  }

  /** DELETE root/permissions/{id}; a Manager may leave as long as another Manager stays. */
  async remove(userId: string, spaceId: string, permissionId: string): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      const { members, callerRole } = await this.memberContext(repos, userId, spaceId, true);
      if (!canManageMembers(callerRole)) fail('forbidden', 'permission denied: no permission to remove members of this space', 'notAdmin');
      const target = this.find(members, permissionId);
      this.assertNotLastManager(members, target);
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
    if (!target) fail('notFound', 'permission not found');
    return target!;
  }

  /** The space must keep a Manager without an expiry date other than `leaving` (libregraph.md §7: 403). */
  private assertNotLastManager(members: SpaceMember[], leaving: SpaceMember): void {
    if (!canManageMembers(leaving.roleId)) return;
    const others = members.filter((m) => canManageMembers(m.roleId) && !sameGrantee(m, leaving));
    if (!others.some((m) => m.expiresAt === null)) fail('forbidden', 'the last manager of a space cannot be removed or demoted', 'selfOperation');
  }

  /**
   * The space as its members see it: unknown, disabled or invisible spaces
   * are "not found"; changing members is refused on anything but a project
   * space (400, as the reference does).
   */
  private async memberContext(repos: Repositories, userId: string, spaceId: string, writing: boolean) {
    const space = await repos.spaces.findById(spaceId);
    if (!space || space.disabledAt !== null) fail('notFound', NOT_FOUND);
    const now = this.ctx.clock.now();
    const members = (await repos.spaceMembers.listForSpace(spaceId)).filter((m) => isActive(m, now));
    const { groups } = await callerFacts(repos, userId);
    const callerRole = callerRoleIn(members, userId, groups, now);
    if (!callerRole) fail('notFound', NOT_FOUND);
    if (writing && space!.type !== 'project') fail('invalidInput', 'unsupported space type', 'invalidField');
    return { space: space!, members, callerRole: callerRole! };
  }
}
