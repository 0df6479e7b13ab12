import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyInstance } from 'fastify';
import { isFileTypeIcon } from '../../domain/file-type-icons.js';
import { etagMatches } from '../common/send-file.js';
import type { WebDeps } from './deps.js';
import { sendError } from './errors.js';
import { ACTION_ICONS, fileTypeSvg, isActionIcon } from './icons/file-type-svg.js';

/**
 * Themed icons as Nextcloud's theming IconController::getThemedIcon serves
 * them (/apps/theming/img/{app}/{image}, with and without /index.php): SVG in
 * the instance's colour, cached a day (cacheFor(86400, false, true)). An image
 * it has not is 404, as there; choosing the generic icon for an unknown media
 * type is the client's (and fileTypeIconOf's) job.
 */
export function themingRoutes(app: FastifyInstance, deps: WebDeps): void {
  const color = deps.env.color;
  const cache = new Map<string, { body: string; etag: string }>();
  const drawn = (key: string, draw: () => string) => {
    let hit = cache.get(key);
    if (!hit) {
      const body = draw();
      hit = { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` };
      cache.set(key, hit);
    }
    return hit;
  };
  const notFound = (reply: FastifyReply) => sendError(reply, deps.env, 404, 'Not found', 'There is no such icon.');
  const send = (request: FastifyRequest, reply: FastifyReply, icon: { body: string; etag: string }) => {
    reply.header('Cache-Control', 'private, max-age=86400, immutable').header('ETag', icon.etag);
    const inm = request.headers['if-none-match'];
    if (typeof inm === 'string' && etagMatches(inm, icon.etag)) return reply.code(304).send();
    return reply.code(200).type('image/svg+xml').send(icon.body);
  };
  const svgName = (file: string): string | null => (file.endsWith('.svg') ? file.slice(0, -4) : null);

  for (const prefix of ['', '/index.php']) {
    app.get(`${prefix}/apps/theming/img/core/filetypes/:file`, async (request, reply) => {
      const name = svgName((request.params as { file: string }).file);
      if (name === null || !isFileTypeIcon(name)) return notFound(reply);
      return send(request, reply, drawn(`filetypes/${name}`, () => fileTypeSvg(name, color)));
    });
    app.get(`${prefix}/apps/theming/img/core/actions/:file`, async (request, reply) => {
      const name = svgName((request.params as { file: string }).file);
      if (name === null || !isActionIcon(name)) return notFound(reply);
      return send(request, reply, drawn(`actions/${name}`, () => ACTION_ICONS[name](color)));
    });
  }
}
