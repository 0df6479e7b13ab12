import { randomUUID } from 'node:crypto';
import { connect } from '../src/db/connect.js';
import { KyselyTxRunner } from '../src/db/tx-runner.js';
import type { Config } from '../src/config.js';
import { ROLE_IDS } from '../src/domain/unified-roles.js';
import { projectAlias } from '../src/domain/space.js';

/**
 * Seeds N project spaces straight through the repositories in one
 * transaction: the member user belongs to every one of them, half directly
 * and half through the group "benchgroup".
 */
export async function seedSpaces(database: Config['database'], n: number, memberId: string): Promise<void> {
  const handle = connect(database);
  const now = Date.now();
  try {
    await new KyselyTxRunner(handle.db, { cache: handle.cache, feed: handle.feed }).run(async (repos) => {
      await repos.groups.insert({ id: 'benchgroup', displayName: 'benchgroup', createdAt: now });
      await repos.groups.addMember('benchgroup', memberId);
      for (let i = 0; i < n; i++) {
        const id = randomUUID();
        const name = `Space ${String(i).padStart(5, '0')}`;
        await repos.spaces.insert({
          id, type: 'project', name, description: `bench space ${i}`, alias: projectAlias(name), quotaTotal: 1_000_000_000,
          ownerId: id, createdAt: now, mtime: now + i, etag: randomUUID().replace(/-/g, ''), size: 0, disabledAt: null,
          specialReadme: null, specialImage: null,
        });
        await repos.spaceMembers.upsert({ spaceId: id, principalType: 'user', principalId: 'admin', roleId: ROLE_IDS.manager, expiresAt: null, createdAt: now, invitedBy: null });
        const direct = i % 2 === 0;
        await repos.spaceMembers.upsert({
          spaceId: id, principalType: direct ? 'user' : 'group', principalId: direct ? memberId : 'benchgroup',
          roleId: ROLE_IDS.spaceEditor, expiresAt: null, createdAt: now, invitedBy: 'admin',
        });
      }
    });
  } finally {
    await handle.close();
  }
}
