import type { FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Readable } from 'node:stream';
import { fail } from '../../domain/errors.js';
import type { TusUpload } from '../../services/files/tus-uploads.service.js';
import type { DavDeps } from './context.js';
import { badRequest, DavError, methodNotAllowed, notFound } from './errors.js';
import {
  appendAndCommit,
  assertOffsetContentType,
  assertResumable,
  nonNegative,
  parseUploadChecksum,
  setTusDiscoveryHeaders,
  setUploadHeaders,
  settleComplete,
  type TusContext,
} from './tus-protocol.js';

/** The route of an upload's Location: oCIS hands out its data gateway's `/data/{token}`. */
export const TUS_DATA_PREFIX = '/data/';

const ALLOWED = 'OPTIONS, HEAD, PATCH, DELETE';
/** What the upload's route takes: the protocol's methods, and POST for X-HTTP-Method-Override. */
export const TUS_DATA_METHODS: HTTPMethods[] = ['OPTIONS', 'HEAD', 'PATCH', 'DELETE', 'POST'];
const OVERRIDABLE = new Set(['HEAD', 'PATCH', 'DELETE', 'OPTIONS']);

/** X-HTTP-Method-Override on a POST stands for the method it names (tus 1.0, for clients that can only POST). */
function methodOf(request: FastifyRequest): string {
  const override = request.headers['x-http-method-override'];
  if (request.method !== 'POST' || typeof override !== 'string') return request.method;
  const m = override.trim().toUpperCase();
  if (!OVERRIDABLE.has(m)) throw badRequest('X-HTTP-Method-Override names a method uploads do not have');
  return m;
}

/**
 * Whom the upload's steps run for. A user's upload answers its maker alone
 * (anyone else learns nothing of it: 404); one made through a public link
 * answers whoever holds its id, while the link still stands, as the link's
 * pseudo-user (oCIS's transfer token works the same way).
 */
async function callerOf(request: FastifyRequest, deps: DavDeps, upload: TusUpload): Promise<string> {
  const { owner } = upload.record;
  if (owner.kind === 'user') {
    const principal = request.principal;
    if (!principal) return fail('unauthenticated', 'No public access to this resource.');
    if (principal.userId !== owner.userId) throw notFound('Upload not found');
    return owner.userId;
  }
  const share = await deps.services.publicLinks.byToken(owner.token, false);
  if (!share) throw notFound('Upload not found');
  return (await deps.services.publicLinks.resolve(share)).caller;
}

export async function tusData(request: FastifyRequest, reply: FastifyReply, deps: DavDeps): Promise<unknown> {
  const id = (request.params as { id: string }).id;
  const method = methodOf(request);
  if (method === 'OPTIONS') {
    setTusDiscoveryHeaders(reply);
    return reply.code(204).send();
  }
  if (!OVERRIDABLE.has(method)) throw methodNotAllowed(`${method} is not allowed on an upload`, ALLOWED);
  assertResumable(request);
  const tus = deps.services.tusUploads;
  const upload = /^[A-Za-z0-9]{1,64}$/.test(id) ? await tus.find(id) : null;
  if (!upload) {
    if (!request.principal && request.headers.authorization === undefined) fail('unauthenticated', 'No public access to this resource.');
    throw notFound('Upload not found');
  }
  const ctx: TusContext = { request, reply, deps, userId: await callerOf(request, deps, upload) };
  if (upload.expired) {
    await tus.remove(id).catch(() => undefined);
    throw new DavError(410, 'Sabre\\DAV\\Exception\\NotFound', 'The upload has expired');
  }
  switch (method) {
    case 'HEAD':
      if (upload.offset === upload.record.length) await settleComplete(ctx, upload);
      setUploadHeaders(reply, upload, upload.offset);
      return reply.code(200).header('Upload-Length', String(upload.record.length)).header('Cache-Control', 'no-store').send();
    case 'DELETE':
      await tus.exclusive(id, () => tus.remove(id)).catch((err: unknown) => {
        throw err instanceof Error && 'refusal' in err ? new DavError(423, 'Sabre\\DAV\\Exception\\Locked', 'Another request is writing this upload') : err;
      });
      return reply.code(204).header('Tus-Resumable', '1.0.0').send();
    default: {
      assertOffsetContentType(request);
      const offset = nonNegative(request, 'upload-offset');
      if (offset === undefined) throw badRequest('Upload-Offset is required');
      const checksum = parseUploadChecksum(request.headers['upload-checksum'] as string | undefined);
      const reached = await appendAndCommit(ctx, upload, offset, request.body as Readable, checksum);
      setUploadHeaders(reply, upload, reached);
      return reply.code(204).send();
    }
  }
}
