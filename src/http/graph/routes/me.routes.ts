import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/index.js';
import { parseBody } from '../body.js';
import { ChangePasswordBody, option, parseUserBody } from '../directory-body.js';
import { userJson } from '../directory-json.js';
import { applySelect, parseExpand, parseSelect } from '../odata-directory.js';
import { type GraphEnv, graphRoute, type GraphVersion, noContent } from '../route.js';

/** /me (v1.0): the caller's own user, language and password. */
export function meRoutes(app: FastifyInstance, s: Services, version: GraphVersion, env: GraphEnv): void {
  if (version !== 'v1.0') return;
  const route = (spec: Parameters<typeof graphRoute>[3]) => graphRoute(app, version, env, spec);

  route({
    method: 'GET',
    url: '/me',
    handler: async (c) => {
      const expand = parseExpand(option(c, '$expand'));
      const select = parseSelect(option(c, '$select'));
      const me = await s.graphDirectory.me(c.userId(), { memberOf: expand.has('memberOf'), appRoleAssignments: expand.has('appRoleAssignments') });
      return applySelect(userJson(me, { full: true, env }), select);
    },
  });

  route({
    method: 'PATCH',
    url: '/me',
    handler: async (c) => {
      const updated = await s.graphDirectory.updateMe(c.userId(), parseUserBody(c.body));
      return updated ? userJson(updated, { full: true, env }) : noContent();
    },
  });

  route({
    method: 'POST',
    url: '/me/changePassword',
    handler: async (c) => {
      const b = parseBody(ChangePasswordBody, c.body, 'invalid request body');
      await s.graphDirectory.changePassword(c.userId(), b.currentPassword, b.newPassword);
      return noContent();
    },
  });
}
