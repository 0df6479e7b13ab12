import { createHash } from 'node:crypto';
import { GLOBAL_ROLES, GRAPH_APPLICATION_ID, type GlobalRole } from '../../domain/global-roles.js';
import type { Group } from '../../domain/group.js';
import type { User } from '../../domain/user.js';
import type { DirectoryUser } from '../../services/identity/graph-directory.service.js';
import type { GraphEnv } from './route.js';

/** Users, groups, role assignments and the application as LibreGraph renders them (absent values are omitted, never null). */

export const APPLICATION_NAME = 'Nimbus';

/**
 * The id of a user's (single) role assignment: a UUID derived from user and
 * role, so it is stable, unique across users, and safe in a URL path.
 */
export function assignmentId(userId: string, roleId: string): string {
  const h = createHash('sha1').update(`${userId}\n${roleId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function assignmentJson(user: User, role: GlobalRole): Record<string, unknown> {
  return {
    appRoleId: role.id,
    id: assignmentId(user.id, role.id),
    principalDisplayName: user.displayName,
    principalId: user.id,
    principalType: 'User',
    resourceDisplayName: APPLICATION_NAME,
    resourceId: GRAPH_APPLICATION_ID,
  };
}

/** The application whose appRoles are the global roles; the web client reads role ids and names from it. */
export const applicationJson = (): Record<string, unknown> => ({
  appRoles: GLOBAL_ROLES.map((r) => ({ allowedMemberTypes: ['User'], description: r.description, displayName: r.displayName, id: r.id })),
  displayName: APPLICATION_NAME,
  id: GRAPH_APPLICATION_ID,
});

export interface UserJsonOptions {
  /** Callers with account permissions (and users looking at themselves) see every field; others the reference's reduced set. */
  full: boolean;
  env: GraphEnv;
}

export function userJson(d: DirectoryUser, o: UserJsonOptions): Record<string, unknown> {
  const u = d.user;
  const base: Record<string, unknown> = {
    displayName: u.displayName,
    id: u.id,
    identities: [{ issuer: o.env.publicUrl, issuerAssignedId: u.id }],
    // The reference's reduced set lacks it, though the spec requires it; here it is the id anyway.
    onPremisesSamAccountName: u.id,
    userType: 'Member',
  };
  if (!o.full) return base;
  return {
    ...base,
    accountEnabled: u.enabled,
    appRoleAssignments: d.role ? [assignmentJson(u, d.role)] : undefined,
    mail: u.email ?? undefined,
    memberOf: d.groups?.map((g) => groupJson(g)),
    preferredLanguage: u.language || undefined,
  };
}

export function groupJson(g: Group, members?: User[], env?: GraphEnv): Record<string, unknown> {
  return {
    displayName: g.displayName,
    id: g.id,
    members: members && env ? members.map((u) => userJson({ user: u }, { full: true, env })) : undefined,
  };
}
