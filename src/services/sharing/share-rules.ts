import { fail } from '../../domain/errors.js';
import { assertPasswordAcceptable } from '../../domain/password-policy.js';
import { assertSharePermissions, PERM, SHARE_TYPE, type ShareType } from '../../domain/share.js';
import type { ServiceContext } from '../../ports/service-context.js';

/**
 * Where Nextcloud's and oCIS's sharing rules differ. The rows and every
 * other rule are the same; each front door passes its reference's rules.
 */
export interface ShareRules {
  /**
   * A user or group share asked for again (same sharer, item and
   * recipient): Nextcloud 30+ answers the share already there, oCIS refuses
   * it (409: the existing permission is to be updated instead).
   */
  repeated: 'answerExisting' | 'refuse';
  /**
   * oCIS's internal link: a link without permissions, which only leads
   * those who already have access to the item and so takes no password.
   * Nextcloud has none and refuses a link without read or create.
   */
  internalLinks: boolean;
  /**
   * When an enforced link password is checked: oCIS also when a link
   * without one gets new permissions (reva publicshareprovider
   * UpdatePublicShare), Nextcloud only when the password itself is set
   * (Share20\Manager::updateSharePasswordIfNeeded).
   */
  passwordOnPermissionChange: boolean;
  /**
   * Who may delete a share: Nextcloud lets a recipient drop one for
   * themselves (ShareAPIController::deleteShare, deleteFromSelf); oCIS
   * deletes a permission only for those who may change it.
   */
  recipientsMayDelete: boolean;
}

export const NEXTCLOUD_RULES: ShareRules = { repeated: 'answerExisting', internalLinks: false, passwordOnPermissionChange: false, recipientsMayDelete: true };
export const OCIS_RULES: ShareRules = { repeated: 'refuse', internalLinks: true, passwordOnPermissionChange: true, recipientsMayDelete: false };

/** The permission rules of a share's type, and the admin's switch for links that take uploads. */
export function assertPermissions(ctx: ServiceContext, type: ShareType, permissions: number, itemType: 'file' | 'folder', rules: ShareRules): void {
  assertSharePermissions(type, permissions, itemType, rules.internalLinks);
  if (type === SHARE_TYPE.link && permissions & PERM.create && !ctx.settings.sharing.allowPublicUpload) fail('forbidden', 'links that take uploads are off', 'publicUploadDisabled');
}

/** A link's password hash, by the admin's policy; an internal link (no permissions) takes none, as in oCIS. */
export async function linkPasswordHash(ctx: ServiceContext, type: ShareType, permissions: number, password: string | undefined): Promise<string | null> {
  if (type !== SHARE_TYPE.link) return null;
  if (permissions === 0) {
    if (password) fail('invalidInput', 'an internal link takes no password', 'internalLinkPassword');
    return null;
  }
  if (password === undefined || password === '') {
    if (ctx.settings.sharing.enforceLinkPassword) enforcedPassword();
    return null;
  }
  assertPasswordAcceptable(password, await ctx.passwordPolicy());
  return ctx.hasher.hash(password);
}

export const enforcedPassword = (): never => fail('forbidden', 'a link needs a password', 'linkPasswordEnforced');

export function checkLabel(label: string | undefined): string {
  if (label !== undefined && [...label].length > 255) fail('invalidInput', 'a label has at most 255 characters', 'labelTooLong');
  return label ?? '';
}
