import { fail } from '../../domain/errors.js';
import { PERM } from '../../domain/share.js';
import type { PrincipalType, Space, SpaceMember } from '../../domain/space.js';
import { ROLE_IDS } from '../../domain/unified-roles.js';
import type { Repositories } from '../../ports/repositories.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { callerFacts, callerRoleIn, canManageMembers, isActive } from '../access/space-access.js';

/** The OCS share types of space memberships (oCIS conversions.ShareTypeSpaceMembershipUser/Group). */
export const SPACE_SHARE_TYPE = { user: 7, group: 8 } as const;

export interface SpaceShareInput {
  /** 7 or 8; says which kind of principal `shareWith` names first. */
  shareType: number;
  /** A user name or group name. */
  shareWith: string | undefined;
  roleId: string;
  /** Epoch ms, or null for none. Past dates are accepted: the membership then ends at once. */
  expiresAt: number | null;
}

/** Role names the OCS API takes for a space member; oCIS turns viewer and editor into their space variants. */
const ROLE_BY_NAME: Record<string, string> = {
  manager: ROLE_IDS.manager,
  editor: ROLE_IDS.spaceEditor,
  spaceeditor: ROLE_IDS.spaceEditor,
  viewer: ROLE_IDS.spaceViewer,
  spaceviewer: ROLE_IDS.spaceViewer,
};

/**
 * The space role an OCS request asks for (oCIS extractPermissions): a known
 * `role` wins; otherwise `permissions` on a space root read as Space Viewer
 * (read only) or Space Editor (read, update, create, delete without share);
 * without either, Space Viewer. Anything else names no space role (400).
 */
export function spaceRoleOf(role: string | undefined, permissions: number | undefined): string {
  const named = role === undefined ? undefined : ROLE_BY_NAME[role.toLowerCase()];
  if (named) return named;
  if (permissions === undefined) return ROLE_IDS.spaceViewer;
  if (permissions === PERM.read) return ROLE_IDS.spaceViewer;
  const editor = PERM.read | PERM.update | PERM.create | PERM.delete;
  if ((permissions & editor) === editor && (permissions & PERM.share) === 0 && permissions <= PERM.all) return ROLE_IDS.spaceEditor;
  return fail('invalidInput', 'invalid role for space member');
}

const PATH_NOT_FOUND = "Wrong path, file/folder doesn't exist";
const sameGrantee = (a: SpaceMember, b: { principalType: string; principalId: string }) => a.principalType === b.principalType && a.principalId === b.principalId;

/**
 * Space membership over the OCS sharing API, as oCIS serves it: a share of
 * type 7 (user) or 8 (group) on a space named by `space_ref` adds or changes
 * the grantee's membership, and DELETE shares/{space id}?shareWith= removes
 * it (reva ocs shares/spaces.go). The rows are the space members Graph's
 * root/invite and root/permissions read and write: one membership whichever
 * API made it. Only Managers of a project space may do it, and a Manager
 * without an expiry date always remains.
 */
export class SpaceSharesService {
  constructor(private readonly ctx: ServiceContext) {}

  /** The space a `space_ref` names: `<storage>$<space>`, optionally `!<space>` (its root); anything else is refused. */
  async spaceIdOf(ref: string): Promise<string> {
    const m = /^([^$!/]+)\$([^$!/]+)(?:!([^$!/]+))?$/.exec(ref.trim());
    if (!m || (m[3] !== undefined && m[3] !== m[2])) fail('invalidInput', 'could not parse space_ref: it must name a space');
    const storage = await this.ctx.repos.instanceSettings.get('storage_id');
    if (storage !== undefined && m![1] !== storage) fail('notFound', PATH_NOT_FOUND);
    return m![2]!;
  }

  /**
   * POST shares with shareType 7/8: adds the member, or replaces its role and
   * expiry when it already is one (the reference upserts; an absent
   * expireDate clears the expiry). Checks in the reference's order: the
   * space (404), the caller's right to share (403), then the space type and
   * the grantee (400, 404), then the remaining Manager (403).
   */
  async share(userId: string, spaceId: string, input: SpaceShareInput): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      const { space, members } = await this.managed(repos, userId, spaceId);
      if (space.type !== 'project') fail('invalidInput', 'can not add members to personal spaces');
      if (!input.shareWith) fail('invalidInput', 'missing shareWith');
      const grantee = await this.grantee(repos, input.shareWith!, input.shareType === SPACE_SHARE_TYPE.group ? 'group' : 'user');
      const existing = members.find((m) => sameGrantee(m, grantee));
      const next: SpaceMember = existing
        ? { ...existing, roleId: input.roleId, expiresAt: input.expiresAt }
        : { spaceId, ...grantee, roleId: input.roleId, expiresAt: input.expiresAt, createdAt: this.ctx.clock.now(), invitedBy: userId };
      this.assertManagerRemains([...members.filter((m) => !sameGrantee(m, grantee)), next], 'the space must have at least one manager');
      await repos.spaceMembers.upsert(next);
    });
  }

  /** DELETE shares/{space id}?shareWith=: the member leaves; the last Manager cannot (403). */
  async unshare(userId: string, spaceId: string, shareWith: string | undefined): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      if (!shareWith) fail('invalidInput', 'missing shareWith');
      const { space, members } = await this.managed(repos, userId, spaceId);
      if (space.type !== 'project') fail('invalidInput', 'can not remove members of personal spaces');
      const candidates = await this.candidates(repos, shareWith!, 'user');
      if (!candidates.length) fail('notFound', 'error getting grantee');
      // The name's user or group that is a member; an expired grant still counts as one to remove.
      const rows = await repos.spaceMembers.listForSpace(spaceId);
      const row = candidates.map((c) => rows.find((r) => sameGrantee(r, c))).find((r) => r !== undefined);
      if (!row) fail('notFound', 'cannot find share');
      this.assertManagerRemains(members.filter((m) => !sameGrantee(m, row!)), "can't remove the last manager");
      await repos.spaceMembers.remove(spaceId, row!.principalType, row!.principalId);
    });
  }

  /** The space with its active members, if the caller may hand out memberships on it. */
  private async managed(repos: Repositories, userId: string, spaceId: string): Promise<{ space: Space; members: SpaceMember[] }> {
    const space = await repos.spaces.findById(spaceId);
    if (!space || space.disabledAt !== null) fail('notFound', PATH_NOT_FOUND);
    const now = this.ctx.clock.now();
    const members = (await repos.spaceMembers.listForSpace(spaceId)).filter((m) => isActive(m, now));
    const { groups } = await callerFacts(repos, userId);
    const role = callerRoleIn(members, userId, groups, now);
    const owner = space!.type === 'personal' && space!.ownerId === userId;
    if (!role && !owner) fail('notFound', PATH_NOT_FOUND);
    if (!owner && !canManageMembers(role)) fail('forbidden', 'No share permission');
    return { space: space!, members };
  }

  /** The user and the group a name may stand for, the share type's kind first (the reference looks both up). */
  private async candidates(repos: Repositories, name: string, first: PrincipalType): Promise<Array<{ principalType: PrincipalType; principalId: string }>> {
    const out: Array<{ principalType: PrincipalType; principalId: string }> = [];
    for (const type of first === 'user' ? (['user', 'group'] as const) : (['group', 'user'] as const)) {
      const found = type === 'user' ? await repos.users.findById(name) : await repos.groups.findById(name);
      if (found) out.push({ principalType: type, principalId: found.id });
    }
    return out;
  }

  private async grantee(repos: Repositories, name: string, first: PrincipalType): Promise<{ principalType: PrincipalType; principalId: string }> {
    return (await this.candidates(repos, name, first))[0] ?? fail('notFound', 'error getting grantee');
  }

  private assertManagerRemains(after: SpaceMember[], message: string): void {
    if (!after.some((m) => canManageMembers(m.roleId) && m.expiresAt === null)) fail('forbidden', message);
  }
}
