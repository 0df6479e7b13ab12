import type { Readable } from 'node:stream';
import { putRemote, remoteMountOfHref } from '../remote-mount.js';
import type { RemoteShare } from '../../../domain/federation.js';
import type { DavCall, SpaceTarget } from '../context.js';
import { badRequest, DavError, methodNotAllowed, notFound, unsupportedMediaType } from '../errors.js';
import { hrefOf } from '../location.js';
import { assertUnlocked, locksCovering } from '../locks.js';
import { type PropResult, type PropValue, propResponse, sendMultistatus } from '../multistatus.js';
import { httpDate } from '../../common/http-date.js';
import type { ChunkInfo } from '../uploads-api.js';
import { NS_DAV, parseXmlBody } from '../xml.js';
import { refusedIfTaken } from './name-taken.js';
import { DAV_HEADER, options } from './options.js';
import { parsePropfind, propfindDepth } from './propfind.js';
import { checkWritePreconditions, clientMtime, writeHeaders } from './put.js';

/** Chunk names: v2 numbers them 1..10000; v1-style names are tolerated as long as they are plain. */
const CHUNK_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

const insufficientStorage = (message: string): DavError => new DavError(507, 'Sabre\\DAV\\Exception\\InsufficientStorage', message);

/**
 * Nextcloud chunking v2 under /remote.php/dav/uploads/{user}/{upload-id}:
 * MKCOL the folder (Destination + OC-Total-Length checked against the
 * target's quota up front), PUT numbered chunks, PROPFIND to resume, MOVE
 * `.file` onto the destination (the chunks streamed in order into the files
 * layer with the total known), DELETE to abort.
 */
export async function uploads(call: DavCall): Promise<unknown> {
  const { loc } = call;
  if (loc.ref !== call.userId) throw notFound('Upload folder not found');
  const uploadId = loc.uploadId!;
  if (!CHUNK_NAME.test(uploadId)) throw badRequest('Invalid upload id');
  switch (call.request.method) {
    case 'OPTIONS':
      return options(call);
    case 'MKCOL':
      return mkcolUpload(call, uploadId);
    case 'PUT':
      return putChunk(call, uploadId);
    case 'PROPFIND':
      return propfindUpload(call, uploadId);
    case 'MOVE':
      return assemble(call, uploadId);
    case 'DELETE':
      if (loc.path.length !== 0) throw methodNotAllowed('Single chunks cannot be deleted', 'OPTIONS, PUT, PROPFIND');
      if (!(await call.deps.uploads.info(call.userId, uploadId))) throw notFound('Upload folder not found');
      await call.deps.uploads.remove(call.userId, uploadId);
      return call.reply.code(204).send();
    default:
      throw methodNotAllowed(`${call.request.method} is not allowed on an upload folder`, 'OPTIONS, MKCOL, PUT, PROPFIND, MOVE, DELETE');
  }
}

/** The destination space and path named by a Destination header, with the caller's access. */
async function destinationOf(call: DavCall, header: string): Promise<SpaceTarget> {
  const dloc = call.locationOfHref(header);
  if (dloc.family === 'uploads') throw badRequest('The destination cannot be an upload folder');
  const dst = await call.target(dloc);
  if (dst.path.length === 0) throw methodNotAllowed('The destination must be a file', 'OPTIONS');
  return dst;
}

/** Free bytes of the destination space, counting the file the upload will replace; Infinity without a limit. */
async function freeBytes(call: DavCall, dst: SpaceTarget): Promise<number> {
  const { used, limit } = await call.files.quota(dst.space);
  if (limit === null) return Infinity;
  const existing = await call.stat(dst);
  return limit - used + (existing?.type === 'file' ? existing.size : 0);
}

function totalLengthHeader(call: DavCall): number | null {
  const raw = call.header('oc-total-length');
  if (raw === undefined) return null;
  if (!/^\d+$/.test(raw.trim())) throw badRequest('Invalid OC-Total-Length header');
  return Number(raw);
}

async function mkcolUpload(call: DavCall, uploadId: string): Promise<unknown> {
  if (call.loc.path.length !== 0) throw methodNotAllowed('Upload folders hold chunks only', 'OPTIONS, PUT, PROPFIND');
  const body = call.request.body as Buffer | undefined;
  if (body && body.length > 0) throw unsupportedMediaType('The request body for the MKCOL request must have an xml Content-Type');
  const destination = call.header('destination') ?? null;
  const totalLength = totalLengthHeader(call);
  // Into a share from another server, its owner's server checks permission and quota when the file arrives.
  if (destination && !(await remoteMountOfHref(call, destination))) {
    const dst = await destinationOf(call, destination);
    if (!dst.access.can.create && !dst.access.can.write) throw new DavError(403, 'Sabre\\DAV\\Exception\\Forbidden', 'You do not have permission to upload here');
    if (totalLength !== null && totalLength > (await freeBytes(call, dst))) {
      throw insufficientStorage(`Insufficient space in ${dst.path.join('/')}, ${totalLength} required`);
    }
  }
  if (!(await call.deps.uploads.create(call.userId, uploadId, { destination, totalLength }))) {
    throw methodNotAllowed('The resource you tried to create already exists', 'OPTIONS, PUT, PROPFIND, MOVE, DELETE');
  }
  return call.reply.code(201).header('Content-Length', '0').send();
}

async function putChunk(call: DavCall, uploadId: string): Promise<unknown> {
  const path = call.loc.path;
  if (path.length !== 1 || !CHUNK_NAME.test(path[0]!)) throw badRequest('Chunks are PUT directly into the upload folder under a plain name');
  const info = await call.deps.uploads.info(call.userId, uploadId);
  if (!info) throw notFound('Upload folder not found');
  const declared = call.header('content-length');
  const length = declared !== undefined && /^\d+$/.test(declared.trim()) ? Number(declared) : undefined;
  const result = await call.deps.uploads.putChunk(call.userId, uploadId, path[0]!, call.request.body as Readable, length);
  return call.reply.code(result.created ? 201 : 204).header('Content-Length', '0').send();
}

function chunkProps(requested: Array<{ ns: string; name: string }> | null, values: Record<string, PropValue>): PropResult[] {
  const names = requested ?? Object.keys(values).map((k) => ({ ns: NS_DAV, name: k }));
  return names.map(({ ns, name }) => {
    const v = ns === NS_DAV ? values[name] : undefined;
    return v === undefined ? { ns, name, status: 404 } : { ns, name, status: 200, value: v };
  });
}

async function propfindUpload(call: DavCall, uploadId: string): Promise<unknown> {
  call.reply.header('DAV', DAV_HEADER);
  const depth = propfindDepth(call.header('depth'));
  const request = parsePropfind(parseXmlBody(call.request.body as Buffer | undefined));
  const requested = request.kind === 'prop' ? request.props : null;
  const info = await call.deps.uploads.info(call.userId, uploadId);
  if (!info) throw notFound('Upload folder not found');
  const chunks = await call.deps.uploads.chunks(call.userId, uploadId);
  const base = call.loc.base;
  const chunkResponse = (c: ChunkInfo) =>
    propResponse(
      hrefOf(base, [c.name], false),
      chunkProps(requested, { getlastmodified: httpDate(c.mtime), getcontentlength: String(c.size), resourcetype: null, getetag: `"${c.size}-${c.mtime}"` }),
    );
  if (call.loc.path.length === 1) {
    const c = chunks.find((x) => x.name === call.loc.path[0]);
    if (!c) throw notFound('Chunk not found');
    return sendMultistatus(call.reply, [chunkResponse(c)]);
  }
  if (call.loc.path.length > 1) throw notFound('Chunk not found');
  const folder = propResponse(`${base}/`, chunkProps(requested, { getlastmodified: httpDate(info.createdAt), resourcetype: { xml: '<d:collection/>' } }));
  return sendMultistatus(call.reply, [folder, ...(depth === 1 ? chunks.map(chunkResponse) : [])]);
}

async function assembleRemote(call: DavCall, uploadId: string, declared: number | null, remote: { mount: RemoteShare; rest: string[] }): Promise<unknown> {
  const chunks = await call.deps.uploads.chunks(call.userId, uploadId);
  const total = chunks.reduce((n, c) => n + c.size, 0);
  const expected = totalLengthHeader(call) ?? declared;
  if (expected !== null && expected !== total) throw badRequest(`Chunks on server do not sum up to ${expected} but to ${total} bytes`);
  return putRemote(call, remote, await call.deps.uploads.open(call.userId, uploadId), total, async (status) => {
    // Only a stored file ends the upload; after a refusal the client may retry the assembly.
    if (status === 201 || status === 204) await call.deps.uploads.remove(call.userId, uploadId);
  });
}

/** MOVE .file: the destination checks of a PUT, then the chunks streamed in order with their total length declared. */
async function assemble(call: DavCall, uploadId: string): Promise<unknown> {
  if (call.loc.path.length !== 1 || call.loc.path[0] !== '.file') throw methodNotAllowed('Only .file may be moved out of an upload folder', 'OPTIONS, PUT, PROPFIND, DELETE');
  const info = await call.deps.uploads.info(call.userId, uploadId);
  if (!info) throw notFound('Upload folder not found');
  const header = call.header('destination');
  if (!header) throw badRequest('The destination header was not supplied');
  const remote = await remoteMountOfHref(call, header);
  if (remote) return assembleRemote(call, uploadId, info.totalLength, remote);
  const dst = await destinationOf(call, header);
  const existing = await call.stat(dst);
  const isFolder = () => methodNotAllowed('The destination is a folder', 'OPTIONS');
  if (existing?.type === 'folder') throw isFolder();
  if (existing && (call.header('overwrite') ?? 'T').trim().toUpperCase() === 'F') {
    throw new DavError(412, 'Sabre\\DAV\\Exception\\PreconditionFailed', 'The destination node already exists, and the overwrite header is set to false');
  }
  checkWritePreconditions(call, existing);
  await call.checkIf(async () => ({ etag: existing ? `"${existing.etag}"` : null, lockTokens: new Set((await locksCovering(call, dst, dst.path)).map((l) => l.token)) }));
  await assertUnlocked(call, dst, dst.path, { membership: existing === null, descendants: false });

  const chunks = await call.deps.uploads.chunks(call.userId, uploadId);
  const total = chunks.reduce((n, c) => n + c.size, 0);
  const expected = totalLengthHeader(call) ?? info.totalLength;
  if (expected !== null && expected !== total) throw badRequest(`Chunks on server do not sum up to ${expected} but to ${total} bytes`);
  if (total > (await freeBytes(call, dst))) throw insufficientStorage(`Insufficient space in ${dst.path.join('/')}, ${total} required`);

  const mtime = clientMtime(call.header('x-oc-mtime'));
  const checksum = call.header('oc-checksum');
  const assembled = await call.deps.uploads.assemble(call.userId, uploadId);
  const written = call.files.write(dst.place, assembled.body, {
    expectedSize: total,
    mtime,
    checksum: checksum || undefined,
  });
  const result = await refusedIfTaken(written, isFolder).catch(async (err: unknown) => {
    await assembled.undo();
    throw err;
  });
  await call.deps.uploads.remove(call.userId, uploadId);
  writeHeaders(call, result.node, mtime !== undefined);
  return call.reply.code(result.created ? 201 : 204).header('Content-Length', '0').send();
}

