import { ADMIN_GROUP } from '../../domain/group.js';
import { emptyProfile } from '../../domain/user.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { createPersonalSpace } from '../spaces/personal-space.js';

export interface BootstrapResult {
  created: boolean;
  adminUser: string;
  /** Set only when the password was generated here and must be shown once. */
  generatedPassword?: string;
}

/** First start on an empty database: the admin group and the first admin. */
export async function ensureFirstAdmin(ctx: ServiceContext, adminUser: string, adminPassword?: string): Promise<BootstrapResult> {
  await ctx.repos.instanceSettings.setIfAbsent('storage_id', ctx.secrets.uuid());
  if ((await ctx.repos.users.count()) > 0) return { created: false, adminUser };
  const generated = adminPassword ? undefined : ctx.secrets.token(24);
  const passwordHash = await ctx.hasher.hash(adminPassword ?? generated!);
  const now = ctx.clock.now();
  await ctx.tx.run(async (repos) => {
    if (!(await repos.groups.findById(ADMIN_GROUP))) {
      await repos.groups.insert({ id: ADMIN_GROUP, displayName: ADMIN_GROUP, createdAt: now });
    }
    await repos.users.insert({
      id: adminUser,
      displayName: adminUser,
      email: null,
      passwordHash,
      enabled: true,
      quota: 'none',
      language: '',
      locale: '',
      timezone: '',
      manager: '',
      profile: emptyProfile(),
      createdAt: now,
      firstLoginAt: null,
      lastLoginAt: null,
    });
    await repos.groups.addMember(ADMIN_GROUP, adminUser);
    await createPersonalSpace(repos, { id: adminUser, displayName: adminUser }, now, ctx.secrets);
  });
  return { created: true, adminUser, generatedPassword: generated };
}
