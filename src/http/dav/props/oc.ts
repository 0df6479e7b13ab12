import { favoriteKey } from '../../../domain/favorites.js';
import { PERM } from '../../../domain/share.js';
import type { FileNode } from '../../../domain/node.js';
import type { FileAccess } from '../../../services/access/files.contract.js';
import { escapeText, NS_OC, NS_OCS } from '../xml.js';
import type { LiveProp, PropItem, PropScope } from './types.js';

export { FAVORITE, favoriteKey } from '../../../domain/favorites.js';

/** oc:id: the file id zero-padded to 8 digits, then the instance id (nextcloud-ocs.md §8.2). */
export const ocId = (fileId: number, instanceId: string): string => `${String(fileId).padStart(8, '0')}${instanceId}`;

/**
 * oc:permissions from the caller's access to the space, in Nextcloud's
 * letter order (nextcloud-ocs.md §8.2): R reshare, G read, D delete,
 * N+V rename/move, W write (files), C+K create (folders), with S for
 * items reached through a received share and M on its mount point.
 */
export function permissions(item: PropItem, scope: PropScope): string {
  return permissionLetters(item.node, item.access ?? scope.access, item.mountRoot === true);
}

/** The letters of oc:permissions for a node the caller reaches with this access (also the bulk upload's `permissions`). */
export function permissionLetters(node: FileNode, access: FileAccess, mountRoot: boolean): string {
  const can = access.can;
  let p = '';
  if (access.viaShare) p += 'S';
  if (can.share) p += 'R';
  if (mountRoot) p += 'M';
  if (can.read) p += 'G';
  // A mount point can be left (deleted) and renamed by its recipient.
  if (can.delete || mountRoot) p += 'D';
  if (can.write || mountRoot) p += 'NV';
  if (node.type === 'folder' ? can.create : can.write) p += node.type === 'folder' ? 'CK' : 'W';
  return p;
}

/**
 * ocs:share-permissions: what the caller may grant when sharing the item
 * (OCS bits), 0 when they may not share it; files never carry create or
 * delete, as Nextcloud's Node::getSharePermissions.
 */
export function sharePermissions(item: PropItem, scope: PropScope): string {
  const can = (item.access ?? scope.access).can;
  if (!can.share) return '0';
  let bits = PERM.share;
  if (can.read) bits |= PERM.read;
  if (can.write) bits |= PERM.update;
  if (item.node.type === 'folder') {
    if (can.create) bits |= PERM.create;
    if (can.delete) bits |= PERM.delete;
  }
  return String(bits);
}

export const OC_PROPS: LiveProp[] = [
  { ns: NS_OC, name: 'id', get: (i, s) => ocId(i.node.fileId, s.env.instanceId) },
  { ns: NS_OC, name: 'fileid', get: (i) => String(i.node.fileId) },
  { ns: NS_OC, name: 'permissions', get: permissions },
  { ns: NS_OC, name: 'size', get: (i) => String(i.node.size) },
  {
    ns: NS_OC,
    name: 'checksums',
    get: (i) => (i.node.type === 'file' && i.node.checksums ? { xml: `<oc:checksum>${escapeText(i.node.checksums)}</oc:checksum>` } : undefined),
  },
  { ns: NS_OC, name: 'owner-id', get: (_i, s) => s.space.ownerId },
  { ns: NS_OC, name: 'owner-display-name', get: (_i, s) => s.ownerDisplayName },
  // Empty for items without shares, as Nextcloud writes it.
  {
    ns: NS_OC,
    name: 'share-types',
    get: (i, s) => {
      const types = s.shareTypes.get(i.node.id);
      return types ? { xml: types.map((t) => `<oc:share-type>${t}</oc:share-type>`).join('') } : null;
    },
  },
  { ns: NS_OCS, name: 'share-permissions', get: sharePermissions },
  { ns: NS_OC, name: 'privatelink', get: (i, s) => `${s.env.publicUrl}/f/${i.node.fileId}` },
  {
    ns: NS_OC,
    name: 'favorite',
    writable: true,
    get: (i, s) => (s.dead.get(i.node.id)?.get(favoriteKey(s.userId)) === '1' ? '1' : '0'),
  },
  // Clients ask for it on the root; it changes only after a backup restore, which Nimbus does not do.
  { ns: NS_OC, name: 'data-fingerprint', get: (i) => (i.path.length === 0 ? '' : undefined) },
];
