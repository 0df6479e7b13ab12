import http from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { fail } from '../../domain/errors.js';
import { authenticate } from '../common/credentials.js';
import { davAvatarRoutes } from './avatars.routes.js';
import { DavCall, type DavDeps } from './context.js';
import { badRequest, DavError, davErrorHandler, notFound } from './errors.js';
import { ENTRY_PREFIXES, isPublicPathname, parseDavPathname } from './location.js';
import { copy } from './methods/copy.js';
import { remove } from './methods/delete.js';
import { get } from './methods/get.js';
import { report } from './methods/report.js';
import { lock } from './methods/lock.js';
import { mkcol } from './methods/mkcol.js';
import { move } from './methods/move.js';
import { options } from './methods/options.js';
import { notAllowed, notImplemented } from './methods/unhandled.js';
import { propfind } from './methods/propfind.js';
import { publicGuard } from './methods/public-link.js';
import { proppatch } from './methods/proppatch.js';
import { put } from './methods/put.js';
import { unlock } from './methods/unlock.js';
import { uploads } from './methods/uploads.js';
import { bulk } from './methods/bulk.js';
import { search } from './methods/search.js';
import { versionsTree } from './methods/versions.js';
import { metaTree } from './methods/versions-meta.js';
import { trashbin } from './methods/trashbin.js';
import { authenticatePublic } from './public-auth.js';
import { tusCreate } from './methods/tus-create.js';
import { TUS_DATA_METHODS, TUS_DATA_PREFIX, tusData } from './tus-data.routes.js';
import { setTusDiscoveryHeaders } from './tus-protocol.js';
import { proxyRemote, remoteMountAt } from './remote-mount.js';
import type { OpenedLink } from '../../services/sharing/public-links.service.js';

export type DavPluginOptions = DavDeps;

/**
 * Every method Node's parser accepts (CONNECT never reaches a route), so DAV
 * URLs answer each of them as DAV does: the handled ones below, POST and
 * PATCH with 405, everything else (SEARCH, ACL, TRACE…) with 501,
 * never as an unknown URL. Those Fastify does not know by default are added;
 * all may carry a body (litmus sends one to MKCOL to get its 415).
 */
const METHODS = http.METHODS.filter((m) => m !== 'CONNECT') as HTTPMethods[];
/** PROPFIND, PROPPATCH and LOCK bodies are small XML documents; anything larger is refused before it is buffered. */
const XML_BODY_LIMIT = 1024 * 1024;

type Handler = (call: DavCall) => Promise<unknown>;
const HANDLERS: Record<string, Handler> = {
  OPTIONS: options,
  GET: get,
  HEAD: get,
  PUT: put,
  DELETE: remove,
  PROPFIND: propfind,
  PROPPATCH: proppatch,
  MKCOL: mkcol,
  COPY: copy,
  MOVE: move,
  LOCK: lock,
  UNLOCK: unlock,
  REPORT: report,
  SEARCH: search,
  POST: notAllowed,
  PATCH: notAllowed,
};

declare module 'fastify' {
  interface FastifyRequest {
    /** The client's Content-Type, kept aside: DAV bodies bypass Fastify's media-type checks (any type may be PUT). */
    davContentType?: string;
    /** On the public entry points: the link the request opened (null for an anonymous OPTIONS). */
    davLink: OpenedLink | null;
  }
}

/**
 * The WebDAV front door: /remote.php/webdav, /remote.php/dav/{files,spaces,uploads}
 * and /dav/spaces for users; /public.php/webdav, /public.php/dav/files/{token}
 * and /dav/public-files/{token} for public links. Parses and serializes only;
 * the file tree is the FilesApi.
 */
export async function davPlugin(app: FastifyInstance, opts: DavPluginOptions): Promise<void> {
  for (const m of METHODS) if (!app.supportedMethods.includes(m)) app.addHttpMethod(m, { hasBody: true });

  // PUT bodies stream through untouched (a 1 GB upload never sits in memory);
  // every other body is a small XML document, buffered up to a limit.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => {
    if (request.method === 'PUT' || (request.method === 'POST' && isBulkPathname(request.url.split('?', 1)[0]!))) return done(null, payload);
    // TUS bodies (PATCH, creation-with-upload) stream as PUT bodies do.
    if ((request.method === 'PATCH' || request.method === 'POST') && request.headers['tus-resumable'] !== undefined) return done(null, payload);
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const finish = (err: Error | null, body?: Buffer) => {
      if (finished) return;
      finished = true;
      done(err, body);
    };
    payload.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > XML_BODY_LIMIT) {
        finish(new DavError(413, 'Sabre\\DAV\\Exception\\BadRequest', 'The request body is too large'));
        payload.resume();
        return;
      }
      if (!finished) chunks.push(chunk);
    });
    payload.on('end', () => finish(null, Buffer.concat(chunks)));
    payload.on('error', (err) => finish(err));
  });

  app.decorateRequest('principal', null);
  app.decorateRequest('davContentType', undefined);
  app.decorateRequest('davLink', null);
  app.setErrorHandler(davErrorHandler);

  app.addHook('onRequest', async (request) => {
    // Media types are not checked by Fastify here: the parser above takes every body.
    const ct = request.raw.headers['content-type'];
    if (ct !== undefined) {
      request.davContentType = ct;
      delete request.raw.headers['content-type'];
    }
    // Public links are opened by their token and password, never by a user's credentials.
    const pathname = request.url.split(/[?#]/, 1)[0]!;
    if (isPublicPathname(pathname)) {
      request.davLink = await authenticatePublic(request, pathname, opts.services.publicLinks);
      return;
    }
    request.principal = await authenticate(request, opts.services.auth);
    if (!request.principal && !anonymousAllowed(request)) fail('unauthenticated', 'No public access to this resource.');
  });

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    // A fragment never belongs in a request target (RFC 9112 §3.2): refusing it beats acting on the path before it (litmus delete_fragment).
    if (request.url.includes('#')) throw badRequest('The request URI may not contain a fragment');
    const pathname = request.url.split('?', 1)[0]!;
    const loc = parseDavPathname(pathname);
    if (!loc) throw notFound('Not a WebDAV location');
    const link = loc.family === 'public' ? request.davLink : null;
    const call = new DavCall(request, reply, opts, link?.caller ?? request.principal?.userId ?? '', loc, link);
    if (loc.family === 'uploads') return uploads(call);
    if (request.method === 'POST' && isBulkPathname(pathname)) return bulk(call);
    if (loc.family === 'versions') return versionsTree(call);
    if (loc.family === 'meta') return metaTree(call);
    if (loc.family === 'trashbin' || loc.family === 'spaceTrash') return trashbin(call);
    if (request.method === 'POST' && request.headers['tus-resumable'] !== undefined) return tusCreate(call);
    // reva's ocdav options.go announces TUS on the OPTIONS of every non-public DAV location.
    if (request.method === 'OPTIONS' && !link) setTusDiscoveryHeaders(reply);
    if (link) {
      const answered = await publicGuard(call);
      if (answered !== undefined) return answered;
    }
    const handle = HANDLERS[request.method];
    const remote = !link && request.principal ? await remoteMountAt(call) : null;
    // Not forwarded to another server either: what Nimbus does not implement, it does not relay.
    if (!handle || (remote && request.method === 'REPORT')) return notImplemented(call, remote !== null);
    if (remote) return proxyRemote(call, remote.mount, remote.rest);
    return handle(call);
  };

  davAvatarRoutes(app, opts.services);
  for (const prefix of ENTRY_PREFIXES) {
    app.route({ method: METHODS, url: prefix, exposeHeadRoute: false, handler });
    app.route({ method: METHODS, url: `${prefix}/*`, exposeHeadRoute: false, handler });
  }
  // A route of its own (the wildcard answers its other methods): the bulk upload is a POST only here.
  app.route({ method: 'POST', url: '/remote.php/dav/bulk', handler });
  // TUS uploads, at the Location their creation answered.
  app.route({ method: TUS_DATA_METHODS, url: `${TUS_DATA_PREFIX}:id`, exposeHeadRoute: false, handler: (request, reply) => tusData(request, reply, opts) });
}

/** Nextcloud's bulk upload endpoint: exactly this path (BulkUploadPlugin checks getPath() === 'bulk'). */
const isBulkPathname = (pathname: string): boolean => pathname === '/remote.php/dav/bulk';

/** Nextcloud answers OPTIONS on the DAV roots without credentials (Windows' WebDAV redirector probes them first). */
function anonymousAllowed(request: FastifyRequest): boolean {
  // An upload made through a public link is opened by its id alone; the upload route refuses the others.
  if (request.url.startsWith(TUS_DATA_PREFIX)) return true;
  if (request.method !== 'OPTIONS') return false;
  try {
    const loc = parseDavPathname(request.url.split(/[?#]/, 1)[0]!);
    return loc !== null && (loc.family === 'root' || (loc.family === 'webdav' && loc.path.length === 0));
  } catch {
    return false;
  }
}
