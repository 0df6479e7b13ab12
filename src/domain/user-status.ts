/**
 * User status (Nextcloud's user_status app): an online state, automatic
 * (from clients' heartbeats) or set by the user, and an optional message,
 * predefined or custom, that may clear itself at a time.
 */

/** Every status, most important first (StatusService::PRIORITY_ORDERED_STATUSES); all may be set by the user. */
export const STATUS_TYPES = ['online', 'away', 'dnd', 'busy', 'invisible', 'offline'] as const;
export type StatusType = (typeof STATUS_TYPES)[number];

/** Statuses a heartbeat never overrides once the user chose them (StatusService::PERSISTENT_STATUSES). */
export const PERSISTENT_STATUSES: readonly StatusType[] = ['away', 'busy', 'dnd', 'invisible'];

/** What heartbeats may report. */
export const HEARTBEAT_STATUSES: readonly StatusType[] = ['online', 'away'];

/** An automatic (or online) status not renewed for this long reads as offline (INVALIDATE_STATUS_THRESHOLD). */
export const STATUS_STALE_MS = 15 * 60 * 1000;

/** Longest custom message, in characters (StatusService::MAXIMUM_MESSAGE_LENGTH). */
export const MAX_STATUS_MESSAGE = 80;

export interface UserStatus {
  userId: string;
  status: StatusType;
  /** When the status was last set or renewed (epoch ms). */
  statusAt: number;
  userDefined: boolean;
  messageId: string | null;
  icon: string | null;
  message: string | null;
  /** When the message clears itself (epoch ms), null for never. */
  clearAt: number | null;
}

export type ClearAtRule = { type: 'period'; time: number } | { type: 'end-of'; time: 'day' | 'week' } | null;

export interface PredefinedStatus {
  id: string;
  icon: string;
  message: string;
  clearAt: ClearAtRule;
  /** Hidden from the list clients offer (set by other apps through the API only). */
  visible: boolean;
}

/** Nextcloud's PredefinedStatusService::getDefaultStatuses, in its order, with its English texts. */
export const PREDEFINED_STATUSES: readonly PredefinedStatus[] = [
  { id: 'meeting', icon: '📅', message: 'In a meeting', clearAt: { type: 'period', time: 3600 }, visible: true },
  { id: 'commuting', icon: '🚌', message: 'Commuting', clearAt: { type: 'period', time: 1800 }, visible: true },
  { id: 'remote-work', icon: '🏡', message: 'Working remotely', clearAt: { type: 'end-of', time: 'day' }, visible: true },
  { id: 'sick-leave', icon: '🤒', message: 'Out sick', clearAt: { type: 'end-of', time: 'day' }, visible: true },
  { id: 'vacationing', icon: '🌴', message: 'Vacationing', clearAt: null, visible: true },
  { id: 'call', icon: '💬', message: 'In a call', clearAt: null, visible: false },
  { id: 'out-of-office', icon: '🛑', message: 'Out of office', clearAt: null, visible: false },
];

export const predefinedStatus = (id: string): PredefinedStatus | undefined => PREDEFINED_STATUSES.find((p) => p.id === id);

export const isStatusType = (v: string): v is StatusType => (STATUS_TYPES as readonly string[]).includes(v);

const priority = (s: StatusType): number => STATUS_TYPES.indexOf(s);
export const morePressing = (a: StatusType, b: StatusType): boolean => priority(a) < priority(b);

/** Exactly one emoji (one grapheme made of emoji code points), as Nextcloud's IEmojiHelper::isValidSingleEmoji. */
export function isSingleEmoji(value: string): boolean {
  const graphemes = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(value)];
  if (graphemes.length !== 1) return false;
  if (!/\p{Extended_Pictographic}|\p{Regional_Indicator}|\p{Emoji_Presentation}/u.test(value)) return false;
  // Joiners, variation selectors, skin tones and tags may follow; letters, digits or spaces may not.
  return [...value].every((c) => /\p{Extended_Pictographic}|\p{Emoji}|\p{Emoji_Component}|\u200d|\ufe0f|\ufe0e/u.test(c));
}

/**
 * How a stored status reads now (StatusService::processStatus): an automatic
 * or online status not renewed for 15 minutes is offline; a message past its
 * clearAt is gone, and so is the status set with it; a predefined message
 * shows its text and icon unless custom ones were stored.
 */
export function statusAsOf(s: UserStatus, now: number): UserStatus {
  let out = s;
  const reset = (): UserStatus => (out.status === 'offline' && !out.userDefined ? out : { ...out, status: 'offline', statusAt: now, userDefined: false });
  if (out.statusAt < now - STATUS_STALE_MS && (!out.userDefined || out.status === 'online')) out = reset();
  if (out.clearAt !== null && out.clearAt < now) out = { ...reset(), messageId: null, icon: null, message: null, clearAt: null };
  return out;
}

/** The message and icon shown: the stored ones, else the predefined message's. */
export function shownMessage(s: UserStatus): { message: string | null; icon: string | null } {
  const p = s.messageId === null ? undefined : predefinedStatus(s.messageId);
  return { message: s.message || p?.message || s.message, icon: s.icon || p?.icon || s.icon };
}

/** What other users see: invisible reads as offline. */
export const publicStatusType = (s: StatusType): StatusType => (s === 'invisible' ? 'offline' : s);
