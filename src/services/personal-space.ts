import { ROLE_IDS } from '../domain/unified-roles.js';
import { personalAlias } from '../domain/space.js';
import type { User } from '../domain/user.js';
import type { Repositories } from '../ports/repositories.js';
import type { Secrets } from '../ports/system.js';

/** Every user has a personal space, whichever API made them; its id is the user id and its owner its only Manager. */
export async function createPersonalSpace(repos: Repositories, user: Pick<User, 'id' | 'displayName'>, now: number, secrets: Secrets): Promise<void> {
  await repos.spaces.insert({
    id: user.id,
    type: 'personal',
    name: user.displayName,
    description: null,
    alias: personalAlias(user.id),
    quotaTotal: null,
    ownerId: user.id,
    createdAt: now,
    mtime: now,
    etag: secrets.id(),
    size: 0,
    disabledAt: null,
    specialReadme: null,
    specialImage: null,
  });
  await repos.spaceMembers.upsert({
    spaceId: user.id,
    principalType: 'user',
    principalId: user.id,
    roleId: ROLE_IDS.manager,
    expiresAt: null,
    createdAt: now,
    invitedBy: null,
  });
}

/** Deleting a user purges their personal space and drops their memberships elsewhere, as the reference does. */
export async function removeUserSpaces(repos: Repositories, userId: string): Promise<void> {
  const personal = await repos.spaces.findById(userId);
  if (personal?.type === 'personal') await repos.spaces.delete(personal.id);
  await repos.spaceMembers.removePrincipal('user', userId);
}
