import { fail } from '../domain/errors.js';
import type { PrincipalType, SpaceMember } from '../domain/space.js';
import { enabledRoles, findRole, ROLE_IDS, roleHasAction } from '../domain/unified-roles.js';
import type { Repositories } from '../ports/repositories.js';
import type { ServiceContext } from './context.js';
import { principalNames } from './principal-names.js';
import { callerRoleIn } from './spaces.service.js';

export interface InviteInput {
  recipientId: string;
  recipientType: PrincipalType;
  roleId: string;
  expiresAt?: number;
}

const isManager = (members: SpaceMember[]) => members.filter((m) => m.roleId === ROLE_IDS.manager);

/** Space membership (the space root's permissions): only Managers manage it, and the last Manager stays. */
export class SpaceMembersService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Members of a project or personal space as its members see them; non-members get "not found". */
  async list(userId: string, spaceId: string): Promise<{ members: SpaceMember[]; names: Map<string, string>; callerRole: string }> {
    const { members, callerRole } = await this.memberContext(this.ctx.repos, userId, spaceId, false);
    return { members, names: await principalNames(this.ctx.repos, members), callerRole };
  }

  async invite(userId: string, spaceId: string, input: InviteInput): Promise<{ member: SpaceMember; names: Map<string, string> }> {
    const member = await this.ctx.tx.run(async (repos) => {
      const { members, callerRole } = await this.memberContext(repos, userId, spaceId, true);
      if (!roleHasAction(callerRole, 'permissions/create')) fail('forbidden', 'insufficient permissions to add members', 'notAdmin');
      const role = findRole(input.roleId);
      if (!role || !role.enabledByDefault) fail('invalidInput', 'role not found or not enabled', 'invalidField');
      if (!role!.conditions.includes('root')) fail('invalidInput', 'role not applicable to this resource', 'invalidField');
      if (input.expiresAt !== undefined && input.expiresAt <= this.ctx.clock.now()) fail('invalidInput', 'expiration date is in the past', 'invalidField');
      const exists =
        input.recipientType === 'user' ? await repos.users.findById(input.recipientId) : await repos.groups.findById(input.recipientId);
      if (!exists) fail('invalidInput', 'itemNotFound: not found', 'invalidField');
      const principalId = exists!.id;
      const previous = members.find((m) => m.principalType === input.recipientType && m.principalId === principalId);
      if (previous?.roleId === ROLE_IDS.manager && role!.id !== ROLE_IDS.manager) this.assertNotLastManager(members, previous);
      const m: SpaceMember = {
        spaceId,
        principalType: input.recipientType,
        principalId,
        roleId: role!.id,
        expiresAt: input.expiresAt ?? null,
        createdAt: this.ctx.clock.now(),
        invitedBy: userId,
      };
      await repos.spaceMembers.upsert(m);
      return m;
    });
    return { member, names: await principalNames(this.ctx.repos, [member]) };
  }

  async update(userId: string, spaceId: string, permissionId: string, changes: { roleId?: string; expiresAt?: number | null }) {
    const member = await this.ctx.tx.run(async (repos) => {
      const { members, callerRole } = await this.memberContext(repos, userId, spaceId, true);
      if (!roleHasAction(callerRole, 'permissions/update')) fail('forbidden', 'insufficient permissions to update members', 'notAdmin');
      const target = this.find(members, permissionId);
      const next: SpaceMember = { ...target };
      if (changes.roleId !== undefined) {
        const role = findRole(changes.roleId);
        if (!role || !role.enabledByDefault || !role.conditions.includes('root')) fail('invalidInput', 'role not applicable to this resource', 'invalidField');
        if (target.roleId === ROLE_IDS.manager && role!.id !== ROLE_IDS.manager) this.assertNotLastManager(members, target);
        next.roleId = role!.id;
      }
      if (changes.expiresAt !== undefined) {
        if (changes.expiresAt !== null && changes.expiresAt <= this.ctx.clock.now()) fail('invalidInput', 'expiration date is in the past', 'invalidField');
        next.expiresAt = changes.expiresAt;
      }
      await repos.spaceMembers.upsert(next);
      return next;
    });
    return { member, names: await principalNames(this.ctx.repos, [member]) };
  }

  async remove(userId: string, spaceId: string, permissionId: string): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      const { members, callerRole } = await this.memberContext(repos, userId, spaceId, true);
      if (!roleHasAction(callerRole, 'permissions/delete')) fail('forbidden', 'insufficient permissions to remove members', 'notAdmin');
      const target = this.find(members, permissionId);
      if (target.roleId === ROLE_IDS.manager) this.assertNotLastManager(members, target);
      await repos.spaceMembers.remove(spaceId, target.principalType, target.principalId);
    });
  }

  /** Roles a Manager may hand out on a space root, weakest first (the reference's allowed values). */
  allowedRoles(callerRole: string) {
    const mine = findRole(callerRole)?.actions ?? [];
    return enabledRoles().filter((r) => r.conditions.includes('root') && r.actions.every((a) => mine.includes(a)));
  }

  private find(members: SpaceMember[], permissionId: string): SpaceMember {
    const m = /^([ug]):(.+)$/.exec(permissionId);
    const type = m?.[1] === 'u' ? 'user' : 'group';
    const target = m ? members.find((x) => x.principalType === type && x.principalId === m[2]) : undefined;
    if (!target) fail('notFound', 'permission not found');
    return target!;
  }

  private assertNotLastManager(members: SpaceMember[], leaving: SpaceMember): void {
    const others = isManager(members).filter((m) => !(m.principalType === leaving.principalType && m.principalId === leaving.principalId));
    if (others.length === 0) fail('forbidden', 'cannot remove the last manager', 'selfOperation');
  }

  /** The caller must be a member of an enabled space; sharing a personal space is refused as the reference does. */
  private async memberContext(repos: Repositories, userId: string, spaceId: string, writing: boolean) {
    const space = await repos.spaces.findById(spaceId);
    if (!space || space.disabledAt) fail('notFound', 'getting space');
    if (writing && space!.type !== 'project') fail('invalidInput', 'unsupported space type', 'invalidField');
    const members = (await repos.spaceMembers.listForSpace(spaceId)).filter((m) => m.expiresAt === null || m.expiresAt > this.ctx.clock.now());
    const callerRole = callerRoleIn(members, userId, await repos.groups.groupsOfUser(userId), this.ctx.clock.now());
    if (!callerRole) fail('notFound', 'getting space');
    return { space: space!, members, callerRole: callerRole! };
  }

}
