import type { ColumnType } from 'kysely';

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
  root_file_id: number;
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

export interface CountersTable {
  name: string;
  value: number;
}

export interface NodesTable {
  id: string;
  file_id: number;
  space_id: string;
  parent_id: string;
  name: string;
  path: string;
  type: string;
  size: number;
  mtime: number;
  etag: string;
  mime_type: string;
  checksums: string | null;
  blob_id: string | null;
  created_at: number;
  /** Who wrote the current content (migration 0016); the version made from it names them. */
  modified_by: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface FileVersionsTable {
  node_id: string;
  revision: number;
  blob_id: string;
  size: number;
  mtime: number;
  etag: string;
  mime_type: string;
  checksums: string | null;
  author: string | null;
  label: string | null;
  created_at: number;
}

export interface TrashItemsTable {
  id: string;
  space_id: string;
  node_id: string;
  original_path: string;
  trash_name: string;
  deleted_at: number;
  deleted_by: string;
}

export type TrashNodesTable = NodesTable & { item_id: string };

export interface DavPropertiesTable {
  node_id: string;
  name: string;
  value: string;
}

export interface DavLocksTable {
  token: string;
  space_id: string;
  path: string;
  scope: string;
  depth: string;
  owner: string;
  user_id: string;
  timeout: number;
  expires_at: number;
}

export interface BlobJournalTable {
  blob_id: string;
  owner: string;
  created_at: number;
}

export interface AvatarsTable {
  user_id: string;
  version: number;
  image: Buffer | null;
  pending: Buffer | null;
  pending_expires_at: number | null;
  updated_at: number;
}

export interface UserStatusTable {
  user_id: string;
  status: string;
  status_at: number;
  user_defined: number;
  message_id: string | null;
  icon: string | null;
  message: string | null;
  clear_at: number | null;
}

export interface PrivateDataTable {
  user_id: string;
  app: string;
  key: string;
  value: string;
}

export interface SharesTable {
  id: number;
  share_type: number;
  owner_id: string;
  file_owner_id: string;
  space_id: string;
  node_id: string;
  item_type: string;
  share_with: string | null;
  permissions: number;
  token: string | null;
  password_hash: string | null;
  expires_at: number | null;
  label: string;
  note: string;
  hide_download: number;
  attributes: string | null;
  target_name: string;
  created_at: number;
}

export interface ShareRecipientsTable {
  share_id: number;
  user_id: string;
  state: number;
  target_name: string | null;
}

export interface ActivitiesTable {
  id: number;
  affected_user: string;
  author: string | null;
  app: string;
  type: string;
  subject: string;
  subject_params: string;
  object_type: string;
  object_id: number;
  object_name: string;
  link: string | null;
  created_at: number;
}

export interface DirectLinksTable {
  token_hash: string;
  user_id: string;
  space_id: string;
  node_id: string;
  expires_at: number;
  created_at: number;
}

export interface RemoteSharesTable {
  id: number;
  user_id: string;
  remote: string;
  remote_id: string;
  token: string;
  name: string;
  owner: string;
  shared_by: string;
  mount_name: string | null;
  accepted: number;
  created_at: number;
}

export interface CacheEpochTable {
  id: number;
  seq: number;
}

export interface CacheChangesTable {
  seq: number;
  keys: string;
  created_at: number;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  name: string;
  remember: number;
  password_proof: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
}

export interface LoginFlowsTable {
  id: string;
  login_hash: string;
  poll_hash: string | null;
  version: number;
  client_name: string;
  public_key: string;
  sealed_private_key: string | null;
  login_name: string | null;
  sealed_password: string | null;
  created_at: number;
  expires_at: number;
}

export interface NotificationsTable {
  id: number;
  user_id: string;
  app: string;
  object_type: string;
  object_id: string;
  subject: string;
  subject_params: string;
  message: string;
  message_params: string;
  share_id: number | null;
  remote_share_id: number | null;
  created_at: number;
}

export interface OidcModelsTable {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

export interface OidcGrantsTable {
  grant_id: string;
  user_id: string;
  client_id: string;
  password_proof: string;
  created_at: number;
  expires_at: number;
}

export interface OidcSigningKeysTable {
  kid: string;
  private_jwk: string;
  created_at: number;
}

export interface OidcIdentitiesTable {
  issuer: string;
  subject: string;
  user_id: string;
  created_at: number;
}

export interface Database {
  oidc_identities: OidcIdentitiesTable;
  oidc_models: OidcModelsTable;
  oidc_grants: OidcGrantsTable;
  oidc_signing_keys: OidcSigningKeysTable;
  notifications: NotificationsTable;
  sessions: SessionsTable;
  login_flows: LoginFlowsTable;
  cache_epoch: CacheEpochTable;
  cache_changes: CacheChangesTable;
  remote_shares: RemoteSharesTable;
  direct_links: DirectLinksTable;
  activities: ActivitiesTable;
  shares: SharesTable;
  share_recipients: ShareRecipientsTable;
  private_data: PrivateDataTable;
  avatars: AvatarsTable;
  user_status: UserStatusTable;
  counters: CountersTable;
  nodes: NodesTable;
  file_versions: FileVersionsTable;
  trash_items: TrashItemsTable;
  trash_nodes: TrashNodesTable;
  dav_properties: DavPropertiesTable;
  dav_locks: DavLocksTable;
  blob_journal: BlobJournalTable;
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
