import type { FileNode } from '../../../domain/node.js';
import { remoteMountOfHref } from '../remote-mount.js';
import type { DavCall, SpaceTarget } from '../context.js';
import { badRequest, conflict, forbidden, preconditionFailed } from '../errors.js';

/** What COPY and MOVE share: the source, the destination and the Overwrite decision, checked in Sabre's order. */
export interface Transfer {
  src: SpaceTarget;
  srcNode: FileNode;
  dst: SpaceTarget;
  dstNode: FileNode | null;
  overwrite: boolean;
}

const samePath = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);
const within = (inner: readonly string[], outer: readonly string[]): boolean => inner.length > outer.length && outer.every((s, i) => s === inner[i]);

/**
 * 1 source (404; a space root cannot be moved or copied: 403), 2 Destination
 * (400 missing, 403 outside our entry points), 3 Overwrite (T/F, 400
 * otherwise), 4 identical (403) or inside the source (409), 5 destination
 * parent (409), 6 an existing destination with Overwrite: F (412).
 */
export async function prepareTransfer(call: DavCall): Promise<Transfer> {
  const src = await call.target();
  if (src.path.length === 0) throw forbidden('The root of a space cannot be moved or copied');
  const srcNode = await call.mustStat(src);
  const header = call.header('destination');
  if (!header) throw badRequest('The destination header was not supplied');
  const dloc = call.locationOfHref(header);
  if (dloc.family === 'uploads') throw forbidden('The destination cannot be an upload folder');
  // A share from another server lives there: nothing local may be put at or below its name.
  const remote = await remoteMountOfHref(call, header);
  if (remote) throw forbidden(remote.rest.length === 0 ? 'The destination already exists' : 'Files cannot be moved or copied between servers here');
  const dst = await call.target(dloc);
  if (dst.path.length === 0) throw forbidden('The root of a space cannot be overwritten');
  const ow = (call.header('overwrite') ?? 'T').trim().toUpperCase();
  if (ow !== 'T' && ow !== 'F') throw badRequest('The HTTP Overwrite header should be either T or F');
  const sameSpace = src.spaceId === dst.spaceId;
  if (sameSpace && samePath(src.path, dst.path)) throw forbidden('Source and destination uri are identical.');
  if (sameSpace && within(dst.path, src.path)) throw conflict('The destination may not be part of the same subtree as the source path.');
  const parent = await call.stat(dst, dst.path.slice(0, -1));
  if (!parent || parent.type !== 'folder') throw conflict('The destination node is not found');
  const dstNode = await call.stat(dst);
  if (dstNode && ow === 'F') throw preconditionFailed('The destination node already exists, and the overwrite header is set to false');
  return { src, srcNode, dst, dstNode, overwrite: ow === 'T' };
}
