import { createHash } from 'node:crypto';
import type { Notification } from '../../../domain/notifications.js';
import type { NotificationLinks } from '../../../services/activity/notifications.service.js';
import { str } from '../../common/params.js';
import { UnknownOcsRoute } from '../errors.js';
import type { OcsCall, OcsRoutes } from '../route.js';
import { ok, ocsRoute } from '../route.js';

const APP = 'notifications';
const BASE = '/apps/notifications/api';
type ApiVersion = 'v1' | 'v2';

/**
 * The reference's route requirements: apiVersion v1 or v2, ids digits only.
 * Anything else matches no route there, so it answers as an unknown route here.
 */
function apiVersionOf(c: OcsCall): ApiVersion {
  const v = c.path.apiVersion;
  if (v !== 'v1' && v !== 'v2') throw new UnknownOcsRoute();
  return v;
}

function idOf(c: OcsCall): string {
  const id = c.path.id!;
  if (!/^\d+$/.test(id)) throw new UnknownOcsRoute();
  return id;
}

/** PHP's date('c'): seconds precision and a numeric offset (always UTC here). */
const isoDate = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

/**
 * EndpointController::notificationToArray: v2 adds the rich strings, the
 * icon and shouldNotify (false only for Talk's own desktop client, which is
 * not served here).
 */
function notificationJson(n: Notification, api: ApiVersion): Record<string, unknown> {
  const base: Record<string, unknown> = {
    notification_id: n.id,
    app: n.app,
    user: n.user,
    datetime: isoDate(n.createdAt),
    object_type: n.objectType,
    object_id: n.objectId,
    subject: n.subject,
    message: n.message,
    link: n.link,
  };
  if (api === 'v2') {
    Object.assign(base, {
      subjectRich: n.subjectRich,
      subjectRichParameters: n.subjectRichParameters,
      messageRich: n.messageRich,
      messageRichParameters: n.messageRichParameters,
      icon: n.icon,
      shouldNotify: true,
    });
  }
  base.actions = n.actions.map((a) => ({ label: a.label, link: a.link, type: a.type, primary: a.primary }));
  return base;
}

/** Nextcloud's ETag of a listing: the md5 of the JSON list of the ids it holds. */
const listETag = (ids: number[]): string => createHash('md5').update(JSON.stringify(ids)).digest('hex');

/** Nextcloud's Http::getStatusHeader compares If-None-Match with the quotes trimmed. */
function notModified(c: OcsCall, etag: string): boolean {
  const h = c.request.headers['if-none-match'];
  return typeof h === 'string' && h.trim().replace(/^"|"$/g, '') === etag;
}

/**
 * The notifications app's OCS API (nextcloud/notifications EndpointController
 * and APIController): the caller's notifications, each dismissable, and
 * admin messages to a user. The actions of share notifications lead to the
 * files_sharing OCS calls that settle the share.
 */
export function notificationsRoutes(publicUrl: string): OcsRoutes {
  const sharing = `${publicUrl}/ocs/v2.php/apps/files_sharing/api/v1`;
  // files_sharing's notifier declines with DELETE shares/{id} (ShareAPI.deleteShare), federatedfilesharing's with DELETE on the pending remote share.
  const links: NotificationLinks = {
    acceptShare: (id) => `${sharing}/shares/pending/${encodeURIComponent(id)}`,
    declineShare: (id) => `${sharing}/shares/${encodeURIComponent(id)}`,
    pendingRemoteShare: (id) => `${sharing}/remote_shares/pending/${encodeURIComponent(id)}`,
  };

  return (fastify, s) => {
    ocsRoute(fastify, {
      method: 'GET',
      url: `${BASE}/:apiVersion/notifications`,
      app: APP,
      csrf: false,
      handler: async (c) => {
        const api = apiVersionOf(c);
        const list = await s.notifications.list(c.userId(), links);
        if (api === 'v2') {
          const etag = listETag(list.map((n) => n.id));
          c.reply.header('ETag', `"${etag}"`);
          // A bodiless 304 is what OCS v2 renders; the v1 envelope has no such answer, so it always lists.
          if (c.request.ocsVersion === 2 && notModified(c, etag)) return { status: 304 };
        }
        return ok(list.map((n) => notificationJson(n, api)));
      },
    });

    ocsRoute(fastify, {
      method: 'GET',
      url: `${BASE}/:apiVersion/notifications/:id`,
      app: APP,
      csrf: false,
      handler: async (c) => {
        const api = apiVersionOf(c);
        return ok(notificationJson(await s.notifications.get(c.userId(), idOf(c), links), api));
      },
    });

    ocsRoute(fastify, {
      method: 'DELETE',
      url: `${BASE}/:apiVersion/notifications/:id`,
      app: APP,
      handler: async (c) => {
        apiVersionOf(c);
        await s.notifications.remove(c.userId(), idOf(c));
        return ok([]);
      },
    });

    ocsRoute(fastify, {
      method: 'DELETE',
      url: `${BASE}/:apiVersion/notifications`,
      app: APP,
      handler: async (c) => {
        apiVersionOf(c);
        await s.notifications.removeAll(c.userId());
        return ok([]);
      },
    });

    ocsRoute(fastify, {
      method: 'POST',
      url: `${BASE}/:apiVersion/admin_notifications/:userId`,
      app: APP,
      handler: async (c) => {
        apiVersionOf(c);
        await s.notifications.sendAdminMessage(c.userId(), c.path.userId!, str(c.params, 'shortMessage'), str(c.params, 'longMessage'));
        return ok([]);
      },
    });
  };
}
