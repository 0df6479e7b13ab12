import { ADMIN_GROUP } from './group.js';

/** What the provisioning rules need to know about the caller. */
export interface Actor {
  userId: string;
  isAdmin: boolean;
  /** Groups the caller administers as a subadmin. */
  subadminOf: ReadonlySet<string>;
}

/**
 * The caller id of the command line (`nimbus user:add …`): an administrator
 * without an account, like Nextcloud's occ. No user id can take it (user ids
 * never contain a colon), so it cannot be signed in with.
 */
export const OPERATOR_ID = ':operator';

export const isSubadmin = (a: Actor): boolean => a.subadminOf.size > 0;

/**
 * Nextcloud's SubAdmin::isUserAccessible: admins reach everyone; a subadmin
 * reaches users sharing one of their groups, but never an admin.
 */
export function canManageUser(actor: Actor, targetGroups: readonly string[]): boolean {
  if (actor.isAdmin) return true;
  if (targetGroups.includes(ADMIN_GROUP)) return false;
  return targetGroups.some((g) => actor.subadminOf.has(g));
}

export const canManageGroup = (actor: Actor, groupId: string): boolean => actor.isAdmin || actor.subadminOf.has(groupId);
