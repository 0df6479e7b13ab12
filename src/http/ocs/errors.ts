import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode } from '../../domain/errors.js';
import { clientWentAway } from '../common/client-gone.js';
import { httpStatusFor, negotiateFormat, renderOcs } from './envelope.js';
import { ocsWording, wordingText } from './error-wording.js';

/** Nextcloud answers a missing OCS-APIRequest header with this plain JSON, not an envelope (same on v1 and v2). */
export class CsrfCheckFailed extends Error {}

/** A route of a disabled module answers exactly like a route that does not exist. */
export class UnknownOcsRoute extends Error {}

/**
 * Refused credentials (997) or a throttled login (429). Nextcloud rejects these
 * in its entry script before any controller runs, so the answer reads only the
 * `format` parameter and ignores Accept (ocs/v1.php, ApiHelper::respond).
 */
export class LoginRefused extends Error {
  constructor(readonly refusal: DomainError) {
    super(refusal.message);
  }
}

const DEFAULT_STATUS: Record<ErrorCode, number> = {
  invalidInput: 400,
  unauthenticated: 997,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  preconditionFailed: 412,
  locked: 423,
  quotaExceeded: 507,
  tooManyRequests: 429,
  notImplemented: 501,
  unavailable: 503,
};

// Nextcloud's ocs/v1.php writes both entry-point messages with a trailing newline.
export const UNKNOWN_ROUTE_MESSAGE =
  'Invalid query, please check the syntax. API specifications are here: http://www.freedesktop.org/wiki/Specifications/open-collaboration-services.\n';
export const SERVER_ERROR_MESSAGE = 'Internal Server Error\n';

/** Domain codes that are the server's own condition; every other code is the caller's doing. */
const SERVER_SIDE: ReadonlySet<ErrorCode> = new Set(['quotaExceeded', 'notImplemented', 'unavailable']);

/**
 * The raw status of a domain failure: the route's code for its reason, else
 * the code's default. A caller's mistake never goes out as a server error
 * (996, 999, 5xx), whatever a route maps it to, since clients retry those.
 */
function domainStatus(request: FastifyRequest, error: DomainError, worded?: number): number {
  const codes = request.routeOptions.config?.ocs?.codes ?? {};
  const mapped = (error.reason ? codes[error.reason] : undefined) ?? worded;
  if (mapped !== undefined && (SERVER_SIDE.has(error.code) || httpStatusFor(2, mapped) < 500)) return mapped;
  return DEFAULT_STATUS[error.code];
}

/** The `format` request parameter; like PHP's merged parameters, the body wins over the query. */
function formatParam(request: FastifyRequest): unknown {
  const q = request.query as Record<string, unknown> | undefined;
  const b = request.body as Record<string, unknown> | undefined;
  return (b && typeof b === 'object' ? b.format : undefined) ?? q?.format;
}

/**
 * Sends an OCS envelope. Entry-point answers (unknown route, refused login,
 * 996) are written by Nextcloud's ApiHelper::respond: the format parameter
 * alone picks the format (Accept is ignored) and XML goes out as text/xml.
 */
export function sendOcs(
  request: FastifyRequest,
  reply: FastifyReply,
  result: { status: number; message?: string; data?: unknown; totalItems?: number; itemsPerPage?: number },
  entryPoint = false,
): FastifyReply {
  const format = negotiateFormat(formatParam(request), request.headers.accept, !entryPoint);
  const rendered = renderOcs(request.ocsVersion ?? 2, format, result);
  if (result.status === 997) {
    const scheme = request.headers['x-requested-with'] === 'XMLHttpRequest' ? 'DummyBasic' : 'Basic';
    reply.header('WWW-Authenticate', `${scheme} realm="Authorisation Required"`);
  }
  const contentType = entryPoint && format === 'xml' ? ENTRY_POINT_XML : rendered.contentType;
  return reply.code(rendered.httpStatus).type(contentType).send(rendered.body);
}

const ENTRY_POINT_XML = 'text/xml; charset=UTF-8';

export function ocsErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof CsrfCheckFailed) {
    return reply.code(412).type('application/json; charset=utf-8').send('{"message":"CSRF check failed"}');
  }
  if (error instanceof UnknownOcsRoute) {
    return sendOcs(request, reply, { status: 998, message: UNKNOWN_ROUTE_MESSAGE }, true);
  }
  if (error instanceof LoginRefused) {
    return sendOcs(request, reply, { status: DEFAULT_STATUS[error.refusal.code], message: error.refusal.message }, true);
  }
  if (error instanceof DomainError) {
    // Includes "Current user is not logged in": Nextcloud's OCSMiddleware renders that one and honours Accept.
    const wording = ocsWording(error.reason);
    return sendOcs(request, reply, { status: domainStatus(request, error, wording?.status), message: wording ? wordingText(wording, error.details) : error.message });
  }
  const statusCode = (error as FastifyError).statusCode;
  if ((statusCode !== undefined && statusCode >= 400 && statusCode < 500) || clientWentAway(error, request)) {
    // Malformed bodies, parser refusals and bodies cut short: the client's doing, in the envelope.
    return sendOcs(request, reply, { status: statusCode === 413 ? 413 : 400, message: `Invalid request: ${error.message}` });
  }
  request.log.error({ err: error }, 'unhandled error in OCS route');
  return sendOcs(request, reply, { status: 996, message: SERVER_ERROR_MESSAGE }, true);
}
