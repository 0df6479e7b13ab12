import type { ErrorDetails, ErrorReason } from '../../domain/errors.js';

/** How oCIS answers a refusal over Graph: any of the status, OData code and message that differ from the code's default. */
export interface GraphWording {
  status?: number;
  code?: string;
  message?: string | ((d: ErrorDetails) => string);
}

const badRequest = (message: GraphWording['message']): GraphWording => ({ status: 400, code: 'invalidRequest', message });
const denied = (message: GraphWording['message']): GraphWording => ({ status: 403, code: 'accessDenied', message });

/** The Go validator's message, which oCIS returns verbatim for an invalid DriveItemInvite. */
export const validatorMessage = (field: string, tag: string) =>
  `Key: 'DriveItemInvite.${field}' Error:Field validation for '${field.replace(/^.*\./, '')}' failed on the '${tag}' tag`;

/**
 * oCIS's answers (services/graph api_driveitem_permissions*.go, and the
 * CS3 statuses of reva's share providers as errorcode renders them) to the
 * refusals of the sharing and space member services, by reason. oCIS
 * refuses most request problems as 400 invalidRequest, also where
 * Nextcloud's OCS answers 403 or 404.
 */
export const GRAPH_WORDING: Partial<Record<ErrorReason, GraphWording>> = {
  itemNotFound: { message: 'item not found' },
  shareNotFound: { message: 'permission not found' },
  rootNotShareable: badRequest('cannot create link on personal space root'),
  recipientUserNotFound: badRequest('itemNotFound: not found'),
  recipientGroupNotFound: badRequest('itemNotFound: not found'),
  shareWithSelf: badRequest('cannot share an item with yourself'),
  shareWithOwner: badRequest('cannot share an item with its owner'),
  alreadyShared: { message: 'the item is already shared with this recipient: update that permission instead' },
  groupSharingDisabled: denied('group sharing is disabled by the administrator'),
  // oCIS has no such policy; the refusal keeps the words of the policy's Nextcloud origin.
  recipientOutsideGroups: denied('sharing is only allowed with group members'),
  groupNotJoined: denied('sharing is only allowed within your own groups'),
  linksDisabled: denied('public link sharing is disabled by the administrator'),
  publicUploadDisabled: denied('public upload is disabled by the administrator'),
  noSharePermission: denied('no share permission'),
  permissionsExceedHeld: denied('cannot grant more permissions than you hold'),
  // reva's publicshareprovider refuses it as CODE_INVALID_ARGUMENT, which oCIS's errorcode renders as 400 invalidRequest.
  linkPasswordEnforced: badRequest('password protection is enforced'),
  internalLinkPassword: badRequest('password is redundant for the internal link'),
  labelTooLong: badRequest('the display name of a link may have at most 255 characters'),
  // Expiry refusals are bad requests in oCIS; for the enforced policy it has no words of its own, so these keep the policy's.
  expiryEnforced: badRequest('Expiration date is enforced'),
  expiryInPast: badRequest('expiration date is in the past'),
  expiryTooFar: badRequest((d) => `Cannot set expiration date more than ${d.days} day${Number(d.days) === 1 ? '' : 's'} in the future`),
  notShareEditor: denied('permission denied: you may not change this permission'),
  notShareRemover: denied('permission denied: you may not change this permission'),
  notALink: badRequest((d) => (d.field === 'password' ? 'only links have a password' : 'only links have a link type or display name')),
  roleOnLink: badRequest('a link has no role: change its type instead'),
  linkTypeNotApplicable: badRequest('invalid link type'),
  permissionItemMismatch: badRequest('permissionID and itemID do not match'),
  roleNotApplicable: badRequest('role not applicable to this resource'),
  roleUnavailable: badRequest(validatorMessage('Roles[0]', 'available_role')),

  spaceNotFound: { message: 'getting space' },
  notProjectSpace: badRequest('unsupported space type'),
  notSpaceManager: denied((d) => `permission denied: no permission to ${d.action} members ${d.action === 'add' ? 'to' : 'of'} this space`),
  granteeNotFound: badRequest('itemNotFound: not found'),
  alreadyMember: { message: 'the recipient is already a member of this space; update the permission instead' },
  memberNotFound: { message: 'permission not found' },
  lastManager: denied('the last manager of a space cannot be removed or demoted'),
};

export const graphWordingText = (message: NonNullable<GraphWording['message']>, details: ErrorDetails): string =>
  typeof message === 'string' ? message : message(details);
