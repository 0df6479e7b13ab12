import { type Share, SHARE_TYPE } from '../../domain/share.js';
import type { Repositories } from '../../ports/repositories.js';

/** Display names of the users and groups the shares name (recipients, sharers, file owners), in two bulk queries; keys `user:<id>` / `group:<id>`. */
export async function shareNames(repos: Repositories, shares: Share[]): Promise<Map<string, string>> {
  const users = new Set<string>();
  const groups = new Set<string>();
  for (const s of shares) {
    users.add(s.ownerId).add(s.fileOwnerId);
    if (s.type === SHARE_TYPE.user && s.shareWith) users.add(s.shareWith);
    if (s.type === SHARE_TYPE.group && s.shareWith) groups.add(s.shareWith);
  }
  const names = new Map<string, string>();
  for (const u of await repos.users.findMany([...users])) names.set(`user:${u.id}`, u.displayName);
  for (const g of await repos.groups.findMany([...groups])) names.set(`group:${g.id}`, g.displayName);
  return names;
}
