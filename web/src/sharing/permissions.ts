import { PERM } from '../api/shares.js';

/**
 * The choices a person makes, as Nextcloud's permission bits. A file has
 * nothing to create or delete inside it, so "Can edit" is read and update
 * there; on a folder it is read, update, create and delete.
 */
export type Access = 'view' | 'edit';
export type LinkAccess = Access | 'drop';

const EDIT_FILE = PERM.read | PERM.update;
const EDIT_FOLDER = PERM.read | PERM.update | PERM.create | PERM.delete;

export function internalPermissions(access: Access, reshare: boolean, itemType: 'file' | 'folder'): number {
  const base = access === 'edit' ? (itemType === 'folder' ? EDIT_FOLDER : EDIT_FILE) : PERM.read;
  return base | (reshare ? PERM.share : 0);
}

export const accessOf = (permissions: number): Access => (permissions & (PERM.update | PERM.create | PERM.delete) ? 'edit' : 'view');

export const canReshare = (permissions: number): boolean => (permissions & PERM.share) !== 0;

export function linkPermissions(access: LinkAccess, itemType: 'file' | 'folder'): number {
  if (access === 'drop') return PERM.create;
  if (access === 'edit') return itemType === 'folder' ? EDIT_FOLDER : EDIT_FILE;
  return PERM.read;
}

export function linkAccessOf(permissions: number): LinkAccess {
  if ((permissions & PERM.read) === 0 && (permissions & PERM.create) !== 0) return 'drop';
  return permissions & (PERM.update | PERM.create | PERM.delete) ? 'edit' : 'view';
}

export const ACCESS_LABEL: Record<LinkAccess, string> = { view: 'View only', edit: 'Can edit', drop: 'File drop (upload only)' };
