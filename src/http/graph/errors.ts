import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode, type ErrorReason } from '../../domain/errors.js';
import { GRAPH_WORDING, type GraphWording, graphWordingText } from './error-wording.js';
import { clientWentAway } from '../common/client-gone.js';
import { RequestRefused } from '../common/request-guards.js';

/** A Graph wire error: the OData code and the HTTP status the reference pairs with it. */
export interface GraphErrorSpec {
  status: number;
  code: string;
}

const DEFAULTS: Record<ErrorCode, GraphErrorSpec> = {
  invalidInput: { status: 400, code: 'invalidRequest' },
  unauthenticated: { status: 401, code: 'unauthenticated' },
  forbidden: { status: 403, code: 'accessDenied' },
  notFound: { status: 404, code: 'itemNotFound' },
  conflict: { status: 409, code: 'nameAlreadyExists' },
  preconditionFailed: { status: 412, code: 'preconditionFailed' },
  locked: { status: 423, code: 'itemIsLocked' },
  quotaExceeded: { status: 507, code: 'quotaLimitReached' },
  tooManyRequests: { status: 429, code: 'tooManyRequests' },
  notImplemented: { status: 501, code: 'notSupported' },
  unavailable: { status: 503, code: 'serviceNotAvailable' },
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Per-route overrides where the reference words a reason, or pairs it with a code or status, differently on that route. */
    graphErrors?: Partial<Record<ErrorReason, GraphWording>>;
  }
}

/** Thrown by Graph handlers for reference quirks that have no domain meaning (e.g. 422 on an unparsable drive id). */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function sendGraphError(request: FastifyRequest, reply: FastifyReply, spec: GraphErrorSpec, message: string): FastifyReply {
  if (spec.status === 401) reply.header('WWW-Authenticate', 'Basic realm="Nimbus", charset="UTF-8"');
  return reply
    .code(spec.status)
    .type('application/json; charset=utf-8')
    .send({ error: { code: spec.code, message, innererror: { date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), 'request-id': request.id } } });
}

/** The OData error body `{error:{code,message,innererror:{date,request-id}}}` for every failure. */
export function graphErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof GraphError) return sendGraphError(request, reply, { status: error.status, code: error.code }, error.message);
  if (error instanceof DomainError) {
    const wording: GraphWording = error.reason ? { ...GRAPH_WORDING[error.reason], ...request.routeOptions.config?.graphErrors?.[error.reason] } : {};
    const spec = { status: wording.status ?? DEFAULTS[error.code].status, code: wording.code ?? DEFAULTS[error.code].code };
    return sendGraphError(request, reply, spec, wording.message === undefined ? error.message : graphWordingText(wording.message, error.details));
  }
  if (error instanceof RequestRefused) return sendGraphError(request, reply, { status: 400, code: 'invalidRequest' }, error.message);
  const statusCode = (error as FastifyError).statusCode;
  if ((statusCode !== undefined && statusCode >= 400 && statusCode < 500) || clientWentAway(error, request)) {
    return sendGraphError(request, reply, { status: statusCode === 413 ? 413 : 400, code: 'invalidRequest' }, `invalid request body: ${error.message}`);
  }
  request.log.error({ err: error }, 'unhandled error in Graph route');
  return sendGraphError(request, reply, { status: 500, code: 'generalException' }, 'internal server error');
}
