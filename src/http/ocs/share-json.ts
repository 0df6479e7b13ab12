import { SHARE_TYPE } from '../../domain/share.js';
import type { ShareView } from '../../services/sharing/share-queries.js';

const REDACTED = '***redacted***';

const seconds = (ms: number): number => Math.floor(ms / 1000);

/** `YYYY-MM-DD 00:00:00`: the day a share expires, as Nextcloud's formatShare writes it. */
function expiration(ms: number | null): string | null {
  if (ms === null) return null;
  return `${new Date(ms).toISOString().slice(0, 10)} 00:00:00`;
}

/**
 * A share as Nextcloud's ShareAPIController::formatShare writes it (samples
 * 30–36): the same keys in the same order, ids as strings, booleans where
 * Nextcloud has booleans and 0/1 integers where it has those. The stored
 * password hash is never shown (Nextcloud master dropped it too).
 */
export function shareJson(v: ShareView, publicUrl: string): Record<string, unknown> {
  const s = v.share;
  const received = v.state !== null;
  const isFolder = v.node.type === 'folder';
  const out: Record<string, unknown> = {
    id: s.id,
    share_type: s.type,
    uid_owner: s.ownerId,
    displayname_owner: v.names.owner,
    permissions: s.permissions,
    can_edit: v.canEdit,
    can_delete: v.canDelete,
    stime: seconds(s.createdAt),
    parent: null,
    expiration: expiration(s.expiresAt),
    token: s.token,
    uid_file_owner: s.fileOwnerId,
    note: s.note,
    label: s.label,
    displayname_file_owner: v.names.fileOwner,
    path: v.path,
    item_type: isFolder ? 'folder' : 'file',
    item_permissions: v.itemPermissions,
    'is-mount-root': received,
    'mount-type': received ? 'shared' : '',
    mimetype: v.node.mimeType,
    has_preview: false,
    storage_id: received ? `shared::${v.fileTarget}` : v.space.type === 'personal' ? `home::${v.space.ownerId}` : `project::${v.space.id}`,
    storage: v.space.rootFileId,
    item_source: v.node.fileId,
    file_source: v.node.fileId,
    file_parent: v.parentFileId,
    file_target: v.fileTarget,
    item_size: v.node.size,
    item_mtime: seconds(v.node.mtime),
  };
  switch (s.type) {
    case SHARE_TYPE.user:
      out.share_with = s.shareWith;
      out.share_with_displayname = v.names.shareWith;
      out.share_with_displayname_unique = v.shareWithUnique;
      break;
    case SHARE_TYPE.group:
      out.share_with = s.shareWith;
      out.share_with_displayname = v.names.shareWith;
      break;
    case SHARE_TYPE.link:
      // Clients read a non-empty share_with or password as "protected"; ownCloud's redaction says so without the hash.
      out.share_with = s.passwordHash ? REDACTED : null;
      out.share_with_displayname = '(Shared link)';
      out.password = s.passwordHash ? REDACTED : null;
      out.send_password_by_talk = false;
      out.url = `${publicUrl}/s/${s.token}`;
      break;
    default:
      out.share_with = s.shareWith;
      out.share_with_displayname = v.names.shareWith ?? '';
  }
  out.mail_send = 0;
  out.hide_download = s.hideDownload ? 1 : 0;
  out.attributes = s.attributes;
  if (received) out.state = v.state;
  return out;
}
