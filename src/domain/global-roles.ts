/** Global (instance-wide) roles, assigned through Graph appRoleAssignments; ids as the reference servers use them. */
export type GlobalRoleKey = 'admin' | 'spaceAdmin' | 'user' | 'userLight';

export interface GlobalRole {
  key: GlobalRoleKey;
  id: string;
  displayName: string;
  description: string;
  permissions: ReadonlySet<string>;
}

export const GLOBAL_ROLES: readonly GlobalRole[] = [
  {
    key: 'admin',
    id: '71881883-1768-46bd-a24d-a356a2afdf7f',
    displayName: 'Admin',
    description: 'Grants administration permissions for all users and spaces',
    permissions: new Set([
      'Accounts.ReadWrite', 'Groups.ReadWrite', 'Roles.ReadWrite', 'Drives.Create', 'Drives.List', 'Drives.ReadWrite',
      'Drives.ReadWriteEnabled', 'Drives.DeleteProject', 'Drives.DeletePersonal', 'Drives.ReadWriteProjectQuota',
      'Drives.ReadWritePersonalQuota', 'PublicLink.Write', 'Shares.Write',
    ]),
  },
  {
    key: 'spaceAdmin',
    id: '2aadd357-682c-406b-8874-293091995fdd',
    displayName: 'Space Admin',
    description: 'Grants Space management permissions',
    permissions: new Set([
      'Drives.Create', 'Drives.List', 'Drives.ReadWrite', 'Drives.ReadWriteEnabled', 'Drives.DeleteProject',
      'Drives.ReadWriteProjectQuota', 'PublicLink.Write', 'Shares.Write',
    ]),
  },
  {
    key: 'user',
    id: 'd7beeea8-8ff4-406b-8fb6-ab2dd81e6b11',
    displayName: 'User',
    description: 'Grants user permissions for the instance',
    permissions: new Set(['PublicLink.Write', 'Shares.Write']),
  },
  {
    key: 'userLight',
    id: '38071a68-456a-4553-846a-fa67bf5596cc',
    displayName: 'User Light',
    description: 'Grants guest user permissions',
    permissions: new Set<string>(),
  },
];

/** The application the roles belong to (appRoleAssignment.resourceId). */
export const GRAPH_APPLICATION_ID = 'ecf4ee6d-14e5-4fd4-91ab-0c5c4bd7f1aa';

export const globalRole = (key: GlobalRoleKey): GlobalRole => GLOBAL_ROLES.find((r) => r.key === key)!;
export const globalRoleById = (id: string): GlobalRole | undefined => GLOBAL_ROLES.find((r) => r.id === id);
export const hasPermission = (key: GlobalRoleKey, permission: string): boolean => globalRole(key).permissions.has(permission);
