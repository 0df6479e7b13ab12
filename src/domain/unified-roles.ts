/**
 * LibreGraph's built-in unified sharing roles, as data. Ids, names and the
 * order of actions are fixed by the reference servers; clients compare them.
 */
const P = 'libre.graph/driveItem/';
export const ACTION_ORDER = [
  'permissions/create',
  'children/create',
  'standard/delete',
  'path/read',
  'quota/read',
  'content/read',
  'upload/create',
  'permissions/read',
  'children/read',
  'versions/read',
  'deleted/read',
  'path/update',
  'permissions/delete',
  'deleted/delete',
  'versions/update',
  'deleted/update',
  'basic/read',
  'permissions/update',
  'permissions/deny',
].map((a) => P + a);

export type Condition = 'root' | 'folder' | 'file' | 'folderFederated' | 'fileFederated';
export const CONDITION_TEXT: Record<Condition, string> = {
  root: 'exists @Resource.Root',
  folder: 'exists @Resource.Folder',
  file: 'exists @Resource.File',
  folderFederated: 'exists @Resource.Folder && @Subject.UserType=="Federated"',
  fileFederated: 'exists @Resource.File && @Subject.UserType=="Federated"',
};

export interface UnifiedRole {
  id: string;
  key: string;
  displayName: string;
  description: string;
  conditions: Condition[];
  /** Short action names without the libre.graph/driveItem/ prefix, in ACTION_ORDER. */
  actions: string[];
  /** The v1.0 role name shown in root.permissions of /v1.0 drive listings. */
  legacyName?: string;
  enabledByDefault: boolean;
}

const VIEWER = ['path/read', 'quota/read', 'content/read', 'children/read', 'deleted/read', 'basic/read'];
const EDITOR = ['children/create', 'standard/delete', 'path/read', 'quota/read', 'content/read', 'upload/create', 'children/read', 'deleted/read', 'path/update', 'deleted/update', 'basic/read'];
const FILE_EDITOR = ['path/read', 'quota/read', 'content/read', 'upload/create', 'children/read', 'deleted/read', 'deleted/update', 'basic/read'];
const SPACE_EDITOR = ['children/create', 'standard/delete', 'path/read', 'quota/read', 'content/read', 'upload/create', 'permissions/read', 'children/read', 'versions/read', 'deleted/read', 'path/update', 'versions/update', 'deleted/update', 'basic/read'];
const withAction = (list: string[], extra: string): string[] =>
  ACTION_ORDER.map((a) => a.slice(P.length)).filter((a) => list.includes(a) || a === extra);

export const UNIFIED_ROLES: readonly UnifiedRole[] = [
  { id: 'b1e2218d-eef8-4d4c-b82d-0f1a1b48f3b5', key: 'viewer', displayName: 'Can view', description: 'View and download.', conditions: ['file', 'folder', 'fileFederated', 'folderFederated'], actions: VIEWER, legacyName: 'viewer', enabledByDefault: true },
  { id: 'd5041006-ebb3-4b4a-b6a4-7c180ecfb17d', key: 'viewerListGrants', displayName: 'Can view', description: 'View, download and show all invited people.', conditions: ['file', 'folder', 'fileFederated', 'folderFederated'], actions: withAction(VIEWER, 'permissions/read'), enabledByDefault: false },
  { id: 'a8d5fe5e-96e3-418d-825b-534dbdf22b99', key: 'spaceViewer', displayName: 'Can view', description: 'View and download.', conditions: ['root'], actions: withAction(VIEWER, 'permissions/read'), legacyName: 'viewer', enabledByDefault: true },
  { id: 'fb6c3e19-e378-47e5-b277-9732f9de6e21', key: 'editor', displayName: 'Can edit', description: 'View, download, upload, edit, add and delete.', conditions: ['folder', 'folderFederated'], actions: EDITOR, legacyName: 'editor', enabledByDefault: true },
  { id: 'e8ea8b21-abd4-45d2-b893-8d1546378e9e', key: 'editorListGrants', displayName: 'Can edit', description: 'View, download, upload, edit, add, delete and show all invited people.', conditions: ['folder', 'folderFederated'], actions: withAction(EDITOR, 'permissions/read'), enabledByDefault: false },
  { id: '58c63c02-1d89-4572-916a-870abc5a1b7d', key: 'spaceEditor', displayName: 'Can edit', description: 'View, download, upload, edit, add, delete including the history.', conditions: ['root'], actions: SPACE_EDITOR, legacyName: 'editor', enabledByDefault: true },
  { id: '3284f2d5-0070-4ad8-ac40-c247f7c1fb27', key: 'spaceEditorWithoutVersions', displayName: 'Can edit without versions', description: 'View, download, upload, edit, add and delete.', conditions: ['root'], actions: SPACE_EDITOR.filter((a) => !a.startsWith('versions/')), legacyName: 'spaceeditor-without-versions', enabledByDefault: false },
  { id: '2d00ce52-1fc2-4dbc-8b95-a73b73395f5a', key: 'fileEditor', displayName: 'Can edit', description: 'View, download and edit.', conditions: ['file', 'fileFederated'], actions: FILE_EDITOR, legacyName: 'file-editor', enabledByDefault: true },
  { id: 'c1235aea-d106-42db-8458-7d5610fb0a67', key: 'fileEditorListGrants', displayName: 'Can edit', description: 'View, download, edit and show all invited people.', conditions: ['file', 'fileFederated'], actions: withAction(FILE_EDITOR, 'permissions/read'), enabledByDefault: false },
  { id: '1c996275-f1c9-4e71-abdf-a42f6495e960', key: 'uploader', displayName: 'Can upload', description: 'View, download and upload.', conditions: ['folder'], actions: ['children/create', 'path/read', 'content/read', 'upload/create', 'children/read', 'path/update', 'basic/read'], legacyName: 'editor-lite', enabledByDefault: true },
  { id: '312c0871-5ef7-4b3a-85b6-0e4074c64049', key: 'manager', displayName: 'Can manage', description: 'View, download, upload, edit, add, delete and manage members.', conditions: ['root'], actions: ACTION_ORDER.map((a) => a.slice(P.length)), legacyName: 'manager', enabledByDefault: true },
  { id: 'aa97fe03-7980-45ac-9e50-b325749fd7e6', key: 'secureViewer', displayName: 'Can view (secure)', description: 'View only documents, images and PDFs. Watermarks will be applied.', conditions: ['file', 'folder'], actions: ['path/read', 'children/read', 'basic/read'], legacyName: 'secure-viewer', enabledByDefault: false },
];

export const ROLE_IDS = {
  viewer: 'b1e2218d-eef8-4d4c-b82d-0f1a1b48f3b5',
  spaceViewer: 'a8d5fe5e-96e3-418d-825b-534dbdf22b99',
  editor: 'fb6c3e19-e378-47e5-b277-9732f9de6e21',
  spaceEditor: '58c63c02-1d89-4572-916a-870abc5a1b7d',
  fileEditor: '2d00ce52-1fc2-4dbc-8b95-a73b73395f5a',
  uploader: '1c996275-f1c9-4e71-abdf-a42f6495e960',
  manager: '312c0871-5ef7-4b3a-85b6-0e4074c64049',
} as const;

export const findRole = (id: string): UnifiedRole | undefined => UNIFIED_ROLES.find((r) => r.id === id);
export const enabledRoles = (): UnifiedRole[] => UNIFIED_ROLES.filter((r) => r.enabledByDefault);
export const fullActions = (r: UnifiedRole): string[] => r.actions.map((a) => P + a);
export const roleHasAction = (roleId: string, action: string): boolean => findRole(roleId)?.actions.includes(action) ?? false;
