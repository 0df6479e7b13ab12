import type { GlobalRole } from '../../domain/global-roles.js';
import type { Space, SpaceMember } from '../../domain/space.js';
import { findRole, roleHasAction } from '../../domain/unified-roles.js';
import type { Repositories } from '../../ports/repositories.js';
import { globalRoleOf } from './global-roles.service.js';

/**
 * Who may do what on a space, as the reference decides it from the caller's
 * grant on the space root (libregraph.md §8.3): a grant that may remove
 * grants is a Manager's, one that may upload is at least a Space Editor's.
 */
export const canManageMembers = (roleId: string | null): boolean => roleId !== null && roleHasAction(roleId, 'permissions/delete');
export const canEditContent = (roleId: string | null): boolean => roleId !== null && roleHasAction(roleId, 'upload/create');

export const isActive = (m: SpaceMember, now: number): boolean => m.expiresAt === null || m.expiresAt > now;

/** Root roles nest (Space Viewer ⊂ Space Editor ⊂ Manager), so the union of several grants is the one with most actions. */
const strength = (roleId: string): number => findRole(roleId)?.actions.length ?? -1;

/** The strongest unexpired grant the user holds on a space, directly or through one of their groups. */
export function callerRoleIn(members: SpaceMember[], userId: string, groups: ReadonlySet<string>, now: number): string | null {
  let best: string | null = null;
  for (const m of members) {
    if (!isActive(m, now)) continue;
    const mine = m.principalType === 'user' ? m.principalId === userId : groups.has(m.principalId);
    if (mine && findRole(m.roleId) && (best === null || strength(m.roleId) > strength(best))) best = m.roleId;
  }
  return best;
}

/**
 * The grant that counts on this space: members of a disabled space lose
 * access, except its Managers, who still see it (to restore or purge it).
 */
export function effectiveRole(space: Space, role: string | null): string | null {
  if (space.disabledAt !== null && !canManageMembers(role)) return null;
  return role;
}

/** A space is visible to its (effective) members and to holders of Drives.List. */
export const canSee = (memberRole: string | null, global: GlobalRole): boolean => memberRole !== null || global.permissions.has('Drives.List');

export interface CallerFacts {
  global: GlobalRole;
  groups: ReadonlySet<string>;
}

export async function callerFacts(repos: Repositories, userId: string): Promise<CallerFacts> {
  const [global, groups] = await Promise.all([globalRoleOf(repos, userId), repos.groups.groupsOfUser(userId)]);
  return { global, groups: new Set(groups) };
}
