import { DomainError } from './errors.js';

/** Nextcloud refuses longer passwords outright (hashing cost, bcrypt heritage). */
export const MAX_PASSWORD_LENGTH = 469;

// The most common leaked passwords of 10+ characters; refusing them is cheap
// and catches what a length rule alone lets through.
const COMMON = new Set([
  '1234567890',
  '0123456789',
  '12345678910',
  '123456789a',
  'qwertyuiop',
  'password12',
  'password123',
  'password1234',
  '1q2w3e4r5t',
  '1qaz2wsx3edc',
  'qwerty1234',
  'qwerty12345',
  'iloveyou12',
  'abcdefghij',
  'aaaaaaaaaa',
  '1111111111',
  '0000000000',
  'passwordpassword',
  'administrator',
  'letmein123',
  'welcome123',
  'changeme123',
  'football123',
  'qwertyuiop123',
  'princess123',
]);

export interface PasswordPolicy {
  minLength: number;
}

/** Returns the hint Nextcloud's password_policy app would give, or null when acceptable. */
export function passwordPolicyViolation(password: string, policy: PasswordPolicy): string | null {
  const hints: string[] = [];
  if (COMMON.has(password.toLowerCase())) hints.push('Password is among the 1,000,000 most common ones. Please make it unique.');
  if ([...password].length < policy.minLength) hints.push(`Password needs to be at least ${policy.minLength} characters long.`);
  return hints.length ? hints.join(' ') : null;
}

export function assertPasswordAcceptable(password: string, policy: PasswordPolicy | null): void {
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new DomainError('invalidInput', 'Invalid password value', 'passwordTooLong');
  }
  if (!policy) return;
  const hint = passwordPolicyViolation(password, policy);
  if (hint) throw new DomainError('invalidInput', hint, 'passwordPolicy');
}
