import { canManageUser } from '../../domain/access.js';
import { fail } from '../../domain/errors.js';
import { isKnownLocale, isKnownTimezone, LANGUAGES } from '../../domain/languages.js';
import { assertPasswordAcceptable } from '../../domain/password-policy.js';
import { normaliseQuota } from '../../domain/quota.js';
import {
  assertValidDisplayName,
  isValidEmail,
  LEGACY_SCOPES,
  PROFILE_FIELDS,
  type ProfileField,
  SCOPE_DEFAULTS,
  SCOPE_VALUES,
  type User,
} from '../../domain/user.js';
import type { Repositories } from '../../ports/repositories.js';
import { loadActor } from '../access/actor.js';
import type { ServiceContext } from '../../ports/service-context.js';

const SELF_KEYS = new Set<string>([
  'display',
  'displayname',
  'email',
  'password',
  'language',
  'locale',
  'timezone',
  'additional_mail',
  'notify_email',
  'profile_enabled',
  ...PROFILE_FIELDS,
  ...Object.keys(SCOPE_DEFAULTS),
]);
const MANAGER_KEYS = new Set<string>([
  'display',
  'displayname',
  'email',
  'password',
  'language',
  'locale',
  'quota',
  'manager',
  'additional_mail',
  'notify_email',
  'profile_enabled',
  ...PROFILE_FIELDS,
]);

const MAX_FIELD_LENGTH = 2048;

/** PUT cloud/users/{id} key=value: the editable-field rules of Nextcloud's provisioning API. */
export class UserEditService {
  constructor(private readonly ctx: ServiceContext) {}

  async edit(callerId: string, targetId: string, key: string, value: string): Promise<void> {
    let passwordHash: string | undefined;
    if (key === 'password') {
      // Nextcloud checks access and the field before the policy; doing it before
      // the slow hash as well keeps refused requests cheap.
      await this.authorise(this.ctx.repos, callerId, targetId, key);
      assertPasswordAcceptable(value, await this.ctx.passwordPolicy());
      passwordHash = await this.ctx.hasher.hash(value);
    }
    await this.ctx.tx.run(async (repos) => {
      const target = await this.authorise(repos, callerId, targetId, key);
      await this.apply(repos, target, key, value, passwordHash);
    });
  }

  /** The target user, once the caller may edit that key on them: missing or hidden 998, field not editable 113. */
  private async authorise(repos: Repositories, callerId: string, targetId: string, key: string): Promise<User> {
    const user = await repos.users.findById(targetId);
    if (!user) fail('notFound', 'User does not exist', 'userNotFound');
    const target = user!;
    const actor = await loadActor(repos, callerId);
    const isSelf = target.id === callerId;
    const manages = canManageUser(actor, await repos.groups.groupsOfUser(target.id));
    if (!isSelf && !manages) fail('notFound', 'User does not exist', 'hiddenUser');

    // Editing yourself follows the self list even for subadmins; only an admin may also set their own quota and manager.
    const allowed = isSelf
      ? SELF_KEYS.has(key) || (actor.isAdmin && (key === 'quota' || key === 'manager'))
      : MANAGER_KEYS.has(key);
    if (!allowed) fail('forbidden', 'Field not editable', 'fieldNotEditable');
    return target;
  }

  private async apply(repos: Repositories, user: User, key: string, value: string, passwordHash?: string): Promise<void> {
    const profile = structuredClone(user.profile);
    switch (key) {
      case 'display':
      case 'displayname':
        assertValidDisplayName(value);
        return repos.users.update(user.id, { displayName: value === '' ? user.id : value });
      case 'email':
        if (value !== '' && !isValidEmail(value)) fail('invalidInput', 'Invalid email address', 'invalidEmail');
        return repos.users.update(user.id, { email: value === '' ? null : value });
      case 'password':
        // Changing the hash also invalidates every remembered Basic login of this user.
        return repos.users.update(user.id, { passwordHash: passwordHash! });
      case 'quota':
        return repos.users.update(user.id, { quota: normaliseQuota(value) });
      case 'language':
        if (value !== 'en' && !LANGUAGES.has(value)) fail('invalidInput', 'Invalid language', 'invalidLanguage');
        return repos.users.update(user.id, { language: value });
      case 'locale':
        if (value !== '' && !isKnownLocale(value)) fail('invalidInput', 'Invalid locale', 'invalidLocale');
        return repos.users.update(user.id, { locale: value });
      case 'timezone':
        if (!isKnownTimezone(value)) fail('invalidInput', 'Invalid timezone', 'invalidField');
        return repos.users.update(user.id, { timezone: value });
      case 'manager': {
        if (value === '') return repos.users.update(user.id, { manager: '' });
        const manager = await repos.users.findById(value);
        if (!manager) fail('invalidInput', 'Manager does not exist', 'invalidField');
        return repos.users.update(user.id, { manager: manager!.id });
      }
      case 'additional_mail':
        if (!isValidEmail(value) || value.toLowerCase() === (user.email ?? '').toLowerCase()) {
          fail('invalidInput', 'Invalid additional email address', 'invalidEmail');
        }
        if (profile.additionalMail.some((m) => m.toLowerCase() === value.toLowerCase())) {
          fail('invalidInput', 'Additional email address already exists', 'invalidEmail');
        }
        profile.additionalMail.push(value);
        return repos.users.update(user.id, { profile });
      case 'notify_email': {
        const known = [user.email ?? '', ...profile.additionalMail].map((m) => m.toLowerCase());
        if (value !== '' && !known.includes(value.toLowerCase())) fail('invalidInput', 'Invalid notification email address', 'invalidEmail');
        profile.notifyEmail = value === '' ? null : value;
        return repos.users.update(user.id, { profile });
      }
      case 'profile_enabled':
        if (!['1', '0', 'true', 'false'].includes(value)) fail('invalidInput', 'Invalid profile_enabled value', 'invalidField');
        profile.profileEnabled = value === '1' || value === 'true';
        return repos.users.update(user.id, { profile });
    }
    if (key in SCOPE_DEFAULTS) {
      const scope = LEGACY_SCOPES[value] ?? value;
      if (!(SCOPE_VALUES as readonly string[]).includes(scope)) fail('invalidInput', 'Invalid scope', 'invalidField');
      profile.scopes[key] = scope;
      return repos.users.update(user.id, { profile });
    }
    if ((PROFILE_FIELDS as readonly string[]).includes(key)) {
      validateProfileField(key as ProfileField, value);
      profile.fields[key as ProfileField] = value;
      return repos.users.update(user.id, { profile });
    }
    fail('forbidden', 'Field not editable', 'fieldNotEditable');
  }
}

function validateProfileField(key: ProfileField, value: string): void {
  if (value.length > MAX_FIELD_LENGTH) fail('invalidInput', `Invalid ${key}`, 'invalidField');
  if (value === '') return;
  if (key === 'phone' && !/^\+?[0-9 ()\-./]{3,30}$/.test(value)) fail('invalidInput', 'Invalid phone number', 'invalidField');
  if (key === 'website' && !/^https?:\/\/[^\s/$.?#].[^\s]*$/i.test(value)) fail('invalidInput', 'Invalid website', 'invalidField');
  if (key === 'fediverse' && !/^@?[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) fail('invalidInput', 'Invalid fediverse handle', 'invalidField');
}
