import { fail } from '../../domain/errors.js';
import { PERM } from '../../domain/share.js';
import { ROLE_IDS } from '../../domain/unified-roles.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { OCS_MEMBER_RULES, type SpaceMembersService } from '../spaces/space-members.service.js';

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

/**
 * Space membership over the OCS sharing API, as oCIS serves it: a share of
 * type 7 (user) or 8 (group) on a space named by `space_ref` adds or changes
 * the grantee's membership, and DELETE shares/{space id}?shareWith= removes
 * it (reva ocs shares/spaces.go). These translate to SpaceMembersService,
 * the one writer of the members Graph's root/invite and root/permissions
 * read and write, with the OCS API's rules: one membership whichever API
 * made it.
 */
export class SpaceSharesService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly members: SpaceMembersService,
  ) {}

  /** The space a `space_ref` names: `<storage>$<space>`, optionally `!<space>` (its root); anything else is refused. */
  async spaceIdOf(ref: string): Promise<string> {
    const m = /^([^$!/]+)\$([^$!/]+)(?:!([^$!/]+))?$/.exec(ref.trim());
    if (!m || (m[3] !== undefined && m[3] !== m[2])) fail('invalidInput', 'the reference names no space', 'invalidSpaceRef');
    const storage = await this.ctx.repos.instanceSettings.get('storage_id');
    if (storage !== undefined && m![1] !== storage) fail('notFound', 'no such space', 'spaceNotFound');
    return m![2]!;
  }

  /** POST shares with shareType 7/8: adds the member, or replaces its role and expiry when it already is one (an absent expireDate clears the expiry). */
  async share(userId: string, spaceId: string, input: SpaceShareInput): Promise<void> {
    const first = input.shareType === SPACE_SHARE_TYPE.group ? 'group' : 'user';
    await this.members.grant(userId, spaceId, { grantee: { name: input.shareWith, first }, roleId: input.roleId, expiresAt: input.expiresAt }, OCS_MEMBER_RULES);
  }

  /** DELETE shares/{space id}?shareWith=: the user or group of that name leaves; the last Manager cannot. */
  async unshare(userId: string, spaceId: string, shareWith: string | undefined): Promise<void> {
    if (!shareWith) fail('invalidInput', 'no grantee named', 'missingGrantee');
    await this.members.revoke(userId, spaceId, { name: shareWith, first: 'user' }, OCS_MEMBER_RULES);
  }
}
