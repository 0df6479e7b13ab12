import { Readable } from 'node:stream';
import { DomainError } from '../../../domain/errors.js';
import { PERM, type Share } from '../../../domain/share.js';
import type { DavCall } from '../context.js';
import { badRequest, methodNotAllowed } from '../errors.js';
import { clientMtime, declaredLength, writeHeaders } from './put.js';

/**
 * What a public link changes before the usual verb handlers run; undefined
 * lets them run. Upload-only folder links (create without read) are file
 * drops; oCIS serves a shared file inside a collection that allows a few
 * verbs only. Everything else is the files layer enforcing the link's
 * permissions on the link's pseudo-user.
 */
export async function publicGuard(call: DavCall): Promise<unknown> {
  const link = call.link!;
  if (link.node.type === 'folder' && (link.share.permissions & PERM.read) === 0) return fileDrop(call, link.share);
  if (call.loc.scheme === 'ocis' && link.node.type === 'file') {
    // ocdav's PublicFileHandler: the wrapper answers PROPFIND, OPTIONS and HEAD; the file also GET and PUT.
    const wrapper = call.loc.path.length === 0;
    const allowed = wrapper ? ['OPTIONS', 'HEAD', 'PROPFIND'] : ['OPTIONS', 'GET', 'HEAD', 'PUT', 'PROPFIND'];
    if (!allowed.includes(call.request.method)) throw methodNotAllowed(`${call.request.method} is not allowed on a shared file`, allowed.join(', '));
    if (wrapper && call.request.method === 'HEAD') return call.reply.code(200).header('Content-Length', '0').send();
  }
  return undefined;
}

/** A file request (Nextcloud 30) asks every uploader for a nickname. */
function isFileRequest(share: Share): boolean {
  if (!share.attributes) return false;
  try {
    const list = JSON.parse(share.attributes) as unknown;
    return Array.isArray(list) && list.some((a) => a && a.scope === 'fileRequest' && a.key === 'enabled' && a.value === true);
  } catch {
    return false;
  }
}

/** X-NC-Nickname, URL-decoded and trimmed; null when absent or blank. */
function nicknameOf(call: DavCall): string | null {
  const raw = call.header('x-nc-nickname');
  if (raw === undefined) return null;
  let nick: string;
  try {
    nick = decodeURIComponent(raw).trim();
  } catch {
    throw badRequest('The nickname is not correctly encoded');
  }
  return nick === '' ? null : nick;
}

/**
 * Nextcloud's FilesDropPlugin: only PUT (MKCOL is acknowledged with 201 when
 * a nickname comes, so uploaders of folders go on); uploads go to the top of
 * the folder, or below a folder named after the uploader's nickname, which
 * they need for subfolders and for file requests. Names already taken get the
 * next free one, so a drop never overwrites nor reveals what is there.
 */
async function fileDrop(call: DavCall, share: Share): Promise<unknown> {
  const method = call.request.method;
  const nickname = nicknameOf(call);
  if (method === 'MKCOL') {
    if (!nickname) throw methodNotAllowed('A nickname header is required when uploading subfolders', 'PUT');
    return call.reply.code(201).header('Content-Length', '0').send();
  }
  if (method !== 'PUT') throw methodNotAllowed('Only PUT is allowed on files drop', 'PUT');
  const rel = call.loc.path;
  if (rel.length === 0) throw methodNotAllowed('PUT is not allowed on non-files.', 'PUT');
  if (!nickname && isFileRequest(share)) throw methodNotAllowed('A nickname header is required for file requests', 'PUT');
  if (!nickname && rel.length > 1) throw methodNotAllowed('A nickname header is required when uploading subfolders', 'PUT');
  if (call.header('content-range') !== undefined) throw badRequest('Content-Range on PUT requests is not supported.');

  const link = call.link!;
  const plan = await call.deps.services.publicLinks.dropPlan(link, nickname ? [nickname, ...rel] : [...rel]);
  for (const folder of plan.folders) {
    try {
      await call.files.mkdir(await call.files.open(call.userId, link.space.id, folder));
    } catch (err) {
      // Another upload made it in the meantime: use it.
      if (!(err instanceof DomainError && err.code === 'conflict')) throw err;
    }
  }
  const mtime = clientMtime(call.header('x-oc-mtime'));
  const checksum = call.header('oc-checksum');
  const body = call.request.body as Readable | undefined;
  // Opened afresh: the folders above may have just been made.
  const result = await call.files.write(await call.files.open(call.userId, link.space.id, plan.path), body ?? Readable.from([]), {
    expectedSize: declaredLength(call),
    mtime,
    checksum: checksum || undefined,
  });
  writeHeaders(call, result.node, mtime !== undefined);
  return call.reply.code(201).header('Content-Length', '0').send();
}
