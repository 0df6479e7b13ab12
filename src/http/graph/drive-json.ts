import { quotaState, SHARES_SPACE_ID, type SpaceMember } from '../../domain/space.js';
import { findRole, fullActions } from '../../domain/unified-roles.js';
import type { SpaceListing, SpaceView } from '../../services/spaces.service.js';
import { INT64_MAX } from './json.js';
import type { GraphEnv, GraphVersion } from './route.js';

/**
 * JSON for drives as the reference emits it: keys in alphabetical order (Go
 * struct order of the generated model), absent rather than null.
 */
export const driveId = (env: GraphEnv, spaceId: string): string => `${env.storageId}$${spaceId}`;

const iso = (ms: number): string => new Date(ms).toISOString();


function quotaJson(view: SpaceView): Record<string, unknown> | undefined {
  const used = view.space.size;
  const total = view.quotaLimit ?? 0;
  if (view.space.disabledAt) return total ? { total } : undefined;
  return {
    remaining: total ? Math.max(total - used, 0) : INT64_MAX,
    state: quotaState(used, total),
    total,
    used,
  };
}

export function permissionJson(m: SpaceMember, names: Map<string, string>, version: GraphVersion): Record<string, unknown> {
  const identity = {
    [m.principalType]: {
      '@libre.graph.userType': m.principalType === 'user' ? 'Member' : undefined,
      displayName: names.get(`${m.principalType}:${m.principalId}`) ?? '',
      id: m.principalId,
    },
  };
  const role = findRole(m.roleId);
  const expiration = m.expiresAt !== null ? iso(m.expiresAt) : undefined;
  if (version === 'v1.0') {
    return {
      expirationDateTime: expiration,
      grantedToIdentities: [identity],
      grantedToV2: identity,
      roles: role?.legacyName ? [role.legacyName] : undefined,
    };
  }
  return {
    '@libre.graph.permissions.actions': role?.enabledByDefault ? undefined : role ? fullActions(role) : undefined,
    createdDateTime: iso(m.createdAt),
    expirationDateTime: expiration,
    grantedToV2: identity,
    id: `${m.principalType === 'user' ? 'u' : 'g'}:${m.principalId}`,
    roles: role?.enabledByDefault ? [role.id] : undefined,
  };
}

export function driveJson(view: SpaceView, names: Map<string, string>, env: GraphEnv, version: GraphVersion): Record<string, unknown> {
  const { space } = view;
  const id = driveId(env, space.id);
  const disabled = space.disabledAt !== null;
  return {
    description: disabled ? undefined : (space.description ?? undefined),
    driveAlias: space.alias,
    driveType: space.type,
    id,
    lastModifiedDateTime: iso(space.mtime),
    name: space.name,
    owner: { user: { displayName: space.type === 'personal' ? (names.get(`user:${space.ownerId}`) ?? '') : '', id: space.ownerId } },
    quota: quotaJson(view),
    root: {
      deleted: disabled ? { state: 'trashed' } : undefined,
      eTag: `"${space.etag}"`,
      id,
      permissions: view.members.map((m) => permissionJson(m, names, version)),
      webDavUrl: `${env.publicUrl}/dav/spaces/${id}`,
    },
    webUrl: `${env.publicUrl}/f/${id}`,
  };
}

/** The virtual Shares drive every user sees; shares arrive with the sharing module, so it is empty for now. */
export function sharesDriveJson(env: GraphEnv, etag: string, mtime: number): Record<string, unknown> {
  const id = `${SHARES_SPACE_ID}$${SHARES_SPACE_ID}`;
  return {
    driveAlias: 'virtual/shares',
    driveType: 'virtual',
    id,
    lastModifiedDateTime: iso(mtime),
    name: 'Shares',
    root: { eTag: `"${etag}"`, id, webDavUrl: `${env.publicUrl}/dav/spaces/${id}` },
    webUrl: `${env.publicUrl}/f/${id}`,
  };
}

export const listingJson = (l: SpaceListing, env: GraphEnv, version: GraphVersion): Record<string, unknown>[] =>
  l.views.map((v) => driveJson(v, l.names, env, version));
