import { type Share, SHARE_TYPE } from '../../domain/share.js';
import { actionsOfPermissions, isQuickLink, linkTypeOf, roleOfShare } from '../../domain/share-roles.js';
import { SHARES_SPACE_ID } from '../../domain/space.js';
import type { ReceivedItem, SharedItem } from '../../services/sharing/graph-shared-items.service.js';
import { driveItemJson } from './drive-item-json.js';
import { SHARES_DRIVE_ID } from './drive-json.js';
import { driveId, itemId } from './ids.js';
import type { GraphEnv } from './route.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const name = (names: Map<string, string>, kind: 'user' | 'group', id: string): string => names.get(`${kind}:${id}`) ?? id;
const userIdentity = (names: Map<string, string>, id: string) => ({ displayName: name(names, 'user', id), id });

/**
 * A share as a LibreGraph permission (libregraph.md §2.5), keys in
 * alphabetical order like the other Graph bodies. The id is the share id,
 * which cannot collide with a space member's `u:`/`g:` id. Links show their
 * type (or, when their bits match no type, the raw actions); user and group
 * shares their role (or the raw actions) and who invited.
 */
export function sharePermissionJson(env: GraphEnv, share: Share, names: Map<string, string>): Record<string, unknown> {
  const created = iso(share.createdAt);
  const expiration = share.expiresAt !== null ? iso(share.expiresAt) : undefined;
  if (share.type === SHARE_TYPE.link) {
    const type = linkTypeOf(share.permissions, share.hideDownload, share.itemType);
    return {
      '@libre.graph.permissions.actions': type ? undefined : actionsOfPermissions(share.permissions, share.itemType),
      createdDateTime: created,
      expirationDateTime: expiration,
      hasPassword: share.passwordHash !== null,
      id: share.id,
      link: {
        '@libre.graph.displayName': share.label,
        '@libre.graph.quickLink': isQuickLink(share.attributes),
        preventsDownload: share.hideDownload,
        type,
        webUrl: `${env.publicUrl}/s/${share.token}`,
      },
    };
  }
  const role = roleOfShare(share.permissions, share.itemType);
  const grantee =
    share.type === SHARE_TYPE.group
      ? { group: { displayName: name(names, 'group', share.shareWith!), id: share.shareWith! } }
      : { user: { '@libre.graph.userType': 'Member', ...userIdentity(names, share.shareWith!) } };
  return {
    '@libre.graph.permissions.actions': role ? undefined : actionsOfPermissions(share.permissions, share.itemType),
    createdDateTime: created,
    expirationDateTime: expiration,
    grantedToV2: grantee,
    id: share.id,
    invitation: { invitedBy: { user: userIdentity(names, share.ownerId) } },
    roles: role ? [role.id] : undefined,
  };
}

/** A sharedByMe entry: the item as the sharer sees it, with the permissions they handed out on it. */
export function sharedByMeJson(env: GraphEnv, item: SharedItem, names: Map<string, string>): Record<string, unknown> {
  return driveItemJson(env, item.space, item.node, item.path, { permissions: item.shares.map((s) => sharePermissionJson(env, s, names)) });
}

/** The jail's root item id as the reference writes it in parent references (`<shares>!<shares space>`). */
export const SHARES_ROOT_ITEM_ID = `${SHARES_DRIVE_ID}!${SHARES_SPACE_ID}`;

/**
 * A sharedWithMe entry (oCIS cs3ReceivedSharesToDriveItems), also a child of
 * the Shares drive's root: a driveItem in the Shares jail, named by its
 * mount when accepted, its id the jail id of the oldest share; `remoteItem`
 * is the shared item in its own drive with the received permissions.
 * Project items have no owner to show.
 */
export function sharedWithMeJson(env: GraphEnv, item: ReceivedItem, names: Map<string, string>): Record<string, unknown> {
  const { space, node, shares } = item;
  const oldest = shares.reduce((a, b) => (b.createdAt < a.createdAt ? b : a));
  const itemName = item.path.length ? node.name : space.name;
  const createdBy = space.type === 'personal' ? { user: userIdentity(names, space.ownerId) } : undefined;
  const facet = node.type === 'folder' ? { folder: {} } : { file: { mimeType: node.mimeType } };
  const size = node.size !== 0 ? node.size : undefined;
  const modified = iso(node.mtime);
  return {
    '@UI.Hidden': false,
    '@client.synchronize': item.mountName !== null,
    createdBy,
    eTag: `"${node.etag}"`,
    ...facet,
    id: `${SHARES_DRIVE_ID}!${oldest.id}`,
    lastModifiedDateTime: modified,
    name: item.mountName ?? itemName,
    parentReference: { driveId: SHARES_DRIVE_ID, driveType: 'virtual', id: SHARES_ROOT_ITEM_ID },
    remoteItem: {
      createdBy,
      eTag: `"${node.etag}"`,
      ...facet,
      id: itemId(env, space.id, node.id),
      lastModifiedDateTime: modified,
      name: itemName,
      parentReference: { driveId: driveId(env, space.id), driveType: space.type },
      permissions: shares.map((s) => sharePermissionJson(env, s, names)),
      size,
    },
    size,
  };
}
