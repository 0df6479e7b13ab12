import { GRAPH_APPLICATION_ID, type GlobalRole } from '../../domain/global-roles.js';
import type { Group } from '../../domain/group.js';
import type { User } from '../../domain/user.js';
import type { DirectoryUser } from '../../services/directory.service.js';

/** The stable id of a user's (single) role assignment. */
export const assignmentId = (userId: string, role: GlobalRole): string => `${userId}:${role.id}`;

export function assignmentJson(userId: string, role: GlobalRole, displayName: string): Record<string, unknown> {
  return {
    appRoleId: role.id,
    id: assignmentId(userId, role),
    principalDisplayName: displayName,
    principalId: userId,
    principalType: 'User',
    resourceDisplayName: 'Nimbus',
    resourceId: GRAPH_APPLICATION_ID,
  };
}

export const groupJson = (g: Group, members?: User[]): Record<string, unknown> => ({
  displayName: g.displayName,
  groupTypes: [],
  id: g.id,
  members: members?.map((u) => userJson({ user: u }, false)),
});

/** User as LibreGraph renders it; callers without account permissions see the reduced set. */
export function userJson(d: DirectoryUser, full = true): Record<string, unknown> {
  const u = d.user;
  return {
    accountEnabled: full ? u.enabled : undefined,
    appRoleAssignments: d.role ? [assignmentJson(u.id, d.role, u.displayName)] : undefined,
    displayName: u.displayName,
    id: u.id,
    identities: [{ issuer: 'nimbus', issuerAssignedId: u.id }],
    mail: full ? (u.email ?? undefined) : undefined,
    memberOf: d.groups?.map((g) => groupJson(g)),
    onPremisesSamAccountName: u.id,
    preferredLanguage: full && u.language ? u.language : undefined,
    userType: 'Member',
  };
}
