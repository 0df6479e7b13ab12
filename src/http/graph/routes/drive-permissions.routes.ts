import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { findRole, fullActions } from '../../../domain/unified-roles.js';
import type { Services } from '../../../services/index.js';
import { parseBody } from '../body.js';
import { permissionJson } from '../drive-json.js';
import { GraphError } from '../errors.js';
import { type GraphEnv, graphRoute, type GraphVersion, noContent } from '../route.js';
import { spaceIdOf } from './drives.routes.js';

const validatorError = (field: string, tag: string) =>
  new GraphError(400, 'invalidRequest', `Key: 'DriveItemInvite.${field}' Error:Field validation for '${field}' failed on the '${tag}' tag`);

const Invite = z
  .object({
    recipients: z.array(
      z.object({ objectId: z.string(), '@libre.graph.recipient.type': z.enum(['user', 'group']).optional() }).strict(),
    ),
    roles: z.array(z.string()).optional(),
    '@libre.graph.permissions.actions': z.array(z.string()).optional(),
    expirationDateTime: z.string().optional(),
  })
  .strict();

const PermissionPatch = z
  .object({ roles: z.array(z.string()).optional(), expirationDateTime: z.string().nullable().optional() })
  .strict();

function parseExpiry(value: string | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new GraphError(400, 'invalidRequest', 'invalid expirationDateTime');
  return t;
}

/** Root routes answer an unparsable drive id with 422, as the reference does; a well-formed unknown id is 404. */
function rootSpaceId(env: GraphEnv, raw: string): string {
  const dollar = raw.indexOf('$');
  if (raw.trim() === '' || raw.includes('!') || (dollar >= 0 && (dollar === 0 || dollar === raw.length - 1))) {
    throw new GraphError(422, 'invalidRequest', 'could not parse driveID');
  }
  return spaceIdOf(env, raw);
}

/** Space membership through the root's permissions (v1beta1 only, as the reference routes it). */
export function drivePermissionsRoutes(app: FastifyInstance, s: Services, version: GraphVersion, env: GraphEnv): void {
  if (version !== 'v1beta1') return;
  const route = (spec: Parameters<typeof graphRoute>[3]) => graphRoute(app, version, env, spec);
  const forbidden = { notAdmin: { status: 403, code: 'accessDenied' } };

  route({
    method: 'POST',
    url: '/drives/:driveId/root/invite',
    errors: forbidden,
    handler: async (c) => {
      const body = parseBody(Invite, c.body, 'invalid request body');
      if (body.recipients.length !== 1) throw validatorError('Recipients', 'len');
      if ((body.roles?.length ?? 0) > 1) throw validatorError('Roles', 'max');
      if (body.roles?.length && body['@libre.graph.permissions.actions']?.length) throw validatorError('Roles', 'excluded_with');
      const roleId = body.roles?.[0];
      if (!roleId) throw new GraphError(400, 'invalidRequest', 'a role is required; custom action sets are not supported');
      const recipient = body.recipients[0]!;
      if (!recipient.objectId) throw validatorError('Recipients[0].ObjectId', 'ne');
      const { member, names } = await s.spaceMembers.invite(c.userId(), rootSpaceId(env, c.params.driveId!), {
        recipientId: recipient.objectId,
        recipientType: recipient['@libre.graph.recipient.type'] ?? 'user',
        roleId,
        expiresAt: parseExpiry(body.expirationDateTime) ?? undefined,
      });
      const me = await s.users.profileOf(c.userId());
      return { value: [{ ...permissionJson(member, names, version), invitation: { invitedBy: { user: { displayName: me.displayName, id: me.id } } } }] };
    },
  });

  route({
    method: 'GET',
    url: '/drives/:driveId/root/permissions',
    handler: async (c) => {
      const { members, names, callerRole } = await s.spaceMembers.list(c.userId(), rootSpaceId(env, c.params.driveId!));
      const mine = findRole(callerRole);
      const roles = s.spaceMembers.allowedRoles(callerRole).map((r, i) => ({
        '@libre.graph.weight': i + 1,
        description: r.description,
        displayName: r.displayName,
        id: r.id,
      }));
      const body: Record<string, unknown> = {
        '@libre.graph.permissions.actions.allowedValues': mine ? fullActions(mine) : [],
        '@libre.graph.permissions.roles.allowedValues': roles,
      };
      if (c.query.$select === '@libre.graph.permissions.roles.allowedValues') return { '@libre.graph.permissions.roles.allowedValues': roles };
      body.value = members.map((m) => permissionJson(m, names, version));
      return body;
    },
  });

  route({
    method: 'PATCH',
    url: '/drives/:driveId/root/permissions/:permissionId',
    errors: { ...forbidden, selfOperation: { status: 403, code: 'accessDenied' } },
    handler: async (c) => {
      const body = parseBody(PermissionPatch, c.body, 'invalid request body');
      if ((body.roles?.length ?? 0) > 1) throw new GraphError(400, 'invalidRequest', 'only one role may be set');
      const { member, names } = await s.spaceMembers.update(c.userId(), rootSpaceId(env, c.params.driveId!), c.params.permissionId!, {
        roleId: body.roles?.[0],
        expiresAt: parseExpiry(body.expirationDateTime),
      });
      return permissionJson(member, names, version);
    },
  });

  route({
    method: 'DELETE',
    url: '/drives/:driveId/root/permissions/:permissionId',
    errors: { ...forbidden, selfOperation: { status: 403, code: 'accessDenied' } },
    handler: async (c) => {
      await s.spaceMembers.remove(c.userId(), rootSpaceId(env, c.params.driveId!), c.params.permissionId!);
      return noContent();
    },
  });

  // Links belong to the sharing module, which does not exist yet: say so rather than pretend.
  for (const url of ['/drives/:driveId/root/createLink', '/drives/:driveId/root/permissions/:permissionId/setPassword']) {
    route({
      method: 'POST',
      url,
      handler: () => {
        throw new GraphError(501, 'notSupported', 'link sharing is not available yet');
      },
    });
  }
}
