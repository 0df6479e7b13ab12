import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../../domain/errors.js';
import { USER_ORDER_FIELDS } from '../../../services/identity/graph-directory.service.js';
import type { Services } from '../../../services/index.js';
import type { SpaceListing } from '../../../services/spaces/spaces.service.js';
import { option, parseUserBody } from '../directory-body.js';
import { userJson } from '../directory-json.js';
import { driveJson } from '../drive-json.js';
import { applySelect, parseExpand, parseOrderBy, parseSearch, parseSelect, parseUserFilter } from '../odata-directory.js';
import { created, type GraphCall, type GraphEnv, graphRoute, type GraphVersion, noContent } from '../route.js';

/** Ask the spaces service, but treat "no such drive" as "nothing to expand", as the reference does. */
async function maybe(listing: Promise<SpaceListing>): Promise<SpaceListing | undefined> {
  try {
    return await listing;
  } catch (e) {
    if (e instanceof DomainError && e.code === 'notFound') return undefined;
    throw e;
  }
}

/** /users (v1.0): the directory, with the reference's search, filter, ordering and admin rules. */
export function usersRoutes(app: FastifyInstance, s: Services, version: GraphVersion, env: GraphEnv): void {
  if (version !== 'v1.0') return;
  const route = (spec: Parameters<typeof graphRoute>[3]) => graphRoute(app, version, env, spec);
  const errors = {
    userExists: { status: 409, code: 'nameAlreadyExists' },
    // Deleting (or disabling) yourself: the reference answers 403 with its notAllowed code.
    selfOperation: { status: 403, code: 'notAllowed' },
  } as const;
  const admin = (c: GraphCall) => s.graphDirectory.requireAccountAdmin(c.userId());

  route({
    method: 'GET',
    url: '/users',
    handler: async (c) => {
      const search = parseSearch(option(c, '$search'));
      const filter = parseUserFilter(option(c, '$filter'));
      const orderBy = parseOrderBy(option(c, '$orderby'), USER_ORDER_FIELDS);
      const expand = parseExpand(option(c, '$expand'));
      const select = parseSelect(option(c, '$select'));
      const { users, full } = await s.graphDirectory.listUsers(c.userId(), { search, filter, orderBy, expand });
      return { value: users.map((u) => applySelect(userJson(u, { full, env }), select)) };
    },
  });

  route({
    method: 'POST',
    url: '/users',
    errors,
    handler: async (c) => {
      await admin(c);
      return created(userJson(await s.graphDirectory.createUser(c.userId(), parseUserBody(c.body)), { full: true, env }));
    },
  });

  route({
    method: 'GET',
    url: '/users/:userId',
    handler: async (c) => {
      const expand = parseExpand(option(c, '$expand'));
      const select = parseSelect(option(c, '$select'));
      const callerId = c.userId();
      const d = await s.graphDirectory.getUser(callerId, c.params.userId!, {
        memberOf: expand.has('memberOf'),
        appRoleAssignments: expand.has('appRoleAssignments'),
      });
      const json = userJson(d, { full: d.full, env });
      // Only account admins and the user themself get here, so the user's drives may be shown.
      if (expand.has('drive') || select?.has('drive')) {
        const personal = await maybe(d.user.id === callerId ? s.spaces.personal(callerId) : s.spaces.get(callerId, d.user.id));
        const view = personal?.views.find((v) => v.space.type === 'personal' && v.space.ownerId === d.user.id);
        if (view) json.drive = driveJson(view, personal!.names, env, version);
      }
      if (expand.has('drives') || select?.has('drives')) {
        const listing = await s.spaces.listMine(d.user.id);
        json.drives = listing.views
          .filter((v) => !(v.space.type === 'personal' && v.space.ownerId === d.user.id))
          .map((v) => driveJson(v, listing.names, env, version));
      }
      return applySelect(json, select);
    },
  });

  route({
    method: 'PATCH',
    url: '/users/:userId',
    errors,
    handler: async (c) => {
      await admin(c);
      const updated = await s.graphDirectory.updateUser(c.userId(), c.params.userId!, parseUserBody(c.body));
      return updated ? userJson(updated, { full: true, env }) : noContent();
    },
  });

  route({
    method: 'DELETE',
    url: '/users/:userId',
    errors,
    handler: async (c) => {
      await s.graphDirectory.deleteUser(c.userId(), c.params.userId!);
      return noContent();
    },
  });
}
