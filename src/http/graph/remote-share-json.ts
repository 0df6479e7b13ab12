import { formatCloudId } from '../../domain/federation.js';
import { PERM, permissionsOfLetters } from '../../domain/share.js';
import { actionsOfPermissions, roleOfShare } from '../../domain/share-roles.js';
import type { RemoteListing, RemoteReceivedItem } from '../../services/sharing/graph-shared-items.service.js';
import { SHARES_DRIVE_ID } from './drive-json.js';
import { SHARES_ROOT_ITEM_ID } from './permission-json.js';

/**
 * reva's fixed storage id for shares from other servers (OCMStorageProviderID,
 * also its space id). Clients tell federated items by ids under it, and it
 * keeps their ids apart from the Shares drive's `<shares>!<share id>`.
 */
export const OCM_STORAGE_ID = '89f37a33-858b-45fa-8890-a1f2b27d90e1';
export const OCM_DRIVE_ID = `${OCM_STORAGE_ID}$${OCM_STORAGE_ID}`;

/** The driveItem id of a share from another server: `<ocm>$<ocm>!<local remote share id>`, as oCIS names OCM items. */
export const remoteItemId = (shareId: string): string => `${OCM_DRIVE_ID}!${shareId}`;

const iso = (ms: number): string => new Date(ms).toISOString();

const federated = (cloudId: string) => {
  const at = cloudId.lastIndexOf('@');
  return { '@libre.graph.userType': 'Federated', displayName: at > 0 ? cloudId.slice(0, at) : cloudId, id: cloudId };
};

/** oc:permissions letters as share bits; reading is implied, since the owner's server answered the share's token. */
const bitsOf = (letters: string): number => permissionsOfLetters(letters) | PERM.read;

/**
 * A share from another server as a sharedWithMe entry and Shares drive child,
 * the way oCIS shows OCM shares: parent the Shares jail, named by the mount
 * once accepted, created by the owner's federated id, and the one permission
 * the caller holds invited by the sharer's. Type, size, eTag, dates and role
 * come from the owner's server and are left out when it did not answer.
 */
export function remoteSharedWithMeJson(item: RemoteReceivedItem, recipient: RemoteListing['recipient']): Record<string, unknown> {
  const { share, root } = item;
  const createdBy = { user: federated(formatCloudId(share.owner, share.remote)) };
  const facet = root ? (root.folder ? { folder: {} } : { file: { mimeType: root.mimeType } }) : {};
  const eTag = root?.etag ? `"${root.etag}"` : undefined;
  const modified = root?.mtime != null ? iso(root.mtime) : undefined;
  const size = root && root.size !== 0 ? root.size : undefined;
  const bits = root ? bitsOf(root.permissions) : null;
  const itemType = root?.folder ? 'folder' : 'file';
  const role = bits !== null ? roleOfShare(bits, itemType) : undefined;
  const permission = {
    '@libre.graph.permissions.actions': bits !== null && !role ? actionsOfPermissions(bits, itemType) : undefined,
    createdDateTime: iso(share.createdAt),
    grantedToV2: { user: { '@libre.graph.userType': 'Member', displayName: recipient.displayName, id: recipient.id } },
    id: share.id,
    invitation: { invitedBy: { user: federated(share.sharedBy) } },
    roles: role ? [role.id] : undefined,
  };
  return {
    '@UI.Hidden': false,
    '@client.synchronize': share.accepted,
    createdBy,
    eTag,
    ...facet,
    id: remoteItemId(share.id),
    lastModifiedDateTime: modified,
    name: share.accepted ? (share.mountName ?? share.name) : share.name,
    parentReference: { driveId: SHARES_DRIVE_ID, driveType: 'virtual', id: SHARES_ROOT_ITEM_ID },
    remoteItem: {
      createdBy,
      eTag,
      ...facet,
      id: `${OCM_STORAGE_ID}$${share.id}`,
      lastModifiedDateTime: modified,
      name: share.name,
      permissions: [permission],
      size,
    },
    size,
  };
}
