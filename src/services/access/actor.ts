import { type Actor, OPERATOR_ID } from '../../domain/access.js';
import { ADMIN_GROUP } from '../../domain/group.js';
import type { Repositories } from '../../ports/repositories.js';

/** Loads what the provisioning rules need to know about a caller. */
export async function loadActor(repos: Repositories, userId: string): Promise<Actor> {
  if (userId === OPERATOR_ID) return { userId, isAdmin: true, subadminOf: new Set() };
  const [isAdmin, subadminOf] = await Promise.all([
    repos.groups.isMember(ADMIN_GROUP, userId),
    repos.groups.subadminGroupsOf(userId),
  ]);
  return { userId, isAdmin, subadminOf: new Set(subadminOf) };
}
