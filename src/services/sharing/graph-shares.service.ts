import { DomainError, fail } from '../../domain/errors.js';
import type { FileNode } from '../../domain/node.js';
import { assertPasswordAcceptable } from '../../domain/password-policy.js';
import { PERM, type Share, SHARE_TYPE, type ShareType } from '../../domain/share.js';
import { actionsOfPermissions, isQuickLink, itemRoleIds, type LinkType, linkPermissions, quickLinkAttributes, roleSharePermissions } from '../../domain/share-roles.js';
import type { Space } from '../../domain/space.js';
import { type Condition, enabledRoles, findRole, fullActions, type UnifiedRole } from '../../domain/unified-roles.js';
import type { Repositories } from '../../ports/repositories.js';
import type { ShareChanges } from '../../ports/shares.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { openTree, publicNode, rootNode } from '../access/file-tree.js';
import type { FileAccess } from '../access/files.contract.js';
import { recordShareActivity } from '../activity/share-activity.js';
import { endOfDay, permissionsOf, resolveExpiry } from '../access/share-policy.js';
import { callerRoleIn } from '../access/space-access.js';
import type { SharesService } from './shares.service.js';

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
const ITEM_NOT_FOUND = 'item not found';
const PERMISSION_NOT_FOUND = 'permission not found';

/**
 * LibreGraph sharing of drive items (links, invitations, permissions) on the
 * same share rows the OCS sharing API keeps: a link made here is an OCS link
 * share, a user or group invitation an OCS share of type 0 or 1, and a
 * permission id is the share id. Space membership stays with
 * SpaceMembersService; these are the shares of items and space roots.
 */
export class GraphSharesService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly shares: SharesService,
  ) {}

  private get settings() {
    return this.ctx.settings.sharing;
  }

  /** The item if the caller reaches it; 404 otherwise, as the reference hides what one cannot stat. */
  async item(userId: string, spaceId: string, nodeId: string): Promise<ItemAccess> {
    const repos = this.ctx.repos;
    const now = this.ctx.clock.now();
    const space = await repos.spaces.findById(spaceId);
    if (!space || space.disabledAt !== null) fail('notFound', ITEM_NOT_FOUND);
    let node: FileNode;
    let path: string[];
    if (nodeId === spaceId) {
      node = publicNode(rootNode(space!));
      path = [];
    } else {
      const stored = await repos.nodes.byId(nodeId);
      if (!stored || stored.spaceId !== spaceId) fail('notFound', ITEM_NOT_FOUND);
      node = publicNode(stored!);
      path = stored!.path.split('/');
    }
    let access: FileAccess;
    try {
      access = (await openTree(repos, userId, spaceId, now, path)).access;
    } catch (err) {
      if (err instanceof DomainError && err.code === 'notFound') fail('notFound', ITEM_NOT_FOUND);
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

  /** What the caller may hand out on the item, as share bits; 0 without the right to share. */
  private grantable(item: ItemAccess): number {
    const owner = item.access.can.manage;
    if (!owner && !item.access.can.share) return 0;
    if (!owner && !this.settings.allowResharing) return 0;
    return owner ? PERM.all : permissionsOf(item.access, item.node.type);
  }

  private assertMayShare(item: ItemAccess, permissions: number, isLink: boolean): void {
    const held = this.grantable(item);
    if (!held) fail('forbidden', 'no share permission');
    // Links never carry the share bit.
    const wanted = isLink ? permissions & ~PERM.share : permissions;
    if ((wanted & ~held) !== 0) fail('forbidden', 'cannot grant more permissions than you hold');
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
    if (!share || share.type === SHARE_TYPE.remote) fail('notFound', PERMISSION_NOT_FOUND);
    if (share!.spaceId !== item.space.id || share!.nodeId !== item.node.id) fail('invalidInput', 'permissionID and itemID do not match');
    if (!(await this.sharesOn(userId, item)).some((s) => s.id === share!.id)) fail('notFound', PERMISSION_NOT_FOUND);
    return share!;
  }

  /** Sharer, file owner and space managers change and remove a share; others who can see it get 403. */
  private async editable(userId: string, item: ItemAccess, permissionId: string): Promise<Share> {
    const share = await this.permission(userId, item, permissionId);
    if (share.ownerId !== userId && share.fileOwnerId !== userId && !item.access.can.manage) fail('forbidden', 'permission denied: you may not change this permission');
    return share;
  }

  /** The expiry a share gets, by the admin's policy for its type. */
  private expiry(type: ShareType, requested: number | null | undefined): number | null {
    return resolveExpiry(type, requested, this.settings, this.ctx.clock.now());
  }

  private async linkPassword(type: LinkType, password: string | undefined): Promise<string | null> {
    if (type === 'internal') {
      if (password) fail('invalidInput', 'password is redundant for the internal link');
      return null;
    }
    if (password === undefined || password === '') {
      if (this.settings.enforceLinkPassword) fail('invalidInput', 'password protection is enforced');
      return null;
    }
    assertPasswordAcceptable(password, await this.ctx.passwordPolicy());
    return this.ctx.hasher.hash(password);
  }

  private linkBits(type: LinkType, item: ItemAccess): { permissions: number; hideDownload: boolean } {
    const bits = linkPermissions(type, item.node.type);
    if (!bits) fail('invalidInput', 'invalid link type');
    if (bits!.permissions & PERM.create && !this.settings.allowPublicUpload) fail('forbidden', 'public upload is disabled by the administrator');
    return bits!;
  }

  private checkLabel(label: string | undefined): void {
    if (label !== undefined && [...label].length > 255) fail('invalidInput', 'the display name of a link may have at most 255 characters');
  }

  /** POST createLink: a link share of the item (a quick link already there is answered again). */
  async createLink(userId: string, item: ItemAccess, input: NewLink): Promise<Share> {
    if (item.isRoot && item.space.type === 'personal') fail('invalidInput', 'cannot create link on personal space root');
    const bits = this.linkBits(input.type, item);
    if (input.type === 'internal' && input.password) fail('invalidInput', 'password is redundant for the internal link');
    if (!this.settings.allowLinks) fail('forbidden', 'public link sharing is disabled by the administrator');
    this.assertMayShare(item, bits.permissions, true);
    this.checkLabel(input.displayName);
    if (input.quickLink) {
      const existing = (await this.ctx.repos.shares.onNodes(item.space.id, [item.node.id])).find((s) => s.type === SHARE_TYPE.link && isQuickLink(s.attributes));
      if (existing) return existing;
    }
    const passwordHash = await this.linkPassword(input.type, input.password);
    // The reference keeps a link through the whole day it expires on (23:59:59 UTC).
    const expiresAt = this.expiry(SHARE_TYPE.link, input.expiresAt === undefined ? undefined : endOfDay(input.expiresAt));
    const now = this.ctx.clock.now();
    const { space, node } = item;
    const share: Share = {
      id: '',
      type: SHARE_TYPE.link,
      ownerId: userId,
      fileOwnerId: space.type === 'personal' ? space.ownerId : userId,
      spaceId: space.id,
      nodeId: node.id,
      itemType: node.type,
      shareWith: null,
      permissions: bits.permissions,
      token: this.ctx.secrets.token(15),
      passwordHash,
      expiresAt,
      label: input.displayName ?? '',
      note: '',
      hideDownload: bits.hideDownload,
      attributes: input.quickLink ? quickLinkAttributes() : null,
      targetName: node.name || space.name,
      createdAt: now,
    };
    return this.ctx.tx.run(async (repos) => {
      share.id = String(await repos.counters.allocate('share_id', 1));
      await repos.shares.insert(share);
      await recordShareActivity(repos, now, share, userId, true, { fileId: node.fileId, ownerPath: `/${item.path.join('/')}` });
      return share;
    });
  }

  /** POST …/permissions/{id}/setPassword: '' removes the password unless passwords are enforced. */
  async setPassword(userId: string, item: ItemAccess, permissionId: string, password: string): Promise<Share> {
    const share = await this.editable(userId, item, permissionId);
    if (share.type !== SHARE_TYPE.link) fail('invalidInput', 'only links have a password');
    if (share.permissions === 0 && password !== '') fail('invalidInput', 'password is redundant for the internal link');
    const passwordHash = await this.linkPassword(share.permissions === 0 ? 'internal' : 'view', password);
    await this.ctx.repos.shares.update(share.id, { passwordHash });
    return { ...share, passwordHash };
  }

  /** PATCH a permission: a link's type, name and expiry; a user or group share's role and expiry. */
  async update(userId: string, item: ItemAccess, permissionId: string, changes: PermissionChanges): Promise<Share> {
    const share = await this.editable(userId, item, permissionId);
    if (share.type === SHARE_TYPE.link) {
      if (changes.roleId !== undefined) fail('invalidInput', 'a link has no role: change its type instead');
      const out: ShareChanges = {};
      if (changes.linkType !== undefined) {
        const bits = this.linkBits(changes.linkType, item);
        this.assertMayShare(item, bits.permissions, true);
        out.permissions = bits.permissions;
        out.hideDownload = bits.hideDownload;
        // An internal link needs no password: the reference drops it.
        if (changes.linkType === 'internal') out.passwordHash = null;
        else if (!share.passwordHash && this.settings.enforceLinkPassword) fail('invalidInput', 'password protection is enforced');
      }
      if (changes.displayName !== undefined) {
        this.checkLabel(changes.displayName);
        out.label = changes.displayName;
      }
      if (changes.expiresAt !== undefined) out.expiresAt = this.expiry(SHARE_TYPE.link, changes.expiresAt === null ? null : endOfDay(changes.expiresAt));
      if (Object.keys(out).length) await this.ctx.repos.shares.update(share.id, out);
      return { ...share, ...out };
    }
    if (changes.linkType !== undefined || changes.displayName !== undefined) fail('invalidInput', 'only links have a link type or display name');
    let permissions: number | undefined;
    if (changes.roleId !== undefined) {
      permissions = roleSharePermissions(changes.roleId, share.itemType) ?? fail('invalidInput', 'role not applicable to this resource');
      this.assertMayShare(item, permissions, false);
    }
    const expiresAt = changes.expiresAt === undefined ? undefined : this.expiry(share.type, changes.expiresAt);
    if (permissions === undefined && expiresAt === undefined) return share;
    return this.shares.update(userId, share.id, { permissions, expiresAt });
  }

  /** DELETE a permission: the share is gone for everyone, whichever API made it. */
  async remove(userId: string, item: ItemAccess, permissionId: string): Promise<void> {
    const share = await this.editable(userId, item, permissionId);
    await this.shares.remove(userId, share.id);
  }

  /** POST invite on an item (not a space root): a user or group share with the role's permissions. */
  async invite(userId: string, item: ItemAccess, input: ItemInvite): Promise<Share> {
    if (item.isRoot) fail('invalidInput', item.space.type === 'personal' ? 'space type is not eligible for sharing' : 'role not applicable to this resource');
    const permissions = roleSharePermissions(input.roleId, item.node.type);
    if (permissions === null) fail('invalidInput', 'role not applicable to this resource');
    const repos = this.ctx.repos;
    if (input.recipientType === 'group' && !this.settings.allowGroupSharing) fail('forbidden', 'group sharing is disabled by the administrator');
    const recipient = input.recipientType === 'user' ? await repos.users.findById(input.recipientId) : await repos.groups.findById(input.recipientId);
    if (!recipient) fail('invalidInput', 'itemNotFound: not found');
    this.assertMayShare(item, permissions!, false);
    const type = input.recipientType === 'user' ? SHARE_TYPE.user : SHARE_TYPE.group;
    if (type === SHARE_TYPE.user && recipient!.id === userId) fail('invalidInput', 'cannot share an item with yourself');
    const taken = (await repos.shares.onNodes(item.space.id, [item.node.id])).some((s) => s.type === type && s.shareWith === recipient!.id && s.ownerId === userId);
    if (taken) fail('conflict', 'the item is already shared with this recipient: update that permission instead');
    const expiresAt = this.expiry(type, input.expiresAt);
    return this.shares.create(userId, { spaceId: item.space.id, nodeId: item.node.id }, { type, shareWith: recipient!.id, permissions: permissions!, expiresAt });
  }

  names(shares: Share[]): Promise<Map<string, string>> {
    return shareNames(this.ctx.repos, shares);
  }
}

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
