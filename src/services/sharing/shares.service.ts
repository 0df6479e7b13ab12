import { timingSafeEqual } from 'node:crypto';
import { fail } from '../../domain/errors.js';
import { assertValidPath } from '../../domain/file-names.js';
import { parseCloudId } from '../../domain/federation.js';
import { isQuickLink, quickLinkAttributes } from '../../domain/share-roles.js';
import { initialPermissions, isShareType, PERM, publicUploadPermissions, type Share, SHARE_STATE, SHARE_TYPE, type ShareState, type ShareType } from '../../domain/share.js';
import type { ServiceContext } from '../../ports/service-context.js';
import type { ShareChanges } from '../../ports/shares.js';
import { assertMayGrant, permissionsOf, resolveExpiry } from '../access/share-policy.js';
import { type Mount, mountsOf } from '../access/share-mounts.js';
import { recordShareActivity } from '../activity/share-activity.js';
import type { FederatedOffers } from '../federation/federated-offers.js';
import type { NotificationsService } from '../activity/notifications.service.js';
import { recordRemoteShareActivity } from '../federation/remote-share-activity.js';
import { ShareQueries, type ShareView } from './share-queries.js';
import { addRecipients, checkRecipient, freeMountName } from './share-recipients.js';
import { assertPermissions, checkLabel, enforcedPassword, linkPasswordHash, NEXTCLOUD_RULES, type ShareRules } from './share-rules.js';
import { resolveTarget, rootRefused, type ShareSubject } from './share-target.js';
import { canSeeShare, lostReshares, mayEditShare } from './share-visibility.js';

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

const unknownShare = (): never => fail('notFound', 'no such share', 'shareNotFound');

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * User, group, link and federated shares (Nextcloud's Share20\Manager
 * rules, with oCIS's where ShareRules says so), whichever API asks: OCS by
 * path, Graph by item. The one writer of share rows and their recipients'
 * states.
 */
export class SharesService {
  readonly queries: ShareQueries;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly notifications: NotificationsService,
    private readonly offers?: FederatedOffers,
  ) {
    this.queries = new ShareQueries(ctx);
  }

  private get settings() {
    return this.ctx.settings.sharing;
  }

  private now(): number {
    return this.ctx.clock.now();
  }

  async create(userId: string, subject: ShareSubject, input: NewShare, rules: ShareRules = NEXTCLOUD_RULES): Promise<Share> {
    if (!isShareType(input.type)) fail('invalidInput', 'unknown share type', 'unknownShareType');
    const type = input.type as ShareType;
    const now = this.now();
    const target = await resolveTarget(this.ctx.repos, userId, subject, now);
    const { space, node } = target;
    const itemType = node.type;
    if (space.type === 'personal' && target.path.length === 0) rootRefused();
    const fileOwnerId = space.type === 'personal' ? space.ownerId : userId;

    const shareWith = await checkRecipient(this.ctx, this.offers, type, input.shareWith, userId, fileOwnerId);

    let permissions: number;
    if (type === SHARE_TYPE.link && input.publicUpload !== undefined && input.permissions === undefined) {
      if (input.publicUpload && itemType === 'file') fail('invalidInput', 'only a folder can take uploads', 'publicUploadOnFile');
      permissions = publicUploadPermissions(input.publicUpload);
    } else {
      permissions = initialPermissions(type, itemType, input.permissions, { internal: this.settings.defaultPermissions, link: PERM.read });
    }
    assertPermissions(this.ctx, type, permissions, itemType, rules);
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

    const passwordHash = await linkPasswordHash(this.ctx, type, permissions, input.password);
    const expiresAt = resolveExpiry(type, input.expiresAt, this.settings, now);
    const label = checkLabel(input.label);

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
      await this.notifications.sharePending(repos, share, await addRecipients(repos, this.settings.autoAccept, share, now));
      await recordShareActivity(repos, now, share, userId, true, { fileId: node.fileId, ownerPath: `/${target.path.join('/')}` });
    });
    if (type === SHARE_TYPE.remote) {
      // The offer goes out once the share exists (the remote may call back at once); a refused offer leaves nothing behind.
      try {
        await this.offers!.offer(share, parseCloudId(shareWith!), userId, share.targetName, fileOwnerId);
      } catch (err) {
        await this.ctx.repos.shares.delete([share.id]);
        throw err;
      }
    }
    return share;
  }

  /** A share the caller may see: they made it, own the file, received it, or may share the node themselves. */
  async visible(userId: string, id: string): Promise<Share> {
    const share = await this.ctx.repos.shares.byId(id);
    if (!share || !(await canSeeShare(this.ctx.repos, userId, share, this.now()))) unknownShare();
    return share!;
  }

  async update(userId: string, id: string, u: ShareUpdate, rules: ShareRules = NEXTCLOUD_RULES): Promise<Share> {
    const share = await this.visible(userId, id);
    const now = this.now();
    if (!(await mayEditShare(this.ctx.repos, userId, share, now))) fail('forbidden', 'only the sharer, the owner or a space manager may change a share', 'notShareEditor');
    const changes: ShareChanges = {};
    if (u.permissions !== undefined || u.publicUpload !== undefined) {
      let permissions: number;
      if (u.permissions !== undefined) permissions = share.itemType === 'file' ? u.permissions & ~(PERM.create | PERM.delete) : u.permissions;
      else {
        if (share.type !== SHARE_TYPE.link) fail('invalidInput', 'nothing to change', 'noShareChanges');
        if (u.publicUpload && share.itemType === 'file') fail('invalidInput', 'only a folder can take uploads', 'publicUploadOnFile');
        permissions = publicUploadPermissions(u.publicUpload!);
      }
      assertPermissions(this.ctx, share.type, permissions, share.itemType, rules);
      const target = await resolveTarget(this.ctx.repos, userId, { spaceId: share.spaceId, nodeId: share.nodeId }, now);
      const isOwner = share.fileOwnerId === userId || target.access.can.manage;
      assertMayGrant(permissionsOf(target.access, share.itemType) | (isOwner ? PERM.all : 0), permissions, share.type, target.node.name, target.displayPath, this.settings, isOwner);
      changes.permissions = permissions;
    }
    if (share.type === SHARE_TYPE.link) {
      if (u.password !== undefined) changes.passwordHash = await linkPasswordHash(this.ctx, share.type, changes.permissions ?? share.permissions, u.password);
      else if (changes.permissions === 0) changes.passwordHash = null;
      else if (changes.permissions !== undefined && !share.passwordHash && this.settings.enforceLinkPassword) {
        // An internal link made public is a new public link to every rule set.
        if (rules.passwordOnPermissionChange || share.permissions === 0) enforcedPassword();
      }
      if (u.label !== undefined) changes.label = checkLabel(u.label);
      if (u.hideDownload !== undefined) changes.hideDownload = u.hideDownload;
    }
    if (u.expiresAt !== undefined) changes.expiresAt = resolveExpiry(share.type, u.expiresAt, this.settings, now);
    if (u.note !== undefined) changes.note = u.note;
    if (u.attributes !== undefined) changes.attributes = u.attributes;
    if (Object.keys(changes).length) await this.ctx.repos.shares.update(share.id, changes);
    return { ...share, ...changes };
  }

  /**
   * The sharer, the file's owner or a space manager deletes the share; where
   * the rules let recipients, the recipient of a user share removes it for
   * good, a group member only for themselves (Nextcloud's deleteFromSelf).
   */
  async remove(userId: string, id: string, rules: ShareRules = NEXTCLOUD_RULES): Promise<void> {
    const share = await this.visible(userId, id);
    if (await mayEditShare(this.ctx.repos, userId, share, this.now())) {
      await this.deleteAndTell(share, userId);
    } else if (rules.recipientsMayDelete && share.type === SHARE_TYPE.user && share.shareWith === userId) {
      await this.ctx.repos.shares.delete([share.id]);
    } else if (rules.recipientsMayDelete && share.type === SHARE_TYPE.group && (await this.ctx.repos.groups.isMember(share.shareWith!, userId))) {
      await this.settle(share.id, userId, SHARE_STATE.declined, null);
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
    await this.offers?.notifyUnshared(share);
  }

  /**
   * An `accept` or `decline` from a recipient's server about one of our
   * federated shares: a declined share is gone, and its sharer hears of
   * either. A wrong id or token changes nothing; the caller answers success
   * either way, so nothing is revealed.
   */
  async onRemoteAnswer(id: string, token: string, notice: 'accept' | 'decline'): Promise<void> {
    const share = await this.ctx.repos.shares.byId(id);
    if (!share || share.type !== SHARE_TYPE.remote || !share.token || !sameSecret(share.token, token)) return;
    const now = this.now();
    await this.ctx.tx.run(async (repos) => {
      if (notice === 'decline') await repos.shares.delete([share.id]);
      await recordRemoteShareActivity(repos, now, {
        users: [share.ownerId],
        author: share.shareWith!,
        subject: notice === 'accept' ? 'remote_share_accepted' : 'remote_share_declined',
        objectId: Number(share.id),
        name: share.targetName,
      });
    });
  }

  /** Leaves every share a mount stands for (DELETE of a mount root in the recipient's tree). */
  async leave(userId: string, mount: Mount): Promise<void> {
    for (const s of mount.shares) {
      if (s.type === SHARE_TYPE.user) await this.ctx.repos.shares.delete([s.id]);
      else await this.settle(s.id, userId, SHARE_STATE.declined, null);
    }
    await this.dropLostReshares(mount.spaceId);
  }

  /** Deletes the reshares that lead nowhere once a share they came from is gone, round by round along chains of reshares. */
  private async dropLostReshares(spaceId: string): Promise<void> {
    const space = await this.ctx.repos.spaces.findById(spaceId);
    if (!space) return;
    for (let round = 0; round < 10; round++) {
      const lost = await lostReshares(this.ctx.repos, spaceId, space.ownerId, this.now());
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
    const name = await freeMountName(this.ctx.repos, userId, share.targetName, this.now(), share.id);
    await this.settle(share.id, userId, SHARE_STATE.accepted, name);
  }

  async decline(userId: string, id: string): Promise<void> {
    const share = await this.received(userId, id);
    await this.settle(share.id, userId, SHARE_STATE.declined, null);
    await this.dropLostReshares(share.spaceId);
  }

  /**
   * Every change of a recipient's state (accepted, declined, left) goes
   * through here, with the end of their notification about the share in the
   * same transaction. A deleted share takes its notifications with it.
   */
  private async settle(shareId: string, userId: string, state: ShareState, mountName: string | null): Promise<void> {
    await this.ctx.tx.run(async (repos) => {
      await repos.shares.setRecipient(shareId, userId, state, mountName);
      await this.notifications.shareSettled(repos, shareId, userId);
    });
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
