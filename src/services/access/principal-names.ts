import type { SpaceMember } from '../../domain/space.js';
import type { Repositories } from '../../ports/repositories.js';

/** Display names of every user and group named by the members, in two bulk queries; keys are `user:<id>` / `group:<id>`. */
export async function principalNames(repos: Repositories, members: SpaceMember[]): Promise<Map<string, string>> {
  const userIds = [...new Set(members.filter((m) => m.principalType === 'user').map((m) => m.principalId))];
  const groupIds = [...new Set(members.filter((m) => m.principalType === 'group').map((m) => m.principalId))];
  const names = new Map<string, string>();
  for (const u of await repos.users.findMany(userIds)) names.set(`user:${u.id}`, u.displayName);
  for (const g of await repos.groups.findMany(groupIds)) names.set(`group:${g.id}`, g.displayName);
  return names;
}
