import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import { SHARES_SPACE_ID } from '../../domain/space.js';
import type { PrivateLinkRef } from '../../services/files/private-links.service.js';
import { loginPath } from './account-pages.js';
import type { WebDeps } from './deps.js';
import { WebError } from './errors.js';
import { signedIn } from './session-cookie.js';
import { seeOther } from './signin.routes.js';

const notFound = (): WebError => new WebError(404, 'File not found', 'The file does not exist, or you are not allowed to open it.');

/**
 * What `/f/{id}` may name: Nextcloud's numeric file id (oc:privatelink,
 * activity links), or oCIS's resource ids as Graph webUrls carry them —
 * `<storageId>$<spaceId>` for a space, `<storageId>$<spaceId>!<nodeId>` for
 * an item (the space id as node id is the space's root).
 */
export function parseLinkId(raw: string, storageId: string): PrivateLinkRef | null {
  if (/^[1-9]\d{0,15}$/.test(raw)) return { fileId: Number(raw) };
  const m = /^([^$!/]+)\$([^$!/]+)(?:!([^$!/]+))?$/.exec(raw);
  if (!m || m[1] !== storageId) return null;
  return m[3] === undefined ? { spaceId: m[2]! } : { spaceId: m[2]!, nodeId: m[3] };
}

/**
 * GET /f/{id} and /index.php/f/{id}, the private links: Nextcloud's files
 * ViewController::showFile redirects (303) a signed-in browser to the files
 * app at the folder holding the node, the node named in `openfile`; a folder
 * opens itself. Nimbus's app takes a project space as `view=space&space=`
 * the Graph drive id. Without a session the browser signs in first and comes
 * back here; what the caller cannot see is the plain 404 page.
 */
export function privateLinkRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { env, services, storageId } = deps;
  const open = async (request: FastifyRequest, reply: FastifyReply) => {
    const { id } = request.params as { id: string };
    const me = await signedIn(request, services);
    if (!me) return seeOther(reply, `${loginPath(env)}?redirect_url=${encodeURIComponent(`${env.basePath}/f/${encodeURIComponent(id)}`)}`);
    // The Shares drive's webUrl: received shares are mounted at the top of the home, so that is where they are.
    if (id === `${SHARES_SPACE_ID}$${SHARES_SPACE_ID}!${SHARES_SPACE_ID}` || id === `${SHARES_SPACE_ID}$${SHARES_SPACE_ID}`) return seeOther(reply, `${env.basePath}/apps/files/?dir=%2F`);
    const ref = parseLinkId(id, storageId);
    if (!ref) throw notFound();
    const found = await services.privateLinks.locate(me.principal.userId, ref).catch((err: unknown) => {
      throw err instanceof DomainError && err.code === 'notFound' ? notFound() : err;
    });
    const folder = found.node.type === 'folder';
    const dir = folder ? found.path : found.path.slice(0, -1);
    const q = new URLSearchParams();
    if (found.tree.kind === 'space') {
      q.set('view', 'space');
      q.set('space', `${storageId}$${found.tree.spaceId}`);
    }
    q.set('dir', `/${dir.join('/')}`);
    if (!folder) q.set('openfile', found.node.name);
    return seeOther(reply, `${env.basePath}/apps/files/?${q.toString()}`);
  };
  app.get('/f/:id', open);
  app.get('/index.php/f/:id', open);
}
