import { ocs } from '../api/ocs.js';

/** A user as cloud/users/details lists them (Nextcloud's getUserData); `enabled` only when the caller manages them. */
export interface UserRow {
  id: string;
  displayname: string;
  email: string | null;
  enabled?: boolean;
  groups: string[];
  subadmin: string[];
  quota: { used: number; total?: number; quota: number; relative: number };
}

export interface GroupRow {
  id: string;
  displayname: string;
  usercount: number;
  canAdd: boolean;
  canRemove: boolean;
}

export const PAGE = 50;
const u = (id: string) => `cloud/users/${encodeURIComponent(id)}`;
const g = (id: string) => `cloud/groups/${encodeURIComponent(id)}`;
const page = (search: string, offset: number) => `limit=${PAGE}&offset=${offset}&search=${encodeURIComponent(search)}`;

/** One page of users with their details; entries the caller may not see carry only an id and are left out. */
export async function listUsers(search: string, offset: number): Promise<{ rows: UserRow[]; more: boolean }> {
  const data = await ocs<{ users: Record<string, UserRow | { id: string }> | [] }>('GET', `cloud/users/details?${page(search, offset)}`);
  const all = Object.values(data.users);
  return { rows: all.filter((r): r is UserRow => 'displayname' in r), more: all.length >= PAGE };
}

export const getUser = (id: string) => ocs<UserRow>('GET', u(id));
export const createUser = (body: Record<string, string | string[]>) => ocs<{ id: string }>('POST', 'cloud/users', body);
export const editUser = (id: string, key: string, value: string) => ocs<unknown>('PUT', u(id), { key, value });
export const setEnabled = (id: string, on: boolean) => ocs<unknown>('PUT', `${u(id)}/${on ? 'enable' : 'disable'}`);
export const deleteUser = (id: string) => ocs<unknown>('DELETE', u(id));
export const addToGroup = (id: string, groupid: string) => ocs<unknown>('POST', `${u(id)}/groups`, { groupid });
export const removeFromGroup = (id: string, groupid: string) => ocs<unknown>('DELETE', `${u(id)}/groups?groupid=${encodeURIComponent(groupid)}`);
export const addSubadmin = (id: string, groupid: string) => ocs<unknown>('POST', `${u(id)}/subadmins`, { groupid });
export const removeSubadmin = (id: string, groupid: string) => ocs<unknown>('DELETE', `${u(id)}/subadmins?groupid=${encodeURIComponent(groupid)}`);

export async function listGroups(search = ''): Promise<GroupRow[]> {
  return (await ocs<{ groups: GroupRow[] }>('GET', `cloud/groups/details?search=${encodeURIComponent(search)}`)).groups;
}
export const createGroup = (groupid: string, displayname: string) => ocs<unknown>('POST', 'cloud/groups', { groupid, ...(displayname ? { displayname } : {}) });
export const deleteGroup = (id: string) => ocs<unknown>('DELETE', g(id));
export async function groupMembers(id: string): Promise<string[]> {
  return (await ocs<{ users: string[] }>('GET', `${g(id)}/users`)).users;
}
