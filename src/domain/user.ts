import { DomainError } from './errors.js';

/** Profile properties Nextcloud exposes as plain strings, "" when unset. */
export const PROFILE_FIELDS = [
  'phone',
  'address',
  'website',
  'twitter',
  'bluesky',
  'fediverse',
  'organisation',
  'role',
  'headline',
  'biography',
  'pronouns',
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** Scope keys a user may set on themselves, with the default scope Nextcloud reports. */
export const SCOPE_DEFAULTS: Record<string, string> = {
  avatarScope: 'v2-federated',
  emailScope: 'v2-federated',
  displaynameScope: 'v2-federated',
  phoneScope: 'v2-local',
  addressScope: 'v2-local',
  websiteScope: 'v2-local',
  twitterScope: 'v2-local',
  blueskyScope: 'v2-local',
  fediverseScope: 'v2-local',
  organisationScope: 'v2-local',
  roleScope: 'v2-local',
  headlineScope: 'v2-local',
  biographyScope: 'v2-local',
  profile_enabledScope: 'v2-local',
  pronounsScope: 'v2-federated',
};
export const SCOPE_VALUES = ['v2-private', 'v2-local', 'v2-federated', 'v2-published'] as const;
/** Legacy scope names clients still send, as Nextcloud maps them. */
export const LEGACY_SCOPES: Record<string, string> = {
  private: 'v2-local',
  contacts: 'v2-federated',
  public: 'v2-published',
};

export interface UserProfile {
  fields: Partial<Record<ProfileField, string>>;
  scopes: Record<string, string>;
  profileEnabled: boolean;
  additionalMail: string[];
  notifyEmail: string | null;
}

export interface User {
  id: string;
  displayName: string;
  email: string | null;
  passwordHash: string;
  enabled: boolean;
  /** "none", "default", or a byte count as a decimal string. */
  quota: string;
  language: string;
  locale: string;
  timezone: string;
  manager: string;
  profile: UserProfile;
  createdAt: number;
  firstLoginAt: number | null;
  lastLoginAt: number | null;
}

export const emptyProfile = (): UserProfile => ({
  fields: {},
  scopes: {},
  profileEnabled: true,
  additionalMail: [],
  notifyEmail: null,
});

/** A new account's row: what the caller chose, and the defaults every new account starts with (no logins yet, an empty profile). */
export function newUser(fields: Pick<User, 'id' | 'displayName' | 'email' | 'passwordHash' | 'quota' | 'createdAt'> & Partial<Pick<User, 'language'>>): User {
  return { enabled: true, language: '', locale: '', timezone: '', manager: '', profile: emptyProfile(), firstLoginAt: null, lastLoginAt: null, ...fields };
}

/** Nextcloud's allowed uid characters: letters, digits, space and _.@-' */
const USER_ID = /^[a-zA-Z0-9 _.@\-']+$/;
export const MAX_USER_ID_LENGTH = 64;

export function assertValidUserId(id: string): void {
  if (!id || id.trim() !== id) {
    throw new DomainError('invalidInput', 'A valid username must be provided', 'invalidUserId');
  }
  if (!USER_ID.test(id)) {
    throw new DomainError(
      'invalidInput',
      'Only the following characters are allowed in a username: "a-z", "A-Z", "0-9", spaces and "_.@-\'"',
      'invalidUserId',
    );
  }
  if (id.length > MAX_USER_ID_LENGTH) {
    throw new DomainError('invalidInput', `Username is too long (${MAX_USER_ID_LENGTH} characters at most)`, 'invalidUserId');
  }
  if (id === '.' || id === '..') throw new DomainError('invalidInput', 'Username must not consist of dots only', 'invalidUserId');
}

export const MAX_DISPLAY_NAME_LENGTH = 64;

export function assertValidDisplayName(name: string): void {
  if (name.length > MAX_DISPLAY_NAME_LENGTH) {
    throw new DomainError('invalidInput', 'Invalid displayname, too long', 'invalidField');
  }
}

// Deliberately permissive: one @, something on both sides, no spaces.
const EMAIL = /^[^\s@]+@[^\s@]+$/;
export function isValidEmail(value: string): boolean {
  return EMAIL.test(value) && value.length <= 254;
}
