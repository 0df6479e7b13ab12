import { ApiError, BASE, call } from './http.js';

/**
 * LibreGraph, as oCIS's web client calls it: drives (spaces), their members
 * (space-root permissions with unified roles, v1beta1), and the directory
 * for finding people to invite. Errors become the OData body's message.
 */

type Version = 'v1.0' | 'v1beta1';

async function graph<T>(version: Version, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await call({
    method,
    url: `${BASE}/graph/${version}/${route}`,
    headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : null,
  });
  if (res.status === 204) return undefined as T;
  const parsed = (await res.json().catch(() => null)) as (T & { error?: { message?: string } }) | null;
  if (!res.ok) throw graphError(res.status, parsed?.error?.message);
  return parsed as T;
}

const WORDS: Record<number, string> = {
  403: 'You do not have permission to do this.',
  404: 'It is no longer there: it may have been deleted, or you are no longer a member.',
  409: 'This already exists.',
  429: 'Too many requests. Wait a moment and try again.',
};

/** The server's own message when it gave one (it names the rule), else a sentence for the status. */
function graphError(status: number, message: string | undefined): ApiError {
  const detail = message?.trim();
  if (detail && status < 500) return new ApiError(sentence(detail), status);
  return new ApiError(WORDS[status] ?? (status >= 500 ? 'The server could not do this. Try again later.' : 'The server refused this request.'), status);
}

const sentence = (s: string): string => {
  const first = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
};

export interface Identity {
  id: string;
  displayName: string;
}

export interface Permission {
  /** `u:<user>` or `g:<group>` for members; links and shares have other ids. */
  id: string;
  roles?: string[];
  grantedToV2?: { user?: Identity; group?: Identity };
  expirationDateTime?: string;
}

export interface Drive {
  id: string;
  name: string;
  description?: string;
  driveType: 'personal' | 'project' | 'virtual' | string;
  quota?: { total?: number; used?: number; remaining?: number; state?: string };
  root: { deleted?: { state: string }; permissions?: Permission[]; webDavUrl?: string };
  lastModifiedDateTime?: string;
}

export const isDisabled = (d: Drive): boolean => d.root.deleted?.state === 'trashed';

export interface RoleDefinition {
  id: string;
  displayName: string;
  description: string;
  '@libre.graph.weight'?: number;
  rolePermissions?: { allowedResourceActions: string[]; condition: string }[];
}

/** A role that may manage members (the reference's Manager holds permissions/create on the root). */
export const canManage = (role: RoleDefinition | undefined): boolean =>
  !!role?.rolePermissions?.some((p) => p.allowedResourceActions.includes('libre.graph/driveItem/permissions/create'));

/** How much a role may do, to pick the strongest of a user's direct and group grants. */
const strength = (role: RoleDefinition | undefined): number => Math.max(0, ...(role?.rolePermissions ?? []).map((p) => p.allowedResourceActions.length));

/** The caller's role on a space: their own grant or a group's, the strongest. */
export function myRole(d: Drive, me: MeDirectory, roles: RoleDefinition[]): RoleDefinition | undefined {
  const groups = new Set((me.memberOf ?? []).map((g) => g.id));
  const mine = (d.root.permissions ?? []).filter((p) => p.grantedToV2?.user?.id === me.id || (p.grantedToV2?.group && groups.has(p.grantedToV2.group.id)));
  const held = mine.flatMap((p) => p.roles ?? []).map((id) => roles.find((r) => r.id === id)).filter((r): r is RoleDefinition => !!r);
  return held.sort((a, b) => strength(b) - strength(a))[0];
}

export interface MeDirectory {
  id: string;
  displayName: string;
  memberOf?: { id: string }[];
  appRoleAssignments?: { appRoleId: string }[];
}

/**
 * The global roles that hold Drives.Create (Admin, Space Admin). Their ids
 * are fixed by the reference servers, as the appRoles of GET /applications
 * list them; a client reads them from the user's appRoleAssignments.
 */
const CREATORS = new Set(['71881883-1768-46bd-a24d-a356a2afdf7f', '2aadd357-682c-406b-8874-293091995fdd']);

export const meDirectory = (): Promise<MeDirectory> => graph<MeDirectory>('v1.0', 'GET', 'me?$expand=memberOf,appRoleAssignments');

export const mayCreateSpaces = (me: MeDirectory): boolean => (me.appRoleAssignments ?? []).some((a) => CREATORS.has(a.appRoleId));

/** The same two roles hold Drives.ReadWriteProjectQuota: a space's other managers cannot change its quota (403). */
export const maySetQuotas = mayCreateSpaces;

/** The caller's project spaces (disabled ones too, for their managers), by name. */
export const projectDrives = (): Promise<Drive[]> =>
  graph<{ value: Drive[] }>('v1beta1', 'GET', `me/drives?$filter=${encodeURIComponent("driveType eq 'project'")}&$orderby=name%20asc`).then((r) => r.value);

export const drive = (id: string): Promise<Drive> => graph<Drive>('v1beta1', 'GET', `drives/${encodeURIComponent(id)}`);

export const createDrive = (name: string, description: string, quotaTotal?: number): Promise<Drive> =>
  graph<Drive>('v1.0', 'POST', 'drives', { name, ...(description ? { description } : {}), ...(quotaTotal !== undefined ? { quota: { total: quotaTotal } } : {}) });

/** Rename, describe, set the quota (0 is unlimited). */
export const updateDrive = (id: string, changes: { name?: string; description?: string; quotaTotal?: number }): Promise<Drive> =>
  graph<Drive>('v1.0', 'PATCH', `drives/${encodeURIComponent(id)}`, {
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.description !== undefined ? { description: changes.description } : {}),
    ...(changes.quotaTotal !== undefined ? { quota: { total: changes.quotaTotal } } : {}),
  });

export const disableDrive = (id: string): Promise<void> => graph<void>('v1.0', 'DELETE', `drives/${encodeURIComponent(id)}`);

export const restoreDrive = (id: string): Promise<Drive> => graph<Drive>('v1.0', 'PATCH', `drives/${encodeURIComponent(id)}`, {}, { Restore: 'T' });

/** Only a disabled space can be purged; this cannot be undone. */
export const purgeDrive = (id: string): Promise<void> => graph<void>('v1.0', 'DELETE', `drives/${encodeURIComponent(id)}`, undefined, { Purge: 'T' });

export const roleDefinitions = (): Promise<RoleDefinition[]> => graph<RoleDefinition[]>('v1beta1', 'GET', 'roleManagement/permissions/roleDefinitions');

export interface Members {
  /** The roles the caller may hand out on this space, weakest first. */
  roles: RoleDefinition[];
  members: Permission[];
}

const root = (driveId: string) => `drives/${encodeURIComponent(driveId)}/root`;

/** Members of a space (its root's user and group grants; links are left out). */
export async function members(driveId: string): Promise<Members> {
  const r = await graph<{ value: Permission[]; '@libre.graph.permissions.roles.allowedValues'?: RoleDefinition[] }>('v1beta1', 'GET', `${root(driveId)}/permissions?$filter=${encodeURIComponent("grantedToV2 ne ''")}`);
  const roles = [...(r['@libre.graph.permissions.roles.allowedValues'] ?? [])].sort((a, b) => (a['@libre.graph.weight'] ?? 0) - (b['@libre.graph.weight'] ?? 0));
  return { roles, members: r.value.filter((p) => /^[ug]:/.test(p.id)) };
}

export const invite = (driveId: string, who: { type: 'user' | 'group'; id: string }, roleId: string): Promise<Permission> =>
  graph<{ value: Permission[] }>('v1beta1', 'POST', `${root(driveId)}/invite`, { recipients: [{ objectId: who.id, '@libre.graph.recipient.type': who.type }], roles: [roleId] }).then((r) => r.value[0]!);

export const changeRole = (driveId: string, permissionId: string, roleId: string): Promise<Permission> =>
  graph<Permission>('v1beta1', 'PATCH', `${root(driveId)}/permissions/${encodeURIComponent(permissionId)}`, { roles: [roleId] });

export const removeMember = (driveId: string, permissionId: string): Promise<void> => graph<void>('v1beta1', 'DELETE', `${root(driveId)}/permissions/${encodeURIComponent(permissionId)}`);

export interface Principal extends Identity {
  type: 'user' | 'group';
  detail?: string;
}

/** Users and groups matching what was typed (the server wants 3 characters or more from non-admins). */
export async function searchPrincipals(term: string, signal?: AbortSignal): Promise<Principal[]> {
  const q = encodeURIComponent(`"${term.replace(/"/g, '')}"`);
  const get = async <T>(route: string) => {
    const res = await call({ method: 'GET', url: `${BASE}/graph/v1.0/${route}`, headers: { Accept: 'application/json' }, ...(signal ? { signal } : {}) });
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      throw graphError(res.status, body?.error?.message);
    }
    return ((await res.json()) as { value: T[] }).value;
  };
  const [users, groups] = await Promise.all([
    get<{ id: string; displayName: string; mail?: string; onPremisesSamAccountName?: string }>(`users?$search=${q}&$orderby=displayName`),
    get<{ id: string; displayName: string }>(`groups?$search=${q}&$orderby=displayName`).catch(() => []),
  ]);
  return [
    ...users.map((u): Principal => ({ type: 'user', id: u.id, displayName: u.displayName || u.id, ...(u.mail || u.onPremisesSamAccountName ? { detail: u.mail || u.onPremisesSamAccountName } : {}) })),
    ...groups.map((g): Principal => ({ type: 'group', id: g.id, displayName: g.displayName || g.id, detail: 'Group' })),
  ];
}
