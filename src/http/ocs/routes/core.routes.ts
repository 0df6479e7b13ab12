import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/index.js';
import { ok, ocsRoute } from '../route.js';

/** core/getapppassword, core/apppassword and cloud/capabilities. */
export function coreRoutes(fastify: FastifyInstance, s: Services): void {
  ocsRoute(fastify, {
    method: 'GET',
    url: '/core/getapppassword',
    handler: async (c) => {
      const name = c.request.headers['user-agent'] ?? 'App password';
      return ok({ apppassword: await s.appPasswords.create(c.principal!, String(name)) });
    },
  });
  ocsRoute(fastify, {
    method: 'DELETE',
    url: '/core/apppassword',
    handler: async (c) => {
      await s.appPasswords.revokeCurrent(c.principal!);
      return ok();
    },
  });

  // Public and exempt from the CSRF rule so clients can probe before logging in.
  ocsRoute(fastify, {
    method: 'GET',
    url: '/cloud/capabilities',
    auth: 'public',
    csrf: false,
    handler: async (c) => {
      const me = c.principal ? await s.users.profileOf(c.principal.userId) : null;
      const data = await s.capabilities.forCaller(me);
      // Nextcloud's CapabilitiesController tags the answer with the md5 of its payload.
      c.reply.header('ETag', `"${createHash('md5').update(JSON.stringify(data)).digest('hex')}"`);
      return ok(data);
    },
  });
}
