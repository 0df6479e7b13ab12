import { DomainError, fail } from '../../domain/errors.js';
import type { FileNode } from '../../domain/node.js';
import { type Share, SHARE_TYPE } from '../../domain/share.js';
import { actionsOfPermissions, itemRoleIds, type LinkType, linkPermissions, roleSharePermissions } from '../../domain/share-roles.js';
import type { Space } from '../../domain/space.js';
import { type Condition, enabledRoles, findRole, fullActions, type UnifiedRole } from '../../domain/unified-roles.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { openTree, publicNode, rootNode } from '../access/file-tree.js';
import type { FileAccess } from '../access/files.contract.js';
import { endOfDay } from '../access/share-policy.js';
import { callerRoleIn } from '../access/space-access.js';
import { shareNames } from './share-names.js';
import { OCIS_RULES } from './share-rules.js';
import type { ShareSubject } from './share-target.js';
import type { ShareUpdate, SharesService } from './shares.service.js';

/** A drive item as one caller reaches it, with what they hold on it. */
export interface ItemAccess {
  space: Space;
  node: FileNode;
  /** Space-relative path; [] for the space root. */
  path: string[];
  isRoot: boolean;
  access: FileAccess;
  /** The caller's space role when they are a member; null when only shares reach the item. */
  memberRole: string | null;
}

export interface NewLink {
  type: LinkType;
  password?: string;
  /** Epoch ms; undefined asks for the admin's default. */
  expiresAt?: number;
  displayName?: string;
  quickLink?: boolean;
}

export interface PermissionChanges {
  roleId?: string;
  /** null removes the expiry. */
  expiresAt?: number | null;
  linkType?: LinkType;
  displayName?: string;
}

export interface ItemInvite {
  recipientId: string;
  recipientType: 'user' | 'group';
  roleId: string;
  expiresAt?: number;
}

const ACTION_PREFIX = 'libre.graph/driveItem/';
const itemNotFound = (): never => fail('notFound', 'the item does not exist or is out of reach', 'itemNotFound');
const shareNotFound = (): never => fail('notFound', 'no such share', 'shareNotFound');
const roleNotApplicable = (): never => fail('invalidInput', 'the role does not apply to this item', 'roleNotApplicable');
const subjectOf = (item: ItemAccess): ShareSubject => ({ spaceId: item.space.id, nodeId: item.node.id });

/**
 * The LibreGraph view of the shares of drive items: items as a caller
 * reaches them, the permissions on them and the roles that apply. Links,
 * invitations and permission changes are translated to SharesService, the
 * one writer of share rows, with oCIS's rules: a link made here is an OCS
 * link share, a user or group invitation an OCS share of type 0 or 1, and a
 * permission id is the share id. Space membership stays with
 * SpaceMembersService; these are the shares of items and space roots.
 */
export class GraphSharesService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly shares: SharesService,
  ) {}

  /** The item if the caller reaches it; 404 otherwise, as the reference hides what one cannot stat. */
  async item(userId: string, spaceId: string, nodeId: string): Promise<ItemAccess> {
    const repos = this.ctx.repos;
    const now = this.ctx.clock.now();
    const space = await repos.spaces.findById(spaceId);
    if (!space || space.disabledAt !== null) itemNotFound();
    let node: FileNode;
    let path: string[];
    if (nodeId === spaceId) {
      node = publicNode(rootNode(space!));
      path = [];
    } else {
      const stored = await repos.nodes.byId(nodeId);
      if (!stored || stored.spaceId !== spaceId) itemNotFound();
      node = publicNode(stored!);
      path = stored!.path.split('/');
    }
    let access: FileAccess;
    try {
      access = (await openTree(repos, userId, spaceId, now, path)).access;
    } catch (err) {
      if (err instanceof DomainError && err.code === 'notFound') itemNotFound();
      throw err;
    }
    const members = await repos.spaceMembers.listForSpace(spaceId);
    const memberRole = access!.viaShare ? null : callerRoleIn(members, userId, new Set(await repos.groups.groupsOfUser(userId)), now);
    return { space: space!, node, path, isRoot: path.length === 0, access: access!, memberRole };
  }

  /**
   * The caller's actions on an item (their space role's, or those of the
   * shares that reach it) and the enabled item roles within them, weakest
   * first (oCIS GetApplicableRoleDefinitionsForActions); `federated` asks
   * for the roles federated users may get.
   */
  allowedValues(item: ItemAccess, federated: boolean): { actions: string[]; roles: UnifiedRole[] } {
    const role = item.memberRole ? findRole(item.memberRole) : undefined;
    const actions = role ? fullActions(role) : actionsOfPermissions(item.access.viaShare?.permissions ?? 0, item.node.type);
    const held = new Set(actions.map((a) => a.slice(ACTION_PREFIX.length)));
    const condition: Condition = federated ? (item.node.type === 'file' ? 'fileFederated' : 'folderFederated') : item.node.type;
    const roles = enabledRoles()
      .filter((r) => itemRoleIds(item.node.type).includes(r.id) && r.conditions.includes(condition) && r.actions.every((a) => held.has(a)))
      .sort((a, b) => a.actions.length - b.actions.length);
    return { actions, roles };
  }

  /** The shares on the item the caller may see: all of them with the right to list grants, else their own. */
  async sharesOn(userId: string, item: ItemAccess): Promise<Share[]> {
    const all = await this.ctx.repos.shares.onNodes(item.space.id, [item.node.id]);
    const role = item.memberRole ? findRole(item.memberRole) : undefined;
    const seesAll = item.access.can.share || item.access.can.manage || (role?.actions.includes('permissions/read') ?? false);
    return all.filter((s) => s.nodeId === item.node.id && (seesAll || s.ownerId === userId));
  }

  /** One share of the item by permission id; 404 when it is unknown or not visible, 400 when it belongs to another item (as the reference). */
  async permission(userId: string, item: ItemAccess, permissionId: string): Promise<Share> {
    const share = /^\d+$/.test(permissionId) ? await this.ctx.repos.shares.byId(permissionId) : undefined;
    if (!share || share.type === SHARE_TYPE.remote) shareNotFound();
    if (share!.spaceId !== item.space.id || share!.nodeId !== item.node.id) fail('invalidInput', 'the share is not one of this item', 'permissionItemMismatch');
    if (!(await this.sharesOn(userId, item)).some((s) => s.id === share!.id)) shareNotFound();
    return share!;
  }

  /** The bits a link type gives on the item; upload and createOnly apply to folders only. */
  private linkBits(type: LinkType, item: ItemAccess): { permissions: number; hideDownload: boolean } {
    return linkPermissions(type, item.node.type) ?? fail('invalidInput', 'the link type does not apply to this item', 'linkTypeNotApplicable');
  }

  /** POST createLink: a link share of the item (a quick link already there is answered again). */
  createLink(userId: string, item: ItemAccess, input: NewLink): Promise<Share> {
    const bits = this.linkBits(input.type, item);
    return this.shares.create(
      userId,
      subjectOf(item),
      {
        type: SHARE_TYPE.link,
        permissions: bits.permissions,
        hideDownload: bits.hideDownload,
        password: input.password,
        // The reference keeps a link through the whole day it expires on (23:59:59 UTC).
        expiresAt: input.expiresAt === undefined ? undefined : endOfDay(input.expiresAt),
        label: input.displayName,
        quickLink: input.quickLink,
      },
      OCIS_RULES,
    );
  }

  /** POST …/permissions/{id}/setPassword: '' removes the password unless passwords are enforced. */
  async setPassword(userId: string, item: ItemAccess, permissionId: string, password: string): Promise<Share> {
    const share = await this.permission(userId, item, permissionId);
    if (share.type !== SHARE_TYPE.link) fail('invalidInput', 'only links have a password', 'notALink', { field: 'password' });
    return this.shares.update(userId, share.id, { password }, OCIS_RULES);
  }

  /** PATCH a permission: a link's type, name and expiry; a user or group share's role and expiry. */
  async update(userId: string, item: ItemAccess, permissionId: string, changes: PermissionChanges): Promise<Share> {
    const share = await this.permission(userId, item, permissionId);
    const update: ShareUpdate = {};
    if (share.type === SHARE_TYPE.link) {
      if (changes.roleId !== undefined) fail('invalidInput', 'a link has no role', 'roleOnLink');
      if (changes.linkType !== undefined) ({ permissions: update.permissions, hideDownload: update.hideDownload } = this.linkBits(changes.linkType, item));
      update.label = changes.displayName;
      if (changes.expiresAt !== undefined) update.expiresAt = changes.expiresAt === null ? null : endOfDay(changes.expiresAt);
    } else {
      if (changes.linkType !== undefined || changes.displayName !== undefined) fail('invalidInput', 'only links have a link type or display name', 'notALink', { field: 'link' });
      if (changes.roleId !== undefined) update.permissions = roleSharePermissions(changes.roleId, share.itemType) ?? roleNotApplicable();
      update.expiresAt = changes.expiresAt;
    }
    return this.shares.update(userId, share.id, update, OCIS_RULES);
  }

  /** DELETE a permission: the share is gone for everyone, whichever API made it. */
  async remove(userId: string, item: ItemAccess, permissionId: string): Promise<void> {
    const share = await this.permission(userId, item, permissionId);
    await this.shares.remove(userId, share.id, OCIS_RULES);
  }

  /** POST invite on an item (not a space root): a user or group share with the role's permissions. */
  invite(userId: string, item: ItemAccess, input: ItemInvite): Promise<Share> {
    if (item.isRoot && item.space.type === 'personal') fail('invalidInput', 'a home folder itself cannot be shared', 'rootNotShareable');
    if (item.isRoot) roleNotApplicable();
    const permissions = roleSharePermissions(input.roleId, item.node.type) ?? roleNotApplicable();
    const type = input.recipientType === 'user' ? SHARE_TYPE.user : SHARE_TYPE.group;
    return this.shares.create(userId, subjectOf(item), { type, shareWith: input.recipientId, permissions, expiresAt: input.expiresAt }, OCIS_RULES);
  }

  names(shares: Share[]): Promise<Map<string, string>> {
    return shareNames(this.ctx.repos, shares);
  }
}
