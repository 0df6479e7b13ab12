import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ACTION_ORDER, enabledRoles, findRole, fullActions, type UnifiedRole } from '../../../domain/unified-roles.js';
import type { Services } from '../../../services/index.js';
import { parseBody } from '../body.js';
import { invitationJson, permissionJson, SHARES_DRIVE_ID } from '../drive-json.js';
import { GraphError } from '../errors.js';
import { type GraphCall, type GraphEnv, graphRoute, type GraphVersion, noContent } from '../route.js';
import { jsonBody, spaceIdOf } from './drives.routes.js';

/** The Go validator's message, which the reference returns verbatim for invalid invitations. */
const validatorError = (field: string, tag: string) =>
  new GraphError(400, 'invalidRequest', `Key: 'DriveItemInvite.${field}' Error:Field validation for '${field.replace(/^.*\./, '')}' failed on the '${tag}' tag`);

const Invite = z
  .object({
    recipients: z.array(z.object({ objectId: z.string().optional(), '@libre.graph.recipient.type': z.string().optional() }).strict()).optional(),
    roles: z.array(z.string()).optional(),
    '@libre.graph.permissions.actions': z.array(z.string()).optional(),
    expirationDateTime: z.string().optional(),
  })
  .strict();

const PermissionPatch = z
  .object({ roles: z.array(z.string()).optional(), expirationDateTime: z.string().nullable().optional() })
  .strict();

const SELECTABLE = ['@libre.graph.permissions.actions.allowedValues', '@libre.graph.permissions.roles.allowedValues'];
const FEDERATED_ROLES_FILTER = `@libre.graph.permissions.roles.allowedValues/rolePermissions/any(p:contains(p/condition, '@Subject.UserType=="Federated"'))`;
const NO_LINKS_FILTER = "grantedToV2 ne ''";
/** What any user may do on the Shares jail root: look at it, list it. */
const SHARES_ROOT_ACTIONS = ['path/read', 'children/read', 'basic/read'];

function parseExpiry(value: string | null | undefined, field: string): number | null | undefined {
  if (value === undefined || value === null) return value;
  const t = Date.parse(value);
  if (Number.isNaN(t) || !/^\d{4}-\d\d-\d\dT/.test(value)) throw new GraphError(400, 'invalidRequest', `invalid request body: ${field} is not an RFC 3339 date-time`);
  return t;
}

/** Root routes answer an unparsable drive id with 422 as the reference does; a well-formed unknown id is 404. */
function rootDrive(env: GraphEnv, raw: string): { shares: true } | { shares: false; spaceId: string } {
  if (raw === SHARES_DRIVE_ID) return { shares: true };
  const dollar = raw.indexOf('$');
  if (raw.trim() === '' || raw.includes('!') || (dollar >= 0 && (dollar === 0 || dollar === raw.length - 1))) {
    throw new GraphError(422, 'invalidRequest', 'could not parse driveID');
  }
  return { shares: false, spaceId: spaceIdOf(env, raw) };
}

/** An invite names one role by id or, as the reference also allows, the exact action set of one enabled root role. */
function roleFromInvite(body: z.infer<typeof Invite>): string {
  const roles = body.roles ?? [];
  const actions = body['@libre.graph.permissions.actions'] ?? [];
  if (roles.length > 1) throw validatorError('Roles', 'max');
  if (roles.length && actions.length) throw validatorError('Roles', 'excluded_with');
  if (roles.length === 1) {
    const role = findRole(roles[0]!);
    if (!role || !role.enabledByDefault) throw validatorError('Roles[0]', 'available_role');
    return role.id;
  }
  if (!actions.length) throw validatorError('Roles', 'required_without');
  if (actions.some((a) => !ACTION_ORDER.includes(a)) || actions.some((a) => /\/permissions\/(create|update|delete|deny)$/.test(a))) {
    throw validatorError('LibreGraphPermissionsActions', 'available_action');
  }
  const wanted = new Set(actions);
  const match = enabledRoles().find((r) => r.conditions.includes('root') && fullActions(r).length === wanted.size && fullActions(r).every((a) => wanted.has(a)));
  if (!match) throw new GraphError(400, 'invalidRequest', 'custom action sets are not supported on a space root: use the actions or id of one of its roles');
  return match.id;
}

/** `@libre.graph.permissions.roles.allowedValues` entries: no rolePermissions, weights 1..n weakest first. */
const allowedRolesJson = (roles: UnifiedRole[]) =>
  roles.map((r, i) => ({ '@libre.graph.weight': i + 1, description: r.description, displayName: r.displayName, id: r.id }));

function listOptions(c: GraphCall): { select: string[]; federated: boolean } {
  const select = (c.query.$select ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  for (const item of select) if (!SELECTABLE.includes(item)) throw new GraphError(400, 'invalidRequest', `$select of ${item} is not supported`);
  const filter = c.query.$filter?.trim();
  if (filter && filter !== FEDERATED_ROLES_FILTER && filter !== NO_LINKS_FILTER) throw new GraphError(400, 'invalidRequest', `$filter ${filter} is not supported`);
  return { select, federated: filter === FEDERATED_ROLES_FILTER };
}

/** Space membership through the root's permissions (v1beta1 only, as the reference routes it). */
export function drivePermissionsRoutes(app: FastifyInstance, s: Services, version: GraphVersion, env: GraphEnv): void {
  if (version !== 'v1beta1') return;
  const route = (spec: Parameters<typeof graphRoute>[3]) => graphRoute(app, version, env, spec);
  const forbidden = { notAdmin: { status: 403, code: 'accessDenied' }, selfOperation: { status: 403, code: 'accessDenied' } };
  const unsupportedSpaceType = () => new GraphError(400, 'invalidRequest', 'unsupported space type');

  route({
    method: 'POST',
    url: '/drives/:driveId/root/invite',
    errors: forbidden,
    handler: async (c) => {
      const userId = c.userId();
      const drive = rootDrive(env, c.params.driveId!);
      const body = parseBody(Invite, jsonBody(c.body), 'invalid request body');
      const recipients = body.recipients ?? [];
      if (recipients.length !== 1) throw validatorError('Recipients', 'len');
      const recipient = recipients[0]!;
      if (!recipient.objectId) throw validatorError('Recipients[0].ObjectId', 'ne');
      const type = recipient['@libre.graph.recipient.type'] ?? 'user';
      if (type !== 'user' && type !== 'group') throw validatorError('Recipients[0].LibreGraphRecipientType', 'oneof');
      const roleId = roleFromInvite(body);
      const expiresAt = parseExpiry(body.expirationDateTime, 'expirationDateTime') ?? undefined;
      if (expiresAt !== undefined && expiresAt <= Date.now()) throw validatorError('ExpirationDateTime', 'gt');
      if (drive.shares) throw unsupportedSpaceType();
      const { member, names } = await s.spaceMembers.invite(userId, drive.spaceId, { recipientId: recipient.objectId, recipientType: type, roleId, expiresAt });
      return { value: [{ ...permissionJson(member, names, version), invitation: invitationJson(member.invitedBy, names) }] };
    },
  });

  route({
    method: 'GET',
    url: '/drives/:driveId/root/permissions',
    handler: async (c) => {
      const userId = c.userId();
      const drive = rootDrive(env, c.params.driveId!);
      const { select, federated } = listOptions(c);
      let actions: string[];
      let roles: UnifiedRole[];
      let value: Record<string, unknown>[];
      if (drive.shares) {
        // The Shares jail cannot be shared: nobody may hand out a role on it.
        actions = SHARES_ROOT_ACTIONS.map((a) => `libre.graph/driveItem/${a}`);
        roles = [];
        value = [];
      } else {
        const l = await s.spaceMembers.list(userId, drive.spaceId);
        const mine = findRole(l.callerRole);
        actions = mine ? fullActions(mine) : [];
        // Federated users cannot become space members: no federated role applies to a space root.
        roles = federated ? [] : s.spaceMembers.allowedRoles(l.callerRole);
        value = l.members.map((m) => permissionJson(m, l.names, version));
      }
      const body: Record<string, unknown> = {};
      if (!select.length || select.includes(SELECTABLE[0]!)) body['@libre.graph.permissions.actions.allowedValues'] = actions;
      if (!select.length || select.includes(SELECTABLE[1]!)) body['@libre.graph.permissions.roles.allowedValues'] = allowedRolesJson(roles);
      if (!select.length) body.value = value;
      return body;
    },
  });

  route({
    method: 'PATCH',
    url: '/drives/:driveId/root/permissions/:permissionId',
    errors: forbidden,
    handler: async (c) => {
      const userId = c.userId();
      const drive = rootDrive(env, c.params.driveId!);
      const body = parseBody(PermissionPatch, jsonBody(c.body), 'invalid request body');
      if ((body.roles?.length ?? 0) > 1) throw new GraphError(400, 'invalidRequest', 'a space member has exactly one role');
      if (body.roles?.length === 1) {
        const role = findRole(body.roles[0]!);
        if (!role || !role.enabledByDefault) throw new GraphError(400, 'invalidRequest', 'role not found or not enabled');
      }
      const expiresAt = parseExpiry(body.expirationDateTime, 'expirationDateTime');
      if (drive.shares) throw unsupportedSpaceType();
      const { member, names } = await s.spaceMembers.update(userId, drive.spaceId, c.params.permissionId!, { roleId: body.roles?.[0], expiresAt });
      return permissionJson(member, names, version);
    },
  });

  route({
    method: 'DELETE',
    url: '/drives/:driveId/root/permissions/:permissionId',
    errors: forbidden,
    handler: async (c) => {
      const userId = c.userId();
      const drive = rootDrive(env, c.params.driveId!);
      if (drive.shares) throw unsupportedSpaceType();
      await s.spaceMembers.remove(userId, drive.spaceId, c.params.permissionId!);
      return noContent();
    },
  });

  // Links belong to the sharing module, which does not exist yet: say so rather than pretend (openapi marks them unavailable).
  for (const url of ['/drives/:driveId/root/createLink', '/drives/:driveId/root/permissions/:permissionId/setPassword']) {
    route({
      method: 'POST',
      url,
      handler: (c) => {
        c.userId();
        throw new GraphError(501, 'notSupported', 'link sharing is not available yet');
      },
    });
  }
}
