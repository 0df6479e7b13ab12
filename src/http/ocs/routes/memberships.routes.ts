import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/index.js';
import { str } from '../../common/params.js';
import { ok, ocsRoute } from '../route.js';

const app = 'provisioning_api';

/** cloud/users/{id}/groups and cloud/users/{id}/subadmins. */
export function membershipsRoutes(fastify: FastifyInstance, s: Services): void {
  ocsRoute(fastify, {
    method: 'GET',
    url: '/cloud/users/:userId/groups',
    app,
    codes: { userNotFound: 998, hiddenUser: 998 },
    handler: async (c) => ok({ groups: await s.memberships.groupsOf(c.userId(), c.path.userId!) }),
  });

  const groupCodes = { missingParameter: 101, groupNotFound: 102, userNotFound: 103, groupPrivilege: 104, selfOperation: 105, lastSubadminGroup: 105 };
  ocsRoute(fastify, {
    method: 'POST',
    url: '/cloud/users/:userId/groups',
    app,
    codes: groupCodes,
    handler: async (c) => {
      await s.memberships.addToGroup(c.userId(), c.path.userId!, str(c.params, 'groupid'));
      return ok();
    },
  });
  ocsRoute(fastify, {
    method: 'DELETE',
    url: '/cloud/users/:userId/groups',
    app,
    codes: groupCodes,
    handler: async (c) => {
      await s.memberships.removeFromGroup(c.userId(), c.path.userId!, str(c.params, 'groupid'));
      return ok();
    },
  });

  ocsRoute(fastify, {
    method: 'GET',
    url: '/cloud/users/:userId/subadmins',
    app,
    handler: async (c) => ok(await s.memberships.subadminGroupsOf(c.userId(), c.path.userId!)),
  });
  ocsRoute(fastify, {
    method: 'POST',
    url: '/cloud/users/:userId/subadmins',
    app,
    codes: { userNotFound: 101, groupNotFound: 102, adminGroup: 103 },
    handler: async (c) => {
      await s.memberships.addSubadmin(c.userId(), c.path.userId!, str(c.params, 'groupid'));
      return ok();
    },
  });
  ocsRoute(fastify, {
    method: 'DELETE',
    url: '/cloud/users/:userId/subadmins',
    app,
    codes: { userNotFound: 101, groupNotFound: 101, notSubadmin: 102 },
    handler: async (c) => {
      await s.memberships.removeSubadmin(c.userId(), c.path.userId!, str(c.params, 'groupid'));
      return ok();
    },
  });
}
