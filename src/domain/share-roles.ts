import { PERM } from './share.js';
import { ACTION_ORDER, findRole, ROLE_IDS, type UnifiedRole } from './unified-roles.js';

/**
 * How LibreGraph's link types and unified sharing roles map onto the share
 * permission bits OCS stores (one row whichever API made the share). The
 * reference maps link types to CS3 permission sets (oCIS linktype.go); their
 * OCS equivalents are the bits below.
 */
export const LINK_TYPES = ['internal', 'view', 'upload', 'edit', 'createOnly', 'blocksDownload'] as const;
export type LinkType = (typeof LINK_TYPES)[number];
export const isLinkType = (t: string): t is LinkType => (LINK_TYPES as readonly string[]).includes(t);

type ItemType = 'file' | 'folder';

/**
 * The bits of a link type on an item, or null when the type does not apply
 * to it (upload and createOnly need a folder). blocksDownload is a view link
 * that hides the download (Nextcloud's hide_download).
 */
export function linkPermissions(type: LinkType, itemType: ItemType): { permissions: number; hideDownload: boolean } | null {
  switch (type) {
    case 'internal':
      return { permissions: 0, hideDownload: false };
    case 'view':
      return { permissions: PERM.read, hideDownload: false };
    case 'blocksDownload':
      return { permissions: PERM.read, hideDownload: true };
    case 'edit':
      return { permissions: itemType === 'file' ? PERM.read | PERM.update : PERM.read | PERM.update | PERM.create | PERM.delete, hideDownload: false };
    case 'upload':
      return itemType === 'folder' ? { permissions: PERM.read | PERM.create, hideDownload: false } : null;
    case 'createOnly':
      return itemType === 'folder' ? { permissions: PERM.create, hideDownload: false } : null;
  }
}

/** The link type a stored link shows as; undefined when its bits match none (the permission then lists raw actions). */
export function linkTypeOf(permissions: number, hideDownload: boolean, itemType: ItemType): LinkType | undefined {
  for (const type of LINK_TYPES) {
    const p = linkPermissions(type, itemType);
    if (p && p.permissions === permissions && p.hideDownload === hideDownload) return type;
  }
  return undefined;
}

/** Bits of the item roles a user or group share may carry: the share bit is not part of any role (resharing is the OCS default, not a role). */
const ROLE_BITS: ReadonlyArray<{ roleId: string; itemType: ItemType; permissions: number }> = [
  { roleId: ROLE_IDS.viewer, itemType: 'file', permissions: PERM.read },
  { roleId: ROLE_IDS.fileEditor, itemType: 'file', permissions: PERM.read | PERM.update },
  { roleId: ROLE_IDS.viewer, itemType: 'folder', permissions: PERM.read },
  { roleId: ROLE_IDS.uploader, itemType: 'folder', permissions: PERM.read | PERM.create },
  { roleId: ROLE_IDS.editor, itemType: 'folder', permissions: PERM.read | PERM.update | PERM.create | PERM.delete },
];

/** The bits a role gives on an item, or null when the role does not apply to that kind of item. */
export function roleSharePermissions(roleId: string, itemType: ItemType): number | null {
  return ROLE_BITS.find((r) => r.roleId === roleId && r.itemType === itemType)?.permissions ?? null;
}

/** The enabled role a user or group share's bits amount to (the share bit aside), if any. */
export function roleOfShare(permissions: number, itemType: ItemType): UnifiedRole | undefined {
  const bits = permissions & ~PERM.share;
  const hit = ROLE_BITS.find((r) => r.itemType === itemType && r.permissions === bits);
  return hit ? findRole(hit.roleId) : undefined;
}

/** Roles an item (not a space root) can be shared with, by the item's kind. */
export const itemRoleIds = (itemType: ItemType): string[] => [...new Set(ROLE_BITS.filter((r) => r.itemType === itemType).map((r) => r.roleId))];

const P = 'libre.graph/driveItem/';
const READ_ACTIONS = ['path/read', 'quota/read', 'content/read', 'children/read', 'deleted/read', 'basic/read'];

/**
 * Share bits as LibreGraph actions, in the fixed order: what a permission
 * lists when no role or link type matches, and what a recipient holds.
 */
export function actionsOfPermissions(permissions: number, itemType: ItemType): string[] {
  const set = new Set<string>();
  if (permissions & PERM.read) READ_ACTIONS.forEach((a) => set.add(a));
  if (permissions & PERM.update) ['upload/create', 'deleted/update', ...(itemType === 'folder' ? ['path/update'] : [])].forEach((a) => set.add(a));
  if (permissions & PERM.create) ['children/create', 'upload/create', 'path/read', 'basic/read'].forEach((a) => set.add(a));
  if (permissions & PERM.delete) set.add('standard/delete');
  if (permissions & PERM.share) set.add('permissions/create');
  return ACTION_ORDER.filter((a) => set.has(a.slice(P.length)));
}

/**
 * A quick link (one per item, answered again when asked for anew) is marked
 * in the share's attributes, the JSON list OCS keeps as clients send it.
 */
const QUICK_LINK = { scope: 'libre.graph', key: 'quickLink', value: true } as const;

export function isQuickLink(attributes: string | null): boolean {
  if (!attributes) return false;
  try {
    const list = JSON.parse(attributes) as unknown;
    return Array.isArray(list) && list.some((a) => a && a.scope === QUICK_LINK.scope && a.key === QUICK_LINK.key && a.value === true);
  } catch {
    return false;
  }
}

export const quickLinkAttributes = (): string => JSON.stringify([QUICK_LINK]);
