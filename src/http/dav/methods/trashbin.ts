import type { ItemRef } from '../../../services/files/trash.service.js';
import { contentDisposition, sendFile } from '../../common/send-file.js';
import type { DavCall } from '../context.js';
import { badRequest, forbidden, methodNotAllowed, notFound } from '../errors.js';
import { sendMultistatus } from '../multistatus.js';
import { ocId } from '../props/oc.js';
import { DAV_INTERFACE_TEXT } from './get.js';
import { DAV_HEADER } from './options.js';
import { collectionResponse, NEXTCLOUD_ALLPROP, readPropfind, trashProp, trashResponse } from './trashbin-props.js';
import { ocisTrash } from './trashbin-ocis.js';

const ALLOW = 'OPTIONS, GET, HEAD, DELETE, PROPFIND, MOVE';

/** The trash bin entry points: Nextcloud's /remote.php/dav/trashbin/{user}/… here, oCIS's spaces/trash-bin/{space}/… in trashbin-ocis.ts. */
export function trashbin(call: DavCall): Promise<unknown> {
  return call.loc.family === 'trashbin' ? nextcloudTrash(call) : ocisTrash(call);
}

/**
 * Nextcloud's files_trashbin DAV tree (apps/files_trashbin/lib/Sabre): the
 * user's root holds `trash` (items named `name.d<seconds>`, folders browsable)
 * and `restore`; an item is restored by MOVE into `restore/`, purged by
 * DELETE, and DELETE of `trash` empties it. It is the trash of the user's
 * personal space; items deleted in other spaces are in those spaces' trash.
 */
async function nextcloudTrash(call: DavCall): Promise<unknown> {
  const { loc } = call;
  // Another user's trash is not there for the caller (Sabre's principal tree has only one's own).
  if (loc.ref !== call.userId) throw notFound(`Principal with name ${loc.ref} not found`);
  const spaceId = call.userId;
  const base = loc.base;
  const [collection, name, ...below] = loc.path;
  const ref: ItemRef | null = name === undefined ? null : { trashName: name };
  if (collection !== undefined && collection !== 'trash' && collection !== 'restore') throw notFound(`File with name ${collection} could not be located`);
  if (collection === 'restore' && name !== undefined) throw notFound(`File with name ${name} could not be located`);
  switch (call.request.method) {
    case 'OPTIONS':
      return call.reply.code(200).header('Allow', ALLOW).header('DAV', DAV_HEADER).header('Content-Length', '0').send();
    case 'PROPFIND': {
      const { depth, request } = readPropfind(call);
      if (collection !== 'trash') {
        const responses = [collectionResponse(`${base}/${collection ? `${collection}/` : ''}`, request)];
        if (!collection && depth === 1) responses.push(collectionResponse(`${base}/trash/`, request), collectionResponse(`${base}/restore/`, request));
        return sendMultistatus(call.reply, responses);
      }
      const trashBase = `${base}/trash`;
      if (!ref) {
        const { items } = await call.deps.services.trash.list(call.userId, spaceId);
        const responses = [collectionResponse(`${trashBase}/`, request)];
        if (depth === 1) for (const i of items) responses.push(trashResponse(trashProp(call, i, i.node, [i.trashName], [], trashBase), request, NEXTCLOUD_ALLPROP));
        return sendMultistatus(call.reply, responses);
      }
      const { entry, members } = await call.deps.services.trash.entry(call.userId, spaceId, ref, below);
      const at = [name!, ...below];
      const responses = [trashResponse(trashProp(call, entry.item, entry.node, at, below, trashBase), request, NEXTCLOUD_ALLPROP)];
      if (depth === 1) {
        for (const m of members) responses.push(trashResponse(trashProp(call, entry.item, m, [...at, m.name], [...below, m.name], trashBase), request, NEXTCLOUD_ALLPROP));
      }
      return sendMultistatus(call.reply, responses);
    }
    case 'GET':
    case 'HEAD': {
      if (!ref) return call.reply.code(200).type('text/html; charset=UTF-8').send(DAV_INTERFACE_TEXT);
      const { entry } = await call.deps.services.trash.entry(call.userId, spaceId, ref, below);
      if (entry.node.type === 'folder') return call.reply.code(200).type('text/html; charset=UTF-8').send(DAV_INTERFACE_TEXT);
      // TrashbinPlugin::httpGet suggests the original name for the download.
      call.reply.header('Content-Disposition', contentDisposition(entry.node.name));
      return sendFile(call.request, call.reply, entry.node, async (range) => (await call.deps.services.trash.read(call.userId, spaceId, ref, below, range)).body);
    }
    case 'DELETE':
      if (collection !== 'trash') throw forbidden('Permission denied to delete this collection');
      if (!ref) await call.deps.services.trash.empty(call.userId, spaceId);
      else if (below.length) throw forbidden('Members of a deleted folder are deleted with it');
      else await call.deps.services.trash.purge(call.userId, spaceId, ref);
      return call.reply.code(204).send();
    case 'MOVE': {
      if (collection !== 'trash' || !ref) throw forbidden('Only items of the trash can be restored');
      if (below.length) throw forbidden('Members of a deleted folder are restored with it');
      const header = call.header('destination');
      if (!header) throw badRequest('The destination header was not supplied');
      const dst = call.locationOfHref(header);
      // RestoreFolder::moveInto: anything moved into `restore/` goes back to where it was deleted from, whatever the name given.
      if (dst.family !== 'trashbin' || dst.ref !== call.userId || dst.path[0] !== 'restore' || dst.path.length !== 2) throw forbidden('Items of the trash can only be moved into restore/');
      const restored = await call.deps.services.trash.restore(call.userId, spaceId, ref, { kind: 'original' });
      return call.reply.code(201).header('OC-FileId', ocId(restored.node.fileId, call.deps.env.instanceId)).header('Content-Length', '0').send();
    }
    default:
      throw methodNotAllowed(`The ${call.request.method} method is not allowed on the trash bin`, ALLOW);
  }
}
