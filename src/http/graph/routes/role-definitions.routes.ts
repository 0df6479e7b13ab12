import type { FastifyInstance } from 'fastify';
import { fail } from '../../../domain/errors.js';
import { CONDITION_TEXT, enabledRoles, findRole, fullActions, type UnifiedRole } from '../../../domain/unified-roles.js';
import type { Services } from '../../../services/index.js';
import { type GraphEnv, graphRoute, type GraphVersion } from '../route.js';

const roleJson = (r: UnifiedRole) => ({
  '@libre.graph.weight': 0,
  description: r.description,
  displayName: r.displayName,
  id: r.id,
  rolePermissions: r.conditions.map((cond) => ({ allowedResourceActions: fullActions(r), condition: CONDITION_TEXT[cond] })),
});

/** The unified sharing roles (v1beta1): a bare array of the enabled ones, and any built-in by id. */
export function roleDefinitionsRoutes(app: FastifyInstance, _s: Services, version: GraphVersion, env: GraphEnv): void {
  if (version !== 'v1beta1') return;
  graphRoute(app, version, env, { method: 'GET', url: '/roleManagement/permissions/roleDefinitions', handler: () => enabledRoles().map(roleJson) });
  graphRoute(app, version, env, {
    method: 'GET',
    url: '/roleManagement/permissions/roleDefinitions/:roleId',
    handler: (c) => {
      const role = findRole(c.params.roleId!);
      if (!role) fail('notFound', 'role not found');
      return roleJson(role!);
    },
  });
}
