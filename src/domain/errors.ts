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
  | 'federationDisabled'
  | 'remoteRefused'
  | 'remoteUnreachable'
  /** Something is already at the path an operation would create: not a missing parent, which shares the code. */
  | 'alreadyExists';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly reason?: ErrorReason,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const fail = (code: ErrorCode, message: string, reason?: ErrorReason): never => {
  throw new DomainError(code, message, reason);
};
