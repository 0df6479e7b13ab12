import { Readable } from 'node:stream';
import { DomainError } from '../../../domain/errors.js';
import { PERM } from '../../../domain/share.js';
import type { TusOwner } from '../../../services/files/tus-uploads.service.js';
import type { DavCall } from '../context.js';
import { badRequest, notImplemented } from '../errors.js';
import { assertUnlocked } from '../locks.js';
import { remoteMountAt } from '../remote-mount.js';
import {
  appendAndCommit,
  assertOffsetContentType,
  assertResumable,
  assertWritable,
  metadataChecksum,
  nonNegative,
  parseMetadata,
  parseUploadChecksum,
  setTusDiscoveryHeaders,
  setUploadHeaders,
  TUS_EXTENSIONS,
} from '../tus-protocol.js';
import { clientMtime } from './put.js';

/** A name from Upload-Metadata: one path segment, as a PUT's last one. */
function fileNameOf(meta: Map<string, string>): string {
  const name = meta.get('filename');
  if (!name) throw badRequest('Upload-Metadata must name the file (filename)');
  if (name === '.' || name === '..' || name.includes('/') || name.includes('\0')) throw badRequest('Invalid filename in Upload-Metadata');
  return name;
}

/** Where a public link's upload lands: a file drop picks a free name (as its PUT does); other upload links take the path. */
async function publicTargetPath(call: DavCall, name: string): Promise<{ spaceId: string; path: string[] }> {
  const link = call.link!;
  if (link.node.type !== 'folder') throw badRequest('Uploads go into a shared folder');
  if ((link.share.permissions & PERM.read) !== 0) {
    const t = await call.target({ ...call.loc, path: [...call.loc.path, name] });
    return { spaceId: t.spaceId, path: t.path };
  }
  const raw = call.header('x-nc-nickname');
  const nickname = raw ? decodeURIComponent(raw).trim() : '';
  const plan = await call.deps.services.publicLinks.dropPlan(link, nickname ? [nickname, ...call.loc.path, name] : [...call.loc.path, name]);
  if (!nickname && call.loc.path.length > 0) throw badRequest('A nickname header is required when uploading subfolders');
  for (const folder of plan.folders) {
    try {
      await call.files.mkdir(await call.files.open(call.userId, link.space.id, folder));
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'conflict')) throw err;
    }
  }
  return { spaceId: link.space.id, path: plan.path };
}

/**
 * TUS creation: POST on a collection of any space or upload link, as reva's
 * ocdav handleTusPost. The target is the collection plus Upload-Metadata's
 * filename, checked as a PUT there (403, 409, 423, 507 for Upload-Length);
 * 201 with the upload's Location (/data/{id}, as oCIS's data gateway). With
 * a body (creation-with-upload) the first bytes are appended at once, and a
 * complete file answers OC-FileId, ETag and OC-ETag.
 */
export async function tusCreate(call: DavCall): Promise<unknown> {
  assertResumable(call.request);
  if (!call.link && (await remoteMountAt(call))) throw notImplemented('Resumable uploads into a share from another server are not supported');
  if (call.header('upload-defer-length') !== undefined) throw badRequest('Upload-Defer-Length is not supported; send Upload-Length');
  const length = nonNegative(call.request, 'upload-length');
  if (length === undefined) throw badRequest('Upload-Length is required');
  const meta = parseMetadata(call.header('upload-metadata'));
  const name = fileNameOf(meta);
  const mtimeRaw = meta.get('mtime') || call.header('x-oc-mtime');
  const mtime = clientMtime(mtimeRaw);
  const checksum = metadataChecksum(meta.get('checksum'));

  let spaceId: string;
  let path: string[];
  if (call.link) ({ spaceId, path } = await publicTargetPath(call, name));
  else {
    const t = await call.target({ ...call.loc, path: [...call.loc.path, name] });
    if (t.place.parent === undefined) throw badRequest('Uploads go into a folder');
    await assertUnlocked(call, t, t.path, { membership: t.place.node === null, descendants: false });
    ({ spaceId, path } = t);
  }
  const place = await call.files.open(call.userId, spaceId, path);
  await assertWritable(call, place, length);

  const body = call.request.body as Readable | undefined;
  const declared = nonNegative(call.request, 'content-length') ?? 0;
  const withUpload = call.request.davContentType !== undefined || declared > 0;
  if (withUpload) assertOffsetContentType(call.request);
  const uploadChecksum = parseUploadChecksum(call.header('upload-checksum'));

  const owner: TusOwner = call.link ? { kind: 'link', token: call.link.share.token! } : { kind: 'user', userId: call.userId };
  const upload = await call.deps.services.tusUploads.create({ owner, spaceId, path, length, mtime: mtime ?? null, checksum });
  let offset = 0;
  if (withUpload && body) offset = await appendAndCommit(call, upload, 0, body, uploadChecksum);
  else if (length === 0) offset = await appendAndCommit(call, upload, 0, Readable.from([]), undefined);
  else if (body instanceof Readable) body.resume();
  setTusDiscoveryHeaders(call.reply);
  setUploadHeaders(call.reply, upload, offset);
  return call.reply
    .code(201)
    .header('Tus-Extension', TUS_EXTENSIONS)
    .header('Location', `${call.deps.env.publicUrl.replace(/\/$/, '')}/data/${upload.id}`)
    .header('Content-Length', '0')
    .send();
}
