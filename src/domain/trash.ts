import type { FileNode } from './node.js';

/** One deletion in a space's trash bin: the deleted node (the top of its subtree) and where it came from. */
export interface TrashItem {
  id: string;
  spaceId: string;
  /** The deleted node as it was; its members stay below it, unchanged. */
  node: FileNode;
  /** Space-relative path of the node when it was deleted ('a/b/report.pdf'). */
  originalPath: string;
  /** Nextcloud's name of the item in the trash: `report.pdf.d1700000000`. */
  trashName: string;
  /** Epoch milliseconds. */
  deletedAt: number;
  /** The user (or link pseudo-user) that deleted it. */
  deletedBy: string;
}

/** Nextcloud names a trashed entry `<name>.d<deletion time in seconds>` (files_trashbin Trashbin::move2trash). */
export const trashNameOf = (name: string, deletedAtMs: number, bump = 0): string => `${name}.d${Math.floor(deletedAtMs / 1000) + bump}`;

/**
 * Nextcloud's Trashbin::getUniqueFilename: a restore onto a taken name
 * becomes `name (restored).ext`, then `name (restored 2).ext`, and so on.
 */
export function restoredName(name: string, attempt: number): string {
  const dot = name.lastIndexOf('.');
  const [base, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  return attempt === 1 ? `${base} (restored)${ext}` : `${base} (restored ${attempt})${ext}`;
}
