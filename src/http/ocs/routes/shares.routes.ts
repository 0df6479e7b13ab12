import type { FastifyInstance } from 'fastify';
import { fail } from '../../../domain/errors.js';
import { FAVORITE_TAG } from '../../../domain/favorites.js';
import type { Services } from '../../../services/index.js';
import type { NewShare, ShareUpdate } from '../../../services/sharing/shares.service.js';
import { parseExpireDate } from '../expire-date.js';
import { SPACE_SHARE_TYPE, spaceRoleOf } from '../../../services/sharing/space-shares.service.js';
import { type Params, str } from '../../common/params.js';
import { ok, ocsRoute, type OcsRoutes } from '../route.js';
import { shareJson } from '../share-json.js';

const BASE = '/apps/files_sharing/api/v1';

/** A path of the caller's home as Nextcloud takes it: `/a/b`, `a/b` and `/a/b/` alike; dot segments name nothing. */
function homePath(raw: string): string[] {
  const segments = raw.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..' || s.includes('\0'))) fail('notFound', 'Wrong path, file/folder does not exist');
  return segments;
}

const flag = (p: Params, key: string): boolean => str(p, key) === 'true';
const boolParam = (p: Params, key: string): boolean | undefined => {
  const v = str(p, key);
  return v === undefined ? undefined : v === 'true' || v === '1';
};

function intParam(p: Params, key: string, message: string, code: 'notFound' | 'invalidInput' = 'notFound'): number | undefined {
  const v = str(p, key);
  if (v === undefined || v === '') return undefined;
  if (!/^\s*-?\d+\s*$/.test(v)) fail(code, message);
  return Number(v);
}

/** `''` removes the expiry, a date sets it, absent leaves the default (create) or the current one (update). */
function expiry(p: Params): number | null | undefined {
  const v = str(p, 'expireDate');
  if (v === undefined) return undefined;
  return v.trim() === '' ? null : parseExpireDate(v);
}

const SPACE_TYPES: readonly string[] = [String(SPACE_SHARE_TYPE.user), String(SPACE_SHARE_TYPE.group)];

/**
 * A space membership's expiry as oCIS reads it: ISO 8601 with a `+hhmm`
 * offset (what ownCloud Web sends on create) or RFC 3339; absent or empty
 * means none.
 */
function spaceExpiry(p: Params): number | null {
  const v = str(p, 'expireDate')?.trim();
  if (!v) return null;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)(Z|[+-]\d\d:?\d\d)$/.exec(v);
  const ms = m ? Date.parse(`${m[1]}${m[2] === 'Z' ? 'Z' : `${m[2]!.slice(0, 3)}:${m[2]!.slice(-2)}`}`) : NaN;
  if (Number.isNaN(ms)) fail('invalidInput', 'could not parse expireDate');
  return ms;
}

/** `attributes`: a JSON list of {scope, key, value}, kept as sent. */
function attributes(p: Params): string | null | undefined {
  const v = p.attributes;
  if (v === undefined) return undefined;
  let list: unknown = v;
  if (typeof v === 'string') {
    try {
      list = JSON.parse(v);
    } catch {
      fail('invalidInput', `Invalid share attributes provided: "${v}"`);
    }
  }
  const valid = Array.isArray(list) && list.every((a) => a && typeof a === 'object' && typeof a.scope === 'string' && typeof a.key === 'string' && 'value' in a);
  if (!valid) fail('invalidInput', `Invalid share attributes provided: "${typeof v === 'string' ? v : JSON.stringify(v)}"`);
  return (list as unknown[]).length ? JSON.stringify(list) : null;
}

/**
 * The sharing API (seed 004 SHARING; Nextcloud's files_sharing
 * ShareAPIController): list, get, create, update and delete shares, and
 * accept or decline pending ones.
 */
export function sharesRoutes(publicUrl: string): OcsRoutes {
  return (fastify: FastifyInstance, s: Services) => {
    const render = (views: Awaited<ReturnType<Services['shares']['describe']>>) => views.map((v) => shareJson(v, publicUrl));

    ocsRoute(fastify, {
      method: 'GET',
      url: `${BASE}/shares`,
      handler: async (c) => {
        const p = c.params;
        const spaceRef = str(p, 'space_ref') ?? str(p, 'space');
        if (spaceRef !== undefined) {
          // oCIS: the shares on the space's root the caller may see (memberships are not share rows here; Graph lists them).
          const userId = c.userId();
          const spaceId = await s.spaceShares.spaceIdOf(spaceRef);
          const shares = await s.graphShares.sharesOn(userId, await s.graphShares.item(userId, spaceId, spaceId));
          return ok(render(await s.shares.describe(userId, shares)));
        }
        const path = str(p, 'path');
        const views = await s.shares.queries.list(c.userId(), {
          sharedWithMe: flag(p, 'shared_with_me'),
          reshares: flag(p, 'reshares'),
          subfiles: flag(p, 'subfiles'),
          path: path === undefined ? undefined : homePath(path),
        });
        const out = render(views);
        if (flag(p, 'include_tags')) {
          // Nextcloud's populateTags: the caller's tags of each shared file; favorites are the tags Nimbus keeps.
          const favorites = await s.davState.props.favoritesOf(c.userId(), views.map((v) => v.node.id));
          out.forEach((json, i) => (json.tags = favorites.has(views[i]!.node.id) ? [FAVORITE_TAG] : []));
        }
        return ok(out);
      },
    });

    ocsRoute(fastify, {
      method: 'POST',
      url: `${BASE}/shares`,
      handler: async (c) => {
        const p = c.params;
        const userId = c.userId();
        if (SPACE_TYPES.includes(str(p, 'shareType')?.trim() ?? '')) {
          // oCIS space membership (shareType 7 user, 8 group) on the space `space_ref` (or `space`) names.
          const ref = str(p, 'space_ref') ?? str(p, 'space');
          if (!ref) fail('invalidInput', 'could not parse space_ref: it must name a space');
          const spaceId = await s.spaceShares.spaceIdOf(ref!);
          const roleId = spaceRoleOf(str(p, 'role'), intParam(p, 'permissions', 'permissions must be an integer', 'invalidInput'));
          await s.spaceShares.share(userId, spaceId, { shareType: Number(str(p, 'shareType')), shareWith: str(p, 'shareWith'), roleId, expiresAt: spaceExpiry(p) });
          return ok();
        }
        const rawPath = str(p, 'path');
        if (rawPath === undefined || rawPath === '') fail('notFound', 'Please specify a file or folder path');
        const type = intParam(p, 'shareType', 'Unknown share type', 'invalidInput');
        if (type === undefined) fail('invalidInput', 'Unknown share type');
        const input: NewShare = {
          type: type!,
          shareWith: str(p, 'shareWith'),
          permissions: intParam(p, 'permissions', 'Valid permissions are required for sharing'),
          publicUpload: boolParam(p, 'publicUpload'),
          password: str(p, 'password'),
          expiresAt: expiry(p),
          label: str(p, 'label'),
          note: str(p, 'note'),
          attributes: attributes(p),
          hideDownload: boolParam(p, 'hideDownload'),
        };
        const share = await s.shares.create(userId, { viewPath: homePath(rawPath!) }, input);
        const [view] = await s.shares.describe(userId, [share]);
        return ok(shareJson(view!, publicUrl));
      },
    });

    ocsRoute(fastify, {
      method: 'GET',
      url: `${BASE}/shares/pending`,
      handler: async (c) => {
        const views = await s.shares.queries.pending(c.userId());
        // Nextcloud shows pending shares without permissions, under their plain name.
        return ok(render(views).map((j) => ({ ...j, permissions: 0, path: `/${views.find((v) => v.share.id === j.id)!.share.targetName}` })));
      },
    });

    ocsRoute(fastify, {
      method: 'POST',
      url: `${BASE}/shares/pending/:id`,
      handler: async (c) => {
        await s.shares.accept(c.userId(), c.path.id!);
        return ok([]);
      },
    });

    // ownCloud declines with DELETE on the same route.
    ocsRoute(fastify, {
      method: 'DELETE',
      url: `${BASE}/shares/pending/:id`,
      handler: async (c) => {
        await s.shares.decline(c.userId(), c.path.id!);
        return ok([]);
      },
    });

    ocsRoute(fastify, {
      method: 'GET',
      url: `${BASE}/shares/:id`,
      handler: async (c) => {
        const userId = c.userId();
        const share = await s.shares.visible(userId, c.path.id!);
        return ok(render(await s.shares.describe(userId, [share])));
      },
    });

    ocsRoute(fastify, {
      method: 'PUT',
      url: `${BASE}/shares/:id`,
      handler: async (c) => {
        const p = c.params;
        const userId = c.userId();
        await s.shares.visible(userId, c.path.id!);
        const update: ShareUpdate = {
          permissions: intParam(p, 'permissions', 'Valid permissions are required for sharing'),
          publicUpload: boolParam(p, 'publicUpload'),
          password: str(p, 'password'),
          expiresAt: expiry(p),
          label: str(p, 'label'),
          note: str(p, 'note'),
          attributes: attributes(p),
          hideDownload: boolParam(p, 'hideDownload'),
        };
        if (Object.values(update).every((v) => v === undefined)) fail('invalidInput', 'Wrong or no update parameter given');
        const share = await s.shares.update(userId, c.path.id!, update);
        const [view] = await s.shares.describe(userId, [share]);
        return ok(shareJson(view!, publicUrl));
      },
    });

    ocsRoute(fastify, {
      method: 'DELETE',
      url: `${BASE}/shares/:id`,
      handler: async (c) => {
        const id = c.path.id!;
        if (id.includes('$')) {
          // oCIS removes a space member with DELETE shares/{space id}?shareWith=<user or group name>.
          await s.spaceShares.unshare(c.userId(), await s.spaceShares.spaceIdOf(id), str(c.params, 'shareWith'));
          return ok();
        }
        await s.shares.remove(c.userId(), id);
        return ok([]);
      },
    });
  };
}
