/** A rich object of a notification's subject or message (Nextcloud's rich object strings): type, id and name, and what the type adds. */
export interface RichObject {
  type: string;
  id: string;
  name: string;
  server?: string;
}

export type RichParameters = Record<string, RichObject>;

/** How a client follows an action's link: an HTTP request of that method, or a page to open (WEB). */
export type ActionType = 'GET' | 'POST' | 'DELETE' | 'WEB';

export interface NotificationAction {
  label: string;
  link: string;
  type: ActionType;
  primary: boolean;
}

/** A notification as its user reads it, rendered in the user's words. */
export interface Notification {
  id: number;
  app: string;
  user: string;
  createdAt: number;
  objectType: string;
  objectId: string;
  /** The plain text, and the rich template with its parameters. */
  subject: string;
  subjectRich: string;
  subjectRichParameters: RichParameters;
  message: string;
  messageRich: string;
  messageRichParameters: RichParameters;
  link: string;
  icon: string;
  actions: NotificationAction[];
}

/** Nextcloud's notifiers' English wording (files_sharing and federatedfilesharing Notifier). */
export const NOTIFICATION_WORDING = {
  incomingUserShare: 'You received {share} as a share by {user}',
  incomingGroupShare: 'You received {share} to group {group} as a share by {user}',
  remoteShare: 'You received {share} as a remote share from {user}',
  remoteShareOnBehalf: 'You received {share} as a remote share from {user} (on behalf of {behalf})',
  accept: 'Accept',
  decline: 'Decline',
} as const;

/** The limits Nextcloud's admin_notifications API puts on a message, in bytes (PHP's strlen). */
export const ADMIN_SUBJECT_MAX_BYTES = 255;
export const ADMIN_MESSAGE_MAX_BYTES = 4000;

/**
 * The plain text of a rich template (Nextcloud's RichTextFormatter::richToParsed):
 * users read as `@name`, files as their path, anything else as its name.
 */
export function richToParsed(template: string, params: RichParameters): string {
  return template.replace(/\{([^{}]+)\}/g, (whole, key: string) => {
    const p = params[key];
    if (!p) return whole;
    if (p.type === 'user') return `@${p.name}`;
    return p.name;
  });
}

/** A user of another server as a rich object, from their cloud id (`user@server`). */
export function remoteUserObject(cloudId: string): RichObject {
  const at = cloudId.lastIndexOf('@');
  if (at <= 0) return { type: 'user', id: cloudId, name: cloudId, server: '' };
  return { type: 'user', id: cloudId.slice(0, at), name: cloudId, server: cloudId.slice(at + 1) };
}
