import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type ErrorReason, fail } from '../../../domain/errors.js';
import { type Share, SHARE_TYPE } from '../../../domain/share.js';
import { findRole, fullActions, type UnifiedRole } from '../../../domain/unified-roles.js';
import type { ItemAccess } from '../../../services/sharing/graph-shares.service.js';
import { GRAPH_MEMBER_RULES } from '../../../services/spaces/space-members.service.js';
import type { Services } from '../../../services/index.js';
import { parseBody } from '../body.js';
import { invitationJson, permissionJson, SHARES_DRIVE_ID } from '../drive-json.js';
import { type GraphWording, validatorMessage } from '../error-wording.js';
import { GraphError } from '../errors.js';
import { inviteRole, parseInvite } from '../invite-body.js';
import { sharePermissionJson } from '../permission-json.js';
import { type GraphCall, type GraphEnv, graphRoute, type GraphVersion, noContent } from '../route.js';
import { parseCreateLink, parseDateTime, parseSetPassword, parseSharePatch } from '../share-body.js';
import { jsonBody, spaceIdOf } from './drives.routes.js';

const PermissionPatch = z
  .object({ roles: z.array(z.string()).optional(), expirationDateTime: z.string().nullable().optional() })
  .strict();

export const SELECTABLE = ['@libre.graph.permissions.actions.allowedValues', '@libre.graph.permissions.roles.allowedValues'];
const FEDERATED_ROLES_FILTER = `@libre.graph.permissions.roles.allowedValues/rolePermissions/any(p:contains(p/condition, '@Subject.UserType=="Federated"'))`;
const NO_LINKS_FILTER = "grantedToV2 ne ''";
/** What any user may do on the Shares jail root: look at it, list it. */
const SHARES_ROOT_ACTIONS = ['path/read', 'children/read', 'basic/read'];

/** Root routes answer an unparsable drive id with 422 as the reference does; a well-formed unknown id is 404. */
export function rootDrive(env: GraphEnv, raw: string): { shares: true } | { shares: false; spaceId: string } {
  if (raw === SHARES_DRIVE_ID) return { shares: true };
  const dollar = raw.indexOf('$');
  if (raw.trim() === '' || raw.includes('!') || (dollar >= 0 && (dollar === 0 || dollar === raw.length - 1))) {
    throw new GraphError(422, 'invalidRequest', 'could not parse driveID');
  }
  return { shares: false, spaceId: spaceIdOf(env, raw) };
}

/** `@libre.graph.permissions.roles.allowedValues` entries: no rolePermissions, weights 1..n weakest first. */
export const allowedRolesJson = (roles: UnifiedRole[]) =>
  roles.map((r, i) => ({ '@libre.graph.weight': i + 1, description: r.description, displayName: r.displayName, id: r.id }));

export function listOptions(c: GraphCall): { select: string[]; federated: boolean } {
  const select = (c.query.$select ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  for (const item of select) if (!SELECTABLE.includes(item)) throw new GraphError(400, 'invalidRequest', `$select of ${item} is not supported`);
  const filter = c.query.$filter?.trim();
  if (filter && filter !== FEDERATED_ROLES_FILTER && filter !== NO_LINKS_FILTER) throw new GraphError(400, 'invalidRequest', `$filter ${filter} is not supported`);
  return { select, federated: filter === FEDERATED_ROLES_FILTER };
}

/** `$filter=grantedToV2 ne ''` leaves out the links (what has no grantee). */
export const withoutLinksIfAsked = (c: GraphCall, shares: Share[]): Share[] =>
  c.query.$filter?.trim() === NO_LINKS_FILTER ? shares.filter((x) => x.type !== SHARE_TYPE.link) : shares;

/** An invitation's expiry is a field of DriveItemInvite: a past one fails the Go validator's `gt` tag. */
export const INVITE_ERRORS: Partial<Record<ErrorReason, GraphWording>> = { expiryInPast: { message: validatorMessage('ExpirationDateTime', 'gt') } };

export const isMemberId = (id: string): boolean => /^[ug]:/.test(id);

type RootDrive = ReturnType<typeof rootDrive>;
/** A root operation on an already parsed drive id: the root routes and the items routes on a space root share them. */
export type RootHandler = (c: GraphCall, drive: RootDrive) => Promise<unknown>;

/** Member-id permissions of space roots and the space-root share operations, for the root routes and the items routes alike. */
export function rootPermissionHandlers(s: Services, env: GraphEnv, version: GraphVersion) {
  const unsupportedSpaceType = () => new GraphError(400, 'invalidRequest', 'unsupported space type');

  /** The root of a space the caller reaches, for changing its links and shares: project spaces only, as the reference. */
  const writableRoot = async (userId: string, drive: RootDrive): Promise<ItemAccess> => {
    if (drive.shares) throw unsupportedSpaceType();
    const item = await s.graphShares.item(userId, drive.spaceId, drive.spaceId);
    if (item.space.type !== 'project') throw unsupportedSpaceType();
    return item;
  };
  const shareJson = async (share: Share) => sharePermissionJson(env, share, await s.graphShares.names([share]));

  const invite: RootHandler = async (c, drive) => {
    const userId = c.userId();
    const invite = parseInvite(jsonBody(c.body), Date.now());
    const roleId = inviteRole(invite, 'root');
    if (drive.shares) throw unsupportedSpaceType();
    const grantee = { principalType: invite.recipientType, principalId: invite.recipientId };
    const { member, names } = await s.spaceMembers.grant(userId, drive.spaceId, { grantee, roleId, expiresAt: invite.expiresAt }, GRAPH_MEMBER_RULES);
    return { value: [{ ...permissionJson(member, names, version), invitation: invitationJson(member.invitedBy, names) }] };
  };

  const list: RootHandler = async (c, drive) => {
    const userId = c.userId();
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
      const onRoot = withoutLinksIfAsked(c, await s.graphShares.sharesOn(userId, await s.graphShares.item(userId, drive.spaceId, drive.spaceId)));
      const names = await s.graphShares.names(onRoot);
      value.push(...onRoot.map((share) => sharePermissionJson(env, share, names)));
    }
    const body: Record<string, unknown> = {};
    if (!select.length || select.includes(SELECTABLE[0]!)) body['@libre.graph.permissions.actions.allowedValues'] = actions;
    if (!select.length || select.includes(SELECTABLE[1]!)) body['@libre.graph.permissions.roles.allowedValues'] = allowedRolesJson(roles);
    if (!select.length) body.value = value;
    return body;
  };

  const get: RootHandler = async (c, drive) => {
    const userId = c.userId();
    const permissionId = c.params.permissionId!;
    if (drive.shares) return fail('notFound', 'permission not found');
    if (isMemberId(permissionId)) {
      const l = await s.spaceMembers.list(userId, drive.spaceId);
      const member = l.members.find((m) => `${m.principalType === 'user' ? 'u' : 'g'}:${m.principalId}` === permissionId);
      if (!member) fail('notFound', 'permission not found');
      return permissionJson(member!, l.names, version);
    }
    const item = await s.graphShares.item(userId, drive.spaceId, drive.spaceId);
    return shareJson(await s.graphShares.permission(userId, item, permissionId));
  };

  const patch: RootHandler = async (c, drive) => {
    const userId = c.userId();
    const permissionId = c.params.permissionId!;
    if (!isMemberId(permissionId)) {
      const changes = parseSharePatch(jsonBody(c.body));
      const item = await writableRoot(userId, drive);
      return shareJson(await s.graphShares.update(userId, item, permissionId, changes));
    }
    const body = parseBody(PermissionPatch, jsonBody(c.body), 'invalid request body');
    if ((body.roles?.length ?? 0) > 1) throw new GraphError(400, 'invalidRequest', 'a space member has exactly one role');
    if (body.roles?.length === 1) {
      const role = findRole(body.roles[0]!);
      if (!role || !role.enabledByDefault) throw new GraphError(400, 'invalidRequest', 'role not found or not enabled');
    }
    const expiresAt = parseDateTime(body.expirationDateTime, 'expirationDateTime');
    if (drive.shares) throw unsupportedSpaceType();
    const { member, names } = await s.spaceMembers.update(userId, drive.spaceId, permissionId, { roleId: body.roles?.[0], expiresAt });
    return permissionJson(member, names, version);
  };

  const remove: RootHandler = async (c, drive) => {
    const userId = c.userId();
    const permissionId = c.params.permissionId!;
    if (!isMemberId(permissionId)) {
      await s.graphShares.remove(userId, await writableRoot(userId, drive), permissionId);
      return noContent();
    }
    if (drive.shares) throw unsupportedSpaceType();
    await s.spaceMembers.revoke(userId, drive.spaceId, { permissionId }, GRAPH_MEMBER_RULES);
    return noContent();
  };

  const createLink: RootHandler = async (c, drive) => {
    const userId = c.userId();
    const input = parseCreateLink(jsonBody(c.body));
    const item = await writableRoot(userId, drive);
    return shareJson(await s.graphShares.createLink(userId, item, input));
  };

  const setPassword: RootHandler = async (c, drive) => {
    const userId = c.userId();
    const password = parseSetPassword(jsonBody(c.body));
    const item = await writableRoot(userId, drive);
    return shareJson(await s.graphShares.setPassword(userId, item, c.params.permissionId!, password));
  };

  return { invite, list, get, patch, remove, createLink, setPassword };
}

/** Space membership through the root's permissions, and the links and shares of the root (v1beta1 only, as the reference routes it). */
export function drivePermissionsRoutes(app: FastifyInstance, s: Services, version: GraphVersion, env: GraphEnv): void {
  if (version !== 'v1beta1') return;
  const route = (spec: Parameters<typeof graphRoute>[3]) => graphRoute(app, version, env, spec);
  const h = rootPermissionHandlers(s, env, version);
  const at = (fn: RootHandler) => (c: GraphCall) => fn(c, rootDrive(env, c.params.driveId!));
  route({ method: 'POST', url: '/drives/:driveId/root/invite', errors: INVITE_ERRORS, handler: at(h.invite) });
  route({ method: 'GET', url: '/drives/:driveId/root/permissions', handler: at(h.list) });
  route({ method: 'GET', url: '/drives/:driveId/root/permissions/:permissionId', handler: at(h.get) });
  route({ method: 'PATCH', url: '/drives/:driveId/root/permissions/:permissionId', handler: at(h.patch) });
  route({ method: 'DELETE', url: '/drives/:driveId/root/permissions/:permissionId', handler: at(h.remove) });
  route({ method: 'POST', url: '/drives/:driveId/root/createLink', handler: at(h.createLink) });
  route({ method: 'POST', url: '/drives/:driveId/root/permissions/:permissionId/setPassword', handler: at(h.setPassword) });
}
