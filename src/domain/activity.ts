/**
 * Activities as the Nextcloud activity app models them: each event is stored
 * once per affected user with an app, a type (what notification settings and
 * filters key on), a subject key and typed subject parameters; the human text
 * and the rich template are rendered when listed.
 */

export const ACTIVITY_APPS = { files: 'files', sharing: 'files_sharing' } as const;

/** Activity types of the files and files_sharing apps (Nextcloud's Setting ids). */
export const ACTIVITY_TYPES = {
  fileCreated: 'file_created',
  fileChanged: 'file_changed',
  fileDeleted: 'file_deleted',
  fileRestored: 'file_restored',
  shared: 'shared',
  remoteShare: 'remote_share',
} as const;

/**
 * What happened to a file. Nextcloud records renames and moves as type
 * `file_changed` with their own subjects (`renamed_self`, `moved_by`, …).
 */
export type FileVerb = 'created' | 'changed' | 'deleted' | 'restored' | 'renamed' | 'moved';

const FILE_VERB_TYPES: Record<FileVerb, string> = {
  created: ACTIVITY_TYPES.fileCreated,
  changed: ACTIVITY_TYPES.fileChanged,
  deleted: ACTIVITY_TYPES.fileDeleted,
  restored: ACTIVITY_TYPES.fileRestored,
  renamed: ACTIVITY_TYPES.fileChanged,
  moved: ACTIVITY_TYPES.fileChanged,
};

export const fileActivityType = (verb: FileVerb): string => FILE_VERB_TYPES[verb];

/** The subject key one audience sees: `_self` for the author, `_by` for everyone else. */
export const fileSubject = (verb: FileVerb, self: boolean): string => `${verb}_${self ? 'self' : 'by'}`;

/** A typed reference stored in subject parameters; names of users and groups are looked up when rendered. */
export type ActivityParam =
  | { type: 'file'; id: number; path: string }
  | { type: 'user'; id: string }
  | { type: 'group'; id: string }
  | { type: 'email'; id: string }
  /** A user of another server: `user@server` (a federated cloud id). */
  | { type: 'cloud'; id: string }
  /** A name with nothing local behind it (a remote share's file). */
  | { type: 'text'; id: string };

/** Subject parameters of a file event: `file`, or `oldfile` and `newfile` for renames and moves; `user` is the author on `_by` subjects. */
export function fileSubjectParams(verb: FileVerb, author: string | null, self: boolean, file: { id: number; path: string }, oldPath?: string): Record<string, ActivityParam> {
  const params: Record<string, ActivityParam> =
    verb === 'renamed' || verb === 'moved'
      ? { oldfile: { type: 'file', id: file.id, path: oldPath ?? file.path }, newfile: { type: 'file', id: file.id, path: file.path } }
      : { file: { type: 'file', id: file.id, path: file.path } };
  if (!self && author) params.user = { type: 'user', id: author };
  return params;
}

/** English subjects of the files and files_sharing apps (Nextcloud's providers), keyed by stored subject. */
const SUBJECTS: Record<string, string> = {
  created_self: 'You created {file}',
  created_by: '{user} created {file}',
  created_public: '{file} was created in a public folder',
  changed_self: 'You changed {file}',
  changed_by: '{user} changed {file}',
  deleted_self: 'You deleted {file}',
  deleted_by: '{user} deleted {file}',
  restored_self: 'You restored {file}',
  restored_by: '{user} restored {file}',
  renamed_self: 'You renamed {oldfile} to {newfile}',
  renamed_by: '{user} renamed {oldfile} to {newfile}',
  moved_self: 'You moved {oldfile} to {newfile}',
  moved_by: '{user} moved {oldfile} to {newfile}',
  shared_user_self: 'You shared {file} with {user}',
  unshared_user_self: 'You removed {user} from {file}',
  shared_group_self: 'You shared {file} with group {group}',
  unshared_group_self: 'You removed group {group} from {file}',
  shared_link_self: 'You shared {file} via link',
  unshared_link_self: 'You removed public link for {file}',
  shared_with_by: '{actor} shared {file} with you',
  unshared_by: '{actor} removed you from {file}',
  reshared_user_by: '{actor} shared {file} with {user}',
  unshared_user_by: '{actor} removed {user} from {file}',
  reshared_group_by: '{actor} shared {file} with group {group}',
  unshared_group_by: '{actor} removed group {group} from {file}',
  reshared_link_by: '{actor} shared {file} via link',
  unshared_link_by: '{actor} removed public link for {file}',
  self_unshared: 'You removed yourself from {file}',
  self_unshared_by: '{actor} removed themselves from {file}',
  link_expired: 'Your public link for {file} expired',
  shared_with_email_self: 'You shared {file} with {email}',
  shared_user_self_remote: 'You shared {file} with {remote}',
  unshared_user_self_remote: 'You removed {remote} from {file}',
  remote_share: 'You received a new remote share {file} from {remote}',
  remote_share_accepted: '{remote} accepted the remote share of {file}',
  remote_share_declined: '{remote} declined the remote share of {file}',
  remote_share_unshared: '{remote} unshared {file} from you',
  unshared_with_email_self: 'You unshared {file} from {email}',
};

/** A rich-object parameter as Nextcloud's OCP\RichObjectStrings define it (every value a string). */
export type RichParam = Record<string, string>;

export interface RenderedSubject {
  subject: string;
  rich: [string, Record<string, RichParam>];
}

/** How names are resolved at render time: display names of users and groups, and a file's link. */
export interface RenderNames {
  user(id: string): string;
  group(id: string): string;
  fileLink?(fileId: number, path: string): string;
}

function isParam(v: unknown): v is ActivityParam {
  if (!v || typeof v !== 'object') return false;
  const p = v as { type?: unknown; id?: unknown };
  return (p.type === 'file' && typeof p.id === 'number' && typeof (v as { path?: unknown }).path === 'string') ||
    ((p.type === 'user' || p.type === 'group' || p.type === 'email' || p.type === 'cloud' || p.type === 'text') && typeof p.id === 'string');
}

const basename = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

function richOf(p: ActivityParam, names: RenderNames): RichParam {
  switch (p.type) {
    case 'file': {
      // Nextcloud's files provider: the path without its leading slash, the name its last segment.
      const path = p.path.replace(/^\/+/, '');
      const rich: RichParam = { type: 'file', id: String(p.id), name: basename(path), path };
      const link = names.fileLink?.(p.id, p.path);
      if (link) rich.link = link;
      return rich;
    }
    case 'user':
      return { type: 'user', id: p.id, name: names.user(p.id) };
    case 'group':
      return { type: 'user-group', id: p.id, name: names.group(p.id) };
    case 'email':
      return { type: 'email', id: p.id, name: p.id };
    case 'text':
      return { type: 'highlight', id: p.id, name: p.id };
    case 'cloud': {
      // Nextcloud's federated users: a user object naming its server.
      const at = p.id.lastIndexOf('@');
      return { type: 'user', id: p.id.slice(0, at), name: p.id, server: p.id.slice(at + 1) };
    }
  }
}

/** The text a rich parameter stands for in the plain subject: a file's path, anything else's name. */
const plainOf = (r: RichParam): string => (r.type === 'file' ? r.path! : r.name!);

/**
 * The plain subject and the rich [template, parameters] pair. Unknown
 * subjects render as their key so a row written by a newer version still lists.
 */
export function renderSubject(subject: string, params: Record<string, unknown>, names: RenderNames): RenderedSubject {
  const template = SUBJECTS[subject] ?? subject;
  const rich: Record<string, RichParam> = {};
  for (const [key, value] of Object.entries(params)) if (isParam(value) && template.includes(`{${key}}`)) rich[key] = richOf(value, names);
  const text = template.replace(/\{(\w+)\}/g, (whole, key: string) => (rich[key] ? plainOf(rich[key]) : whole));
  return { subject: text, rich: [template, rich] };
}

/** The stream filters of the activity app's API, with what each keeps. */
export interface ActivityFilter {
  id: string;
  name: string;
  priority: number;
  apps?: readonly string[];
  author?: 'self' | 'others';
}

/**
 * Nextcloud's filters `all`, `self`, `by`, `files` and `files_sharing`.
 * `favorites` is not offered yet, and an unknown filter answers 404 as
 * Nextcloud does. The listing also accepts Nextcloud's unlisted `filter`,
 * which keeps the events of one object (object_type and object_id).
 */
export const ACTIVITY_FILTERS: readonly ActivityFilter[] = [
  { id: 'all', name: 'All activities', priority: 0 },
  { id: 'self', name: 'By you', priority: 1, author: 'self' },
  { id: 'by', name: 'By others', priority: 2, author: 'others' },
  { id: 'files', name: 'File changes', priority: 10, apps: [ACTIVITY_APPS.files] },
  { id: 'files_sharing', name: 'File shares', priority: 30, apps: [ACTIVITY_APPS.sharing] },
];

export const OBJECT_FILTER = 'filter';

export const findActivityFilter = (id: string): ActivityFilter | undefined => ACTIVITY_FILTERS.find((f) => f.id === id);

/** Nextcloud caps a page at 200 activities. */
export const MAX_ACTIVITY_PAGE = 200;
