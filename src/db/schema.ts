/** Table shapes as Kysely sees them. Booleans are 0/1 integers, times epoch milliseconds. */
export interface UsersTable {
  id: string;
  id_lower: string;
  display_name: string;
  email: string | null;
  password_hash: string;
  enabled: number;
  quota: string;
  language: string;
  locale: string;
  timezone: string;
  manager: string;
  profile: string;
  created_at: number;
  first_login_at: number | null;
  last_login_at: number | null;
}

export interface GroupsTable {
  id: string;
  id_lower: string;
  display_name: string;
  created_at: number;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
}

export interface GroupSubadminsTable {
  group_id: string;
  user_id: string;
}

export interface AppPasswordsTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
}

export interface AppStatesTable {
  app_id: string;
  enabled: number;
}

export interface LoginFailuresTable {
  id: string;
  address: string;
  login: string;
  created_at: number;
}

export interface InstanceSettingsTable {
  key: string;
  value: string;
}

export interface UserRolesTable {
  user_id: string;
  role: string;
}

export interface SpacesTable {
  id: string;
  type: string;
  name: string;
  description: string | null;
  alias: string;
  quota_total: number | null;
  owner_id: string;
  created_at: number;
  mtime: number;
  etag: string;
  size: number;
  disabled_at: number | null;
  special_readme: string | null;
  special_image: string | null;
}

export interface SpaceMembersTable {
  space_id: string;
  principal_type: string;
  principal_id: string;
  role_id: string;
  expires_at: number | null;
  created_at: number;
  invited_by: string | null;
}

export interface Database {
  instance_settings: InstanceSettingsTable;
  user_roles: UserRolesTable;
  spaces: SpacesTable;
  space_members: SpaceMembersTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  group_subadmins: GroupSubadminsTable;
  app_passwords: AppPasswordsTable;
  app_states: AppStatesTable;
  login_failures: LoginFailuresTable;
}
