import { fail } from '../../domain/errors.js';
import { PERM, SHARE_TYPE, type SharingSettings, type ShareType } from '../../domain/share.js';
import type { FileAccess } from './files.contract.js';

const DAY = 86_400_000;

/** Midnight UTC that starts the day of an instant. */
const dayStart = (ms: number): number => Math.floor(ms / DAY) * DAY;

export const endOfDay = (ms: number): number => dayStart(ms) + DAY - 1000;

/**
 * The expiry a share gets (Nextcloud Share20\Manager::validateExpirationDate*):
 * `undefined` asks for the default, `null` for none. Today and earlier are
 * in the past; an enforced policy refuses none and caps the date.
 */
export function resolveExpiry(type: ShareType, requested: number | null | undefined, settings: SharingSettings, now: number): number | null {
  const policy = type === SHARE_TYPE.link ? settings.linkExpiry : settings.internalExpiry;
  if (requested === undefined) return policy.defaultDays === null ? null : endOfDay(now + policy.defaultDays * DAY);
  if (requested === null) {
    if (policy.enforced && policy.defaultDays !== null) fail('forbidden', 'an expiry date is required', 'expiryEnforced');
    return null;
  }
  if (requested <= now || dayStart(requested) <= dayStart(now)) fail('invalidInput', 'the expiry date has passed', 'expiryInPast');
  if (policy.enforced && policy.defaultDays !== null && dayStart(requested) > dayStart(now + policy.defaultDays * DAY)) {
    fail('invalidInput', `the expiry date is more than ${policy.defaultDays} days away`, 'expiryTooFar', { days: policy.defaultDays });
  }
  return requested;
}

/** The caller's own rights on a node as share permission bits. */
export function permissionsOf(access: FileAccess, itemType: 'file' | 'folder'): number {
  const c = access.can;
  let p = (c.read ? PERM.read : 0) | (c.write ? PERM.update : 0) | (c.share ? PERM.share : 0);
  // At a received share's root delete is held back only so the mount cannot be deleted through it; what is inside may be, so it can be passed on.
  const heldDelete = c.delete || (access.viaShare?.atRoot === true && (access.viaShare.permissions & PERM.delete) !== 0);
  if (itemType === 'folder') p |= (c.create ? PERM.create : 0) | (heldDelete ? PERM.delete : 0);
  return p;
}

/** Resharing (Nextcloud's checks): the sharer needs the share permission, and the share may not give more than they hold. */
export function assertMayGrant(held: number, requested: number, type: ShareType, name: string, displayPath: string, settings: SharingSettings, isOwner: boolean): void {
  if ((!isOwner && !settings.allowResharing) || !(held & PERM.share)) fail('forbidden', 'the caller may not share this item', 'noSharePermission', { name });
  // Links never carry the share bit, and may hold create on a folder the sharer can write to.
  const wanted = type === SHARE_TYPE.link ? requested & ~PERM.share : requested;
  if ((wanted & ~held) !== 0) fail('forbidden', 'a share cannot grant more than its sharer holds', 'permissionsExceedHeld', { path: displayPath });
}
