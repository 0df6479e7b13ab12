import { Readable } from 'node:stream';
import type { RemoteShare } from '../../domain/federation.js';
import type { FileNode } from '../../domain/node.js';
import { permissionsOfLetters } from '../../domain/share.js';
import type { RemoteAnswer } from '../../ports/federation.js';
import { shareAccess } from '../../services/access/share-access.js';
import type { DavCall } from './context.js';
import { DavError, forbidden, notFound } from './errors.js';
import { type DavLocation, encodeSegment, hrefOf, pathnameOfHref } from './location.js';
import type { PropItem } from './props/types.js';

/** Request headers a remote needs to act as the client asked; credentials and hop-by-hop headers never go through. */
const FORWARDED_REQUEST = ['depth', 'overwrite', 'range', 'if-range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since', 'x-oc-mtime', 'oc-checksum', 'oc-total-length', 'timeout', 'lock-token', 'brief', 'prefer', 'accept'];
/** Answer headers the client gets back. */
const FORWARDED_ANSWER = ['content-type', 'etag', 'oc-etag', 'oc-fileid', 'last-modified', 'content-range', 'accept-ranges', 'content-disposition', 'oc-checksum', 'dav', 'allow', 'lock-token', 'x-oc-mtime'];
const MULTISTATUS_LIMIT = 32 * 1024 * 1024;

/** The caller's remote share a home path leads into, with the path below it; null when the path is not inside one. */
export function remoteMountAt(call: DavCall): Promise<{ mount: RemoteShare; rest: string[] } | null> {
  return remoteMountOf(call, call.loc);
}

async function remoteMountOf(call: DavCall, loc: DavLocation): Promise<{ mount: RemoteShare; rest: string[] } | null> {
  if ((loc.family !== 'webdav' && loc.family !== 'files') || loc.path.length === 0) return null;
  if (loc.family === 'files' && loc.ref !== call.userId) return null;
  const mount = (await call.remoteMounts()).find((m) => m.mountName === loc.path[0]);
  return mount ? { mount, rest: loc.path.slice(1) } : null;
}

/**
 * A request inside a share from another server, passed on to the owner's
 * public WebDAV with the share's token (seed 004 "Accessing shared files");
 * the owner's server enforces the share's permissions, so changes and
 * revocations there apply at once. Hrefs in its answers are rewritten to
 * this server's paths. The mount point itself is the recipient's: deleting
 * it removes the share, moving it within the home renames it.
 */
export async function proxyRemote(call: DavCall, mount: RemoteShare, rest: string[]): Promise<unknown> {
  const method = call.request.method;
  const federation = call.deps.services.federation;
  const mountHref = hrefOf(call.loc.base, [mount.mountName!], true);
  if (rest.length === 0 && method === 'DELETE') {
    await federation.remove(call.userId, mount.id, false);
    return call.reply.code(204).send();
  }
  const destination = call.header('destination');
  let remoteDestination: string[] | undefined;
  if (method === 'MOVE' || method === 'COPY') {
    if (!destination) throw new DavError(400, 'Sabre\\DAV\\Exception\\BadRequest', 'The destination header was not supplied');
    const target = call.locationOfHref(destination);
    const sameHome = (target.family === 'webdav' || target.family === 'files') && (target.family === 'webdav' || target.ref === call.userId);
    if (rest.length === 0) {
      if (method === 'MOVE' && sameHome && target.path.length === 1) {
        await federation.rename(call.userId, mount.id, target.path[0]!);
        return call.reply.code(201).send();
      }
      throw forbidden('A share from another server can only be renamed in place');
    }
    if (!sameHome || target.path[0] !== mount.mountName || target.path.length < 2) throw forbidden('Files cannot be moved or copied between servers here');
    remoteDestination = target.path.slice(1);
  }

  const headers: Record<string, string> = {};
  for (const h of FORWARDED_REQUEST) {
    const v = call.header(h);
    if (v !== undefined) headers[h] = v;
  }
  // Untagged If lists (lock tokens, etags) mean the same there; tagged ones name our hrefs, which the remote would not know.
  const ifHeader = call.header('if');
  if (ifHeader !== undefined && !/^\s*</.test(ifHeader)) headers.if = ifHeader;
  if (call.request.davContentType) headers['content-type'] = call.request.davContentType;
  const length = call.header('content-length');
  if (length !== undefined) headers['content-length'] = length;
  const trailingSlash = call.request.url.split('?', 1)[0]!.endsWith('/');
  const body = call.request.body as Buffer | Readable | undefined;
  const { answer, rootPath } = await federation.forward(
    mount,
    rest,
    trailingSlash,
    { method, headers, body: body === undefined || (Buffer.isBuffer(body) && body.length === 0) ? undefined : body },
    remoteDestination,
  );
  return relay(call, answer, rootPath, mountHref);
}

/** Where a Destination header points inside one of the caller's remote mounts, or null. */
export function remoteMountOfHref(call: DavCall, href: string): Promise<{ mount: RemoteShare; rest: string[] } | null> {
  return remoteMountOf(call, call.locationOfHref(href));
}

/**
 * A chunked upload assembled into a remote mount: the chunks stream in order
 * as one PUT to the owner's server, which checks permissions and quota.
 * `settled` runs once the owner answered and before the client hears it, so
 * the upload is cleaned up before the client's next request.
 */
export async function putRemote(call: DavCall, target: { mount: RemoteShare; rest: string[] }, body: Readable, size: number, settled: (status: number) => Promise<void>): Promise<unknown> {
  if (target.rest.length === 0) throw forbidden('A share from another server cannot be overwritten');
  const headers: Record<string, string> = { 'content-length': String(size), 'content-type': 'application/octet-stream' };
  for (const h of ['x-oc-mtime', 'oc-checksum', 'if-match', 'if-none-match']) {
    const v = call.header(h);
    if (v !== undefined) headers[h] = v;
  }
  const { answer, rootPath } = await call.deps.services.federation.forward(target.mount, target.rest, false, { method: 'PUT', headers, body });
  await settled(answer.status);
  return relay(call, answer, rootPath, hrefOf(call.loc.base, [target.mount.mountName!], true));
}

/** Sends a remote answer on: revoked or unknown shares as 404 (never the remote's 401, which would ask our client for credentials it does not have). */
async function relay(call: DavCall, answer: RemoteAnswer, rootPath: string, mountHref: string): Promise<unknown> {
  const reply = call.reply;
  if (answer.status === 401 || answer.status === 403 && call.request.method === 'GET') {
    answer.body.resume();
    throw notFound('The share from another server is no longer available');
  }
  reply.code(answer.status);
  for (const h of FORWARDED_ANSWER) {
    const v = answer.headers[h];
    if (v !== undefined) reply.header(h, v);
  }
  const type = String(answer.headers['content-type'] ?? '');
  if (/xml/i.test(type) && (answer.status === 207 || call.request.method === 'LOCK')) {
    const text = await readAll(answer.body);
    return reply.send(rewriteHrefs(text, rootPath, mountHref));
  }
  const length = answer.headers['content-length'];
  if (length !== undefined) reply.header('content-length', length);
  if (call.request.method === 'HEAD') {
    answer.body.resume();
    return reply.send();
  }
  return reply.send(answer.body);
}

async function readAll(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MULTISTATUS_LIMIT) {
      body.destroy();
      throw new DavError(502, 'Sabre\\DAV\\Exception\\BadGateway', 'The answer of the remote server is too large');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const HREF = /(<([A-Za-z][\w.-]*:)?href>)\s*([^<]*?)\s*(<\/\2href>)/g;
const RESPONSE_OR_HREF = /<([A-Za-z][\w.-]*:)?response\b[^>]*>[\s\S]*?<\/\1response>|<([A-Za-z][\w.-]*:)?href>[^<]*<\/\2href>/g;
const RESPONSE_START = /^<([A-Za-z][\w.-]*:)?response\b/;
const RESOURCETYPE = /<([A-Za-z][\w.-]*:)?resourcetype[\s/>]/;
const COLLECTION = /<([A-Za-z][\w.-]*:)?collection[\s/>]/;

/**
 * Every `<…:href>` under the remote's share root becomes the same place under
 * the mount (absolute or path hrefs alike). The remote names the root of a
 * shared file with a trailing slash like a folder's; the mount of a file has
 * none, so a response whose resourcetype is not a collection names it bare.
 */
export function rewriteHrefs(xml: string, rootPath: string, mountHref: string): string {
  const mount = mountHref.replace(/\/+$/, '');
  const rewrite = (text: string, rootIsFile: boolean) =>
    text.replace(HREF, (whole, open: string, _p, href: string, close: string) => {
      const path = pathnameOfHref(href) ?? href;
      if (!path.startsWith(rootPath) && `${path}/` !== rootPath) return whole;
      const below = path.slice(rootPath.length);
      return `${open}${mount}${below !== '' ? `/${below}` : rootIsFile ? '' : '/'}${close}`;
    });
  // Each <d:response> is rewritten with what its own resourcetype says; hrefs elsewhere (a LOCK's lockroot) as a folder's.
  return xml.replace(RESPONSE_OR_HREF, (part) => {
    if (!RESPONSE_START.test(part)) return rewrite(part, false);
    return rewrite(part, RESOURCETYPE.test(part) && !COLLECTION.test(part));
  });
}

/**
 * The remote shares at the top of the caller's home, as items of a home
 * PROPFIND: each described by its owner's server (one PROPFIND each, in
 * parallel, each within the federation timeout). A server that cannot be
 * reached or does not answer in time leaves its share out, as Nextcloud
 * hides unavailable storages.
 */
export async function remoteMountItems(call: DavCall, base: string): Promise<PropItem[]> {
  const mounts = await call.remoteMounts();
  const items = await Promise.all(
    mounts.map(async (m): Promise<PropItem | null> => {
      const root = await call.deps.services.federation.describeRemoteRoot(m);
      if (!root) return null;
      const node: FileNode = {
        id: `remote:${m.id}`,
        fileId: root.fileId,
        spaceId: call.userId,
        parentId: call.userId,
        name: m.mountName!,
        type: root.folder ? 'folder' : 'file',
        size: root.size,
        mtime: root.mtime ?? m.createdAt,
        etag: root.etag,
        mimeType: root.mimeType,
        checksums: null,
        blobId: null,
        createdAt: m.createdAt,
      };
      const href = `${base}/${encodeSegment(m.mountName!)}${root.folder ? '/' : ''}`;
      return { node, path: [m.mountName!], href, access: shareAccess(permissionsOfLetters(root.permissions), true), mountRoot: true };
    }),
  );
  return items.filter((i): i is PropItem => i !== null);
}
