import { quotaState, SHARES_SPACE_ID, type SpaceMember } from '../../domain/space.js';
import { findRole, fullActions } from '../../domain/unified-roles.js';
import type { SpaceView } from '../../services/spaces/spaces.service.js';
import { driveItemJson } from './drive-item-json.js';
import { driveId } from './ids.js';
import { INT64_MAX } from './json.js';
import type { GraphEnv, GraphVersion } from './route.js';

/**
 * Drive JSON as the reference emits it (libregraph.md §2.2, §6): keys in
 * alphabetical order (the Go model's field order), absent rather than null.
 */
export const SHARES_DRIVE_ID = `${SHARES_SPACE_ID}$${SHARES_SPACE_ID}`;

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Enabled: remaining/state/total/used, unlimited as total 0 and remaining
 * int64 max. Disabled: only the stored total survives (the reference cannot
 * read the tree of a disabled space).
 */
function quotaJson(view: SpaceView): Record<string, unknown> {
  const used = view.space.size;
  const total = view.quotaLimit ?? 0;
  if (view.space.disabledAt !== null) return view.quotaLimit !== null || view.space.type === 'project' ? { total } : {};
  return {
    remaining: total ? Math.max(total - used, 0) : INT64_MAX,
    state: quotaState(used, total),
    total,
    used,
  };
}

function identity(m: SpaceMember, names: Map<string, string>): Record<string, unknown> {
  return {
    [m.principalType]: {
      '@libre.graph.userType': m.principalType === 'user' ? 'Member' : undefined,
      displayName: names.get(`${m.principalType}:${m.principalId}`) ?? '',
      id: m.principalId,
    },
  };
}

/**
 * A space-root grant. v1.0: legacy role names, grantedToIdentities and
 * grantedToV2, no id. v1beta1: the unified role id (or the raw actions when
 * the grant matches no enabled role), grantedToV2, id `u:<uid>`/`g:<gid>`,
 * and, in root/permissions and invite answers (not in drive listings, which
 * the reference builds from the grants alone), createdDateTime.
 */
export function permissionJson(m: SpaceMember, names: Map<string, string>, version: GraphVersion, withCreated = true): Record<string, unknown> {
  const who = identity(m, names);
  const role = findRole(m.roleId);
  const expiration = m.expiresAt !== null ? iso(m.expiresAt) : undefined;
  if (version === 'v1.0') {
    return {
      expirationDateTime: expiration,
      grantedToIdentities: [who],
      grantedToV2: who,
      roles: role?.legacyName ? [role.legacyName] : undefined,
    };
  }
  const enabled = role?.enabledByDefault === true;
  return {
    '@libre.graph.permissions.actions': !enabled && role ? fullActions(role) : undefined,
    createdDateTime: withCreated ? iso(m.createdAt) : undefined,
    expirationDateTime: expiration,
    grantedToV2: who,
    id: `${m.principalType === 'user' ? 'u' : 'g'}:${m.principalId}`,
    roles: enabled ? [role.id] : undefined,
  };
}

/** The invitation facet of an invite's answer: who invited. */
export function invitationJson(invitedBy: string | null, names: Map<string, string>): Record<string, unknown> | undefined {
  if (!invitedBy) return undefined;
  return { invitedBy: { user: { displayName: names.get(`user:${invitedBy}`) ?? '', id: invitedBy } } };
}

export function driveJson(view: SpaceView, names: Map<string, string>, env: GraphEnv, version: GraphVersion): Record<string, unknown> {
  const { space } = view;
  const id = driveId(env, space.id);
  const disabled = space.disabledAt !== null;
  return {
    // A disabled space's description (and special items) are no longer readable.
    description: disabled ? undefined : (space.description ?? undefined),
    driveAlias: space.alias,
    driveType: space.type,
    id,
    lastModifiedDateTime: iso(space.mtime),
    name: space.name,
    // The reference never resolves the owner's name: displayName is always empty (a required property of identity).
    owner: { user: { displayName: '', id: space.ownerId } },
    quota: quotaJson(view),
    root: {
      deleted: disabled ? { state: 'trashed' } : undefined,
      eTag: `"${space.etag}"`,
      id,
      // A personal space has no grants: its owner's access is implicit (the documentation's personal drive has none).
      permissions: space.type === 'personal' ? undefined : view.members.map((m) => permissionJson(m, names, version, false)),
      webDavUrl: `${env.publicUrl}/dav/spaces/${id}`,
    },
    special: view.special.length ? view.special.map((i) => driveItemJson(env, space, i.node, i.path, { specialFolder: { name: i.kind } })) : undefined,
    webUrl: `${env.publicUrl}/f/${id}`,
  };
}

/**
 * The virtual Shares drive every user sees; its root's children are the
 * caller's accepted mounts (shares-jail.ts). It carries the reference's
 * fixed eTag for the jail and no date, whatever it holds.
 */
export function sharesDriveJson(env: GraphEnv): Record<string, unknown> {
  return {
    driveAlias: 'virtual/shares',
    driveType: 'virtual',
    id: SHARES_DRIVE_ID,
    name: 'Shares',
    root: { eTag: 'DECAFC00FEE', id: SHARES_DRIVE_ID, webDavUrl: `${env.publicUrl}/dav/spaces/${SHARES_DRIVE_ID}` },
    webUrl: `${env.publicUrl}/f/${SHARES_DRIVE_ID}`,
  };
}
