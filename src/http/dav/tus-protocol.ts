import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { DigestAlgorithm } from '../../ports/files.js';
import type { OpenedPlace } from '../../services/access/files.contract.js';
import { TusAppendError, type TusChecksum, type TusUpload } from '../../services/files/tus-uploads.service.js';
import type { DavDeps } from './context.js';
import { badRequest, conflict, DavError, forbidden, unsupportedMediaType } from './errors.js';
import { ocId } from './props/oc.js';

/**
 * The tus.io 1.0 protocol as oCIS serves it (reva internal/http/services/owncloud/ocdav/tus.go
 * and options.go, oCIS docs/apis/http/tus_upload.md): creation by POST on a
 * collection, the upload at /data/{id}, HEAD to resume, PATCH to append.
 */
export const TUS_VERSION = '1.0.0';
/** reva's options.go answers creation,creation-with-upload,checksum,expiration; termination (DELETE) is served too. */
export const TUS_EXTENSIONS = 'creation,creation-with-upload,checksum,expiration,termination';
/** reva lists md5,sha1,crc32; Nimbus checks the digests its files layer knows, ownCloud's clients' three. */
export const TUS_CHECKSUMS = 'md5,sha1,adler32';
/** oCIS's default `max_chunk_size` (frontend UploadMaxChunkSize, 10 MB): what clients send per PATCH. */
export const TUS_MAX_CHUNK_SIZE = 10_000_000;
export const TUS_CONTENT_TYPE = 'application/offset+octet-stream';
/** tus checksum extension: 460 Checksum Mismatch. */
const CHECKSUM_MISMATCH = 460;

const ALGORITHMS: Record<string, DigestAlgorithm> = { md5: 'md5', sha1: 'sha1', adler32: 'adler32' };

/** Who a step of an upload runs for, and where it answers. */
export interface TusContext {
  request: FastifyRequest;
  reply: FastifyReply;
  deps: DavDeps;
  userId: string;
}

export function setTusDiscoveryHeaders(reply: FastifyReply): void {
  reply
    .header('Tus-Resumable', TUS_VERSION)
    .header('Tus-Version', TUS_VERSION)
    .header('Tus-Extension', TUS_EXTENSIONS)
    .header('Tus-Checksum-Algorithm', TUS_CHECKSUMS)
    .header('Access-Control-Expose-Headers', 'Tus-Resumable, Tus-Version, Tus-Extension, Upload-Offset, Upload-Length, Upload-Expires, Location, OC-FileId, OC-ETag, ETag');
}

const headerOf = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Every request but OPTIONS names the protocol version; another version is 412 with the one served (tus 1.0 §Tus-Resumable). */
export function assertResumable(request: FastifyRequest): void {
  if (headerOf(request, 'tus-resumable')?.trim() !== TUS_VERSION) {
    throw new DavError(412, 'Sabre\\DAV\\Exception\\PreconditionFailed', `Tus-Resumable ${TUS_VERSION} is required`, { 'Tus-Version': TUS_VERSION });
  }
}

export function nonNegative(request: FastifyRequest, name: string): number | undefined {
  const raw = headerOf(request, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,16}$/.test(raw.trim())) throw badRequest(`Invalid ${name} header`);
  return Number(raw.trim());
}

/** Upload-Metadata: comma-separated `key base64value` pairs (a key alone has an empty value). */
export function parseMetadata(raw: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === undefined || raw.trim() === '') return out;
  for (const pair of raw.split(',')) {
    const [key, value, extra] = pair.trim().split(' ');
    if (!key || extra !== undefined || (value !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(value))) throw badRequest('Invalid Upload-Metadata header');
    out.set(key, value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8'));
  }
  return out;
}

/** Upload-Checksum: `<algorithm> <base64 digest>` of this request's body. */
export function parseUploadChecksum(raw: string | undefined): TusChecksum | undefined {
  if (raw === undefined) return undefined;
  const m = /^\s*([A-Za-z0-9]+) ([A-Za-z0-9+/]+={0,2})\s*$/.exec(raw);
  if (!m) throw badRequest('Invalid Upload-Checksum header');
  const algorithm = ALGORITHMS[m[1]!.toLowerCase()];
  // tus checksum extension: an algorithm the server does not support is 400.
  if (!algorithm) throw badRequest(`Unsupported checksum algorithm ${m[1]!.slice(0, 20)}`);
  return { algorithm, hex: Buffer.from(m[2]!, 'base64').toString('hex') };
}

/** The whole file's checksum from Upload-Metadata `checksum` (reva: "<type> <hex>"), in the files layer's `TYPE:hex` form. */
export function metadataChecksum(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  const m = /^([A-Za-z0-9]+)[ :]([0-9A-Fa-f]+)$/.exec(value.trim());
  if (!m) throw badRequest('Invalid checksum in Upload-Metadata');
  return `${m[1]!.toUpperCase()}:${m[2]!.toLowerCase()}`;
}

export function assertOffsetContentType(request: FastifyRequest): void {
  const ct = request.davContentType?.split(';', 1)[0]!.trim().toLowerCase();
  if (ct !== TUS_CONTENT_TYPE) throw unsupportedMediaType(`Content-Type ${TUS_CONTENT_TYPE} is required`);
}

const insufficientStorage = (message: string): DavError => new DavError(507, 'Sabre\\DAV\\Exception\\InsufficientStorage', message);

/** What a PUT of `length` bytes to this place would be refused for: a missing folder 409, no permission 403, no room 507. */
export async function assertWritable(ctx: TusContext, place: OpenedPlace, length: number): Promise<void> {
  if (place.path.length === 0 || place.node?.type === 'folder') throw conflict('The upload target is a folder');
  if (!place.parent) throw conflict('Parent folder does not exist');
  const existing = place.node;
  if (!(existing ? place.access.can.write : place.access.can.create)) throw forbidden('You do not have permission to upload here');
  const { used, limit } = await ctx.deps.files.quota(place.space);
  if (limit !== null && length > limit - used + (existing?.size ?? 0)) throw insufficientStorage(`Insufficient space in ${place.space.name}, ${length} required`);
}

export function setUploadHeaders(reply: FastifyReply, upload: TusUpload, offset: number): void {
  // oCIS answers Upload-Expires in unix seconds (docs/apis/http/tus_upload.md), not the HTTP date of the tus spec.
  reply.header('Tus-Resumable', TUS_VERSION).header('Upload-Offset', String(offset)).header('Upload-Expires', String(Math.floor(upload.record.expiresAt / 1000)));
}

/** The complete bytes become the file through the files layer's write (the one a PUT uses); then the upload goes. Call holding the upload. */
async function commit(ctx: TusContext, upload: TusUpload): Promise<void> {
  const tus = ctx.deps.services.tusUploads;
  const { record } = upload;
  // Opened again: the file may have been made or changed while the bytes came.
  const target = await ctx.deps.files.open(ctx.userId, record.spaceId, record.path);
  await assertWritable(ctx, target, record.length);
  const result = await ctx.deps.files.write(target, await tus.data(upload.id), {
    expectedSize: record.length,
    mtime: record.mtime ?? undefined,
    checksum: record.checksum ?? undefined,
  });
  await tus.markCommitted(upload.id);
  await tus.remove(upload.id);
  const etag = `"${result.node.etag}"`;
  ctx.reply.header('ETag', etag).header('OC-ETag', etag).header('OC-FileId', ocId(result.node.fileId, ctx.deps.env.instanceId));
}

/**
 * An upload whose every byte is stored but that still exists: its process was
 * killed between the last byte and the end of the commit. A client resuming
 * with HEAD sees the full offset and sends nothing more, so the commit is
 * finished here (or, if it had happened, only the upload removed).
 */
export async function settleComplete(ctx: TusContext, upload: TusUpload): Promise<void> {
  const tus = ctx.deps.services.tusUploads;
  try {
    await tus.exclusive(upload.id, async () => {
      const now = await tus.find(upload.id);
      if (!now || now.offset !== now.record.length) return;
      if (now.committed) await tus.remove(upload.id);
      else await commit(ctx, now);
    });
  } catch (err) {
    if (err instanceof TusAppendError) throw appendFailure(err);
    throw err;
  }
}

/** The protocol's answer to a refused append. */
function appendFailure(err: TusAppendError): DavError {
  switch (err.refusal) {
    case 'offsetMismatch':
      return new DavError(409, 'Sabre\\DAV\\Exception\\Conflict', `Upload-Offset does not match the stored offset ${err.offset}`);
    case 'tooLong':
      return new DavError(413, 'Sabre\\DAV\\Exception\\BadRequest', 'The body goes past Upload-Length');
    case 'checksumMismatch':
      return new DavError(CHECKSUM_MISMATCH, 'Sabre\\DAV\\Exception\\BadRequest', 'Upload-Checksum does not match the body');
    case 'busy':
      // tusd answers 423 while another request holds the upload (ErrFileLocked).
      return new DavError(423, 'Sabre\\DAV\\Exception\\Locked', 'Another request is writing this upload');
  }
}

/**
 * One append, held alone: the target checked again as a PUT would be (it may
 * have been shared away or filled up since), the body stored at the offset,
 * and on the last byte the file committed through the files layer's write,
 * the one a PUT uses (versions, activity, quota), then the upload dropped.
 * Answers the new offset; on completion sets OC-FileId, ETag and OC-ETag.
 */
export async function appendAndCommit(ctx: TusContext, upload: TusUpload, offset: number, body: Readable, checksum: TusChecksum | undefined): Promise<number> {
  const tus = ctx.deps.services.tusUploads;
  const { record } = upload;
  try {
    return await tus.exclusive(upload.id, async () => {
      const place = await ctx.deps.files.open(ctx.userId, record.spaceId, record.path);
      await assertWritable(ctx, place, record.length);
      const reached = await tus.append(upload.id, offset, body, record.length - offset, checksum);
      if (reached < record.length) return reached;
      await commit(ctx, upload);
      return reached;
    });
  } catch (err) {
    if (err instanceof TusAppendError) throw appendFailure(err);
    throw err;
  }
}
