import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Preview, PreviewAsk } from '../../services/files/previews.service.js';
import { RequestRefused } from './request-guards.js';

/** Nextcloud's previews are cached by the browser for a day (PreviewController: cacheFor(3600 * 24)). */
const CACHE_SECONDS = 60 * 60 * 24;

type Query = Record<string, unknown>;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** x and y as both references take them (`int $x = 32`): absent is 32; 0 or anything not a whole number is refused (400). */
function sideOf(raw: unknown, name: string): number {
  const v = text(raw);
  if (v === undefined || v === '') return 32;
  if (!/^\d{1,5}$/.test(v) || Number(v) === 0) throw new RequestRefused(`${name} must be a whole number of pixels above 0`);
  return Number(v);
}

const flag = (raw: unknown): boolean => ['1', 'true'].includes(text(raw)?.toLowerCase() ?? '');

/**
 * The box a preview request asks for. `a=1` keeps the aspect ratio (the
 * preview fits inside the box); otherwise it fills the box, cut to it:
 * Nextcloud's `a` (PreviewController) and oCIS's thumbnails `a` alike.
 */
export const previewAskOf = (q: Query): PreviewAsk => ({ width: sideOf(q.x, 'x'), height: sideOf(q.y, 'y'), crop: !flag(q.a) });

export function sendPreview(request: FastifyRequest, reply: FastifyReply, preview: Preview): FastifyReply {
  const etag = `"${preview.etag}"`;
  reply.header('Cache-Control', `private, max-age=${CACHE_SECONDS}`).header('ETag', etag);
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.code(200).type(preview.mime).header('Content-Disposition', 'inline').send(preview.bytes);
}
