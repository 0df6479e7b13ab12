import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/index.js';
import { str } from '../../common/params.js';
import { ok, ocsRoute } from '../route.js';

const app = 'provisioning_api';

/** cloud/apps: the server's own modules; disabling one switches its routes and capabilities off. */
export function appsRoutes(fastify: FastifyInstance, s: Services): void {
  ocsRoute(fastify, {
    method: 'GET',
    url: '/cloud/apps',
    app,
    codes: { invalidFilter: 101 },
    handler: async (c) => ok({ apps: await s.apps.list(c.userId(), str(c.params, 'filter')) }),
  });
  ocsRoute(fastify, {
    method: 'GET',
    url: '/cloud/apps/:appId',
    app,
    codes: { appNotFound: 998 },
    handler: async (c) => {
      const info = await s.apps.info(c.userId(), c.path.appId!);
      return ok({
        id: info.id,
        name: info.name,
        summary: info.summary,
        description: info.description,
        version: info.version,
        licence: info.licence,
        category: info.category,
        'always-enabled': info.alwaysEnabled,
        active: info.enabled,
      });
    },
  });
  for (const method of ['POST', 'DELETE'] as const) {
    ocsRoute(fastify, {
      method,
      url: '/cloud/apps/:appId',
      app,
      codes: { appNotFound: 998 },
      handler: async (c) => {
        await s.apps.setEnabled(c.userId(), c.path.appId!, method === 'POST');
        return ok();
      },
    });
  }
}
