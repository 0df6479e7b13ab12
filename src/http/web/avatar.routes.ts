import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AVATAR_UPLOAD_LIMIT, pageAvatarSize } from '../../domain/avatar.js';
import { DomainError, fail, type ErrorReason } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import type { RenderedAvatar } from '../../services/identity/avatars.service.js';
import type { Services } from '../../services/index.js';
import { authenticate } from '../common/credentials.js';
import { httpDate } from '../common/http-date.js';
import { RequestRefused } from '../common/request-guards.js';

/** Nextcloud's AvatarController caching: a day, a month for a versioned URL (`?v=`), half an hour for guests. */
const CACHE_DEFAULT = 60 * 60 * 24;
const CACHE_VERSIONED = 60 * 60 * 24 * 30;
const CACHE_GUEST = 1800;

type Params = Record<string, string | undefined>;

/** The JSON error body AvatarController answers with: `{data:{message}}`, 400 for what the uploader did wrong. */
class AvatarFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super('avatar request refused');
  }
}

const STATUS: Partial<Record<ErrorReason, number>> = { itemNotFound: 404 };

function sendImage(request: FastifyRequest, reply: FastifyReply, avatar: RenderedAvatar, seconds: number, status = 200): FastifyReply {
  const etag = `"${avatar.etag}"`;
  const expires = new Date(Date.now() + seconds * 1000);
  reply.header('Cache-Control', `private, max-age=${seconds}, immutable`).header('Expires', httpDate(expires.getTime())).header('ETag', etag);
  if (avatar.lastModified !== null) reply.header('Last-Modified', httpDate(avatar.lastModified));
  reply.header('X-NC-IsCustomAvatar', avatar.custom ? '1' : '0');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.code(status).type(avatar.contentType).send(avatar.bytes);
}

/** Sizes are integers as the route's `int $size` takes them; anything else is refused rather than read as 0. */
function sizeOf(raw: string | undefined): number {
  if (raw === undefined || !/^-?\d{1,9}$/.test(raw)) throw new AvatarFailure(400, { data: { message: 'Invalid size' } });
  return pageAvatarSize(Number(raw));
}

/**
 * Nextcloud's avatar pages (core/Controller/AvatarController.php,
 * GuestAvatarController.php), with and without /index.php: reading is a
 * public page as there (an account's avatar scope decides what a stranger
 * sees); changing needs a signed-in user, and only ever changes their own.
 */
export function avatarRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    app.setErrorHandler((error: FastifyError | Error, request, reply) => {
      if (error instanceof AvatarFailure) return reply.code(error.status).send(error.body);
      if (error instanceof DomainError) {
        if (error.code === 'unauthenticated') return reply.code(401).send({ message: 'Current user is not logged in' });
        if (error.code === 'preconditionFailed') return reply.code(412).send({ message: 'CSRF check failed' });
        if (error.code === 'tooManyRequests') return reply.code(429).send({ message: 'Reached maximum delay' });
        if (error.code === 'notFound' && request.method === 'GET') return reply.code(404).send([]);
        const status = (error.reason && STATUS[error.reason]) ?? (error.code === 'notFound' ? 404 : error.code === 'forbidden' ? 403 : 400);
        return reply.code(status).send({ data: { message: error.message } });
      }
      if (error instanceof RequestRefused) return reply.code(400).send({ data: { message: error.message } });
      const status = (error as FastifyError).statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500) return reply.code(status).send({ data: { message: error.message } });
      request.log.error({ err: error }, 'avatar request failed');
      return reply.code(500).send({ data: { message: 'An error occurred. Please contact your admin.' } });
    });

    const caller = (request: FastifyRequest): Promise<Principal | null> => authenticate(request, services.auth);
    const me = async (request: FastifyRequest): Promise<string> => (await caller(request))?.userId ?? fail('unauthenticated', 'Current user is not logged in');

    const show = (dark: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
      const p = request.params as Params;
      const q = (request.query ?? {}) as Params;
      const size = sizeOf(p.size);
      const who = await caller(request);
      try {
        const avatar = await services.avatars.avatar(who?.userId ?? null, p.userId!, size, { dark });
        return sendImage(request, reply, avatar, q.v && avatar.sameForEveryone ? CACHE_VERSIONED : CACHE_DEFAULT);
      } catch (err) {
        if (!(err instanceof DomainError && err.code === 'notFound' && q.guestFallback === 'true')) throw err;
        return sendImage(request, reply, await services.avatars.guest(p.userId!, size, dark), CACHE_GUEST, 201);
      }
    };
    const guest = (dark: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
      const p = request.params as Params;
      const q = (request.query ?? {}) as Params;
      const avatar = await services.avatars.guest(p.guestName!, sizeOf(p.size), dark || q.darkTheme === 'true' || q.darkTheme === '1');
      // The guest controller answers 201 for a generated avatar.
      return sendImage(request, reply, avatar, CACHE_GUEST, 201);
    };

    const post = async (request: FastifyRequest) => {
      const userId = await me(request);
      const query = (request.query ?? {}) as Params;
      let path = typeof query.path === 'string' ? query.path : undefined;
      let upload: Buffer | undefined;
      let tooBig = false;
      if (request.isMultipart()) {
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            if (part.fieldname === 'path' && typeof part.value === 'string') path = part.value;
            continue;
          }
          if (upload !== undefined || tooBig || (part.fieldname !== 'files[]' && part.fieldname !== 'files')) {
            part.file.resume();
            continue;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          for await (const chunk of part.file as AsyncIterable<Buffer>) {
            size += chunk.length;
            if (size > AVATAR_UPLOAD_LIMIT) tooBig = true;
            else chunks.push(chunk);
          }
          if (!tooBig) upload = Buffer.concat(chunks);
        }
      } else if (request.body && typeof request.body === 'object') {
        const body = request.body as Record<string, unknown>;
        if (typeof body.path === 'string') path = body.path;
      }
      if (tooBig) throw new AvatarFailure(400, { data: { message: 'File is too big' } });
      let outcome: 'stored' | 'notSquare';
      // As Nextcloud: a path in the user's files wins over an uploaded file.
      if (path !== undefined && path !== '') outcome = await services.avatars.uploadFromFile(userId, path.replace(/\\(.)/g, '$1'));
      else if (upload !== undefined) outcome = await services.avatars.upload(userId, upload, 'jpegOrPng');
      else throw new AvatarFailure(400, { data: { message: 'No image or file provided' } });
      return outcome === 'stored' ? { status: 'success' } : { data: 'notsquare' };
    };

    const cropped = async (request: FastifyRequest) => {
      const userId = await me(request);
      const box = cropOf(request.body);
      if (box === null) throw new AvatarFailure(400, { data: { message: 'No crop data provided' } });
      if (box === undefined) throw new AvatarFailure(400, { data: { message: 'No valid crop data provided' } });
      await services.avatars.crop(userId, box);
      return { status: 'success' };
    };

    const remove = async (request: FastifyRequest) => {
      await services.avatars.remove(await me(request));
      return [];
    };

    for (const base of ['/avatar', '/index.php/avatar']) {
      app.get(`${base}/guest/:guestName/:size`, guest(false));
      app.get(`${base}/guest/:guestName/:size/dark`, guest(true));
      app.get(`${base}/:userId/:size`, show(false));
      app.get(`${base}/:userId/:size/dark`, show(true));
      app.post(base, post);
      app.post(`${base}/cropped`, cropped);
      app.delete(base, remove);
    }
  };
}

/** `crop[x]=…` (a form, as the web sends it) or `{"crop":{…}}`; null when absent, undefined when incomplete. */
function cropOf(body: unknown): { x: number; y: number; w: number; h: number } | null | undefined {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  const nested = b.crop && typeof b.crop === 'object' ? (b.crop as Record<string, unknown>) : null;
  const pick = (k: string): unknown => (nested ? nested[k] : b[`crop[${k}]`]);
  if (!nested && !['x', 'y', 'w', 'h'].some((k) => b[`crop[${k}]`] !== undefined)) return null;
  const values = ['x', 'y', 'w', 'h'].map((k) => {
    const v = pick(k);
    return typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
  });
  if (values.some((v) => !Number.isFinite(v))) return undefined;
  const [x, y, w, h] = values as [number, number, number, number];
  return { x, y, w, h };
}
