import { fail } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import type { ReceivedItem, RemoteListing } from '../../services/sharing/graph-shared-items.service.js';
import { SHARES_DRIVE_ID } from './drive-json.js';
import { GraphError } from './errors.js';
import { SHARES_ROOT_ITEM_ID, sharedWithMeJson } from './permission-json.js';
import { OCM_DRIVE_ID, remoteSharedWithMeJson } from './remote-share-json.js';
import type { GraphEnv, GraphVersion } from './route.js';

/**
 * An item of the Shares drive: its root, a mount named by the id of one of
 * its shares, or a share from another server (`remote`, named by its id
 * under the OCM storage).
 */
export type JailItem = { root: true } | { root: false; shareId: string; remote: boolean };

/**
 * Parses an item id of the Shares drive. The root answers to the drive id
 * (its `root.id`) and to the `!<shares space>` form the reference writes in
 * parent references; a mount is `<shares>!<shareId>`, a share from another
 * server `<ocm>$<ocm>!<its id>`. Ids of other drives name nothing here
 * (404), ids without a storage part are refused (400).
 */
export function jailItemOf(rawItemId: string): JailItem {
  if (rawItemId === SHARES_DRIVE_ID || rawItemId === SHARES_ROOT_ITEM_ID) return { root: true };
  const bang = rawItemId.indexOf('!');
  const drivePart = bang < 0 ? rawItemId : rawItemId.slice(0, bang);
  const shareId = bang < 0 ? '' : rawItemId.slice(bang + 1);
  if (!drivePart.includes('$') || (bang >= 0 && shareId === '')) throw new GraphError(400, 'invalidRequest', 'invalid driveID or itemID');
  if ((drivePart !== SHARES_DRIVE_ID && drivePart !== OCM_DRIVE_ID) || bang < 0) fail('notFound', 'item not found');
  return { root: false, shareId, remote: drivePart === OCM_DRIVE_ID };
}

/**
 * The jail's root as an item: a folder without a date whose eTag is the
 * Shares drive's (libregraph.md §4), its id the drive's `root.id`.
 */
export function jailRootJson(env: GraphEnv): Record<string, unknown> {
  return {
    eTag: 'DECAFC00FEE',
    folder: {},
    id: SHARES_DRIVE_ID,
    name: 'Shares',
    size: 0,
    webDavUrl: `${env.publicUrl}/dav/spaces/${SHARES_DRIVE_ID}`,
  };
}

/**
 * The root's children: one item per accepted mount, shares from other
 * servers among them, in code-point order of the mount names (as WebDAV
 * lists them).
 */
export async function jailChildren(s: Services, env: GraphEnv, userId: string): Promise<{ value: Record<string, unknown>[] }> {
  const [{ items, names }, remote] = await Promise.all([s.graphSharedItems.sharesJail(userId), s.graphSharedItems.remoteReceived(userId, true)]);
  const entries = [
    ...items.map((i) => ({ name: i.mountName!, json: sharedWithMeJson(env, i, names) })),
    ...remote.items.map((i) => ({ name: i.share.mountName ?? i.share.name, json: remoteSharedWithMeJson(i, remote.recipient) })),
  ];
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { value: entries.map((e) => e.json) };
}

/**
 * A share from another server the jail id names, with what its owner's
 * server says of it: v1.0 knows accepted ones only, v1beta1 pending ones
 * too, as for local shares.
 */
export async function jailRemote(s: Services, userId: string, shareId: string, version: GraphVersion): Promise<RemoteListing> {
  const found = await s.graphSharedItems.remoteReceivedItem(userId, shareId);
  if (!found || (version === 'v1.0' && !found.items[0]!.share.accepted)) fail('notFound', version === 'v1.0' ? 'item not found' : 'no shares found');
  return found!;
}

/**
 * The received item a jail id names. v1.0 stats through the shares storage,
 * which knows mounted (accepted) shares only; v1beta1 reads the share
 * itself, so pending and declined ones answer too (oCIS GetDriveItem), with
 * `@client.synchronize` false.
 */
export async function jailMount(s: Services, userId: string, shareId: string, version: GraphVersion): Promise<{ item: ReceivedItem; names: Map<string, string> }> {
  const found = await s.graphSharedItems.receivedItem(userId, shareId);
  if (!found || (version === 'v1.0' && found.item.mountName === null)) fail('notFound', version === 'v1.0' ? 'item not found' : 'no shares found');
  return found!;
}
