import { findRole } from '../../domain/unified-roles.js';
import type { Repositories } from '../../ports/repositories.js';
import { isActive } from '../access/space-access.js';

const GROUP_PAGE = 10_000;

/** Every member of a group, page by page (a repository page is capped). */
async function allMembersOf(repos: Repositories, groupId: string): Promise<string[]> {
  const out: string[] = [];
  for (let offset = 0; ; offset += GROUP_PAGE) {
    const page = await repos.groups.membersOf(groupId, { limit: GROUP_PAGE, offset });
    out.push(...page);
    if (page.length < GROUP_PAGE) return out;
  }
}

/**
 * Who is told about a change in a space: every user holding an active grant
 * on it, directly or through a member group (the people who can see the
 * file, as Nextcloud notifies everyone with access to the node). Sorted and
 * without duplicates.
 */
export async function fileAudience(repos: Repositories, spaceId: string, now: number): Promise<string[]> {
  const members = (await repos.spaceMembers.listForSpace(spaceId)).filter((m) => isActive(m, now) && findRole(m.roleId));
  const users = new Set<string>();
  for (const m of members) {
    if (m.principalType === 'user') users.add(m.principalId);
    else for (const id of await allMembersOf(repos, m.principalId)) users.add(id);
  }
  return [...users].sort();
}
