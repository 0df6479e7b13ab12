import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode, type ErrorReason } from '../../domain/errors.js';
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
    /** Per-route overrides where the reference pairs a reason with another code or status. */
    graphErrors?: Partial<Record<ErrorReason, GraphErrorSpec>>;
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
    const override = error.reason ? request.routeOptions.config?.graphErrors?.[error.reason] : undefined;
    return sendGraphError(request, reply, override ?? DEFAULTS[error.code], error.message);
  }
  if (error instanceof RequestRefused) return sendGraphError(request, reply, { status: 400, code: 'invalidRequest' }, error.message);
  const statusCode = (error as FastifyError).statusCode;
  if ((statusCode !== undefined && statusCode >= 400 && statusCode < 500) || clientWentAway(error, request)) {
    return sendGraphError(request, reply, { status: statusCode === 413 ? 413 : 400, code: 'invalidRequest' }, `invalid request body: ${error.message}`);
  }
  request.log.error({ err: error }, 'unhandled error in Graph route');
  return sendGraphError(request, reply, { status: 500, code: 'generalException' }, 'internal server error');
}
