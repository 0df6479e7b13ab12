import { fail } from './errors.js';

/** OCS share types (Nextcloud IShare::TYPE_*); the ones Nimbus serves. */
export const SHARE_TYPE = { user: 0, group: 1, link: 3, remote: 6 } as const;
export type ShareType = (typeof SHARE_TYPE)[keyof typeof SHARE_TYPE];
export const isShareType = (n: number): n is ShareType => n === 0 || n === 1 || n === 3 || n === 6;

/** Permission bits of a share (OCP\Constants::PERMISSION_*). */
export const PERM = { read: 1, update: 2, create: 4, delete: 8, share: 16, all: 31 } as const;

/** Share bits from WebDAV oc:permissions letters (G read, W/N/V update, C/K create, D delete, R share). */
export function permissionsOfLetters(letters: string): number {
  let p = 0;
  if (letters.includes('G')) p |= PERM.read;
  if (/[WNV]/.test(letters)) p |= PERM.update;
  if (/[CK]/.test(letters)) p |= PERM.create;
  if (letters.includes('D')) p |= PERM.delete;
  if (letters.includes('R')) p |= PERM.share;
  return p;
}

/** State of a received share for one recipient (ownCloud's `state`). */
export const SHARE_STATE = { accepted: 0, pending: 1, declined: 2 } as const;
export type ShareState = (typeof SHARE_STATE)[keyof typeof SHARE_STATE];

export interface Share {
  id: string;
  type: ShareType;
  /** The sharer (uid_owner): who created it. */
  ownerId: string;
  /** Whose file it is (uid_file_owner): the personal space's owner, else the sharer. */
  fileOwnerId: string;
  spaceId: string;
  /** The shared node; the space id when the space root is shared. */
  nodeId: string;
  itemType: 'file' | 'folder';
  /** User id, group id or `user@server`; null for links. */
  shareWith: string | null;
  permissions: number;
  token: string | null;
  passwordHash: string | null;
  expiresAt: number | null;
  label: string;
  note: string;
  hideDownload: boolean;
  /** JSON list of {scope, key, value} as the client sent it, or null. */
  attributes: string | null;
  /** Mount name a recipient gets by default: the node's name when it was shared. */
  targetName: string;
  createdAt: number;
}

/** The admin's sharing policy (Nextcloud's shareapi_* app config). */
export interface SharingSettings {
  /** Received user and group shares are mounted at once; when false they wait as pending until accepted. */
  autoAccept: boolean;
  /** Permissions of a user or group share when the client names none. */
  defaultPermissions: number;
  allowResharing: boolean;
  allowGroupSharing: boolean;
  allowLinks: boolean;
  allowPublicUpload: boolean;
  enforceLinkPassword: boolean;
  /** Expiry of links and of user/group shares: a default in days (null: none), and whether it is also the enforced maximum. */
  linkExpiry: { defaultDays: number | null; enforced: boolean };
  internalExpiry: { defaultDays: number | null; enforced: boolean };
  /** Users and groups may only be shared with inside the sharer's own groups (shareapi_only_share_with_group_members). */
  onlyShareWithGroupMembers: boolean;
  /**
   * The share dialog's search lists partial matches (shareapi_allow_share_dialog_user_enumeration),
   * only among members of the caller's groups when `restrictToGroup` (shareapi_restrict_user_enumeration_to_group).
   * Off, only full matches of an id, display name or email are found.
   */
  enumeration: { enabled: boolean; restrictToGroup: boolean };
}

/** A share as one recipient sees it: their state and mount name. */
export interface ReceivedShare extends Share {
  state: ShareState;
  mountName: string;
}

/**
 * The permissions a new share gets (Nextcloud Share20\Manager and
 * ShareAPIController): user and group shares default to the admin's default
 * (31) with read always added; links default to read; single files can never
 * carry create or delete, which are silently stripped.
 */
export function initialPermissions(type: ShareType, itemType: 'file' | 'folder', requested: number | undefined, defaults: { internal: number; link: number }): number {
  let perms = requested ?? (type === SHARE_TYPE.link ? defaults.link : defaults.internal | PERM.read);
  if (itemType === 'file') perms &= ~(PERM.create | PERM.delete);
  return perms;
}

/**
 * The rules every share's permissions must hold (Nextcloud's
 * Share20\Manager). `internalLinks` admits oCIS's internal link, a link
 * without any permission; Nextcloud knows none.
 */
export function assertSharePermissions(type: ShareType, perms: number, itemType: 'file' | 'folder', internalLinks = false): void {
  if (!Number.isInteger(perms) || perms < 0 || perms > PERM.all) fail('notFound', 'share permissions out of range', 'permissionsOutOfRange');
  if (type === SHARE_TYPE.link) {
    if (perms === 0 && internalLinks) return;
    if (perms & PERM.share) fail('invalidInput', 'a link cannot carry the share permission', 'sharePermissionOnLink');
    if (!(perms & (PERM.read | PERM.create))) fail('invalidInput', 'a link needs read or create permission', 'linkWithoutReadOrCreate');
    if (perms & (PERM.update | PERM.delete) && !(perms & PERM.read)) fail('invalidInput', 'a link that updates or deletes needs read permission', 'linkWriteWithoutRead');
    if (itemType === 'file' && perms & (PERM.create | PERM.delete)) fail('invalidInput', 'only a folder can take uploads', 'publicUploadOnFile');
    return;
  }
  if (!(perms & PERM.read)) fail('notFound', 'a share needs read permission', 'shareWithoutRead');
}

/** Legacy `publicUpload`: true is read, update, create and delete; false is read. */
export const publicUploadPermissions = (publicUpload: boolean): number => (publicUpload ? PERM.read | PERM.update | PERM.create | PERM.delete : PERM.read);

export function isExpired(share: Pick<Share, 'expiresAt'>, now: number): boolean {
  return share.expiresAt !== null && share.expiresAt <= now;
}

/** Nextcloud's mount-name de-duplication: "Docs", "Docs (2)", "Docs (3)", … */
export function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let i = 2; ; i++) {
    const candidate = `${stem} (${i})${ext}`;
    if (!taken.has(candidate)) return candidate;
  }
}
