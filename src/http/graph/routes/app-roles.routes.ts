import type { FastifyInstance } from 'fastify';
import { fail } from '../../../domain/errors.js';
import { GRAPH_APPLICATION_ID } from '../../../domain/global-roles.js';
import type { Services } from '../../../services/index.js';
import { parseBody } from '../body.js';
import { AppRoleAssignmentBody } from '../directory-body.js';
import { applicationJson, assignmentId, assignmentJson } from '../directory-json.js';
import { created, type GraphEnv, graphRoute, type GraphVersion, noContent } from '../route.js';

/**
 * Global roles (Admin, Space Admin, User, User Light) as appRoleAssignments of
 * one application, and that application with its appRoles (v1.0).
 */
export function appRolesRoutes(app: FastifyInstance, s: Services, version: GraphVersion, env: GraphEnv): void {
  if (version !== 'v1.0') return;
  const route = (spec: Parameters<typeof graphRoute>[3]) => graphRoute(app, version, env, spec);
  // An admin changing or removing their own role: the reference answers 403 with its notAllowed code.
  const errors = { selfOperation: { status: 403, code: 'notAllowed' } } as const;

  route({
    method: 'GET',
    url: '/users/:userId/appRoleAssignments',
    handler: async (c) => {
      const { user, role } = await s.graphDirectory.roleAssignment(c.userId(), c.params.userId!);
      return { value: [assignmentJson(user, role)] };
    },
  });

  route({
    method: 'POST',
    url: '/users/:userId/appRoleAssignments',
    errors,
    handler: async (c) => {
      await s.graphDirectory.requireRoleAdmin(c.userId());
      const body = parseBody(AppRoleAssignmentBody, c.body, 'invalid request body');
      const { user, role } = await s.graphDirectory.assignRole(c.userId(), c.params.userId!, body);
      return created(assignmentJson(user, role));
    },
  });

  route({
    method: 'DELETE',
    url: '/users/:userId/appRoleAssignments/:assignmentId',
    errors,
    handler: async (c) => {
      const { user, role } = await s.graphDirectory.roleAssignment(c.userId(), c.params.userId!);
      if (assignmentId(user.id, role.id) !== c.params.assignmentId) {
        fail('notFound', `appRoleAssignment ${c.params.assignmentId} not found for user ${c.params.userId}`);
      }
      await s.graphDirectory.unassignRole(c.userId(), user.id);
      return noContent();
    },
  });

  route({ method: 'GET', url: '/applications', handler: () => ({ value: [applicationJson()] }) });
  route({
    method: 'GET',
    url: '/applications/:applicationId',
    handler: (c) => {
      if (c.params.applicationId !== GRAPH_APPLICATION_ID) {
        fail('notFound', `requested id ${c.params.applicationId} does not match expected application id ${GRAPH_APPLICATION_ID}`);
      }
      return applicationJson();
    },
  });
}
