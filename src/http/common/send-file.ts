import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FileNode } from '../../domain/node.js';
import { httpDate } from './http-date.js';
import { HttpFailure } from './http-failure.js';

/** Sending a file's bytes as Sabre's CorePlugin::httpGet does: shared by WebDAV GET, direct download links and the share page. */

export type ByteRange = { start: number; end: number };

/**
 * One `bytes=` range (RFC 9110 §14.1.2): `a-b`, `a-` or `-n`. null when the
 * header is to be ignored (absent, malformed, or several ranges: the whole
 * body is sent then, which RFC 9110 allows); 'unsatisfiable' for 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? Infinity : Number(m[2]);
  if (last < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last, size - 1) };
}

const seconds = (ms: number): number => Math.floor(ms / 1000);
const parseDate = (v: string | undefined): number | null => {
  if (!v) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
};

/** Entity-tag list match (`*` or any listed tag); weak comparison as If-None-Match asks, strong for If-Match (our tags are strong). */
export function etagMatches(header: string, etag: string | null): boolean {
  if (etag === null) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

type HeaderOf = (name: string) => string | undefined;

/** RFC 9110 §13.2.2 order: If-Match, If-Unmodified-Since (412), If-None-Match, If-Modified-Since (304 on GET/HEAD). */
function checkConditionals(header: HeaderOf, node: FileNode, etag: string): 'notModified' | null {
  const ifMatch = header('if-match');
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, etag)) throw new HttpFailure(412, 'An If-Match header was specified, but none of the specified ETags matched');
  } else {
    const since = parseDate(header('if-unmodified-since'));
    if (since !== null && seconds(node.mtime) > seconds(since)) throw new HttpFailure(412, 'An If-Unmodified-Since header was specified, but the entity has been changed since');
  }
  const ifNoneMatch = header('if-none-match');
  if (ifNoneMatch !== undefined) return etagMatches(ifNoneMatch, etag) ? 'notModified' : null;
  const modifiedSince = parseDate(header('if-modified-since'));
  if (modifiedSince !== null && seconds(node.mtime) <= seconds(modifiedSince)) return 'notModified';
  return null;
}

/** RFC 6266 with the RFC 5987 form first, then a percent-encoded plain form, as Nextcloud writes it (sample 24). */
export function contentDisposition(name: string): string {
  const enc = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename*=UTF-8''${enc}; filename="${enc}"`;
}

/**
 * Answers GET or HEAD for a file already resolved: validators and
 * conditionals (412/304), one range (206/416), headers, then the bytes,
 * opened only when a body is to be sent.
 */
export async function sendFile(request: FastifyRequest, reply: FastifyReply, node: FileNode, read: (range?: ByteRange) => Promise<Readable>): Promise<unknown> {
  const header: HeaderOf = (name) => {
    const v = request.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const etag = `"${node.etag}"`;
  reply.header('ETag', etag).header('OC-ETag', etag).header('Last-Modified', httpDate(node.mtime)).header('Accept-Ranges', 'bytes');
  if (checkConditionals(header, node, etag) === 'notModified') return reply.code(304).send();

  let range = parseRange(header('range'), node.size);
  const ifRange = header('if-range');
  if (range !== null && ifRange !== undefined) {
    const date = parseDate(ifRange);
    const fresh = ifRange.trim().startsWith('"') ? ifRange.trim() === etag : date !== null && seconds(node.mtime) <= seconds(date);
    if (!fresh) range = null;
  }
  if (range === 'unsatisfiable') throw new HttpFailure(416, 'The start offset should be smaller than the total size', { 'Content-Range': `bytes */${node.size}` });

  reply
    .header('Content-Type', node.mimeType || 'application/octet-stream')
    .header('Content-Disposition', contentDisposition(node.name))
    .header('X-Accel-Buffering', 'no');
  if (node.checksums) reply.header('OC-Checksum', node.checksums.split(' ')[0]!);
  const length = range ? range.end - range.start + 1 : node.size;
  if (range) reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${node.size}`);
  else reply.code(200);
  reply.header('Content-Length', String(length));
  if (request.method === 'HEAD' || length === 0) return reply.send();
  return reply.send(await read(range ?? undefined));
}
