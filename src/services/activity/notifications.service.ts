import { fail } from '../../domain/errors.js';
import { formatCloudId, type RemoteShare } from '../../domain/federation.js';
import {
  ADMIN_MESSAGE_MAX_BYTES,
  ADMIN_SUBJECT_MAX_BYTES,
  type Notification,
  NOTIFICATION_WORDING as W,
  remoteUserObject,
  richToParsed,
  type RichParameters,
} from '../../domain/notifications.js';
import { isExpired, type ReceivedShare, type Share, SHARE_STATE, SHARE_TYPE } from '../../domain/share.js';
import type { NotificationRecord } from '../../ports/notifications.js';
import type { Repositories } from '../../ports/repositories.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { loadActor } from '../access/actor.js';

/** Where a notification's actions lead: the OCS calls that settle what it is about, as absolute URLs. */
export interface NotificationLinks {
  acceptShare(shareId: string): string;
  declineShare(shareId: string): string;
  /** A pending remote share: POST accepts it, DELETE declines it. */
  pendingRemoteShare(id: string): string;
}

/** Nextcloud's Handler::get reads at most this many, newest first. */
const LIST_LIMIT = 25;

const APP_SHARING = 'files_sharing';
const APP_ADMIN = 'admin_notifications';
const SUBJECT = { userShare: 'incoming_user_share', groupShare: 'incoming_group_share', remoteShare: 'remote_share', admin: 'ocs' } as const;

/** What rendering knows of a user's shares, read once per listing. */
interface RenderFacts {
  received: Map<string, ReceivedShare>;
  now: number;
}

/** A record rendered, gone stale (what it is about was settled or removed: delete it), or not renderable now (keep it). */
type Prepared = Notification | 'stale' | 'skip';

const stringParam = (params: Record<string, unknown>, key: string): string => {
  const v = params[key];
  return typeof v === 'string' ? v : '';
};

const byteLength = (s: string): number => new TextEncoder().encode(s).length;

/**
 * The notifications app (nextcloud/notifications): each user's notifications,
 * the one writer of their rows. Sharing and federation add them inside the
 * transaction of the change they announce and clear them when the share is
 * settled; rendering checks again that what a notification is about is still
 * pending, and drops it otherwise, as Nextcloud's notifiers do
 * (AlreadyProcessedException).
 */
export class NotificationsService {
  constructor(private readonly ctx: ServiceContext) {}

  // ---- Writers, called with the repositories of the caller's transaction --

  /** A user or group share waiting for its recipients to accept it (files_sharing Listener::shareNotification). */
  async sharePending(repos: Repositories, share: Share, users: readonly string[]): Promise<void> {
    const subject = share.type === SHARE_TYPE.group ? SUBJECT.groupShare : SUBJECT.userShare;
    const recipients = [...new Set(users)].filter((u) => u !== share.ownerId && u !== share.fileOwnerId);
    await this.insert(
      repos,
      recipients.map((userId) => ({ userId, app: APP_SHARING, objectType: 'share', objectId: `ocinternal:${share.id}`, subject, shareId: share.id, createdAt: share.createdAt })),
    );
  }

  /** The recipient accepted or declined the share: their notification about it is done (or everyone's, without a user). */
  async shareSettled(repos: Repositories, shareId: string, userId?: string): Promise<void> {
    await repos.notifications.deleteForShare(shareId, userId);
  }

  /** A share another server offered (federatedfilesharing's notifyAboutNewShare). */
  async remoteSharePending(repos: Repositories, share: RemoteShare): Promise<void> {
    const owner = formatCloudId(share.owner, share.remote);
    await this.insert(repos, [
      {
        userId: share.userId,
        app: APP_SHARING,
        objectType: 'remote_share',
        objectId: share.id,
        subject: SUBJECT.remoteShare,
        subjectParams: { owner, sharedBy: share.sharedBy, name: share.name },
        remoteShareId: share.id,
        createdAt: share.createdAt,
      },
    ]);
  }

  async remoteShareSettled(repos: Repositories, remoteShareId: string): Promise<void> {
    await repos.notifications.deleteForRemoteShare(remoteShareId);
  }

  /**
   * An admin's message to a user (APIController::generateNotification): the
   * caller must be an admin; an unknown user is not found; the subject is
   * 1..255 bytes, the message at most 4000.
   */
  async sendAdminMessage(callerId: string, userId: string, shortMessage: string | undefined, longMessage: string | undefined): Promise<void> {
    const actor = await loadActor(this.ctx.repos, callerId);
    if (!actor.isAdmin) fail('forbidden', 'Logged in account must be an admin', 'notAdmin');
    const user = await this.ctx.repos.users.findById(userId);
    if (!user) fail('notFound', 'no such user', 'notificationNotFound');
    if (shortMessage === undefined || shortMessage === '' || byteLength(shortMessage) > ADMIN_SUBJECT_MAX_BYTES) fail('invalidInput', 'the subject must be 1 to 255 bytes', 'notificationInvalid');
    const message = longMessage ?? '';
    if (byteLength(message) > ADMIN_MESSAGE_MAX_BYTES) fail('invalidInput', 'the message may be at most 4000 bytes', 'notificationInvalid');
    const now = this.ctx.clock.now();
    await this.ctx.tx.run((repos) =>
      this.insert(repos, [
        {
          userId: user!.id,
          app: APP_ADMIN,
          // Nextcloud names the object by the hexadecimal Unix time of the message.
          objectType: APP_ADMIN,
          objectId: Math.floor(now / 1000).toString(16),
          subject: SUBJECT.admin,
          subjectParams: { subject: shortMessage },
          message: message === '' ? '' : SUBJECT.admin,
          messageParams: message === '' ? {} : { message },
          createdAt: now,
        },
      ]),
    );
  }

  // ---- What the user reads and dismisses -----------------------------------

  /** The caller's newest notifications, rendered; those whose object was settled meanwhile are deleted instead. */
  async list(userId: string, links: NotificationLinks): Promise<Notification[]> {
    const records = await this.ctx.repos.notifications.listForUser(userId, LIST_LIMIT);
    const facts = await this.facts(userId, records);
    const out: Notification[] = [];
    const stale: number[] = [];
    for (const r of records) {
      const p = await this.prepare(r, facts, links);
      if (p === 'stale') stale.push(r.id);
      else if (p !== 'skip') out.push(p);
    }
    if (stale.length) await this.ctx.repos.notifications.delete(userId, stale);
    return out;
  }

  async get(userId: string, id: string, links: NotificationLinks): Promise<Notification> {
    const n = notificationId(id);
    const record = n === null ? undefined : await this.ctx.repos.notifications.byId(userId, n);
    if (!record) return fail('notFound', 'no such notification', 'notificationNotFound');
    const p = await this.prepare(record, await this.facts(userId, [record]), links);
    if (p === 'stale') await this.ctx.repos.notifications.delete(userId, [record.id]);
    if (p === 'stale' || p === 'skip') return fail('notFound', 'no such notification', 'notificationNotFound');
    return p;
  }

  /**
   * Dismisses one of the caller's notifications. Nextcloud answers success
   * for one that is already gone or someone else's (EndpointController::
   * deleteNotification), so a dismissal from a second device does not fail;
   * only id 0 is refused.
   */
  async remove(userId: string, id: string): Promise<void> {
    const n = notificationId(id);
    if (n === null) fail('notFound', 'no such notification', 'notificationNotFound');
    await this.ctx.repos.notifications.delete(userId, [n!]);
  }

  async removeAll(userId: string): Promise<void> {
    await this.ctx.repos.notifications.deleteForUser(userId);
  }

  // ---- Plumbing ------------------------------------------------------------

  private async insert(repos: Repositories, rows: Array<Partial<NotificationRecord> & Pick<NotificationRecord, 'userId' | 'app' | 'objectType' | 'objectId' | 'subject' | 'createdAt'>>): Promise<void> {
    if (!rows.length) return;
    const first = await repos.counters.allocate('notification_id', rows.length);
    await repos.notifications.insert(
      rows.map((r, i) => ({ subjectParams: {}, message: '', messageParams: {}, shareId: null, remoteShareId: null, ...r, id: first + i })),
    );
  }

  private async facts(userId: string, records: NotificationRecord[]): Promise<RenderFacts> {
    const repos = this.ctx.repos;
    const received = records.some((r) => r.shareId !== null) ? await repos.shares.receivedBy(userId, await repos.groups.groupsOfUser(userId)) : [];
    return { received: new Map(received.map((s) => [s.id, s])), now: this.ctx.clock.now() };
  }

  private async prepare(r: NotificationRecord, facts: RenderFacts, links: NotificationLinks): Promise<Prepared> {
    if (r.app === APP_ADMIN) return this.prepareAdmin(r);
    if (r.shareId !== null) return this.prepareShare(r, r.shareId, facts, links);
    if (r.remoteShareId !== null) return this.prepareRemoteShare(r, r.remoteShareId, links);
    // About a share that is gone (the reference would find no share and drop it).
    return 'stale';
  }

  private prepareAdmin(r: NotificationRecord): Prepared {
    const subject = stringParam(r.subjectParams, 'subject');
    const message = stringParam(r.messageParams, 'message');
    return this.rendered(r, { template: subject, params: {} }, message === '' ? null : { template: message, params: {} }, []);
  }

  /** files_sharing Notifier::parseShareInvitation: only a share still pending for this user, with a sharer that exists. */
  private async prepareShare(r: NotificationRecord, shareId: string, facts: RenderFacts, links: NotificationLinks): Promise<Prepared> {
    const share = facts.received.get(shareId);
    if (!share || share.state !== SHARE_STATE.pending || isExpired(share, facts.now)) return 'stale';
    const sharer = await this.ctx.repos.users.findById(share.ownerId);
    // The reference keeps the notification when the sharer cannot be read ("Temporary failure").
    if (!sharer) return 'skip';
    // The share's target for this recipient, as Nextcloud stores it: a path in their home.
    const params: RichParameters = { share: { type: 'highlight', id: r.objectId, name: `/${share.mountName}` } };
    let template: string;
    if (share.type === SHARE_TYPE.group) {
      const group = await this.ctx.repos.groups.findById(share.shareWith!);
      if (!group) return 'stale';
      params.group = { type: 'user-group', id: group.id, name: group.displayName };
      template = W.incomingGroupShare;
    } else {
      template = W.incomingUserShare;
    }
    params.user = { type: 'user', id: sharer.id, name: sharer.displayName || sharer.id };
    return this.rendered(r, { template, params }, null, [
      { label: W.accept, link: links.acceptShare(share.id), type: 'POST', primary: true },
      { label: W.decline, link: links.declineShare(share.id), type: 'DELETE', primary: false },
    ]);
  }

  /** federatedfilesharing Notifier: the initiator, and the owner when someone else shared on their behalf. */
  private async prepareRemoteShare(r: NotificationRecord, id: string, links: NotificationLinks): Promise<Prepared> {
    const share = await this.ctx.repos.remoteShares.byId(id);
    if (!share || share.userId !== r.userId || share.accepted) return 'stale';
    const owner = stringParam(r.subjectParams, 'owner');
    const sharedBy = stringParam(r.subjectParams, 'sharedBy');
    const params: RichParameters = { share: { type: 'pending-federated-share', id: r.objectId, name: stringParam(r.subjectParams, 'name') } };
    let template: string;
    if (sharedBy !== '' && sharedBy !== owner) {
      params.user = remoteUserObject(sharedBy);
      params.behalf = remoteUserObject(owner);
      template = W.remoteShareOnBehalf;
    } else {
      params.user = remoteUserObject(owner);
      template = W.remoteShare;
    }
    const link = links.pendingRemoteShare(share.id);
    // The reference adds decline before accept.
    return this.rendered(r, { template, params }, null, [
      { label: W.decline, link, type: 'DELETE', primary: false },
      { label: W.accept, link, type: 'POST', primary: true },
    ]);
  }

  private rendered(r: NotificationRecord, subject: { template: string; params: RichParameters }, message: { template: string; params: RichParameters } | null, actions: Notification['actions']): Notification {
    return {
      id: r.id,
      app: r.app,
      user: r.userId,
      createdAt: r.createdAt,
      objectType: r.objectType,
      objectId: r.objectId,
      subject: richToParsed(subject.template, subject.params),
      subjectRich: subject.template,
      subjectRichParameters: subject.params,
      message: message ? richToParsed(message.template, message.params) : '',
      messageRich: message?.template ?? '',
      messageRichParameters: message?.params ?? {},
      link: '',
      // No icons are served here; Nextcloud allows a notification without one.
      icon: '',
      actions,
    };
  }
}

/** Ids are positive integers (the routes take digits only); 0 and anything past a bigint name no notification. */
function notificationId(id: string): number | null {
  if (!/^\d{1,15}$/.test(id)) return null;
  const n = Number(id);
  return n > 0 ? n : null;
}
