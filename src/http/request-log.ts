import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/** The fields of a request's log line: never the query string, a header or a body, which may carry credentials. */
function lineOf(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  const principal = (request as { principal?: { userId?: string } | null }).principal;
  return {
    method: request.method,
    path: request.url.split('?')[0],
    status: reply.statusCode,
    durationMs: Math.round(reply.elapsedTime * 10) / 10,
    userId: principal?.userId ?? null,
  };
}

/**
 * One line per request, written when it is answered (Fastify's default is an
 * "incoming" and a "completed" line without the user). Fastify's other lines
 * (errors of the default handler, stream errors) are kept.
 */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ ...lineOf(request, reply), err: error }, 'request errored');
    else request.log.info(lineOf(request, reply), 'request');
  }
}
