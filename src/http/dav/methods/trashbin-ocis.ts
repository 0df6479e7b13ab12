import { DomainError } from '../../../domain/errors.js';
import type { ItemRef } from '../../../services/files/trash.service.js';
import type { DavCall } from '../context.js';
import { badRequest, conflict, DavError, forbidden, notFound, notImplemented } from '../errors.js';
import { propResponse, sendMultistatus } from '../multistatus.js';
import { collectionResponse, OCIS_ALLPROP, readPropfind, trashProp, trashResponse } from './trashbin-props.js';
import { NS_DAV, NS_OC } from '../xml.js';

/** `storage$space`, `storage%24space` or the plain space id, as the spaces entry points take it. */
function spaceIdOf(call: DavCall): string {
  const ref = call.loc.ref;
  const dollar = ref.indexOf('$');
  if (dollar < 0) return ref;
  if (ref.slice(0, dollar) !== call.deps.env.storageId || ref.includes('!')) throw notFound('Space not found');
  return ref.slice(dollar + 1);
}

/** ocdav's answer for the trash-bin root without children: a collection whose trash properties are 404 (formatTrashPropfind's fake root). */
function fakeRoot(href: string): string {
  return propResponse(href, [
    { ns: NS_DAV, name: 'resourcetype', status: 200, value: { xml: '<d:collection/>' } },
    ...['trashbin-original-filename', 'trashbin-original-location', 'trashbin-delete-datetime'].map((name) => ({ ns: NS_OC, name, status: 404 })),
    { ns: NS_DAV, name: 'getcontentlength', status: 404 },
  ]);
}

/**
 * oCIS/OpenCloud's space trash (reva ocdav trashbin.go on the spaces router):
 * PROPFIND lists items by key (the item id) with the oc:trashbin-* set and
 * browses into trashed folders, MOVE of an item with a Destination in the
 * space restores it there (201, or 204 when Overwrite replaced a node; 412
 * without Overwrite; 409 when the folder is missing), DELETE of an item
 * purges it (409 when the key is unknown), DELETE of the root empties it.
 */
export async function ocisTrash(call: DavCall): Promise<unknown> {
  const spaceId = spaceIdOf(call);
  const base = call.loc.base;
  const [key, ...below] = call.loc.path;
  const ref: ItemRef | null = key === undefined ? null : { id: key };
  const trash = call.deps.services.trash;
  switch (call.request.method) {
    case 'OPTIONS':
      return call.reply.code(200).header('Allow', 'OPTIONS, DELETE, PROPFIND, MOVE').header('Content-Length', '0').send();
    case 'PROPFIND': {
      const { depth, request } = readPropfind(call);
      if (!ref) {
        const { items } = await trash.list(call.userId, spaceId);
        const responses = [request.kind === 'prop' ? collectionResponse(`${base}/`, request) : fakeRoot(`${base}/`)];
        if (depth === 1) for (const i of items) responses.push(trashResponse(trashProp(call, i, i.node, [i.id], [], base), request, OCIS_ALLPROP));
        return sendMultistatus(call.reply, responses);
      }
      const { entry, members } = await trash.entry(call.userId, spaceId, ref, below);
      const at = [key!, ...below];
      if (depth === 0 || entry.node.type !== 'folder') {
        return sendMultistatus(call.reply, [trashResponse(trashProp(call, entry.item, entry.node, at, below, base), request, OCIS_ALLPROP)]);
      }
      // With a key and Depth 1 ocdav lists the key's children under a fake root at the key.
      const responses = [fakeRoot(`${base}/${at.map(encodeURIComponent).join('/')}/`)];
      for (const m of members) responses.push(trashResponse(trashProp(call, entry.item, m, [...at, m.name], [...below, m.name], base), request, OCIS_ALLPROP));
      return sendMultistatus(call.reply, responses);
    }
    case 'MOVE': {
      if (!ref) throw notImplemented('The trash bin itself cannot be moved');
      if (below.length) throw forbidden('Members of a deleted folder are restored with it');
      const header = call.header('destination');
      if (!header) throw badRequest('The destination header was not supplied');
      const ow = (call.header('overwrite') ?? 'T').trim().toUpperCase();
      if (ow !== 'T' && ow !== 'F') throw badRequest('The HTTP Overwrite header should be either T or F');
      const dloc = call.locationOfHref(header);
      if (dloc.family !== 'spaces') throw badRequest('The destination must be in a space');
      const dst = await call.target(dloc);
      if (dst.spaceId !== spaceId) throw forbidden('Items can only be restored into their own space');
      const restored = await trash.restore(call.userId, spaceId, ref, { kind: 'path', path: dst.path, overwrite: ow === 'T' }).catch((err: unknown) => {
        // ocdav answers a missing folder with a bare 409 (RFC 4918 §9.8.5).
        if (err instanceof DomainError && err.code === 'conflict') throw conflict(err.message);
        throw err;
      });
      const etag = `"${restored.node.etag}"`;
      return call.reply
        .code(restored.created ? 201 : 204)
        .header('ETag', etag)
        .header('OC-ETag', etag)
        .header('OC-FileId', `${call.deps.env.storageId}$${spaceId}!${restored.node.id}`)
        .header('Content-Length', '0')
        .send();
    }
    case 'DELETE':
      if (!ref) await trash.empty(call.userId, spaceId);
      else if (below.length) throw forbidden('Members of a deleted folder are deleted with it');
      else {
        await trash.purge(call.userId, spaceId, ref).catch(async (err: unknown) => {
          // ocdav: an unknown key is a 409 once the caller may see the trash at all.
          if (err instanceof DomainError && err.code === 'notFound' && (await trash.rights(call.userId, spaceId).then(() => true, () => false))) {
            throw new DavError(409, 'Sabre\\DAV\\Exception\\Conflict', `key ${key} not found`);
          }
          throw err;
        });
      }
      return call.reply.code(204).send();
    default:
      throw notImplemented(`${call.request.method} is not implemented on the trash bin`);
  }
}
