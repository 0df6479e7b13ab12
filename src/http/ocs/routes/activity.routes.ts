import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ActivityItem, ActivityQuery, RenderOptions } from '../../../services/activity/activity.service.js';
import type { Services } from '../../../services/index.js';
import { str, type Params } from '../../common/params.js';
import type { OcsResult } from '../envelope.js';
import type { OcsCall, OcsRoutes } from '../route.js';
import { ok, ocsRoute } from '../route.js';

const APP = 'activity';
const V2 = '/apps/activity/api/v2/activity';

/** PHP's (int) cast: leading digits, anything else 0. */
function phpInt(p: Params, key: string, fallback: number): number {
  const s = str(p, key);
  if (s === undefined) return fallback;
  const n = Number.parseInt(s.trim(), 10);
  return Number.isNaN(n) ? 0 : n;
}

/** PHP's date('c'): seconds precision and a numeric offset (always UTC here). */
const isoDate = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

const dirOf = (path: string): string => path.slice(0, path.lastIndexOf('/')) || '/';

/** Where the files app would show the folder holding the object, as the seed's example links read. */
const filesLink = (publicUrl: string, item: ActivityItem): string =>
  item.objectType === 'files' ? `${publicUrl}/index.php/apps/files/?dir=${encodeURIComponent(dirOf(item.objectName))}` : '';

/** The activity app's event array (GroupHelper::eventToArray) with `datetime` in place of the timestamp. */
function v2Item(publicUrl: string, a: ActivityItem): Record<string, unknown> {
  return {
    activity_id: a.id,
    app: a.app,
    type: a.type,
    user: a.author ?? '',
    subject: a.subject,
    subject_rich: a.subjectRich,
    message: a.message,
    message_rich: a.messageRich,
    object_type: a.objectType,
    object_id: a.objectId,
    object_name: a.objectName,
    objects: { [String(a.objectId)]: a.objectName },
    link: filesLink(publicUrl, a),
    // No app icons are served, and Nextcloud allows an event without one.
    icon: '',
    datetime: isoDate(a.createdAt),
  };
}

/**
 * The activity stream (reference §7.2; Nextcloud's activity app APIv2 and
 * the v1 `cloud/activity` list of seed 004). Each user sees only the rows
 * recorded for them.
 */
export function activityRoutes(publicUrl: string): OcsRoutes {
  const render: RenderOptions = { fileLink: (id) => `${publicUrl}/f/${id}` };

  async function stream(c: OcsCall, services: Services, filter: string): Promise<OcsResult> {
    const p = c.params;
    const sortParam = str(p, 'sort');
    const query: ActivityQuery = {
      filter,
      since: phpInt(p, 'since', 0),
      limit: phpInt(p, 'limit', 50),
      sort: sortParam === 'asc' || sortParam === 'desc' ? sortParam : 'desc',
    };
    const objectType = str(p, 'object_type') ?? '';
    const objectId = phpInt(p, 'object_id', 0);
    // Only honoured together (APIv2Controller::validateParameters).
    if (objectType !== '' && objectId !== 0) Object.assign(query, { objectType, objectId });
    const page = await services.activity.list(c.userId(), query, render);

    if (page.firstKnown !== null) c.reply.header('X-Activity-First-Known', String(page.firstKnown));
    if (page.lastGiven !== null) c.reply.header('X-Activity-Last-Given', String(page.lastGiven));
    if (page.hasMore && page.lastGiven !== null) {
      const next = new URLSearchParams({ since: String(page.lastGiven), limit: String(Math.min(200, Math.max(1, query.limit))), sort: query.sort });
      if (query.objectType && query.objectId) {
        next.set('object_type', query.objectType);
        next.set('object_id', String(query.objectId));
      }
      const format = str(p, 'format');
      if (format !== undefined) next.set('format', format);
      c.reply.header('Link', `<${publicUrl}${c.request.url.split('?')[0]}?${next.toString()}>; rel="next"`);
    }
    // Nextcloud: the md5 of the JSON list of the ids given.
    const etag = createHash('md5').update(JSON.stringify(page.items.map((a) => a.id))).digest('hex');
    c.reply.header('ETag', `"${etag}"`);
    const ifNoneMatch = c.request.headers['if-none-match'];
    // The end of the stream, or nothing new since the client's copy, is 304 without a body.
    if (!page.items.length || ifNoneMatch === `"${etag}"` || ifNoneMatch === etag) return { status: 304 };
    return ok(page.items.map((a) => v2Item(publicUrl, a)));
  }

  return (fastify: FastifyInstance, all: Services): void => {
    ocsRoute(fastify, {
      method: 'GET',
      url: '/cloud/activity',
      app: APP,
      handler: async (c) => {
        const items = await all.activity.listNewest(c.userId(), phpInt(c.params, 'start', 0), phpInt(c.params, 'count', 30), render);
        return ok(items.map((a) => ({ id: a.id, subject: a.subject, message: a.message, file: a.objectName, link: filesLink(publicUrl, a), date: isoDate(a.createdAt) })));
      },
    });
    ocsRoute(fastify, { method: 'GET', url: V2, app: APP, handler: (c) => stream(c, all, 'all') });
    ocsRoute(fastify, {
      method: 'GET',
      url: `${V2}/filters`,
      app: APP,
      handler: () => {
        const list = [...all.activity.filters()].sort((a, b) => a.priority - b.priority || (a.id > b.id ? 1 : -1));
        return ok(list.map((f) => ({ id: f.id, name: f.name, icon: '', priority: f.priority })));
      },
    });
    ocsRoute(fastify, { method: 'GET', url: `${V2}/:filter`, app: APP, handler: (c) => stream(c, all, c.path.filter!) });
  };
}
