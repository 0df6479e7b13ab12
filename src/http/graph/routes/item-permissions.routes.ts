import type { FastifyInstance } from 'fastify';
import { fail } from '../../../domain/errors.js';
import type { Share } from '../../../domain/share.js';
import type { Services } from '../../../services/index.js';
import { SHARES_DRIVE_ID } from '../drive-json.js';
import { GraphError } from '../errors.js';
import { inviteRole, parseInvite } from '../invite-body.js';
import { sharedByMeJson, sharedWithMeJson, sharePermissionJson } from '../permission-json.js';
import { remoteSharedWithMeJson } from '../remote-share-json.js';
import { type GraphCall, type GraphEnv, graphRoute, type GraphVersion, noContent } from '../route.js';
import { parseCreateLink, parseSetPassword, parseSharePatch } from '../share-body.js';
import { allowedRolesJson, INVITE_ERRORS, isMemberId, listOptions, rootPermissionHandlers, SELECTABLE, withoutLinksIfAsked } from './drive-permissions.routes.js';
import { nodeIdOf } from './drive-items.routes.js';
import { jsonBody, spaceIdOf } from './drives.routes.js';

type Target = { jail: true } | { jail: false; spaceId: string; nodeId: string };

/**
 * Sharing of drive items (v1beta1, as the reference routes it): links,
 * invitations and the item's permissions, on the same shares OCS serves;
 * plus the caller's sharedByMe and sharedWithMe listings. On a space root
 * the items routes act like the root routes for member ids (`u:`/`g:`).
 */
export function itemPermissionsRoutes(app: FastifyInstance, s: Services, version: GraphVersion, env: GraphEnv): void {
  if (version !== 'v1beta1') return;
  const route = (spec: Parameters<typeof graphRoute>[3]) => graphRoute(app, version, env, spec);
  const root = rootPermissionHandlers(s, env, version);
  const base = '/drives/:driveId/items/:itemId';

  /** The item the path names; the Shares jail has only its root here. */
  const target = (c: GraphCall): Target => {
    const drive = c.params.driveId!;
    if (drive === SHARES_DRIVE_ID) {
      if (c.params.itemId !== SHARES_DRIVE_ID) fail('notFound', 'item not found');
      return { jail: true };
    }
    const spaceId = spaceIdOf(env, drive);
    return { jail: false, spaceId, nodeId: nodeIdOf(env, spaceId, c.params.itemId!) };
  };
  const rootOf = (t: Target): string | null => (!t.jail && t.nodeId === t.spaceId ? t.spaceId : null);
  const itemOf = (c: GraphCall, t: Target) => {
    if (t.jail) return fail('notFound', 'permission not found');
    return s.graphShares.item(c.userId(), t.spaceId, t.nodeId);
  };
  const shareJson = async (share: Share) => sharePermissionJson(env, share, await s.graphShares.names([share]));

  route({
    method: 'POST',
    url: `${base}/createLink`,
    handler: async (c) => {
      const t = target(c);
      const input = parseCreateLink(jsonBody(c.body));
      if (t.jail) throw new GraphError(400, 'invalidRequest', 'cannot create link on shares space root');
      const item = await s.graphShares.item(c.userId(), t.spaceId, t.nodeId);
      return shareJson(await s.graphShares.createLink(c.userId(), item, input));
    },
  });

  route({
    method: 'POST',
    url: `${base}/invite`,
    errors: { ...INVITE_ERRORS, rootNotShareable: { message: 'space type is not eligible for sharing' } },
    handler: async (c) => {
      const t = target(c);
      const rootSpace = rootOf(t);
      if (rootSpace !== null) {
        const space = await s.graphShares.item(c.userId(), rootSpace, rootSpace);
        // A project root's invitations are space memberships, whichever route asks.
        if (space.space.type === 'project') return root.invite(c, { shares: false, spaceId: rootSpace });
      }
      const invite = parseInvite(jsonBody(c.body), Date.now());
      if (t.jail) throw new GraphError(400, 'invalidRequest', 'role not applicable to this resource');
      const item = await s.graphShares.item(c.userId(), t.spaceId, t.nodeId);
      const roleId = inviteRole(invite, item.isRoot ? 'root' : item.node.type);
      const share = await s.graphShares.invite(c.userId(), item, { recipientId: invite.recipientId, recipientType: invite.recipientType, roleId, expiresAt: invite.expiresAt });
      return { value: [await shareJson(share)] };
    },
  });

  route({
    method: 'GET',
    url: `${base}/permissions`,
    handler: async (c) => {
      const t = target(c);
      if (t.jail) return root.list(c, { shares: true });
      if (rootOf(t) !== null) return root.list(c, { shares: false, spaceId: rootOf(t)! });
      const { select, federated } = listOptions(c);
      const userId = c.userId();
      const item = await s.graphShares.item(userId, t.spaceId, t.nodeId);
      const { actions, roles } = s.graphShares.allowedValues(item, federated);
      const body: Record<string, unknown> = {};
      if (!select.length || select.includes(SELECTABLE[0]!)) body['@libre.graph.permissions.actions.allowedValues'] = actions;
      if (!select.length || select.includes(SELECTABLE[1]!)) body['@libre.graph.permissions.roles.allowedValues'] = allowedRolesJson(roles);
      if (!select.length) {
        const shares = withoutLinksIfAsked(c, await s.graphShares.sharesOn(userId, item));
        const names = await s.graphShares.names(shares);
        body.value = shares.map((share) => sharePermissionJson(env, share, names));
      }
      return body;
    },
  });

  route({
    method: 'GET',
    url: `${base}/permissions/:permissionId`,
    handler: async (c) => {
      const t = target(c);
      if (rootOf(t) !== null && isMemberId(c.params.permissionId!)) return root.get(c, { shares: false, spaceId: rootOf(t)! });
      const item = await itemOf(c, t);
      return shareJson(await s.graphShares.permission(c.userId(), item, c.params.permissionId!));
    },
  });

  route({
    method: 'PATCH',
    url: `${base}/permissions/:permissionId`,
    handler: async (c) => {
      const t = target(c);
      if (rootOf(t) !== null) return root.patch(c, { shares: false, spaceId: rootOf(t)! });
      const changes = parseSharePatch(jsonBody(c.body));
      const item = await itemOf(c, t);
      return shareJson(await s.graphShares.update(c.userId(), item, c.params.permissionId!, changes));
    },
  });

  route({
    method: 'DELETE',
    url: `${base}/permissions/:permissionId`,
    handler: async (c) => {
      const t = target(c);
      if (rootOf(t) !== null) return root.remove(c, { shares: false, spaceId: rootOf(t)! });
      await s.graphShares.remove(c.userId(), await itemOf(c, t), c.params.permissionId!);
      return noContent();
    },
  });

  route({
    method: 'POST',
    url: `${base}/permissions/:permissionId/setPassword`,
    handler: async (c) => {
      const t = target(c);
      const password = parseSetPassword(jsonBody(c.body));
      const item = await itemOf(c, t);
      return shareJson(await s.graphShares.setPassword(c.userId(), item, c.params.permissionId!, password));
    },
  });

  route({
    method: 'GET',
    url: '/me/drive/sharedByMe',
    handler: async (c) => {
      const { items, names } = await s.graphSharedItems.sharedByMe(c.userId());
      return { value: items.map((i) => sharedByMeJson(env, i, names)) };
    },
  });

  route({
    method: 'GET',
    url: '/me/drive/sharedWithMe',
    handler: async (c) => {
      const userId = c.userId();
      // Shares from other servers follow the local ones, as oCIS appends its OCM shares.
      const [{ items, names }, remote] = await Promise.all([s.graphSharedItems.sharedWithMe(userId), s.graphSharedItems.remoteReceived(userId, false)]);
      return { value: [...items.map((i) => sharedWithMeJson(env, i, names)), ...remote.items.map((i) => remoteSharedWithMeJson(i, remote.recipient))] };
    },
  });
}
