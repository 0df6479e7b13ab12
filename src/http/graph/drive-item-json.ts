import type { FileNode } from '../../domain/node.js';
import type { Space } from '../../domain/space.js';
import { driveId, itemId } from './ids.js';
import type { GraphEnv } from './route.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const encodePath = (path: readonly string[]): string => path.map(encodeURIComponent).join('/');

/**
 * A DriveItem as the reference writes it (libregraph.md §2.4): keys in the
 * Go model's alphabetical order, `file` or `folder`, the parent's reference
 * with its space-relative path, and the item's WebDAV URL.
 */
export function driveItemJson(env: GraphEnv, space: Space, node: FileNode, path: readonly string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const drive = driveId(env, space.id);
  const isRoot = path.length === 0;
  const parentPath = path.slice(0, -1);
  return {
    createdDateTime: iso(node.createdAt),
    eTag: `"${node.etag}"`,
    file: node.type === 'file' ? { mimeType: node.mimeType } : undefined,
    folder: node.type === 'folder' ? {} : undefined,
    id: itemId(env, space.id, node.id),
    lastModifiedDateTime: iso(node.mtime),
    name: isRoot ? space.name : node.name,
    parentReference: isRoot
      ? { driveId: drive, driveType: space.type }
      : {
          driveId: drive,
          driveType: space.type,
          id: itemId(env, space.id, node.parentId ?? space.id),
          name: parentPath.length ? parentPath[parentPath.length - 1] : undefined,
          path: `/${parentPath.join('/')}`,
        },
    size: node.size,
    ...extra,
    webDavUrl: `${env.publicUrl}/dav/spaces/${drive}${isRoot ? '' : `/${encodePath(path)}`}`,
    // oCIS (cs3ResourceInfoToDriveItem): the item's id under /f/, which opens it in the web app.
    webUrl: `${env.publicUrl}/f/${itemId(env, space.id, node.id)}`,
  };
}
