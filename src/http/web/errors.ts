import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode } from '../../domain/errors.js';
import { clientWentAway } from '../common/client-gone.js';
import { HttpFailure } from '../common/http-failure.js';
import { securityHeaders, sendPage } from './html.js';
import { errorPage, type PageEnv, passwordPage } from './pages.js';
import { csrfToken, PasswordRequired } from './session.js';
import { relativePath } from './share-paths.js';

/** A failure the share page answers with its own page. */
export class WebError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

export const GONE_TITLE = 'Share not found';
/** Nextcloud's 404 page for a share that is not (or no longer) there. */
export const GONE_MESSAGE = 'This share does not exist or is no longer available';

const BY_CODE: Record<ErrorCode, { status: number; title: string; message?: string }> = {
  invalidInput: { status: 400, title: 'Bad request' },
  unauthenticated: { status: 403, title: 'Access denied' },
  forbidden: { status: 403, title: 'Access denied', message: 'This share does not allow that.' },
  notFound: { status: 404, title: GONE_TITLE, message: GONE_MESSAGE },
  conflict: { status: 409, title: 'Conflict' },
  preconditionFailed: { status: 412, title: 'Precondition failed' },
  locked: { status: 423, title: 'Locked', message: 'The file is locked, try again later.' },
  quotaExceeded: { status: 507, title: 'Not enough free space', message: 'There is not enough free space left to upload this.' },
  // Nextcloud's "Too many requests" page.
  tooManyRequests: { status: 429, title: 'Too many requests', message: 'There were too many requests from your network. Retry later or contact your administrator if this is an error.' },
  notImplemented: { status: 501, title: 'Not implemented' },
  unavailable: { status: 503, title: 'Service unavailable', message: 'The server is busy, try again later.' },
};

/** Headers a download may have set before it failed; the error page is another body. */
const DOWNLOAD_HEADERS = ['content-length', 'content-disposition', 'content-range', 'etag', 'oc-etag', 'last-modified', 'accept-ranges', 'oc-checksum', 'x-accel-buffering'];

export function sendError(reply: FastifyReply, env: PageEnv, status: number, title: string, message: string, keep: Record<string, string> = {}): FastifyReply {
  for (const h of DOWNLOAD_HEADERS) reply.removeHeader(h);
  for (const [k, v] of Object.entries(keep)) reply.header(k, v);
  securityHeaders(reply, env);
  return sendPage(reply, status, errorPage(env, title, message));
}

/** One place that turns every failure under /s/ into an HTML page: never a stack trace, never another family's body. */
export function webErrorHandler(env: PageEnv) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (error instanceof PasswordRequired) {
      securityHeaders(reply, env);
      let rel: string[] = [];
      try {
        rel = relativePath((request.query as Record<string, unknown> | undefined)?.path);
      } catch {
        // A bad path only loses the way back.
      }
      return sendPage(reply, 403, passwordPage(env, { token: error.token, csrf: csrfToken(request, reply, error.token), rel, wrong: false }));
    }
    if (error instanceof WebError) return sendError(reply, env, error.status, error.title, error.message);
    if (error instanceof DomainError) {
      const known = BY_CODE[error.code];
      return sendError(reply, env, known.status, known.title, known.message ?? error.message);
    }
    if (error instanceof HttpFailure) {
      // sendFile's conditional and range failures (412, 416) keep their headers (Content-Range: bytes */size).
      return sendError(reply, env, error.status, error.status === 416 ? 'Range not satisfiable' : 'Request refused', error.message, error.headers);
    }
    const status = (error as FastifyError).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendError(reply, env, status, 'Bad request', error.message);
    }
    if (clientWentAway(error, request)) return sendError(reply, env, 400, 'Bad request', 'The request ended early');
    request.log.error({ err: error }, 'share page failed');
    return sendError(reply, env, 500, 'Internal error', 'Something went wrong on the server. Try again later.');
  };
}
