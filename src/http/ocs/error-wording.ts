import type { ErrorDetails, ErrorReason } from '../../domain/errors.js';

/** How Nextcloud words a refusal, and the OCS status it pairs with it when that is not the code's default. */
export interface OcsWording {
  status?: number;
  message: string | ((d: ErrorDetails) => string);
}

const days = (n: string | number | undefined) => `${n} day${Number(n) === 1 ? '' : 's'}`;

/**
 * Nextcloud's messages for the refusals of the sharing services
 * (files_sharing ShareAPIController and Share20\Manager), and oCIS's OCS
 * messages for space memberships (reva ocs shares/spaces.go), by reason.
 * Statuses are those the references answer: ShareAPIController throws
 * OCSNotFoundException for most refusals it checks itself, so several
 * "forbidden" rules answer 404 here.
 */
export const OCS_WORDING: Partial<Record<ErrorReason, OcsWording>> = {
  itemNotFound: { message: 'Wrong path, file/folder does not exist' },
  shareNotFound: { message: 'Wrong share ID, share does not exist' },
  notAFolder: { message: 'Not a directory' },
  unknownShareType: { message: 'Unknown share type' },
  rootNotShareable: { message: 'You cannot share your root folder' },
  recipientUserNotFound: { message: 'Please specify a valid account to share with' },
  recipientGroupNotFound: { message: 'Please specify a valid group' },
  recipientRemoteInvalid: { message: 'Please specify a valid federated account ID' },
  shareWithSelf: { message: 'Cannot share with yourself' },
  shareWithOwner: { message: 'Cannot share with the share owner' },
  // Share20\Manager::userCreateChecks / groupCreateChecks throw plain exceptions; createShare answers them as OCSForbiddenException.
  recipientOutsideGroups: { message: 'Sharing is only allowed with group members' },
  groupNotJoined: { message: 'Sharing is only allowed within your own groups' },
  groupSharingDisabled: { status: 404, message: 'Group sharing is disabled by the administrator' },
  linksDisabled: { status: 404, message: 'Public link sharing is disabled by the administrator' },
  publicUploadDisabled: { message: 'Public upload disabled by the administrator' },
  publicUploadOnFile: { message: 'Public upload is only possible for publicly shared folders' },
  permissionsOutOfRange: { message: 'Valid permissions are required for sharing' },
  sharePermissionOnLink: { message: 'Link shares cannot carry the share permission' },
  linkWithoutReadOrCreate: { message: 'Share must at least have READ or CREATE permissions' },
  linkWriteWithoutRead: { message: 'Share must have READ permission if UPDATE or DELETE permission is set' },
  shareWithoutRead: { message: 'Shares need at least read permissions' },
  noSharePermission: { status: 404, message: (d) => `You are not allowed to share ${d.name}` },
  permissionsExceedHeld: { status: 404, message: (d) => `Cannot increase permissions of ${d.path}` },
  // Share20\Manager::verifyPassword throws; createShare turns that into OCSForbiddenException.
  linkPasswordEnforced: { message: 'Passwords are enforced for link and mail shares' },
  labelTooLong: { message: 'Maximum label length is 255' },
  expiryEnforced: { message: 'Expiration date is enforced' },
  expiryInPast: { status: 404, message: 'Expiration date is in the past' },
  expiryTooFar: { status: 404, message: (d) => `Cannot set expiration date more than ${days(d.days)} in the future` },
  notShareEditor: { message: 'You are not allowed to edit incoming shares' },
  notShareRemover: { message: 'Could not delete share' },
  noShareChanges: { message: 'Wrong or no update parameter given' },

  // Nextcloud's federatedfilesharing (FederatedShareProvider, RequestHandlerController) for shares with other servers.
  federationDisabled: { message: 'Server does not support federated cloud sharing' },
  federationOutgoingDisabled: { message: 'Sharing to remote servers is disabled by the administrator' },
  federatedShareToSelf: { message: 'Not allowed to create a federated share to the same account' },
  federatedShareToLocal: { message: (d) => `${d.user} has an account on this server: share with them as a user of this server` },
  shareOfferFailed: { message: (d) => `Sharing ${d.name} failed, could not find ${d.cloudId}, maybe the server is currently unreachable or uses a self-signed certificate.` },
  offerIncomplete: { message: (d) => `Required parameters are missing: ${d.missing}` },
  invalidToken: { message: 'Invalid token' },
  invalidShareName: { message: 'Invalid name' },
  invalidOfferParameters: { message: 'Invalid parameters' },
  remoteNotAccepted: { message: (d) => `Shares from ${d.host} are not accepted here` },
  offerRecipientNotFound: { message: 'User does not exist' },

  // Nextcloud's user_status app (StatusService's exceptions, the controllers' OCSNotFoundException).
  invalidStatusType: { message: (d) => `Status-type "${d.value}" is not supported` },
  invalidStatusIcon: { message: 'Status-Icon is longer than one character' },
  statusMessageTooLong: { message: (d) => `Message is longer than supported length of ${d.max} characters` },
  clearAtInPast: { message: 'ClearAt is in the past' },
  invalidMessageId: { message: (d) => `Message-Id "${d.value}" is not supported` },
  noUserStatus: { message: (d) => (d.whose === 'own' ? 'No status for the current user' : 'No status for the requested userId') },

  spaceNotFound: { message: "Wrong path, file/folder doesn't exist" },
  invalidSpaceRef: { message: 'could not parse space_ref: it must name a space' },
  notProjectSpace: { message: (d) => (d.action === 'remove' ? 'can not remove members of personal spaces' : 'can not add members to personal spaces') },
  notSpaceManager: { message: 'No share permission' },
  granteeNotFound: { message: 'error getting grantee' },
  missingGrantee: { message: 'missing shareWith' },
  memberNotFound: { message: 'cannot find share' },
  lastManager: { message: (d) => (d.action === 'remove' ? "can't remove the last manager" : 'the space must have at least one manager') },

  // The notifications app answers its refusals without a message (EndpointController, APIController: DataResponse(null, status)).
  notificationNotFound: { message: '' },
  notificationInvalid: { message: '' },
};

/** The OCS message of a refusal: Nextcloud's (or oCIS's) words for its reason, else the service's own. */
export function ocsWording(reason: ErrorReason | undefined): OcsWording | undefined {
  return reason ? OCS_WORDING[reason] : undefined;
}

export const wordingText = (w: OcsWording, details: ErrorDetails): string => (typeof w.message === 'string' ? w.message : w.message(details));
