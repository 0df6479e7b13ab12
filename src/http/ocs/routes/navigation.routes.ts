import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { navigationOf, type NavigationEntry } from '../../../domain/navigation.js';
import type { Services } from '../../../services/index.js';
import { str } from '../../common/params.js';
import { ok, type OcsRoutes, ocsRoute } from '../route.js';

/**
 * core/navigation/apps and core/navigation/settings (Nextcloud's
 * NavigationController): the entries of the web pages, hrefs and icons
 * below the server's base, absolute with `absolute=true`. Tagged with the md5
 * of the list; a matching If-None-Match (quoted or not, as Nextcloud's
 * framework compares it) is 304 without a body.
 */
export function navigationRoutes(publicUrl: string): OcsRoutes {
  const url = new URL(publicUrl);
  const base = url.pathname.replace(/\/+$/, '');
  return (fastify: FastifyInstance, _s: Services) => {
    for (const [route, type] of [
      ['/core/navigation/apps', 'link'],
      ['/core/navigation/settings', 'settings'],
    ] as const) {
      ocsRoute(fastify, {
        method: 'GET',
        url: route,
        csrf: false,
        handler: (c) => {
          c.userId();
          const absolute = ['1', 'true'].includes((str(c.params, 'absolute') ?? '').toLowerCase());
          const prefix = absolute ? `${url.origin}${base}` : base;
          const list = navigationOf(type).map((e: NavigationEntry) => ({
            id: e.id,
            order: e.order,
            href: `${prefix}${e.path}`,
            icon: `${prefix}${e.icon}`,
            type: e.type,
            name: e.name,
            active: false,
            classes: '',
            unread: 0,
          }));
          const etag = createHash('md5').update(JSON.stringify(list)).digest('hex');
          const inm = c.request.headers['if-none-match'];
          c.reply.header('ETag', `"${etag}"`);
          if (typeof inm === 'string' && inm.trim().replace(/^"|"$/g, '') === etag) {
            c.reply.code(304).send();
            return;
          }
          return ok(list);
        },
      });
    }
  };
}
