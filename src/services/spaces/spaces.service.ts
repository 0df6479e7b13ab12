import { fail } from '../../domain/errors.js';
import { effectiveQuotaBytes } from '../../domain/quota.js';
import { assertValidSpaceName, projectAlias, type Space, type SpaceMember } from '../../domain/space.js';
import { ROLE_IDS } from '../../domain/unified-roles.js';
import type { Repositories } from '../../ports/repositories.js';
import type { ServiceContext } from '../../ports/service-context.js';
import type { FileNode } from '../../domain/node.js';
import { settleBlobs } from '../files/blob-settlement.js';
import { publicNode } from '../access/file-tree.js';
import { purgeSpaceRows } from './personal-space.js';
import { principalNames } from '../access/principal-names.js';
import { callerFacts, type CallerFacts, callerRoleIn, canEditContent, canManageMembers, canSee, effectiveRole, isActive } from '../access/space-access.js';

/** The reference's default quota for new project spaces when none (or a negative one) is given: 1 GB. */
export const DEFAULT_PROJECT_QUOTA = 1_000_000_000;

export interface SpaceView {
  space: Space;
  /** Effective limit in bytes, null when unlimited. */
  quotaLimit: number | null;
  /** Unexpired grants, oldest first. */
  members: SpaceMember[];
  /** The caller's own role id on the space (direct or through a group; the strongest wins), if it counts. */
  callerRole: string | null;
  /** The space's readme and image (libregraph.md §4), when set and still there; none for a disabled space. */
  special: SpecialItem[];
}

export interface SpecialItem {
  kind: SpecialKind;
  node: FileNode;
  /** Space-relative path segments. */
  path: string[];
}

export type SpecialKind = 'readme' | 'image';

export interface SpaceListing {
  views: SpaceView[];
  /** Display names of every user and group named in the members, fetched in bulk; keys `user:<id>` / `group:<id>`. */
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
  /** Space image / readme: node ids of files in the space. */
  special?: Array<{ kind: SpecialKind; nodeId: string }>;
}

const NOT_FOUND = 'drive not found';

/** Drives (spaces): listing, creation, metadata, quota, disable, restore and purge, under the reference's rules (libregraph.md §7, §8). */
export class SpacesService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Spaces where the caller is a member directly or through a group; disabled ones only for their Managers. */
  async listMine(userId: string): Promise<SpaceListing> {
    const facts = await callerFacts(this.ctx.repos, userId);
    const groups = [...facts.groups];
    const [spaces, members] = await Promise.all([
      this.ctx.repos.spaces.listForPrincipal(userId, groups),
      this.ctx.repos.spaceMembers.listForSpacesOfPrincipal(userId, groups),
    ]);
    const listing = await this.viewsOf(this.ctx.repos, spaces, members, userId, facts);
    listing.views = listing.views.filter((v) => v.callerRole !== null);
    return listing;
  }

  /** Every space, disabled ones included, for holders of Drives.List; otherwise the same as listMine. */
  async listAll(userId: string): Promise<SpaceListing> {
    const facts = await callerFacts(this.ctx.repos, userId);
    if (!facts.global.permissions.has('Drives.List')) return this.listMine(userId);
    const [spaces, members] = await Promise.all([this.ctx.repos.spaces.listAll(), this.ctx.repos.spaceMembers.listAll()]);
    return this.viewsOf(this.ctx.repos, spaces, members, userId, facts);
  }

  /** One space the caller may see: as a member, or with Drives.List. Anything else is "not found". */
  async get(userId: string, spaceId: string, notFound = NOT_FOUND): Promise<SpaceListing> {
    const space = await this.ctx.repos.spaces.findById(spaceId);
    if (!space) fail('notFound', notFound);
    const facts = await callerFacts(this.ctx.repos, userId);
    const listing = await this.viewsOf(this.ctx.repos, [space!], await this.ctx.repos.spaceMembers.listForSpace(space!.id), userId, facts);
    if (!canSee(listing.views[0]!.callerRole, facts.global)) fail('notFound', notFound);
    return listing;
  }

  /** The caller's personal space (GET /me/drive). */
  async personal(userId: string): Promise<SpaceListing> {
    return this.personalOf(userId, userId);
  }

  /** A user's personal space (GET /users/{id}/drive): the owner's own, or anyone's for Drives.List holders. */
  async personalOf(callerId: string, ownerId: string): Promise<SpaceListing> {
    const message = 'no drive returned from storage';
    const owner = await this.ctx.repos.users.findById(ownerId);
    const space = owner ? await this.ctx.repos.spaces.findById(owner.id) : undefined;
    if (!space || space.type !== 'personal') fail('notFound', message);
    return this.get(callerId, space!.id, message);
  }

  /** POST /drives needs Drives.Create; the reference checks it before it reads the body. */
  async assertCanCreate(userId: string): Promise<void> {
    const { global } = await callerFacts(this.ctx.repos, userId);
    if (!global.permissions.has('Drives.Create')) fail('forbidden', 'insufficient permissions to create a space.', 'notAdmin');
  }

  async create(userId: string, input: CreateSpaceInput): Promise<SpaceListing> {
    await this.assertCanCreate(userId);
    assertValidSpaceName(input.name);
    const name = input.name.trim();
    // libregraph.md §6: a quota ≥ 0 is used as given (0 = unlimited); negative or absent → 1 GB.
    const quota = input.quotaTotal === undefined || input.quotaTotal < 0 ? DEFAULT_PROJECT_QUOTA : input.quotaTotal;
    const now = this.ctx.clock.now();
    const id = this.ctx.secrets.uuid();
    await this.ctx.tx.run(async (repos) => {
      await repos.spaces.insert({
        id,
        type: 'project',
        name,
        description: input.description ?? null,
        alias: input.driveAlias || projectAlias(name),
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
   * PATCH /drives/{id}, checked in the reference's order: the new name's
   * validity, then the quota permission (403), then whether the caller may
   * touch the space at all, then each property's own permission. A caller
   * without the right for a property is told the drive does not exist.
   */
  async update(userId: string, spaceId: string, input: UpdateSpaceInput): Promise<SpaceListing> {
    // An empty name is ignored; any other name, blank ones included, must be valid.
    if (input.name !== undefined && input.name !== '') assertValidSpaceName(input.name);
    await this.ctx.tx.run(async (repos) => {
      const found = await repos.spaces.findById(spaceId);
      const facts = await callerFacts(repos, userId);
      if (input.quotaTotal !== undefined) {
        // The reference decides personal vs project before it looks the space up; unknown ids count as personal.
        const permission = found?.type === 'project' ? 'Drives.ReadWriteProjectQuota' : 'Drives.ReadWritePersonalQuota';
        if (!facts.global.permissions.has(permission)) fail('forbidden', 'user is not allowed to set the space quota', 'notAdmin');
      }
      const { space, memberRole } = await this.access(repos, found, userId, facts);
      const metadata = canManageMembers(memberRole) || facts.global.permissions.has('Drives.ReadWrite');
      const editor = metadata || canEditContent(memberRole);
      const changes: Partial<Space> = {};
      if (input.name !== undefined && input.name !== '') {
        if (!metadata) fail('notFound', NOT_FOUND);
        changes.name = input.name.trim();
      }
      if (input.description !== undefined) {
        if (!metadata) fail('notFound', NOT_FOUND);
        changes.description = input.description;
      }
      if (input.driveAlias !== undefined) {
        if (!editor) fail('notFound', NOT_FOUND);
        changes.alias = input.driveAlias;
      }
      if (input.special !== undefined) {
        if (!editor) fail('notFound', NOT_FOUND);
        // The reference stores the node id only; it must at least be a file of this space.
        for (const { kind, nodeId } of input.special) {
          const node = await repos.nodes.byId(nodeId);
          if (!node || node.spaceId !== space.id || node.type !== 'file') fail('invalidInput', `${kind}: the item is not a file of this space`);
          if (kind === 'readme') changes.specialReadme = nodeId;
          else changes.specialImage = nodeId;
        }
      }
      if (input.quotaTotal !== undefined) {
        const total = Math.max(input.quotaTotal, 0);
        // One source of truth: a personal space's quota is its owner's provisioning quota.
        if (space.type === 'personal') await repos.users.update(space.ownerId, { quota: total === 0 ? 'none' : String(total) });
        else changes.quotaTotal = total;
      }
      if (Object.keys(changes).length) {
        // The reference reports a new mtime and eTag for the root after a metadata change.
        changes.mtime = this.ctx.clock.now();
        changes.etag = this.ctx.secrets.id();
        await repos.spaces.update(space.id, changes);
      }
    });
    return this.get(userId, spaceId);
  }

  /** DELETE without Purge: soft-disable. Project: Managers and Drives.ReadWriteEnabled holders; personal: Drives.DeletePersonal only. */
  async disable(userId: string, spaceId: string): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      const space = await this.lifecycleAccess(repos, userId, spaceId, 'Drives.ReadWriteEnabled');
      await repos.spaces.update(space.id, { disabledAt: this.ctx.clock.now() });
    });
  }

  /** PATCH with `Restore: true`: Managers and Drives.ReadWriteEnabled holders (personal spaces: Drives.DeletePersonal). */
  async restore(userId: string, spaceId: string): Promise<SpaceListing> {
    await this.ctx.tx.run(async (repos) => {
      const space = await this.lifecycleAccess(repos, userId, spaceId, 'Drives.ReadWriteEnabled');
      if (space.disabledAt !== null) await repos.spaces.update(space.id, { disabledAt: null });
    });
    return this.get(userId, spaceId);
  }

  /** DELETE with Purge: the permission check first (404), then only a disabled space may go (400); its rows go with it. */
  async purge(userId: string, spaceId: string): Promise<void> {
    const released = await this.ctx.tx.run(async (repos) => {
      const space = await this.lifecycleAccess(repos, userId, spaceId, 'Drives.DeleteProject');
      // The storage's message as the Spaces API documentation shows it.
      if (space.disabledAt === null) fail('invalidInput', "error: bad request: can't purge enabled space");
      return purgeSpaceRows(repos, space.id, this.ctx.blobs.owner, this.ctx.clock.now());
    });
    await settleBlobs(this.ctx.repos, this.ctx.blobs, released);
  }

  /**
   * Who may disable, restore or purge: on a project space its Managers and
   * holders of the given global permission; on a personal space only
   * Drives.DeletePersonal holders. Everyone else gets "not found".
   */
  private async lifecycleAccess(repos: Repositories, userId: string, spaceId: string, projectPermission: string): Promise<Space> {
    const facts = await callerFacts(repos, userId);
    const { space, memberRole } = await this.access(repos, await repos.spaces.findById(spaceId), userId, facts);
    const allowed =
      space.type === 'personal'
        ? facts.global.permissions.has('Drives.DeletePersonal')
        : canManageMembers(memberRole) || facts.global.permissions.has(projectPermission);
    if (!allowed) fail('notFound', NOT_FOUND);
    return space;
  }

  /** The space and the caller's effective grant on it; spaces the caller cannot see are "not found". */
  private async access(repos: Repositories, space: Space | undefined, userId: string, facts: CallerFacts): Promise<{ space: Space; memberRole: string | null }> {
    if (!space) fail('notFound', NOT_FOUND);
    const members = await repos.spaceMembers.listForSpace(space!.id);
    const memberRole = effectiveRole(space!, callerRoleIn(members, userId, facts.groups, this.ctx.clock.now()));
    if (!canSee(memberRole, facts.global)) fail('notFound', NOT_FOUND);
    return { space: space!, memberRole };
  }

  /**
   * Views of the spaces given all their grants (fetched by the caller in one
   * query); names and personal quotas come in a fixed number of bulk queries,
   * so a listing costs the same few queries whatever the number of spaces.
   */
  private async viewsOf(repos: Repositories, spaces: Space[], allMembers: SpaceMember[], userId: string, facts: CallerFacts): Promise<SpaceListing> {
    const now = this.ctx.clock.now();
    const members = allMembers.filter((m) => isActive(m, now));
    const bySpace = new Map<string, SpaceMember[]>();
    for (const m of members) {
      const list = bySpace.get(m.spaceId);
      if (list) list.push(m);
      else bySpace.set(m.spaceId, [m]);
    }
    const owners = spaces.filter((s) => s.type === 'personal').map((s) => s.ownerId);
    const quotas = new Map<string, number | null>();
    for (const u of await repos.users.findMany(owners)) quotas.set(u.id, effectiveQuotaBytes(u.quota, this.ctx.settings.defaultQuota));
    // Personal spaces list no members (the owner's access is implicit), so only project members need names.
    const personal = new Set(spaces.filter((s) => s.type === 'personal').map((s) => s.id));
    const named = members.filter((m) => !personal.has(m.spaceId));
    const names = await principalNames(repos, named);
    const special = await this.specialNodes(repos, spaces);
    const views = spaces.map((space) => {
      const list = bySpace.get(space.id) ?? [];
      return {
        special: special.get(space.id) ?? [],
        space,
        members: list,
        callerRole: effectiveRole(space, callerRoleIn(list, userId, facts.groups, now)),
        quotaLimit: space.type === 'personal' ? (quotas.get(space.ownerId) ?? null) : space.quotaTotal ? space.quotaTotal : null,
      };
    });
    return { views, names };
  }

  /** Readme and image of every enabled space, in one query; files deleted since are silently dropped, as on the reference. */
  private async specialNodes(repos: Repositories, spaces: Space[]): Promise<Map<string, SpecialItem[]>> {
    const wanted = spaces.filter((s) => s.disabledAt === null).flatMap((s) => [s.specialReadme, s.specialImage]).filter((id): id is string => id !== null);
    const out = new Map<string, SpecialItem[]>();
    if (!wanted.length) return out;
    const nodes = new Map((await repos.nodes.byIds(wanted)).map((n) => [n.id, n]));
    for (const space of spaces) {
      if (space.disabledAt !== null) continue;
      const items: SpecialItem[] = [];
      for (const [kind, id] of [['readme', space.specialReadme], ['image', space.specialImage]] as const) {
        const node = id ? nodes.get(id) : undefined;
        if (node && node.spaceId === space.id) items.push({ kind, node: publicNode(node), path: node.path.split('/') });
      }
      if (items.length) out.set(space.id, items);
    }
    return out;
  }
}
