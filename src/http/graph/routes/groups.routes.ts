import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/index.js';
import { parseBody } from '../body.js';
import { GroupCreateBody, GroupPatchBody, MemberRefBody, memberFromRef, option } from '../directory-body.js';
import { groupJson, userJson } from '../directory-json.js';
import { GraphError } from '../errors.js';
import { applySelect, parseExpand, parseOrderBy, parseSearch, parseSelect } from '../odata-directory.js';
import { parseFilter } from '../odata-filter.js';
import { created, type GraphCall, type GraphEnv, graphRoute, type GraphVersion, noContent } from '../route.js';

const invalid = (message: string): never => {
  throw new GraphError(400, 'invalidRequest', message);
};

/** /groups and their members (v1.0). A group's id is its name: the same rows as OCS groups. */
export function groupsRoutes(app: FastifyInstance, s: Services, version: GraphVersion, env: GraphEnv): void {
  if (version !== 'v1.0') return;
  const route = (spec: Parameters<typeof graphRoute>[3]) => graphRoute(app, version, env, spec);
  const errors = {
    groupExists: { status: 409, code: 'nameAlreadyExists' },
    adminGroup: { status: 403, code: 'accessDenied' },
    selfOperation: { status: 403, code: 'accessDenied' },
  } as const;
  const admin = (c: GraphCall) => s.graphDirectory.requireAccountAdmin(c.userId());

  route({
    method: 'GET',
    url: '/groups',
    handler: async (c) => {
      const search = parseSearch(option(c, '$search'));
      const expand = parseExpand(option(c, '$expand'));
      const select = parseSelect(option(c, '$select'));
      const orderBy = parseOrderBy(option(c, '$orderby'), ['displayName'] as const);
      // No group filter is implemented (501), but a broken one is still the caller's 400.
      const filtered = parseFilter(option(c, '$filter')) !== undefined;
      const { groups } = await s.graphDirectory.listGroups(c.userId(), {
        search,
        expandMembers: expand.has('members'),
        filtered,
        orderDesc: orderBy?.desc,
      });
      return { value: groups.map((g) => applySelect(groupJson(g.group, g.members, env), select)) };
    },
  });

  route({
    method: 'POST',
    url: '/groups',
    errors,
    handler: async (c) => {
      await admin(c);
      const b = parseBody(GroupCreateBody, c.body, 'invalid request body');
      if (b.displayName === undefined) invalid('Missing Required Attribute');
      if (b.id !== undefined) invalid('group id is a read-only attribute');
      return created(groupJson(await s.graphDirectory.createGroup(c.userId(), b.displayName!)));
    },
  });

  route({
    method: 'GET',
    url: '/groups/:groupId',
    handler: async (c) => {
      const expand = parseExpand(option(c, '$expand'));
      const select = parseSelect(option(c, '$select'));
      const { group, members } = await s.graphDirectory.getGroup(c.userId(), c.params.groupId!);
      return applySelect(groupJson(group, expand.has('members') ? members : undefined, env), select);
    },
  });

  route({
    method: 'PATCH',
    url: '/groups/:groupId',
    errors,
    handler: async (c) => {
      await admin(c);
      const b = parseBody(GroupPatchBody, c.body, 'invalid request body');
      const refs = b['members@odata.bind'];
      const addMembers = refs?.map((ref) =>
        memberFromRef(c, ref, { parse: 'Error parsing member@odata.bind values', type: 'Only user are allowed as group members' }),
      );
      await s.graphDirectory.updateGroup(c.userId(), c.params.groupId!, { displayName: b.displayName, addMembers });
      return noContent();
    },
  });

  route({
    method: 'DELETE',
    url: '/groups/:groupId',
    errors,
    handler: async (c) => {
      await s.graphDirectory.deleteGroup(c.userId(), c.params.groupId!);
      return noContent();
    },
  });

  route({
    method: 'GET',
    url: '/groups/:groupId/members',
    handler: async (c) => {
      const select = parseSelect(option(c, '$select'));
      const members = await s.graphDirectory.membersOfGroup(c.userId(), c.params.groupId!);
      return { value: members.map((u) => applySelect(userJson({ user: u }, { full: true, env }), select)) };
    },
  });

  route({
    method: 'POST',
    url: '/groups/:groupId/members/$ref',
    errors,
    handler: async (c) => {
      await admin(c);
      const b = parseBody(MemberRefBody, c.body, 'invalid request body');
      if (b['@odata.id'] === undefined) invalid('@odata.id reference is missing');
      const userId = memberFromRef(c, b['@odata.id']!, { parse: 'Error parsing @odata.id url', type: 'Only users are allowed as group members' });
      await s.graphDirectory.addMember(c.userId(), c.params.groupId!, userId);
      return noContent();
    },
  });

  route({
    method: 'DELETE',
    url: '/groups/:groupId/members/:userId/$ref',
    errors,
    handler: async (c) => {
      await s.graphDirectory.removeMember(c.userId(), c.params.groupId!, c.params.userId!);
      return noContent();
    },
  });
}
