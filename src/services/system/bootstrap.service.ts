import { ADMIN_GROUP } from '../../domain/group.js';
import { newUser } from '../../domain/user.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { createPersonalSpace } from '../spaces/personal-space.js';

export interface BootstrapResult {
  created: boolean;
  adminUser: string;
  /** Set only when the password was generated here and must be shown once. */
  generatedPassword?: string;
}

/**
 * First start on an empty database: the admin group and the first admin.
 * Any number of processes may get here at once. The first to insert the
 * admin group holds that row until its transaction commits; the others wait
 * on it (SQLite: on the write lock), then find the admin and leave. A user
 * table emptied later has no such row to wait on, so the admin's insert
 * settles the race itself.
 */
export async function ensureFirstAdmin(ctx: ServiceContext, adminUser: string, adminPassword?: string): Promise<BootstrapResult> {
  await ctx.repos.instanceSettings.setIfAbsent('storage_id', ctx.secrets.uuid());
  if ((await ctx.repos.users.count()) > 0) return { created: false, adminUser };
  const generated = adminPassword ? undefined : ctx.secrets.token(24);
  const passwordHash = await ctx.hasher.hash(adminPassword ?? generated!);
  const now = ctx.clock.now();
  const created = await ctx.tx.run(async (repos) => {
    await repos.groups.insertIfAbsent({ id: ADMIN_GROUP, displayName: ADMIN_GROUP, createdAt: now });
    if ((await repos.users.count()) > 0) return false;
    const inserted = await repos.users.insertIfAbsent(newUser({ id: adminUser, displayName: adminUser, email: null, passwordHash, quota: 'none', createdAt: now }));
    if (!inserted) return false;
    await repos.groups.addMember(ADMIN_GROUP, adminUser);
    await createPersonalSpace(repos, { id: adminUser, displayName: adminUser }, now, ctx.secrets);
    return true;
  });
  return created ? { created: true, adminUser, generatedPassword: generated } : { created: false, adminUser };
}
