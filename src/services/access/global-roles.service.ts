import { OPERATOR_ID } from '../../domain/access.js';
import { fail } from '../../domain/errors.js';
import { globalRole, type GlobalRole, type GlobalRoleKey, globalRoleById } from '../../domain/global-roles.js';
import { ADMIN_GROUP } from '../../domain/group.js';
import type { Repositories } from '../../ports/repositories.js';
import type { ServiceContext } from '../../ports/service-context.js';

/**
 * A user's global role. Admin is membership of the "admin" group, so the OCS
 * and Graph views of who is an admin are one fact; Space Admin and User Light
 * are stored per user; everyone else is a User.
 */
export async function globalRoleOf(repos: Repositories, userId: string): Promise<GlobalRole> {
  if (userId === OPERATOR_ID || (await repos.groups.isMember(ADMIN_GROUP, userId))) return globalRole('admin');
  const stored = (await repos.userRoles.get(userId)) as GlobalRoleKey | undefined;
  return globalRole(stored && stored !== 'admin' ? stored : 'user');
}

export class GlobalRolesService {
  constructor(private readonly ctx: ServiceContext) {}

  roleOf(userId: string): Promise<GlobalRole> {
    return globalRoleOf(this.ctx.repos, userId);
  }

  async can(userId: string, permission: string): Promise<boolean> {
    return (await this.roleOf(userId)).permissions.has(permission);
  }

  /** Replaces the user's global role (a user has exactly one). Admins cannot change their own. */
  async assign(callerId: string, userId: string, roleId: string): Promise<GlobalRole> {
    const role = globalRoleById(roleId);
    if (!role) fail('invalidInput', 'invalid role id', 'invalidField');
    return this.ctx.tx.run(async (repos) => {
      if (!(await globalRoleOf(repos, callerId)).permissions.has('Roles.ReadWrite')) fail('forbidden', 'Forbidden', 'notAdmin');
      const user = await repos.users.findById(userId);
      if (!user) fail('notFound', 'user not found', 'userNotFound');
      if (user!.id === callerId) fail('forbidden', 'cannot change your own role', 'selfOperation');
      await this.apply(repos, user!.id, role!.key);
      return role!;
    });
  }

  /** Removing the assignment leaves the default User role. */
  async unassign(callerId: string, userId: string): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      if (!(await globalRoleOf(repos, callerId)).permissions.has('Roles.ReadWrite')) fail('forbidden', 'Forbidden', 'notAdmin');
      const user = await repos.users.findById(userId);
      if (!user) fail('notFound', 'user not found', 'userNotFound');
      if (user!.id === callerId) fail('forbidden', 'cannot change your own role', 'selfOperation');
      await this.apply(repos, user!.id, 'user');
    });
  }

  /**
   * The role the trusted external provider's claim gives (oCIS's "oidc"
   * role assignment driver): applied at every sign-in, written only when it
   * changed, through the same rows the Graph role assignment writes.
   */
  async applyFromProvider(userId: string, key: GlobalRoleKey): Promise<void> {
    if ((await globalRoleOf(this.ctx.repos, userId)).key === key) return;
    await this.ctx.tx.run(async (repos) => {
      if ((await globalRoleOf(repos, userId)).key !== key) await this.apply(repos, userId, key);
    });
  }

  private async apply(repos: Repositories, userId: string, key: GlobalRoleKey): Promise<void> {
    if (key === 'admin') {
      await repos.groups.addMember(ADMIN_GROUP, userId);
      await repos.userRoles.set(userId, null);
      return;
    }
    await repos.groups.removeMember(ADMIN_GROUP, userId);
    await repos.userRoles.set(userId, key === 'user' ? null : key);
  }
}
