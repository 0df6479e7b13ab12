import type { FastifyInstance } from 'fastify';
import { fail } from '../../../domain/errors.js';
import type { OpenedPlace } from '../../../services/access/files.contract.js';
import type { Services } from '../../../services/index.js';
import { driveItemJson } from '../drive-item-json.js';
import { SHARES_DRIVE_ID } from '../drive-json.js';
import { GraphError } from '../errors.js';
import { sharedWithMeJson } from '../permission-json.js';
import { type GraphCall, type GraphEnv, graphRoute, type GraphVersion } from '../route.js';
import { remoteSharedWithMeJson } from '../remote-share-json.js';
import { jailChildren, jailItemOf, jailMount, jailRemote, jailRootJson } from '../shares-jail.js';
import { spaceIdOf } from './drives.routes.js';

/**
 * The node an item id names inside a drive: `<storage>$<space>!<node>`, or
 * the drive id itself for the root. An id that cannot be parsed is 400; one
 * of another drive names nothing here (404).
 */
export function nodeIdOf(env: GraphEnv, spaceId: string, rawItemId: string): string {
  const bang = rawItemId.indexOf('!');
  const drivePart = bang < 0 ? rawItemId : rawItemId.slice(0, bang);
  const node = bang < 0 ? spaceId : rawItemId.slice(bang + 1);
  if (!drivePart.includes('$') || node === '') throw new GraphError(400, 'invalidRequest', 'invalid driveID or itemID');
  if (spaceIdOf(env, drivePart) !== spaceId) fail('notFound', 'item not found');
  return node;
}

/**
 * GET items, their children, a drive root's children and the personal
 * root's children (libregraph.md §1.1). On the Shares drive the root's
 * children are the caller's mounts, and a mount's children are those of the
 * shared folder, with their own ids in its real drive. A share from another
 * server is answered as sharedWithMe lists it; its entries are served over
 * WebDAV only (the owner's server keeps them), so its children are 501.
 */
export function driveItemsRoutes(app: FastifyInstance, s: Services, version: GraphVersion, env: GraphEnv): void {
  const route = (spec: Parameters<typeof graphRoute>[3]) => graphRoute(app, version, env, spec);

  const item = async (c: GraphCall) => {
    const userId = c.userId();
    const spaceId = spaceIdOf(env, c.params.driveId!);
    const nodeId = nodeIdOf(env, spaceId, c.params.itemId!);
    // Opened at the item's path, so a recipient whose shares reach only that part of the space gets in.
    const place = await s.files.openById(userId, spaceId, nodeId);
    const node = s.files.stat(place);
    if (!node) fail('notFound', 'Item not found');
    return { userId, space: place.space, node: node!, path: place.path, place };
  };

  const children = async (place: OpenedPlace) => {
    const list = await s.files.children(place);
    // Code-point order of names, the order WebDAV listings use too.
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { value: list.map((n) => driveItemJson(env, place.space, n, [...place.path, n.name])) };
  };

  const childrenOf = async (c: GraphCall, itemId: string) => {
    const userId = c.userId();
    if (c.params.driveId === SHARES_DRIVE_ID) {
      const target = jailItemOf(itemId);
      if (target.root) return jailChildren(s, env, userId);
      if (target.remote) {
        const root = (await jailRemote(s, userId, target.shareId, 'v1.0')).items[0]!.root;
        if (!root) fail('unavailable', 'The server that shared this item cannot be reached');
        if (!root!.folder) return { value: [] };
        fail('notImplemented', 'The entries of a share from another server are listed over WebDAV');
      }
      const { item: mount } = await jailMount(s, userId, target.shareId, 'v1.0');
      if (mount.node.type !== 'folder') return { value: [] };
      return children(await s.files.open(userId, mount.space.id, mount.path));
    }
    const { node, place } = await item({ ...c, params: { ...c.params, itemId } });
    if (node.type !== 'folder') return { value: [] };
    return children(place);
  };

  route({
    method: 'GET',
    url: '/drives/:driveId/items/:itemId',
    handler: async (c) => {
      if (c.params.driveId === SHARES_DRIVE_ID) {
        const userId = c.userId();
        const target = jailItemOf(c.params.itemId!);
        if (target.root) return jailRootJson(env);
        if (target.remote) {
          const { items, recipient } = await jailRemote(s, userId, target.shareId, version);
          return remoteSharedWithMeJson(items[0]!, recipient);
        }
        const { item: mount, names } = await jailMount(s, userId, target.shareId, version);
        return sharedWithMeJson(env, mount, names);
      }
      const { space, node, path } = await item(c);
      return driveItemJson(env, space, node, path);
    },
  });

  route({ method: 'GET', url: '/drives/:driveId/items/:itemId/children', handler: (c) => childrenOf(c, c.params.itemId!) });

  // The MS Graph form of a root's children; the drive id names its own root.
  route({ method: 'GET', url: '/drives/:driveId/root/children', handler: (c) => childrenOf(c, c.params.driveId!) });

  route({
    method: 'GET',
    url: '/me/drive/root/children',
    handler: async (c) => {
      const userId = c.userId();
      return children(await s.files.open(userId, userId, []));
    },
  });
}
