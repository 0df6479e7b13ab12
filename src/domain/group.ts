import { DomainError } from './errors.js';

export interface Group {
  id: string;
  displayName: string;
  createdAt: number;
}

export const ADMIN_GROUP = 'admin';
export const MAX_GROUP_ID_LENGTH = 255;

export function assertValidGroupId(id: string): void {
  if (!id || id.trim() === '') throw new DomainError('invalidInput', 'Invalid group name', 'invalidGroupId');
  if (id.length > MAX_GROUP_ID_LENGTH) throw new DomainError('invalidInput', 'Group name is too long', 'invalidGroupId');
  // Control characters would break XML output and logs.
  if (/[\u0000-\u001f\u007f]/.test(id)) throw new DomainError('invalidInput', 'Invalid group name', 'invalidGroupId');
}
