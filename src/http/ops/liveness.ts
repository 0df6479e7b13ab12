import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';

/** What GET /healthz answers: the process is alive and its event loop turns. */
export const LIVENESS = { status: 'ok' } as const;
const BODY = JSON.stringify(LIVENESS);

/**
 * Answers `GET /healthz` (and HEAD) before the framework sees the request:
 * a probe polled every second by a supervisor or load balancer then costs no
 * hooks, no request log line and no metrics series. Anything else, including
 * /healthz with another method or a query, goes on to the application.
 */
export function answerLiveness(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.url !== '/healthz' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(BODY) });
  res.end(req.method === 'HEAD' ? undefined : BODY);
  return true;
}

export interface ServerTimeouts {
  keepAliveTimeout?: number;
  requestTimeout?: number;
  connectionTimeout?: number;
}

/**
 * Fastify's serverFactory: the HTTP server Fastify would make (with its
 * timeouts, which it sets only on servers it makes itself), with the
 * liveness probe in front.
 */
export function serverWithLiveness(handler: RequestListener, opts: ServerTimeouts): Server {
  const server = createServer((req, res) => {
    if (!answerLiveness(req, res)) handler(req, res);
  });
  if (opts.keepAliveTimeout !== undefined) server.keepAliveTimeout = opts.keepAliveTimeout;
  if (opts.requestTimeout !== undefined) server.requestTimeout = opts.requestTimeout;
  if (opts.connectionTimeout !== undefined) server.setTimeout(opts.connectionTimeout);
  return server;
}
