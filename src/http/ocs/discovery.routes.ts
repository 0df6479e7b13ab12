import type { FastifyInstance } from 'fastify';
import { COMPAT_VERSION_FULL, COMPAT_VERSION_STRING } from '../../domain/version.js';
import type { Services } from '../../services/index.js';
import type { InstanceInfo } from '../../services/system/capabilities.service.js';
import { escapeXml } from './envelope.js';

export interface DiscoveryOptions {
  services: Services;
  instance: InstanceInfo;
}

/** status.php, the OCS provider list, and the theming logo the capabilities point to. */
export async function discoveryPlugin(app: FastifyInstance, opts: DiscoveryOptions): Promise<void> {
  const { services, instance } = opts;

  app.get('/status.php', async (_request, reply) => {
    reply.header('Access-Control-Allow-Origin', '*').type('application/json');
    return {
      installed: true,
      maintenance: false,
      needsDbUpgrade: false,
      version: COMPAT_VERSION_FULL,
      versionstring: COMPAT_VERSION_STRING,
      edition: '',
      productname: instance.theming.name,
      extendedSupport: false,
    };
  });

  // Only modules that are implemented and switched on are listed (OCS spec, Service Discovery).
  const providerList = async () => {
    const list: Record<string, unknown> = {};
    if (await services.apps.isEnabled('provisioning_api')) {
      list.PROVISIONING = {
        version: 1,
        endpoints: { user: '/ocs/v2.php/cloud/users', groups: '/ocs/v2.php/cloud/groups', apps: '/ocs/v2.php/cloud/apps' },
      };
    }
    list.PRIVATE_DATA = {
      version: 1,
      endpoints: { store: '/ocs/v2.php/privatedata/setattribute', read: '/ocs/v2.php/privatedata/getattribute', delete: '/ocs/v2.php/privatedata/deleteattribute' },
    };
    list.SHARING = { version: 1, endpoints: { share: '/ocs/v2.php/apps/files_sharing/api/v1/shares' } };
    // Announced only while other servers may send shares here (seed 004).
    if (instance.federation.incoming) list.FEDERATED_SHARING = { version: 1, endpoints: { share: '/ocs/v2.php/cloud/shares', webdav: '/public.php/webdav/' } };
    if (await services.apps.isEnabled('activity')) list.ACTIVITY = { version: 1, endpoints: { list: '/ocs/v2.php/cloud/activity' } };
    return { version: 2, services: list };
  };
  for (const url of ['/ocs-provider/', '/ocs-provider/index.php']) {
    app.get(url, async (_request, reply) => {
      reply.header('Access-Control-Allow-Origin', '*').type('application/json; charset=utf-8');
      return providerList();
    });
  }

  app.get('/apps/theming/logo', async (_request, reply) => {
    if (!(await services.apps.isEnabled('theming'))) return reply.code(404).type('text/plain').send('Not found');
    const color = escapeXml(instance.theming.color);
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 40" width="64" height="40">` +
      `<path fill="${color}" d="M50 16a14 14 0 0 0-27-4A10 10 0 0 0 12 22 9 9 0 0 0 13 40h36a12 12 0 0 0 1-24z"/></svg>`;
    return reply.header('Cache-Control', 'public, max-age=3600').type('image/svg+xml').send(svg);
  });
}
