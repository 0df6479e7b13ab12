import { PROFILE_FIELDS, SCOPE_DEFAULTS } from '../../domain/user.js';
import type { UserDetails } from '../../services/identity/users.service.js';

const seconds = (ms: number | null): number => (ms === null ? 0 : Math.floor(ms / 1000));

/** Nextcloud's getUserData, keys in its output order; scope keys only for the user themself. */
export function renderUserData(d: UserDetails): Record<string, unknown> {
  const { user, isSelf } = d;
  const scope = (key: string): Record<string, unknown> =>
    isSelf ? { [key]: user.profile.scopes[key] ?? SCOPE_DEFAULTS[key] } : {};
  const out: Record<string, unknown> = {};
  if (d.managedByViewer) out.enabled = user.enabled;
  Object.assign(out, {
    id: user.id,
    firstLoginTimestamp: seconds(user.firstLoginAt),
    lastLoginTimestamp: seconds(user.lastLoginAt),
    lastLogin: user.lastLoginAt === null ? 0 : seconds(user.lastLoginAt) * 1000,
    backend: 'Database',
    subadmin: d.subadminOf,
    quota: d.quota,
    manager: user.manager,
    ...scope('avatarScope'),
    email: user.email,
    ...scope('emailScope'),
    additional_mail: user.profile.additionalMail,
    ...(isSelf ? { additional_mailScope: user.profile.additionalMail.map(() => 'v2-federated') } : {}),
    displayname: user.displayName,
    'display-name': user.displayName,
    ...scope('displaynameScope'),
  });
  for (const field of PROFILE_FIELDS) {
    if (field === 'pronouns') {
      out.profile_enabled = user.profile.profileEnabled ? '1' : '0';
      Object.assign(out, scope('profile_enabledScope'));
    }
    out[field] = user.profile.fields[field] ?? '';
    Object.assign(out, scope(`${field}Scope`));
  }
  Object.assign(out, {
    groups: d.groups,
    language: user.language || 'en',
    locale: user.locale,
    timezone: user.timezone,
    notify_email: user.profile.notifyEmail,
    backendCapabilities: { setDisplayName: true, setPassword: true },
  });
  return out;
}
