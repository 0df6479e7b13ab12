import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/index.js';
import { str } from '../../common/params.js';
import { ok, ocsRoute } from '../route.js';

/**
 * PRIVATE_DATA (seed 004, ownCloud's OcsController): per-user key-value
 * stores. getattribute lists `{key, app, value}` elements (all, one store's,
 * or one key's); setattribute and deleteattribute answer an empty success.
 */
export function privateDataRoutes(fastify: FastifyInstance, s: Services): void {
  for (const url of ['/privatedata/getattribute', '/privatedata/getattribute/:app', '/privatedata/getattribute/:app/:key']) {
    ocsRoute(fastify, {
      method: 'GET',
      url,
      handler: async (c) => {
        const entries = await s.privateData.get(c.userId(), c.path.app, c.path.key);
        return ok(entries.map((e) => ({ key: e.key, app: e.app, value: e.value })));
      },
    });
  }
  ocsRoute(fastify, {
    method: 'POST',
    url: '/privatedata/setattribute/:app/:key',
    handler: async (c) => {
      await s.privateData.set(c.userId(), c.path.app!, c.path.key!, str(c.params, 'value'));
      return ok([]);
    },
  });
  ocsRoute(fastify, {
    method: 'POST',
    url: '/privatedata/deleteattribute/:app/:key',
    handler: async (c) => {
      await s.privateData.remove(c.userId(), c.path.app!, c.path.key!);
      return ok([]);
    },
  });
}
