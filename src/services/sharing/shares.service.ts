import { DomainError, fail } from '../../domain/errors.js';
import { assertValidPath, joinPath } from '../../domain/file-names.js';
import type { FileNode, PathSegments } from '../../domain/node.js';
import { assertPasswordAcceptable } from '../../domain/password-policy.js';
import { isQuickLink, quickLinkAttributes } from '../../domain/share-roles.js';
import {
  assertSharePermissions,
  isExpired,
  initialPermissions,
  isShareType,
  PERM,
  publicUploadPermissions,
  type Share,
  SHARE_STATE,
  SHARE_TYPE,
  type ShareType,
  uniqueName,
} from '../../domain/share.js';
import type { Space } from '../../domain/space.js';
import type { ShareChanges } from '../../ports/shares.js';
import type { Repositories } from '../../ports/repositories.js';
import type { ServiceContext } from '../../ports/service-context.js';
import type { FederationService } from '../federation/federation.service.js';
import { formatCloudId, parseCloudId } from '../../domain/federation.js';
import { openTree, publicNode, rootNode } from '../access/file-tree.js';
import type { FileAccess } from '../access/files.contract.js';
import { recordShareActivity } from '../activity/share-activity.js';
import { callerRoleIn } from '../access/space-access.js';
import { findRole } from '../../domain/unified-roles.js';
import { assertMayGrant, permissionsOf, resolveExpiry } from '../access/share-policy.js';
import { type Mount, mountsOf, resolveInView } from '../access/share-mounts.js';
import { ShareQueries, type ShareView } from './share-queries.js';

/** What a new share is made of; `expiresAt` undefined asks for the admin's default, null for none. */
export interface NewShare {
  type: number;
  shareWith?: string;
  permissions?: number;
  publicUpload?: boolean;
  password?: string;
  expiresAt?: number | null;
  label?: string;
  note?: string;
  attributes?: string | null;
  hideDownload?: boolean;
  /** oCIS's quick link: the item's one link for quick sharing; asked for again, the link already there is the answer. */
  quickLink?: boolean;
}

/** What an update may change: the same fields, each left as it is when absent; a password of '' removes it. */
export type ShareUpdate = Omit<NewShare, 'type' | 'shareWith' | 'quickLink'>;

/**
 * Where Nextcloud's and oCIS's sharing rules differ. The rows and every
 * other rule are the same; each front door passes its reference's rules.
 */
export interface ShareRules {
  /**
   * A user or group share asked for again (same sharer, item and
   * recipient): Nextcloud 30+ answers the share already there, oCIS refuses
   * it (409: the existing permission is to be updated instead).
   */
  repeated: 'answerExisting' | 'refuse';
  /**
   * oCIS's internal link: a link without permissions, which only leads
   * those who already have access to the item and so takes no password.
   * Nextcloud has none and refuses a link without read or create.
   */
  internalLinks: boolean;
  /**
   * When an enforced link password is checked: oCIS also when a link
   * without one gets new permissions (reva publicshareprovider
   * UpdatePublicShare), Nextcloud only when the password itself is set
   * (Share20\Manager::updateSharePasswordIfNeeded).
   */
  passwordOnPermissionChange: boolean;
  /**
   * Who may delete a share: Nextcloud lets a recipient drop one for
   * themselves (ShareAPIController::deleteShare, deleteFromSelf); oCIS
   * deletes a permission only for those who may change it.
   */
  recipientsMayDelete: boolean;
}

export const NEXTCLOUD_RULES: ShareRules = { repeated: 'answerExisting', internalLinks: false, passwordOnPermissionChange: false, recipientsMayDelete: true };
export const OCIS_RULES: ShareRules = { repeated: 'refuse', internalLinks: true, passwordOnPermissionChange: true, recipientsMayDelete: false };

/** Where the item to share is: a path of the caller's home (OCS), or a node of a space (Graph). */
export type ShareSubject = { viewPath: PathSegments } | { spaceId: string; nodeId: string };

interface Resolved {
  space: Space;
  node: FileNode;
  path: string[];
  access: FileAccess;
  displayPath: string;
}

const notReachable = (): never => fail('notFound', 'the item does not exist or is out of reach', 'itemNotFound');
const unknownShare = (): never => fail('notFound', 'no such share', 'shareNotFound');
const rootRefused = (): never => fail('forbidden', 'a home folder itself cannot be shared', 'rootNotShareable');

/**
 * User, group and public-link shares (Nextcloud's Share20\Manager rules),
 * whichever API asks: OCS by path, Graph by item. One row per share.
 */
export class SharesService {
  readonly queries: ShareQueries;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly federation?: FederationService,
  ) {
    this.queries = new ShareQueries(ctx);
  }

  private get settings() {
    return this.ctx.settings.sharing;
  }

  private now(): number {
    return this.ctx.clock.now();
  }

  /** The node a subject names, with the caller's rights on it; 404 "Wrong path" when they cannot reach it. */
  async resolve(repos: Repositories, userId: string, subject: ShareSubject): Promise<Resolved> {
    const now = this.now();
    let spaceId: string;
    let path: string[];
    let displayPath: string;
    if ('viewPath' in subject) {
      const target = resolveInView(await mountsOf(repos, userId, now), userId, subject.viewPath);
      if (subject.viewPath.length === 0) rootRefused();
      ({ spaceId, path } = target);
      displayPath = `/${joinPath(subject.viewPath)}`;
    } else {
      spaceId = subject.spaceId;
      if (subject.nodeId === spaceId) path = [];
      else {
        const node = await repos.nodes.byId(subject.nodeId);
        if (!node || node.spaceId !== spaceId) notReachable();
        path = node!.path.split('/');
      }
      displayPath = `/${path.join('/')}`;
    }
    let tree;
    try {
      tree = await openTree(repos, userId, spaceId, now, path);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'notFound') notReachable();
      throw err;
    }
    const space = tree!.space;
    const stored = path.length === 0 ? rootNode(space) : await repos.nodes.byPath(spaceId, joinPath(path));
    if (!stored) notReachable();
    return { space, node: publicNode(stored!), path, access: tree!.access, displayPath };
  }

  async create(userId: string, subject: ShareSubject, input: NewShare, rules: ShareRules = NEXTCLOUD_RULES): Promise<Share> {
    if (!isShareType(input.type)) fail('invalidInput', 'unknown share type', 'unknownShareType');
    const type = input.type as ShareType;
    const now = this.now();
    const target = await this.resolve(this.ctx.repos, userId, subject);
    const { space, node } = target;
    const itemType = node.type;
    if (space.type === 'personal' && target.path.length === 0) rootRefused();
    const fileOwnerId = space.type === 'personal' ? space.ownerId : userId;

    const shareWith = await this.checkRecipient(type, input.shareWith, userId, fileOwnerId);

    let permissions: number;
    if (type === SHARE_TYPE.link && input.publicUpload !== undefined && input.permissions === undefined) {
      if (input.publicUpload && itemType === 'file') fail('invalidInput', 'only a folder can take uploads', 'publicUploadOnFile');
      permissions = publicUploadPermissions(input.publicUpload);
    } else {
      permissions = initialPermissions(type, itemType, input.permissions, { internal: this.settings.defaultPermissions, link: PERM.read });
    }
    this.assertPermissions(type, permissions, itemType, rules);
    const isOwner = space.type === 'personal' ? space.ownerId === userId : target.access.can.manage;
    assertMayGrant(permissionsOf(target.access, itemType) | (isOwner ? PERM.all : 0), permissions, type, node.name || space.name, target.displayPath, this.settings, isOwner);

    const onNode = type !== SHARE_TYPE.link || input.quickLink ? await this.ctx.repos.shares.onNodes(space.id, [node.id]) : [];
    if (type !== SHARE_TYPE.link) {
      const existing = onNode.find((s) => s.type === type && s.shareWith === shareWith && s.ownerId === userId);
      if (existing && rules.repeated === 'refuse') fail('conflict', 'the item is already shared with this recipient', 'alreadyShared');
      if (existing) return existing;
    } else if (input.quickLink) {
      const existing = onNode.find((s) => s.type === SHARE_TYPE.link && isQuickLink(s.attributes));
      if (existing) return existing;
    }

    const passwordHash = await this.passwordFor(type, permissions, input.password);
    const expiresAt = resolveExpiry(type, input.expiresAt, this.settings, now);
    const label = this.checkLabel(input.label);

    const share: Share = {
      id: '',
      type,
      ownerId: userId,
      fileOwnerId,
      spaceId: space.id,
      nodeId: node.id,
      itemType,
      shareWith,
      permissions,
      token: type === SHARE_TYPE.link || type === SHARE_TYPE.remote ? this.ctx.secrets.token(15) : null,
      passwordHash,
      expiresAt,
      label: type === SHARE_TYPE.link ? label : '',
      note: input.note ?? '',
      hideDownload: type === SHARE_TYPE.link && input.hideDownload === true,
      attributes: input.quickLink ? quickLinkAttributes() : (input.attributes ?? null),
      targetName: node.name || space.name,
      createdAt: now,
    };
    await this.ctx.tx.run(async (repos) => {
      share.id = String(await repos.counters.allocate('share_id', 1));
      await repos.shares.insert(share);
      await this.addRecipients(repos, share, now);
      await recordShareActivity(repos, now, share, userId, true, { fileId: node.fileId, ownerPath: `/${target.path.join('/')}` });
    });
    if (type === SHARE_TYPE.remote) {
      // The offer goes out once the share exists (the remote may call back at once); a refused offer leaves nothing behind.
      try {
        await this.federation!.offer(share, parseCloudId(shareWith!), userId, share.targetName, fileOwnerId);
      } catch (err) {
        await this.ctx.repos.shares.delete([share.id]);
        throw err;
      }
    }
    return share;
  }

  private async checkRecipient(type: ShareType, shareWith: string | undefined, userId: string, fileOwnerId: string): Promise<string | null> {
    const repos = this.ctx.repos;
    switch (type) {
      case SHARE_TYPE.user: {
        const user = shareWith ? await repos.users.findById(shareWith) : undefined;
        if (!user) fail('notFound', 'no such user to share with', 'recipientUserNotFound');
        if (user!.id === userId) fail('forbidden', 'a user cannot share with themselves', 'shareWithSelf');
        if (user!.id === fileOwnerId) fail('forbidden', 'the recipient owns the item', 'shareWithOwner');
        return user!.id;
      }
      case SHARE_TYPE.group: {
        if (!this.settings.allowGroupSharing) fail('forbidden', 'group sharing is off', 'groupSharingDisabled');
        const group = shareWith ? await repos.groups.findById(shareWith) : undefined;
        if (!group) fail('notFound', 'no such group to share with', 'recipientGroupNotFound');
        return group!.id;
      }
      case SHARE_TYPE.link:
        if (!this.settings.allowLinks) fail('forbidden', 'links are off', 'linksDisabled');
        return null;
      case SHARE_TYPE.remote: {
        if (!this.federation || !shareWith) fail('notFound', 'no federated account to share with', 'recipientRemoteInvalid');
        const cloud = parseCloudId(shareWith!);
        await this.federation!.assertMayOffer(cloud, userId);
        return formatCloudId(cloud.user, cloud.remote);
      }
      default:
        return fail('invalidInput', 'unknown share type', 'unknownShareType');
    }
  }

  private assertPermissions(type: ShareType, permissions: number, itemType: 'file' | 'folder', rules: ShareRules): void {
    assertSharePermissions(type, permissions, itemType, rules.internalLinks);
    if (type === SHARE_TYPE.link && permissions & PERM.create && !this.settings.allowPublicUpload) fail('forbidden', 'links that take uploads are off', 'publicUploadDisabled');
  }

  /** A link's password hash; an internal link (no permissions) takes none, as in oCIS. */
  private async passwordFor(type: ShareType, permissions: number, password: string | undefined): Promise<string | null> {
    if (type !== SHARE_TYPE.link) return null;
    if (permissions === 0) {
      if (password) fail('invalidInput', 'an internal link takes no password', 'internalLinkPassword');
      return null;
    }
    if (password === undefined || password === '') {
      if (this.settings.enforceLinkPassword) fail('forbidden', 'a link needs a password', 'linkPasswordEnforced');
      return null;
    }
    assertPasswordAcceptable(password, await this.ctx.passwordPolicy());
    return this.ctx.hasher.hash(password);
  }

  private checkLabel(label: string | undefined): string {
    if (label !== undefined && [...label].length > 255) fail('invalidInput', 'a label has at most 255 characters', 'labelTooLong');
    return label ?? '';
  }

  /**
   * Recipients get the share under a name not taken in their home (Nextcloud
   * picks the mount point when it shares); they accept it first when the
   * admin turned automatic acceptance off.
   */
  private async addRecipients(repos: Repositories, share: Share, now: number): Promise<void> {
    const state = this.settings.autoAccept ? SHARE_STATE.accepted : SHARE_STATE.pending;
    let users: string[] = [];
    if (share.type === SHARE_TYPE.user) users = [share.shareWith!];
    else if (share.type === SHARE_TYPE.group && state === SHARE_STATE.pending) users = (await repos.groups.membersOf(share.shareWith!)).filter((u) => u !== share.ownerId);
    for (const user of users) {
      const name = await this.freeMountName(repos, user, share.targetName, now, share.id);
      await repos.shares.setRecipient(share.id, user, state, name);
    }
  }

  /** A name free among the user's own top-level entries and their other mounts (names only: no node lookups, so sharing stays cheap with many mounts). */
  private async freeMountName(repos: Repositories, userId: string, wanted: string, now: number, shareId: string): Promise<string> {
    const received = await repos.shares.receivedBy(userId, await repos.groups.groupsOfUser(userId));
    const taken = new Set(received.filter((r) => r.id !== shareId && r.state === SHARE_STATE.accepted && !isExpired(r, now)).map((r) => r.mountName));
    for (const r of await repos.remoteShares.ofUser(userId, true)) if (r.mountName) taken.add(r.mountName);
    const personal = await repos.spaces.findById(userId);
    if (personal) {
      for (const n of await repos.nodes.children(userId)) taken.add(n.name);
    }
    return uniqueName(wanted, taken);
  }

  /** A share the caller may see: they made it, own the file, received it, or may share the node themselves. */
  async visible(userId: string, id: string): Promise<Share> {
    const share = await this.ctx.repos.shares.byId(id);
    if (!share || !(await this.canSee(userId, share))) unknownShare();
    return share!;
  }

  private async canSee(userId: string, share: Share): Promise<boolean> {
    if (share.ownerId === userId || share.fileOwnerId === userId) return true;
    if (share.type === SHARE_TYPE.user && share.shareWith === userId) return true;
    if (share.type === SHARE_TYPE.group && (await this.ctx.repos.groups.isMember(share.shareWith!, userId))) return true;
    try {
      const at = share.nodeId === share.spaceId ? [] : async () => (await this.ctx.repos.nodes.byId(share.nodeId))?.path.split('/') ?? [];
      const tree = await openTree(this.ctx.repos, userId, share.spaceId, this.now(), at);
      if (tree.access.can.manage || (tree.access.can.share && !tree.access.viaShare)) return true;
      return !tree.access.viaShare && (await this.listsGrants(userId, share.spaceId));
    } catch {
      return false;
    }
  }

  /** Whether the caller's space role lists the grants of the space (oCIS permissions/read): its members see the shares made in it, as Graph lists them. */
  private async listsGrants(userId: string, spaceId: string): Promise<boolean> {
    const repos = this.ctx.repos;
    const role = callerRoleIn(await repos.spaceMembers.listForSpace(spaceId), userId, new Set(await repos.groups.groupsOfUser(userId)), this.now());
    return (role ? findRole(role)?.actions.includes('permissions/read') : false) ?? false;
  }

  private async editable(userId: string, id: string): Promise<Share> {
    const share = await this.visible(userId, id);
    if (!(await this.mayEdit(userId, share))) fail('forbidden', 'only the sharer, the owner or a space manager may change a share', 'notShareEditor');
    return share;
  }

  private async mayEdit(userId: string, share: Share): Promise<boolean> {
    return share.ownerId === userId || share.fileOwnerId === userId || (await this.managesSpace(userId, share));
  }

  private async managesSpace(userId: string, share: Share): Promise<boolean> {
    try {
      return (await openTree(this.ctx.repos, userId, share.spaceId, this.now(), [])).access.can.manage;
    } catch {
      return false;
    }
  }

  async update(userId: string, id: string, u: ShareUpdate, rules: ShareRules = NEXTCLOUD_RULES): Promise<Share> {
    const share = await this.editable(userId, id);
    const now = this.now();
    const changes: ShareChanges = {};
    if (u.permissions !== undefined || u.publicUpload !== undefined) {
      let permissions: number;
      if (u.permissions !== undefined) permissions = share.itemType === 'file' ? u.permissions & ~(PERM.create | PERM.delete) : u.permissions;
      else {
        if (share.type !== SHARE_TYPE.link) fail('invalidInput', 'nothing to change', 'noShareChanges');
        if (u.publicUpload && share.itemType === 'file') fail('invalidInput', 'only a folder can take uploads', 'publicUploadOnFile');
        permissions = publicUploadPermissions(u.publicUpload!);
      }
      this.assertPermissions(share.type, permissions, share.itemType, rules);
      const target = await this.resolve(this.ctx.repos, userId, { spaceId: share.spaceId, nodeId: share.nodeId });
      const isOwner = share.fileOwnerId === userId || target.access.can.manage;
      assertMayGrant(permissionsOf(target.access, share.itemType) | (isOwner ? PERM.all : 0), permissions, share.type, target.node.name, target.displayPath, this.settings, isOwner);
      changes.permissions = permissions;
    }
    if (share.type === SHARE_TYPE.link) {
      const permissions = changes.permissions ?? share.permissions;
      if (u.password !== undefined) changes.passwordHash = await this.passwordFor(share.type, permissions, u.password);
      else if (changes.permissions === 0) changes.passwordHash = null;
      else if (changes.permissions !== undefined && !share.passwordHash && this.settings.enforceLinkPassword) {
        // An internal link made public is a new public link to every rule set.
        if (rules.passwordOnPermissionChange || share.permissions === 0) fail('forbidden', 'a link needs a password', 'linkPasswordEnforced');
      }
    }
    if (u.expiresAt !== undefined) changes.expiresAt = resolveExpiry(share.type, u.expiresAt, this.settings, now);
    if (u.label !== undefined && share.type === SHARE_TYPE.link) changes.label = this.checkLabel(u.label);
    if (u.note !== undefined) changes.note = u.note;
    if (u.attributes !== undefined) changes.attributes = u.attributes;
    if (u.hideDownload !== undefined && share.type === SHARE_TYPE.link) changes.hideDownload = u.hideDownload;
    if (Object.keys(changes).length) await this.ctx.repos.shares.update(share.id, changes);
    return { ...share, ...changes };
  }

  /**
   * The sharer (or file owner) deletes the share; the recipient of a user
   * share removes it for good, a group member only for themselves (Nextcloud's
   * deleteFromSelf).
   */
  async remove(userId: string, id: string, rules: ShareRules = NEXTCLOUD_RULES): Promise<void> {
    const share = await this.visible(userId, id);
    if (await this.mayEdit(userId, share)) {
      await this.deleteAndTell(share, userId);
    } else if (rules.recipientsMayDelete && share.type === SHARE_TYPE.user && share.shareWith === userId) {
      await this.ctx.repos.shares.delete([share.id]);
    } else if (rules.recipientsMayDelete && share.type === SHARE_TYPE.group && (await this.ctx.repos.groups.isMember(share.shareWith!, userId))) {
      await this.ctx.repos.shares.setRecipient(share.id, userId, SHARE_STATE.declined, null);
    } else fail('forbidden', 'only the sharer, the owner, a space manager or a recipient may delete a share', 'notShareRemover');
    if (share.type !== SHARE_TYPE.link) await this.dropLostReshares(share.spaceId);
  }

  private async deleteAndTell(share: Share, actor: string): Promise<void> {
    const now = this.now();
    await this.ctx.tx.run(async (repos) => {
      const node = share.nodeId === share.spaceId ? null : await repos.nodes.byId(share.nodeId);
      const space = node ? null : await repos.spaces.findById(share.spaceId);
      await repos.shares.delete([share.id]);
      const fileId = node?.fileId ?? space?.rootFileId;
      if (fileId !== undefined) await recordShareActivity(repos, now, share, actor, false, { fileId, ownerPath: `/${node?.path ?? ''}` });
    });
    await this.federation?.notifyUnshared(share);
  }

  /** Leaves every share a mount stands for (DELETE of a mount root in the recipient's tree). */
  async leave(userId: string, mount: Mount): Promise<void> {
    for (const s of mount.shares) {
      if (s.type === SHARE_TYPE.user) await this.ctx.repos.shares.delete([s.id]);
      else await this.ctx.repos.shares.setRecipient(s.id, userId, SHARE_STATE.declined, null);
    }
    await this.dropLostReshares(mount.spaceId);
  }

  /**
   * Deletes the shares whose sharer may no longer share their node, once a
   * share they reshared from is gone (Nextcloud deletes such reshares too);
   * chains of reshares go in turn. Access checks already ignore them, this
   * keeps lists and mounts from showing what leads nowhere.
   */
  private async dropLostReshares(spaceId: string): Promise<void> {
    const space = await this.ctx.repos.spaces.findById(spaceId);
    if (!space) return;
    for (let round = 0; round < 10; round++) {
      const candidates = await this.ctx.repos.shares.othersInSpace(spaceId, space.ownerId);
      const nodes = new Map((await this.ctx.repos.nodes.byIds(candidates.filter((c) => c.nodeId !== spaceId).map((c) => c.nodeId))).map((n) => [n.id, n]));
      const lost: string[] = [];
      for (const c of candidates) {
        const path = c.nodeId === spaceId ? [] : (nodes.get(c.nodeId)?.path.split('/') ?? null);
        if (path === null) continue;
        try {
          if (!(await openTree(this.ctx.repos, c.ownerId, spaceId, this.now(), path)).access.can.share) lost.push(c.id);
        } catch (err) {
          if (!(err instanceof DomainError && err.code === 'notFound')) throw err;
          lost.push(c.id);
        }
      }
      if (!lost.length) return;
      await this.ctx.repos.shares.delete(lost);
    }
  }

  /** Renames a mount in the recipient's home (MOVE of a mount root within it). */
  async renameMount(userId: string, mount: Mount, name: string): Promise<void> {
    assertValidPath([name]);
    for (const s of mount.shares) await this.ctx.repos.shares.setRecipient(s.id, userId, s.state, name);
  }

  /** A received user or group share the caller is addressed by. */
  private async received(userId: string, id: string): Promise<Share> {
    const share = await this.ctx.repos.shares.byId(id);
    const mine =
      share &&
      share.ownerId !== userId &&
      ((share.type === SHARE_TYPE.user && share.shareWith === userId) || (share.type === SHARE_TYPE.group && (await this.ctx.repos.groups.isMember(share.shareWith!, userId))));
    if (!mine) unknownShare();
    return share!;
  }

  async accept(userId: string, id: string): Promise<void> {
    const share = await this.received(userId, id);
    const current = (await this.ctx.repos.shares.receivedBy(userId, await this.ctx.repos.groups.groupsOfUser(userId))).find((s) => s.id === share.id);
    if (current?.state === SHARE_STATE.accepted) return;
    const name = await this.freeMountName(this.ctx.repos, userId, share.targetName, this.now(), share.id);
    await this.ctx.repos.shares.setRecipient(share.id, userId, SHARE_STATE.accepted, name);
  }

  async decline(userId: string, id: string): Promise<void> {
    const share = await this.received(userId, id);
    await this.ctx.repos.shares.setRecipient(share.id, userId, SHARE_STATE.declined, null);
    await this.dropLostReshares(share.spaceId);
  }

  /** The shares mounted in a user's home, as their WebDAV tree shows them. */
  mountsOf(userId: string): Promise<Mount[]> {
    return mountsOf(this.ctx.repos, userId, this.now());
  }

  describe(userId: string, shares: Share[]): Promise<ShareView[]> {
    return this.queries.describe(userId, shares);
  }

  /** Share types per node of one space that concern the caller (oc:share-types). */
  typesOn(userId: string, spaceId: string, nodeIds: string[]): Promise<Map<string, number[]>> {
    return this.queries.typesOn(userId, spaceId, nodeIds);
  }
}
