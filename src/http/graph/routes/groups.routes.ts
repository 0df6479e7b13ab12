import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../../services/index.js';
import { parseBody } from '../body.js';
import { groupJson, userJson } from '../directory-json.js';
import { GraphError } from '../errors.js';
import { created, type GraphEnv, graphRoute, type GraphVersion, noContent } from '../route.js';

/** `https://host/graph/v1.0/users/<id>` → `<id>`; the reference accepts only user references as members. */
function userIdFromRef(ref: string): string {
  const m = /\/users\/([^/?#]+)$/.exec(ref);
  if (!m) throw new GraphError(400, 'invalidRequest', `invalid member reference: ${ref}`);
  return decodeURIComponent(m[1]!);
}

/** /groups and their members (v1.0). */
export function groupsRoutes(app: FastifyInstance, s: Services, version: GraphVersion, env: GraphEnv): void {
  if (version !== 'v1.0') return;
  const route = (spec: Parameters<typeof graphRoute>[3]) => graphRoute(app, version, env, spec);
  const errors = {
    groupExists: { status: 409, code: 'nameAlreadyExists' },
    invalidGroupId: { status: 400, code: 'invalidRequest' },
    adminGroup: { status: 403, code: 'accessDenied' },
    selfOperation: { status: 403, code: 'accessDenied' },
  } as const;

  route({
    method: 'GET',
    url: '/groups',
    handler: async (c) => {
      const expand = (c.query.$expand ?? '').split(',').includes('members');
      const groups = await s.directory.listGroups(c.userId(), c.query.$search, expand);
      return { value: groups.map((g) => groupJson(g.group, g.members)) };
    },
  });
  route({
    method: 'POST',
    url: '/groups',
    errors,
    handler: async (c) => {
      const b = parseBody(z.object({ displayName: z.string(), description: z.string().optional() }).strict(), c.body, 'invalid request body');
      if (b.displayName.trim() === '') throw new GraphError(400, 'invalidRequest', 'missing required Attribute: displayName');
      return created(groupJson(await s.directory.createGroup(c.userId(), b.displayName)));
    },
  });
  route({
    method: 'GET',
    url: '/groups/:groupId',
    handler: async (c) => {
      const { group, members } = await s.directory.getGroup(c.userId(), c.params.groupId!);
      return groupJson(group, (c.query.$expand ?? '').split(',').includes('members') ? members : undefined);
    },
  });
  route({
    method: 'PATCH',
    url: '/groups/:groupId',
    errors,
    handler: async (c) => {
      const b = parseBody(
        z.object({ displayName: z.string().optional(), 'members@odata.bind': z.array(z.string()).optional() }).strict(),
        c.body,
        'invalid request body',
      );
      await s.directory.updateGroup(c.userId(), c.params.groupId!, b.displayName, (b['members@odata.bind'] ?? []).map(userIdFromRef));
      return noContent();
    },
  });
  route({
    method: 'DELETE',
    url: '/groups/:groupId',
    errors,
    handler: async (c) => {
      await s.directory.deleteGroup(c.userId(), c.params.groupId!);
      return noContent();
    },
  });
  route({
    method: 'GET',
    url: '/groups/:groupId/members',
    handler: async (c) => ({ value: (await s.directory.membersOfGroup(c.userId(), c.params.groupId!)).map((u) => userJson({ user: u })) }),
  });
  route({
    method: 'POST',
    url: '/groups/:groupId/members/$ref',
    errors,
    handler: async (c) => {
      const b = parseBody(z.object({ '@odata.id': z.string() }).strict(), c.body, 'invalid request body');
      await s.directory.addMember(c.userId(), c.params.groupId!, userIdFromRef(b['@odata.id']));
      return noContent();
    },
  });
  route({
    method: 'DELETE',
    url: '/groups/:groupId/members/:userId/$ref',
    errors,
    handler: async (c) => {
      await s.directory.removeMember(c.userId(), c.params.groupId!, c.params.userId!);
      return noContent();
    },
  });
}
