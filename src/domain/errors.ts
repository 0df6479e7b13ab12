/** The closed set of failure kinds every protocol knows how to render. */
export type ErrorCode =
  | 'invalidInput'
  | 'unauthenticated'
  | 'forbidden'
  | 'notFound'
  | 'conflict'
  | 'preconditionFailed'
  | 'locked'
  | 'quotaExceeded'
  | 'tooManyRequests'
  | 'notImplemented'
  | 'unavailable';

/**
 * A finer reason inside a code. Protocols whose wire format distinguishes
 * more cases than the code (OCS provisioning's 101..113) map reasons, and
 * fall back to the code when a route has no mapping for a reason.
 */
export type ErrorReason =
  | 'alreadyExists'
  // Sign-in and sessions.
  | 'wrongCredentials'
  | 'csrfFailed'
  | 'loginFlowNotFound'
  | 'userExists'
  | 'userNotFound'
  | 'groupExists'
  | 'groupNotFound'
  | 'subadminGroupNotFound'
  | 'appNotFound'
  | 'appAlwaysEnabled'
  | 'passwordPolicy'
  | 'passwordTooLong'
  | 'passwordRequired'
  | 'invalidUserId'
  | 'invalidGroupId'
  | 'invalidQuota'
  | 'invalidEmail'
  | 'invalidLanguage'
  | 'invalidLocale'
  | 'invalidField'
  | 'invalidFilter'
  | 'missingParameter'
  | 'fieldNotEditable'
  | 'selfOperation'
  | 'adminGroup'
  | 'groupPrivilege'
  | 'noGroupForSubadmin'
  | 'notSubadmin'
  | 'lastSubadminGroup'
  | 'notAdmin'
  | 'notAdminOrSubadmin'
  | 'hiddenUser'
  | 'appPasswordInUse'
  | 'throttled'
  // Signing in with the trusted external provider.
  | 'flowExpired'
  | 'providerRefused'
  | 'federationDisabled'
  | 'remoteRefused'
  | 'remoteUnreachable'
  | 'federationOutgoingDisabled'
  | 'federatedShareToSelf'
  | 'federatedShareToLocal'
  | 'shareOfferFailed'
  | 'offerIncomplete'
  | 'invalidToken'
  | 'invalidShareName'
  | 'invalidOfferParameters'
  | 'remoteNotAccepted'
  | 'offerRecipientNotFound'
  // Share rows (SharesService); each protocol words them in its errors.ts.
  | 'itemNotFound'
  | 'shareNotFound'
  | 'notAFolder'
  | 'unknownShareType'
  | 'rootNotShareable'
  | 'recipientUserNotFound'
  | 'recipientGroupNotFound'
  | 'recipientRemoteInvalid'
  | 'shareWithSelf'
  | 'shareWithOwner'
  | 'recipientOutsideGroups'
  | 'groupNotJoined'
  | 'alreadyShared'
  | 'groupSharingDisabled'
  | 'linksDisabled'
  | 'publicUploadDisabled'
  | 'publicUploadOnFile'
  | 'permissionsOutOfRange'
  | 'sharePermissionOnLink'
  | 'linkWithoutReadOrCreate'
  | 'linkWriteWithoutRead'
  | 'shareWithoutRead'
  | 'noSharePermission'
  | 'permissionsExceedHeld'
  | 'linkPasswordEnforced'
  | 'internalLinkPassword'
  | 'labelTooLong'
  | 'expiryEnforced'
  | 'expiryInPast'
  | 'expiryTooFar'
  | 'notShareEditor'
  | 'notShareRemover'
  | 'noShareChanges'
  | 'notALink'
  | 'roleOnLink'
  | 'linkTypeNotApplicable'
  | 'permissionItemMismatch'
  | 'roleNotApplicable'
  | 'roleUnavailable'
  // User status (UserStatusService).
  | 'invalidStatusType'
  | 'invalidStatusIcon'
  | 'statusMessageTooLong'
  | 'clearAtInPast'
  | 'invalidMessageId'
  | 'noUserStatus'
  // Space member rows (SpaceMembersService).
  | 'spaceNotFound'
  | 'invalidSpaceRef'
  | 'notProjectSpace'
  | 'notSpaceManager'
  | 'granteeNotFound'
  | 'missingGrantee'
  | 'alreadyMember'
  | 'memberNotFound'
  | 'lastManager'
  // Avatars (AvatarsService).
  | 'imageTooLarge'
  | 'notAnImage'
  | 'unsupportedImageType'
  | 'noPendingAvatar'
  | 'invalidCrop'
  | 'cropNotSquare'
  | 'avatarNotSet'
  // Notification rows (NotificationsService).
  | 'notificationNotFound'
  | 'notificationInvalid';

/** Values a protocol's wording of a reason may name (a file name, a number of days), beside the neutral message. */
export type ErrorDetails = Readonly<Record<string, string | number>>;

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly reason?: ErrorReason,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const fail = (code: ErrorCode, message: string, reason?: ErrorReason, details?: ErrorDetails): never => {
  throw new DomainError(code, message, reason, details);
};
