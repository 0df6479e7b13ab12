import type { FastifyInstance } from 'fastify';
import { fail } from '../../../domain/errors.js';
import type { Services } from '../../../services/index.js';
import { str, type Params } from '../../common/params.js';
import { ok, ocsRoute, type OcsRoutes } from '../route.js';

/** PHP casts an int parameter; anything that is not an integer becomes NaN here and is refused by the service (404 or 400). */
function integer(p: Params, key: string): number | undefined {
  const s = str(p, key)?.trim();
  if (s === undefined || s === '') return undefined;
  return /^-?\d+$/.test(s) ? Number(s) : Number.NaN;
}

/**
 * Direct download (Nextcloud apps/dav DirectController, reference §7.1):
 * `fileId` (required) and `expirationTime` in seconds (1..86400) answer
 * `{url}`, an absolute link under /remote.php/direct/ that needs no login.
 */
export function directRoutes(publicUrl: string): OcsRoutes {
  return (fastify: FastifyInstance, s: Services): void => {
    ocsRoute(fastify, {
      method: 'POST',
      url: '/apps/dav/api/v1/direct',
      handler: async (c) => {
        const fileId = integer(c.params, 'fileId');
        if (fileId === undefined) fail('invalidInput', 'The fileId parameter is missing', 'missingParameter');
        const link = await s.directLinks.create(c.userId(), fileId!, integer(c.params, 'expirationTime'));
        return ok({ url: `${publicUrl}/remote.php/direct/${link.token}` });
      },
    });
  };
}
