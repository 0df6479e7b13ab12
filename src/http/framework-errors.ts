import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { sendDavError } from './dav/errors.js';
import { DIRECT_PREFIX } from './dav/direct.routes.js';
import { ENTRY_PREFIXES } from './dav/location.js';
import { sendGraphError } from './graph/errors.js';
import { sendOcs } from './ocs/errors.js';
import type { PageEnv } from './web/pages.js';
import { sendError as sendWebError } from './web/errors.js';

const DAV_PREFIXES = [...ENTRY_PREFIXES, DIRECT_PREFIX];
const OCS_VERSION = /^\/ocs\/v([12])\.php(?:[/?]|$)/;
const GRAPH = /^\/graph\/(?:v1\.0|v1beta1)(?:[/?]|$)/;

/** What the router refused, for the caller: a URL that does not decode, or a path segment past maxParamLength. */
function refusal(error: FastifyError): { status: number; message: string } {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return { status: 414, message: 'A part of the URL is too long' };
  if (error.code === 'FST_ERR_BAD_URL') return { status: 400, message: 'The URL is not correctly encoded' };
  return { status: 400, message: error.message };
}

/**
 * Fastify's frameworkErrors: requests the router refuses before any plugin
 * (and any hook) runs. Each family still answers in its own format, and with
 * the request id the onRequest hook would have set.
 */
export function frameworkErrorHandler(pageEnv: PageEnv) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    reply.header('X-Request-Id', request.id);
    const { status, message } = refusal(error);
    const url = request.url;
    const pathname = url.split('?', 1)[0]!;
    if (DAV_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`))) {
      return sendDavError(request, reply, status, 'Sabre\\DAV\\Exception\\BadRequest', message);
    }
    const ocs = OCS_VERSION.exec(url);
    if (ocs) {
      // No route ran, so neither the query nor the version is on the request yet; `format` still picks the format.
      const search = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
      request.query = Object.fromEntries(new URLSearchParams(search));
      request.ocsVersion = ocs[1] === '1' ? 1 : 2;
      return sendOcs(request, reply, { status, message });
    }
    if (GRAPH.test(url)) return sendGraphError(request, reply, { status, code: 'invalidRequest' }, message);
    if (pathname.startsWith('/s/')) return sendWebError(reply, pageEnv, status, 'Bad request', message);
    return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify({ statusCode: status, code: error.code, error: STATUS_CODES[status], message }));
  };
}
