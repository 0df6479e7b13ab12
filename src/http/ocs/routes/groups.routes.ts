import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/index.js';
import { phpUrldecode, str } from '../../common/params.js';
import { ok, ocsRoute } from '../route.js';
import { detailsMap, pageOf } from './users.routes.js';

const app = 'provisioning_api';

/**
 * The group id of a route, decoded once more as Nextcloud's GroupsController
 * does (urldecode) everywhere but in getSubAdminsOfGroup.
 */
const groupIdOf = (path: Record<string, string>): string => phpUrldecode(path.groupId!);

/** cloud/groups: Nextcloud's GroupsController. */
export function groupsRoutes(fastify: FastifyInstance, s: Services): void {
  ocsRoute(fastify, {
    method: 'GET',
    url: '/cloud/groups',
    app,
    handler: async (c) => ok({ groups: await s.groups.list(c.userId(), pageOf(c.params)) }),
  });

  ocsRoute(fastify, {
    method: 'GET',
    url: '/cloud/groups/details',
    app,
    handler: async (c) => {
      const groups = await s.groups.details(c.userId(), pageOf(c.params));
      return ok({
        groups: groups.map((g) => ({
          id: g.id,
          displayname: g.displayName,
          usercount: g.userCount,
          disabled: 0,
          canAdd: g.canAdd,
          canRemove: g.canRemove,
        })),
      });
    },
  });

  ocsRoute(fastify, {
    method: 'POST',
    url: '/cloud/groups',
    app,
    codes: { invalidGroupId: 101, groupExists: 102 },
    handler: async (c) => {
      await s.groups.create(c.userId(), str(c.params, 'groupid'), str(c.params, 'displayname'));
      return ok();
    },
  });

  // The deprecated bare form answers like /users.
  for (const url of ['/cloud/groups/:groupId', '/cloud/groups/:groupId/users']) {
    ocsRoute(fastify, {
      method: 'GET',
      url,
      app,
      handler: async (c) => ok({ users: await s.groups.members(c.userId(), groupIdOf(c.path)) }),
    });
  }

  ocsRoute(fastify, {
    method: 'GET',
    url: '/cloud/groups/:groupId/users/details',
    app,
    codes: { groupNotFound: 998 },
    handler: async (c) => {
      const ids = await s.groups.membersForDetails(c.userId(), groupIdOf(c.path), pageOf(c.params));
      return ok({ users: await detailsMap(s, c.userId(), ids) });
    },
  });

  ocsRoute(fastify, {
    method: 'GET',
    url: '/cloud/groups/:groupId/subadmins',
    app,
    codes: { groupNotFound: 101 },
    handler: async (c) => ok(await s.groups.subadmins(c.userId(), c.path.groupId!)),
  });

  ocsRoute(fastify, {
    method: 'PUT',
    url: '/cloud/groups/:groupId',
    app,
    codes: { groupNotFound: 998, invalidGroupId: 101 },
    handler: async (c) => {
      await s.groups.rename(c.userId(), groupIdOf(c.path), str(c.params, 'key'), str(c.params, 'value'));
      return ok();
    },
  });

  ocsRoute(fastify, {
    method: 'DELETE',
    url: '/cloud/groups/:groupId',
    app,
    codes: { groupNotFound: 101, adminGroup: 102 },
    handler: async (c) => {
      await s.groups.delete(c.userId(), groupIdOf(c.path));
      return ok();
    },
  });
}
