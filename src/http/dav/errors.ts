import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode } from '../../domain/errors.js';
import { clientWentAway } from '../common/client-gone.js';
import { HttpFailure } from '../common/http-failure.js';

const EX = 'Sabre\\DAV\\Exception\\';
const escapeText = (s: string): string => s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));

/** A DAV failure with no domain meaning (bad request XML, 405, 415, 416, a refused Depth…), rendered like any other. */
export class DavError extends HttpFailure {
  constructor(
    status: number,
    readonly exception: string,
    message: string,
    headers: Record<string, string> = {},
    /** Extra children of <d:error> (RFC 4918 §16 preconditions such as lock-token-submitted). */
    readonly extraXml = '',
  ) {
    super(status, message, headers);
  }
}

/** The Sabre exception Nextcloud names for a refusal HTTP itself decided (sendFile's preconditions and ranges). */
const HTTP_EXCEPTION: Record<number, string> = { 412: `${EX}PreconditionFailed`, 416: `${EX}RequestedRangeNotSatisfiable` };

export const badRequest = (message: string): DavError => new DavError(400, `${EX}BadRequest`, message);
export const forbidden = (message: string): DavError => new DavError(403, `${EX}Forbidden`, message);
export const notFound = (message: string): DavError => new DavError(404, `${EX}NotFound`, message);
export const conflict = (message: string): DavError => new DavError(409, `${EX}Conflict`, message);
export const preconditionFailed = (message: string): DavError => new DavError(412, `${EX}PreconditionFailed`, message);
export const methodNotAllowed = (message: string, allow: string): DavError => new DavError(405, `${EX}MethodNotAllowed`, message, { Allow: allow });
export const unsupportedMediaType = (message: string): DavError => new DavError(415, `${EX}UnsupportedMediaType`, message);
export const notImplemented = (message: string): DavError => new DavError(501, `${EX}NotImplemented`, message);

/** 423 with the RFC 4918 §16 lock-token-submitted precondition naming the locked resource. */
export function lockedError(lockRootHref: string | null): DavError {
  const extra = lockRootHref ? `\n  <d:lock-token-submitted><d:href>${escapeText(lockRootHref)}</d:href></d:lock-token-submitted>` : '';
  return new DavError(423, `${EX}Locked`, 'The resource you tried to edit is locked', {}, extra);
}

export const NOT_AUTHENTICATED = `${EX}NotAuthenticated`;
/** Sabre's AbstractBasic message when no Basic credentials came. */
export const missingBasic = (): DavError =>
  new DavError(401, NOT_AUTHENTICATED, "No 'Authorization: Basic' header found. Either the client didn't send one, or the server is misconfigured");

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
  if (error instanceof HttpFailure) return sendDavError(request, reply, error.status, HTTP_EXCEPTION[error.status] ?? `${EX}BadRequest`, error.message, error.headers);
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
