import { fail } from '../domain/errors.js';
import type { GlobalRole } from '../domain/global-roles.js';
import { effectiveQuotaBytes } from '../domain/quota.js';
import { assertValidSpaceName, projectAlias, type Space, type SpaceMember } from '../domain/space.js';
import { findRole, ROLE_IDS } from '../domain/unified-roles.js';
import type { Repositories } from '../ports/repositories.js';
import type { ServiceContext } from './context.js';
import { principalNames } from './principal-names.js';
import { globalRoleOf } from './global-roles.service.js';

/** The reference's default quota for new project spaces when none (or a negative one) is given: 1 GB. */
export const DEFAULT_PROJECT_QUOTA = 1_000_000_000;

export interface SpaceView {
  space: Space;
  /** Effective limit in bytes, null when unlimited. */
  quotaLimit: number | null;
  members: SpaceMember[];
  /** The caller's own role id on the space (direct or through a group; the strongest wins), if a member. */
  callerRole: string | null;
}

export interface SpaceListing {
  views: SpaceView[];
  /** Display names of every user and group named in the members, fetched in bulk. */
  names: Map<string, string>;
}

export interface CreateSpaceInput {
  name: string;
  description?: string;
  quotaTotal?: number;
  driveAlias?: string;
}

export interface UpdateSpaceInput {
  name?: string;
  description?: string;
  driveAlias?: string;
  quotaTotal?: number;
}

const ROLE_STRENGTH = [ROLE_IDS.spaceViewer, ROLE_IDS.spaceEditor, '3284f2d5-0070-4ad8-ac40-c247f7c1fb27', ROLE_IDS.manager];
const stronger = (a: string | null, b: string): string => (a === null || ROLE_STRENGTH.indexOf(b) > ROLE_STRENGTH.indexOf(a) ? b : a);

/** Drives (spaces): listing, creation, metadata, quota, disable, restore and purge, under the reference's rules. */
export class SpacesService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Spaces where the caller is a member directly or through a group; disabled ones only for their Managers. */
  async listMine(userId: string): Promise<SpaceListing> {
    const groups = await this.ctx.repos.groups.groupsOfUser(userId);
    const spaces = await this.ctx.repos.spaces.listForPrincipal(userId, groups);
    const listing = await this.viewsOf(spaces, userId, groups);
    listing.views = listing.views.filter((v) => v.callerRole !== null && (!v.space.disabledAt || v.callerRole === ROLE_IDS.manager));
    return listing;
  }

  /** Every space for holders of Drives.List (disabled ones included); otherwise the same as listMine. */
  async listAll(userId: string): Promise<SpaceListing> {
    const role = await globalRoleOf(this.ctx.repos, userId);
    if (!role.permissions.has('Drives.List')) return this.listMine(userId);
    const groups = await this.ctx.repos.groups.groupsOfUser(userId);
    return this.viewsOf(await this.ctx.repos.spaces.listAll(), userId, groups);
  }

  /** One space the caller may see: as a member, or with Drives.List. Anything else is "not found". */
  async get(userId: string, spaceId: string): Promise<SpaceListing> {
    const space = await this.ctx.repos.spaces.findById(spaceId);
    if (!space) fail('notFound', 'drive not found');
    const groups = await this.ctx.repos.groups.groupsOfUser(userId);
    const listing = await this.viewsOf([space!], userId, groups);
    const view = listing.views[0]!;
    const role = await globalRoleOf(this.ctx.repos, userId);
    const visible = view.callerRole !== null && (!space!.disabledAt || view.callerRole === ROLE_IDS.manager);
    if (!visible && !role.permissions.has('Drives.List')) fail('notFound', 'drive not found');
    return listing;
  }

  /** The caller's personal space. */
  async personal(userId: string): Promise<SpaceListing> {
    const space = await this.ctx.repos.spaces.findById(userId);
    if (!space || space.type !== 'personal' || space.ownerId !== userId) fail('notFound', 'no drive returned from storage');
    return this.get(userId, space!.id);
  }

  async create(userId: string, input: CreateSpaceInput): Promise<SpaceListing> {
    const role = await globalRoleOf(this.ctx.repos, userId);
    if (!role.permissions.has('Drives.Create')) fail('forbidden', 'insufficient permissions to create a space.', 'notAdmin');
    assertValidSpaceName(input.name);
    const name = input.name.trim();
    const quota = input.quotaTotal === undefined || input.quotaTotal < 0 ? DEFAULT_PROJECT_QUOTA : input.quotaTotal;
    const now = this.ctx.clock.now();
    const id = this.ctx.secrets.uuid();
    await this.ctx.tx.run(async (repos) => {
      await repos.spaces.insert({
        id,
        type: 'project',
        name,
        description: input.description ?? null,
        alias: input.driveAlias?.trim() || projectAlias(name),
        quotaTotal: quota,
        ownerId: id,
        createdAt: now,
        mtime: now,
        etag: this.ctx.secrets.id(),
        size: 0,
        disabledAt: null,
        specialReadme: null,
        specialImage: null,
      });
      await repos.spaceMembers.upsert({
        spaceId: id,
        principalType: 'user',
        principalId: userId,
        roleId: ROLE_IDS.manager,
        expiresAt: null,
        createdAt: now,
        invitedBy: userId,
      });
    });
    return this.get(userId, id);
  }

  /**
   * PATCH /drives/{id}. Each property has its own permission (libregraph §8.3);
   * a caller who may not touch the space at all gets "not found", a quota
   * change without the quota permission gets 403.
   */
  async update(userId: string, spaceId: string, input: UpdateSpaceInput): Promise<SpaceListing> {
    await this.ctx.tx.run(async (repos) => {
      const { space, role, memberRole } = await this.access(repos, userId, spaceId);
      const isManager = memberRole === ROLE_IDS.manager;
      const canEditMeta = isManager || role.permissions.has('Drives.ReadWrite');
      const canEditAlias = canEditMeta || memberRole === ROLE_IDS.spaceEditor;
      const changes: Partial<Space> = {};
      if (input.name !== undefined && input.name.trim() !== '') {
        if (!canEditMeta || space.type === 'personal') fail('notFound', 'drive not found');
        assertValidSpaceName(input.name);
        changes.name = input.name.trim();
      }
      if (input.description !== undefined) {
        if (!canEditMeta) fail('notFound', 'drive not found');
        changes.description = input.description;
      }
      if (input.driveAlias !== undefined) {
        if (!canEditAlias) fail('notFound', 'drive not found');
        changes.alias = input.driveAlias;
      }
      if (input.quotaTotal !== undefined) {
        const permission = space.type === 'personal' ? 'Drives.ReadWritePersonalQuota' : 'Drives.ReadWriteProjectQuota';
        if (!role.permissions.has(permission)) fail('forbidden', 'user is not allowed to set the space quota', 'notAdmin');
        const total = input.quotaTotal <= 0 ? 0 : input.quotaTotal;
        // One source of truth: a personal space's quota is its owner's provisioning quota.
        if (space.type === 'personal') await repos.users.update(space.ownerId, { quota: total === 0 ? 'none' : String(total) });
        else changes.quotaTotal = total;
      }
      if (Object.keys(changes).length) {
        changes.mtime = this.ctx.clock.now();
        await repos.spaces.update(space.id, changes);
      }
    });
    return this.get(userId, spaceId);
  }

  /** DELETE without Purge: soft-disable. Managers of project spaces, Drives.ReadWriteEnabled holders; personal only for admins. */
  async disable(userId: string, spaceId: string): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      const { space, role, memberRole } = await this.access(repos, userId, spaceId);
      const allowed =
        space.type === 'personal'
          ? role.permissions.has('Drives.DeletePersonal')
          : memberRole === ROLE_IDS.manager || role.permissions.has('Drives.ReadWriteEnabled');
      if (!allowed) fail('notFound', 'drive not found');
      await repos.spaces.update(space.id, { disabledAt: this.ctx.clock.now() });
    });
  }

  async restore(userId: string, spaceId: string): Promise<SpaceListing> {
    await this.ctx.tx.run(async (repos) => {
      const { space, role, memberRole } = await this.access(repos, userId, spaceId);
      const allowed =
        space.type === 'personal'
          ? role.permissions.has('Drives.DeletePersonal')
          : memberRole === ROLE_IDS.manager || role.permissions.has('Drives.ReadWriteEnabled');
      if (!allowed) fail('notFound', 'drive not found');
      if (space.disabledAt) await repos.spaces.update(space.id, { disabledAt: null });
    });
    return this.get(userId, spaceId);
  }

  /** DELETE with Purge: only a disabled space; its rows (and later its blobs) are gone. */
  async purge(userId: string, spaceId: string): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      const { space, role, memberRole } = await this.access(repos, userId, spaceId);
      const allowed =
        space.type === 'personal'
          ? role.permissions.has('Drives.DeletePersonal')
          : memberRole === ROLE_IDS.manager || role.permissions.has('Drives.DeleteProject');
      if (!allowed) fail('notFound', 'drive not found');
      if (!space.disabledAt) fail('invalidInput', "can't purge enabled space");
      await repos.spaces.delete(space.id);
    });
  }

  private async access(repos: Repositories, userId: string, spaceId: string): Promise<{ space: Space; role: GlobalRole; memberRole: string | null }> {
    const space = await repos.spaces.findById(spaceId);
    if (!space) fail('notFound', 'drive not found');
    const role = await globalRoleOf(repos, userId);
    const groups = await repos.groups.groupsOfUser(userId);
    const members = await repos.spaceMembers.listForSpace(space!.id);
    const memberRole = callerRoleIn(members, userId, groups, this.ctx.clock.now());
    if (memberRole === null && !role.permissions.has('Drives.List')) fail('notFound', 'drive not found');
    return { space: space!, role, memberRole };
  }

  /** Members and names in two bulk queries whatever the number of spaces (listings stay O(spaces)). */
  private async viewsOf(spaces: Space[], userId: string, groups: string[]): Promise<SpaceListing> {
    const now = this.ctx.clock.now();
    const members = await this.ctx.repos.spaceMembers.listForSpaces(spaces.map((s) => s.id));
    const bySpace = new Map<string, SpaceMember[]>();
    for (const m of members) {
      if (m.expiresAt !== null && m.expiresAt <= now) continue;
      const list = bySpace.get(m.spaceId) ?? [];
      list.push(m);
      bySpace.set(m.spaceId, list);
    }
    const personalOwners = spaces.filter((s) => s.type === 'personal').map((s) => s.ownerId);
    const quotas = await this.personalQuotas(personalOwners);
    const names = await principalNames(this.ctx.repos, members);
    const views = spaces.map((space) => {
      const list = bySpace.get(space.id) ?? [];
      return {
        space,
        members: list,
        callerRole: callerRoleIn(list, userId, groups, now),
        quotaLimit: space.type === 'personal' ? (quotas.get(space.ownerId) ?? null) : space.quotaTotal ? space.quotaTotal : null,
      };
    });
    return { views, names };
  }

  private async personalQuotas(ownerIds: string[]): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    for (const u of await this.ctx.repos.users.findMany(ownerIds)) {
      out.set(u.id, effectiveQuotaBytes(u.quota, this.ctx.settings.defaultQuota));
    }
    return out;
  }

}

/** The strongest unexpired grant the user holds on a space, directly or through one of their groups. */
export function callerRoleIn(members: SpaceMember[], userId: string, groups: string[], now: number): string | null {
  let best: string | null = null;
  for (const m of members) {
    if (m.expiresAt !== null && m.expiresAt <= now) continue;
    const mine = (m.principalType === 'user' && m.principalId === userId) || (m.principalType === 'group' && groups.includes(m.principalId));
    if (mine && findRole(m.roleId)) best = stronger(best, m.roleId);
  }
  return best;
}

