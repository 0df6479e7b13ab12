import { ROLE_IDS } from '../../domain/unified-roles.js';
import { personalAlias } from '../../domain/space.js';
import type { User } from '../../domain/user.js';
import type { Repositories } from '../../ports/repositories.js';
import type { Secrets } from '../../ports/system.js';

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

/**
 * Deleting a user purges their personal space and drops their memberships
 * elsewhere, as the reference does. Returns the blobs the space held,
 * journaled for the caller to settle once the transaction commits.
 */
export async function removeUserSpaces(repos: Repositories, userId: string, blobOwner: string, now: number): Promise<string[]> {
  const personal = await repos.spaces.findById(userId);
  let blobs: string[] = [];
  if (personal?.type === 'personal') blobs = await purgeSpaceRows(repos, personal.id, blobOwner, now);
  await repos.spaceMembers.removePrincipal('user', userId);
  return blobs;
}

/** Deletes a space with its tree, versions, dead properties and locks; its blobs are journaled and returned for settlement. */
export async function purgeSpaceRows(repos: Repositories, spaceId: string, blobOwner: string, now: number): Promise<string[]> {
  // Versions go with the space (their rows name its nodes, so they go first).
  const blobs = [...(await repos.versions.removeOfSpace(spaceId)), ...(await repos.nodes.deleteSpaceContent(spaceId))];
  await repos.blobJournal.add(blobs, blobOwner, now);
  await repos.davLocks.removeUnder(spaceId, '');
  await repos.spaces.delete(spaceId);
  return blobs;
}
