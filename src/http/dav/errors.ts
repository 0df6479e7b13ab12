import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode } from '../../domain/errors.js';
import { clientWentAway } from '../common/client-gone.js';
import type { PublicScheme } from './location.js';

const EX = 'Sabre\\DAV\\Exception\\';
const escapeText = (s: string): string => s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));

/** A DAV failure with no domain meaning (bad request XML, 405, 415, 416, a refused Depth…), rendered like any other. */
export class DavError extends Error {
  constructor(
    readonly status: number,
    readonly exception: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Extra children of <d:error> (RFC 4918 §16 preconditions such as lock-token-submitted). */
    readonly extraXml = '',
  ) {
    super(message);
  }
}

export const badRequest = (message: string): DavError => new DavError(400, `${EX}BadRequest`, message);
export const forbidden = (message: string): DavError => new DavError(403, `${EX}Forbidden`, message);
export const notFound = (message: string): DavError => new DavError(404, `${EX}NotFound`, message);
export const conflict = (message: string): DavError => new DavError(409, `${EX}Conflict`, message);
export const preconditionFailed = (message: string): DavError => new DavError(412, `${EX}PreconditionFailed`, message);
export const methodNotAllowed = (message: string, allow: string): DavError => new DavError(405, `${EX}MethodNotAllowed`, message, { Allow: allow });
export const unsupportedMediaType = (message: string): DavError => new DavError(415, `${EX}UnsupportedMediaType`, message);
export const notImplemented = (message: string): DavError => new DavError(501, `${EX}NotImplemented`, message);
export const rangeNotSatisfiable = (size: number): DavError =>
  new DavError(416, `${EX}RequestedRangeNotSatisfiable`, 'The start offset should be smaller than the total size', { 'Content-Range': `bytes */${size}` });

/** 423 with the RFC 4918 §16 lock-token-submitted precondition naming the locked resource. */
export function lockedError(lockRootHref: string | null): DavError {
  const extra = lockRootHref ? `\n  <d:lock-token-submitted><d:href>${escapeText(lockRootHref)}</d:href></d:lock-token-submitted>` : '';
  return new DavError(423, `${EX}Locked`, 'The resource you tried to edit is locked', {}, extra);
}

const NOT_AUTHENTICATED = `${EX}NotAuthenticated`;
const WRONG_CREDENTIALS = 'Username or password was incorrect';
/** Sabre's AbstractBasic message when no Basic credentials came. */
export const missingBasic = (): DavError =>
  new DavError(401, NOT_AUTHENTICATED, "No 'Authorization: Basic' header found. Either the client didn't send one, or the server is misconfigured");

/**
 * How a public entry point answers a link it could not open, as its
 * reference does. /public.php/webdav (Nextcloud LegacyPublicAuth): every
 * refusal is 401 "Username or password was incorrect". /public.php/dav/files
 * (PublicAuth): an unknown, expired or deleted link is 404 unless Basic
 * credentials came (then 401 as a failed login); a password-protected one is
 * 401. oCIS /dav/public-files (ocdav): unknown links 404, a missing or wrong
 * password 401. Throttling stays 429 everywhere.
 */
export function publicLinkRefusal(err: unknown, scheme: PublicScheme, sentBasic: boolean): unknown {
  if (!(err instanceof DomainError)) return err;
  if (err.code === 'notFound') {
    if (scheme === 'legacy' || (scheme === 'token' && sentBasic)) return new DavError(401, NOT_AUTHENTICATED, WRONG_CREDENTIALS);
    return notFound('The share does not exist or has expired');
  }
  if (err.code === 'unauthenticated') return sentBasic ? new DavError(401, NOT_AUTHENTICATED, WRONG_CREDENTIALS) : missingBasic();
  return err;
}

/** Each domain code's status and the Sabre exception class Nextcloud names for it. */
const BY_CODE: Record<ErrorCode, { status: number; exception: string }> = {
  invalidInput: { status: 400, exception: `${EX}BadRequest` },
  unauthenticated: { status: 401, exception: `${EX}NotAuthenticated` },
  forbidden: { status: 403, exception: `${EX}Forbidden` },
  notFound: { status: 404, exception: `${EX}NotFound` },
  conflict: { status: 409, exception: `${EX}Conflict` },
  preconditionFailed: { status: 412, exception: `${EX}PreconditionFailed` },
  locked: { status: 423, exception: `${EX}Locked` },
  quotaExceeded: { status: 507, exception: `${EX}InsufficientStorage` },
  tooManyRequests: { status: 429, exception: 'OCA\\DAV\\Connector\\Sabre\\Exception\\TooManyRequests' },
  notImplemented: { status: 501, exception: `${EX}NotImplemented` },
  unavailable: { status: 503, exception: `${EX}ServiceUnavailable` },
};

/** Sent on every 401, in the form Nextcloud's DAV auth backend uses (`Basic realm="…", charset="UTF-8"`). */
const WWW_AUTHENTICATE = 'Basic realm="Nimbus", charset="UTF-8"';

export function errorXml(exception: string, message: string, extraXml = ''): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">\n' +
    `  <s:exception>${escapeText(exception)}</s:exception>\n  <s:message>${escapeText(message)}</s:message>${extraXml}\n</d:error>\n`
  );
}

export function sendDavError(request: FastifyRequest, reply: FastifyReply, status: number, exception: string, message: string, headers: Record<string, string> = {}, extraXml = ''): FastifyReply {
  if (status === 401) reply.header('WWW-Authenticate', WWW_AUTHENTICATE);
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  reply.code(status);
  // A HEAD answer carries the status and headers only.
  if (request.method === 'HEAD') return reply.send();
  return reply.type('application/xml; charset=utf-8').send(errorXml(exception, message, extraXml));
}

/** The DAV plugin's error handler: every failure becomes a status and a Sabre-style `<d:error>` body; client mistakes never become 500. */
export function davErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof DavError) return sendDavError(request, reply, error.status, error.exception, error.message, error.headers, error.extraXml);
  if (error instanceof DomainError) {
    const spec = BY_CODE[error.code];
    return sendDavError(request, reply, spec.status, spec.exception, error.message);
  }
  const statusCode = (error as FastifyError).statusCode;
  if (statusCode === 413) return sendDavError(request, reply, 413, `${EX}BadRequest`, 'The request body is too large');
  if (statusCode === 415) return sendDavError(request, reply, 415, `${EX}UnsupportedMediaType`, error.message);
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) return sendDavError(request, reply, 400, `${EX}BadRequest`, error.message);
  if (clientWentAway(error, request)) {
    return sendDavError(request, reply, 400, `${EX}BadRequest`, 'The request body ended early');
  }
  request.log.error({ err: error }, 'unhandled error in DAV route');
  return sendDavError(request, reply, 500, `${EX}ServiceUnavailable`, 'Internal Server Error');
}
