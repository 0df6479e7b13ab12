import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { fail } from '../../../domain/errors.js';
import { GLOBAL_ROLES, GRAPH_APPLICATION_ID } from '../../../domain/global-roles.js';
import type { Services } from '../../../services/index.js';
import { parseBody } from '../body.js';
import { assignmentJson, userJson } from '../directory-json.js';
import { GraphError } from '../errors.js';
import { created, type GraphEnv, graphRoute, type GraphVersion, noContent } from '../route.js';

const UserBody = z
  .object({
    displayName: z.string().optional(),
    onPremisesSamAccountName: z.string().optional(),
    mail: z.string().optional(),
    passwordProfile: z.object({ password: z.string() }).strict().optional(),
    accountEnabled: z.boolean().optional(),
    preferredLanguage: z.string().optional(),
  })
  .strict();
const READ_ONLY = ['id', 'memberOf', 'userType', 'identities', 'appRoleAssignments'];

const expandOf = (q: Record<string, string | undefined>) => {
  const items = (q.$expand ?? '').split(',').map((s) => s.trim());
  return { memberOf: items.includes('memberOf'), roles: items.includes('appRoleAssignments') };
};

const ORDER_FIELDS: Record<string, (u: ReturnType<typeof userJson>) => string> = {
  displayName: (u) => String(u.displayName ?? ''),
  mail: (u) => String(u.mail ?? ''),
  onPremisesSamAccountName: (u) => String(u.onPremisesSamAccountName ?? ''),
};

/** `$select=a,b`: keep those properties (and the id), as the reference trims its output. */
function selectFields(obj: Record<string, unknown>, select: string | undefined): Record<string, unknown> {
  if (!select) return obj;
  const keep = new Set(['id', ...select.split(',').map((x) => x.trim())]);
  return Object.fromEntries(Object.entries(obj).filter(([k]) => keep.has(k)));
}

type UserFilter = { kind: 'userType'; value: string } | { kind: 'memberOf'; groupId: string } | { kind: 'role'; roleId: string };

/**
 * The user filters the reference accepts: `userType eq '…'` for everyone,
 * `memberOf/any(m:m/id eq '…')` and `appRoleAssignments/any(m:m/appRoleId eq '…')`
 * for account admins. Anything else is not supported.
 */
function parseUserFilter(filter: string | undefined): UserFilter | undefined {
  if (!filter?.trim()) return undefined;
  const f = filter.trim();
  let m = /^userType eq '([^']*)'$/.exec(f);
  if (m) return { kind: 'userType', value: m[1]! };
  m = /^memberOf\/any\((\w+):\1\/id eq '([^']*)'\)$/.exec(f);
  if (m) return { kind: 'memberOf', groupId: m[2]! };
  m = /^appRoleAssignments\/any\((\w+):\1\/appRoleId eq '([^']*)'\)$/.exec(f);
  if (m) return { kind: 'role', roleId: m[2]! };
  throw new GraphError(501, 'notSupported', `unsupported filter: ${f}`);
}

function userInput(body: unknown) {
  if (body && typeof body === 'object') {
    const ro = Object.keys(body).find((k) => READ_ONLY.includes(k));
    if (ro) throw new GraphError(400, 'invalidRequest', `property ${ro} is read-only`);
  }
  const b = parseBody(UserBody, body, 'invalid request body');
  return { ...b, password: b.passwordProfile?.password };
}

/** /me, /users, appRoleAssignments and /applications (v1.0). */
export function usersRoutes(app: FastifyInstance, s: Services, version: GraphVersion, env: GraphEnv): void {
  if (version !== 'v1.0') return;
  const route = (spec: Parameters<typeof graphRoute>[3]) => graphRoute(app, version, env, spec);
  const accountErrors = {
    userExists: { status: 409, code: 'nameAlreadyExists' },
    selfOperation: { status: 403, code: 'accessDenied' },
  } as const;

  route({ method: 'GET', url: '/me', handler: async (c) => selectFields(userJson(await s.directory.me(c.userId(), expandOf(c.query))), c.query.$select) });
  route({ method: 'PATCH', url: '/me', handler: async (c) => userJson(await s.directory.updateMe(c.userId(), userInput(c.body))) });
  route({
    method: 'POST',
    url: '/me/changePassword',
    handler: async (c) => {
      const b = parseBody(z.object({ currentPassword: z.string(), newPassword: z.string() }).strict(), c.body, 'invalid request body');
      await s.directory.changePassword(c.userId(), b.currentPassword, b.newPassword);
      return noContent();
    },
  });

  route({
    method: 'GET',
    url: '/users',
    handler: async (c) => {
      const filter = parseUserFilter(c.query.$filter);
      const needsGroups = expandOf(c.query).memberOf || filter?.kind === 'memberOf';
      const { users, full } = await s.directory.listUsers(c.userId(), c.query.$search, needsGroups, filter?.kind === 'role');
      if (filter && filter.kind !== 'userType' && !full) throw new GraphError(403, 'accessDenied', 'Forbidden');
      const kept = users.filter((u) => {
        if (!filter) return true;
        if (filter.kind === 'userType') return filter.value === 'Member';
        if (filter.kind === 'memberOf') return u.groups?.some((g) => g.id === filter.groupId) ?? false;
        return u.role?.id === filter.roleId;
      });
      let value = kept.map((u) => {
        const json = userJson(u, full);
        if (!expandOf(c.query).memberOf) delete json.memberOf;
        if (!expandOf(c.query).roles) delete json.appRoleAssignments;
        return json;
      });
      const order = c.query.$orderby?.trim();
      if (order) {
        const [field, dir] = order.split(/\s+/) as [string, string | undefined];
        const key = ORDER_FIELDS[field];
        if (!key) throw new GraphError(400, 'invalidRequest', `we do not support <${field}> as a order parameter`);
        value = value.sort((a, b) => (dir === 'desc' ? -1 : 1) * key(a).localeCompare(key(b)));
      }
      return { value: value.map((u) => selectFields(u, c.query.$select)) };
    },
  });
  route({
    method: 'POST',
    url: '/users',
    errors: accountErrors,
    handler: async (c) => created(userJson(await s.directory.createUser(c.userId(), userInput(c.body)))),
  });
  route({
    method: 'GET',
    url: '/users/:userId',
    handler: async (c) => selectFields(userJson(await s.directory.getUser(c.userId(), c.params.userId!, expandOf(c.query))), c.query.$select),
  });
  route({
    method: 'PATCH',
    url: '/users/:userId',
    errors: accountErrors,
    handler: async (c) => {
      const input = userInput(c.body);
      if (Object.values(input).every((v) => v === undefined)) {
        await s.directory.getUser(c.userId(), c.params.userId!, {});
        return noContent();
      }
      return userJson(await s.directory.updateUser(c.userId(), c.params.userId!, input));
    },
  });
  route({
    method: 'DELETE',
    url: '/users/:userId',
    errors: accountErrors,
    handler: async (c) => {
      await s.directory.deleteUser(c.userId(), c.params.userId!);
      return noContent();
    },
  });

  route({
    method: 'GET',
    url: '/users/:userId/appRoleAssignments',
    handler: async (c) => {
      const d = await s.directory.getUser(c.userId(), c.params.userId!, { roles: true });
      return { value: [assignmentJson(d.user.id, d.role!, d.user.displayName)] };
    },
  });
  route({
    method: 'POST',
    url: '/users/:userId/appRoleAssignments',
    errors: { notAdmin: { status: 403, code: 'accessDenied' }, selfOperation: { status: 403, code: 'accessDenied' } },
    handler: async (c) => {
      const b = parseBody(
        z.object({ principalId: z.string(), resourceId: z.string(), appRoleId: z.string() }).strict(),
        c.body,
        'invalid request body',
      );
      if (b.principalId !== c.params.userId) throw new GraphError(400, 'invalidRequest', 'principalId does not match the user');
      if (b.resourceId !== GRAPH_APPLICATION_ID) throw new GraphError(400, 'invalidRequest', 'unknown resourceId');
      const role = await s.globalRoles.assign(c.userId(), c.params.userId!, b.appRoleId);
      const target = await s.users.profileOf(c.params.userId!);
      return created(assignmentJson(target.id, role, target.displayName));
    },
  });
  route({
    method: 'DELETE',
    url: '/users/:userId/appRoleAssignments/:assignmentId',
    errors: { notAdmin: { status: 403, code: 'accessDenied' }, selfOperation: { status: 403, code: 'accessDenied' } },
    handler: async (c) => {
      const d = await s.directory.getUser(c.userId(), c.params.userId!, { roles: true });
      if (`${d.user.id}:${d.role!.id}` !== c.params.assignmentId) fail('notFound', 'appRoleAssignment not found');
      await s.globalRoles.unassign(c.userId(), d.user.id);
      return noContent();
    },
  });

  const application = () => ({
    appRoles: GLOBAL_ROLES.map((r) => ({ description: r.description, displayName: r.displayName, id: r.id })),
    displayName: 'Nimbus',
    id: GRAPH_APPLICATION_ID,
  });
  route({ method: 'GET', url: '/applications', handler: () => ({ value: [application()] }) });
  route({
    method: 'GET',
    url: '/applications/:appId',
    handler: (c) => {
      if (c.params.appId !== GRAPH_APPLICATION_ID) fail('notFound', 'application not found');
      return application();
    },
  });
}
