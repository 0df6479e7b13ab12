import type { FastifyRequest } from 'fastify';

/** Node's codes for a connection the client closed or reset while its request was read or answered. */
const GONE = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * A failure that is the client hanging up mid-request (a body cut short, a
 * socket reset): the server did nothing wrong and nobody is left to read an
 * answer. Noted at info level, never as a server error; the caller still
 * sends its family's 400, which goes nowhere.
 */
export function clientWentAway(error: unknown, request: FastifyRequest): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === undefined || !GONE.has(code)) return false;
  request.log.info({ code }, 'the client went away before the request was answered');
  return true;
}
