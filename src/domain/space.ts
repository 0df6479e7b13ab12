import { DomainError } from './errors.js';

export type SpaceType = 'personal' | 'project';
export type PrincipalType = 'user' | 'group';

export interface Space {
  /** The space id: a personal space's is its owner's user id, a project space's a UUID. */
  id: string;
  type: SpaceType;
  name: string;
  description: string | null;
  alias: string;
  /** Project spaces only: bytes, null or 0 for unlimited. */
  quotaTotal: number | null;
  /** Personal: the owner's user id. Project: the space id (the reference's synthetic owner). */
  ownerId: string;
  createdAt: number;
  mtime: number;
  etag: string;
  /** Bytes stored under the root; maintained by the file tree, never scanned. */
  size: number;
  disabledAt: number | null;
  specialReadme: string | null;
  specialImage: string | null;
  /** oc:fileid of the root folder, from the same sequence as every node's. */
  rootFileId: number;
}

/** A space as created: the store gives it its root file id. */
export type NewSpace = Omit<Space, 'rootFileId'>;

export interface SpaceMember {
  spaceId: string;
  principalType: PrincipalType;
  principalId: string;
  roleId: string;
  expiresAt: number | null;
  createdAt: number;
  invitedBy: string | null;
}

/** The virtual Shares drive's fixed id (storage and space parts), as the reference servers use it. */
export const SHARES_SPACE_ID = 'a0ca6a90-a365-4782-871e-d44447bbc668';

/** Project space names: not empty, at most 255 bytes, none of / \ . : ? * " > < | */
export function assertValidSpaceName(name: string): void {
  const trimmed = name.trim();
  if (trimmed === '') throw new DomainError('invalidInput', 'invalid spacename: spacename must not be empty', 'invalidField');
  if (Buffer.byteLength(trimmed, 'utf8') > 255) throw new DomainError('invalidInput', 'invalid spacename: spacename must be smaller than 255', 'invalidField');
  if (/[/\\.:?*"><|]/.test(trimmed)) {
    throw new DomainError('invalidInput', 'invalid spacename: spacenames must not contain [/ \\ . : ? * " > < |]', 'invalidField');
  }
}

export const personalAlias = (userId: string): string => `personal/${userId.toLowerCase()}`;
export const projectAlias = (name: string): string => `project/${name.trim().toLowerCase().replace(/ /g, '-')}`;

export type QuotaState = 'normal' | 'nearing' | 'critical' | 'exceeded';

/** Largest int64: what the reference reports as `remaining` for an unlimited space. */
export const UNLIMITED_REMAINING = '9223372036854775807';

/** The reference's thresholds: ≤75 % normal, ≤90 % nearing, ≤99 % critical, above exceeded. */
export function quotaState(used: number, total: number): QuotaState {
  if (total <= 0) return 'normal';
  const percent = (used / total) * 100;
  if (percent <= 75) return 'normal';
  if (percent <= 90) return 'nearing';
  if (percent <= 99) return 'critical';
  return 'exceeded';
}
