import type { FastifyInstance } from 'fastify';
import { fail } from '../../../domain/errors.js';
import type { Services } from '../../../services/index.js';
import type { OcsVersion } from '../envelope.js';
import { type Params, str } from '../../common/params.js';
import { ok, ocsRoute, type OcsRoutes } from '../route.js';
import { recommendedJson, shareesJson } from '../sharee-json.js';

const BASE = '/apps/files_sharing/api/v1';

/** Nextcloud's IShare::TYPE_* values (0 to 15): clients ask for types this server has no provider for, which are simply not searched. */
const MAX_SHARE_TYPE = 15;

/** `shareType=0` or `shareType[]=0&shareType[]=1`; absent or empty: every type. Anything but a Nextcloud share type number is refused. */
function shareTypes(p: Params): number[] | undefined {
  const raw = p.shareType;
  if (raw === undefined || raw === null || raw === '') return undefined;
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((v) => {
    const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
    if (!/^\d{1,2}$/.test(s) || Number(s) > MAX_SHARE_TYPE) fail('invalidInput', 'Invalid shareType');
    return Number(s);
  });
}

function positive(p: Params, key: string, fallback: number, message: string): number {
  const v = p[key];
  if (v === undefined) return fallback;
  const s = str(p, key)?.trim();
  if (s === undefined || !/^-?\d{1,9}$/.test(s)) fail('invalidInput', message);
  return Number(s);
}

function text(p: Params, key: string): string | undefined {
  if (p[key] === undefined || p[key] === null) return undefined;
  const s = str(p, key);
  if (s === undefined) fail('invalidInput', `Invalid ${key}`);
  return s;
}

/** PHP's urlencode, as http_build_query writes each key and value. */
const phpUrlencode = (s: string): string =>
  encodeURIComponent(s)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

/** ShareesAPIController::getPaginationLink: the same search one page further. */
function nextLink(publicUrl: string, version: OcsVersion, q: { search: string; itemType: string; shareTypes: number[]; perPage: number; page: number }): string {
  const parts = [`search=${phpUrlencode(q.search)}`, `itemType=${phpUrlencode(q.itemType)}`];
  q.shareTypes.forEach((t, i) => parts.push(`${phpUrlencode(`shareType[${i}]`)}=${t}`));
  parts.push(`perPage=${q.perPage}`, `page=${q.page + 1}`);
  return `<${publicUrl}/ocs/v${version}.php${BASE}/sharees?${parts.join('&')}>; rel="next"`;
}

/**
 * The share dialog's recipient search (Nextcloud's files_sharing
 * ShareesAPIController): sharees and sharees_recommended, on v1 and v2.
 */
export function shareesRoutes(publicUrl: string): OcsRoutes {
  return (fastify: FastifyInstance, s: Services) => {
    ocsRoute(fastify, {
      method: 'GET',
      url: `${BASE}/sharees`,
      handler: async (c) => {
        const p = c.params;
        const userId = c.userId();
        const search = text(p, 'search') ?? '';
        const page = positive(p, 'page', 1, 'Invalid page');
        const perPage = positive(p, 'perPage', 200, 'Invalid perPage argument');
        // Nextcloud checks perPage, then page, then the item type.
        if (perPage <= 0) fail('invalidInput', 'Invalid perPage argument');
        if (page <= 0) fail('invalidInput', 'Invalid page');
        const itemType = text(p, 'itemType');
        if (itemType === undefined) fail('invalidInput', 'Missing itemType');
        const result = await s.sharees.search(userId, { search, itemType: itemType!, shareTypes: shareTypes(p), page, perPage });
        if (result.hasMore) {
          c.reply.header('Link', nextLink(publicUrl, c.request.ocsVersion, { search, itemType: itemType!, shareTypes: result.shareTypes, perPage: result.perPage, page }));
        }
        return ok(shareesJson(result));
      },
    });

    ocsRoute(fastify, {
      method: 'GET',
      url: `${BASE}/sharees_recommended`,
      handler: async (c) => {
        const userId = c.userId();
        const itemType = text(c.params, 'itemType');
        if (itemType === undefined) fail('invalidInput', 'Missing itemType');
        return ok(recommendedJson(await s.sharees.recommended(userId, itemType!, shareTypes(c.params))));
      },
    });
  };
}
