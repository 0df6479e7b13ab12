import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { fail } from '../../../domain/errors.js';
import type { Services } from '../../../services/index.js';
import type { SpaceListing } from '../../../services/spaces/spaces.service.js';
import { parseBody } from '../body.js';
import { driveJson, SHARES_DRIVE_ID, sharesDriveJson } from '../drive-json.js';
import { GraphError } from '../errors.js';
import { type DriveQuery, optionsFromPath, parseDriveQuery } from '../odata.js';
import { created, type GraphCall, type GraphEnv, graphRoute, type GraphVersion, noContent } from '../route.js';

/** Go's strconv.ParseBool, which the reference uses for the Restore and Purge headers. */
const goBool = (v: unknown): boolean => typeof v === 'string' && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);

// int64 on the wire; beyond 2^53 a JSON number is no longer exact, so refuse it rather than store a rounded quota.
const QuotaTotal = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

const CreateDrive = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    driveAlias: z.string().optional(),
    driveType: z.string().optional(),
    quota: z.object({ total: QuotaTotal.optional() }).strict().optional(),
  })
  .strict();

const UpdateDrive = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    driveAlias: z.string().optional(),
    quota: z.object({ total: QuotaTotal.optional() }).strict().optional(),
    special: z.array(z.object({ id: z.string(), specialFolder: z.object({ name: z.enum(['readme', 'image']) }) }).passthrough()).optional(),
  })
  .strict();

/** The reference decodes the body whatever its Content-Type (the documented restore call sends `text/plain` `{}`). */
export function jsonBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * `<storageId>$<spaceId>` → the space id, parsed leniently as the reference
 * does: `%24` arrives decoded, a string without `$` is a bare space id. Ids
 * of another storage, or of items (`!<node>`), name no drive here.
 */
export function spaceIdOf(env: GraphEnv, raw: string): string {
  const dollar = raw.indexOf('$');
  const spaceId = dollar < 0 ? raw : raw.slice(dollar + 1);
  const storage = dollar < 0 ? env.storageId : raw.slice(0, dollar);
  if (storage !== env.storageId || spaceId === '' || spaceId.includes('!')) fail('notFound', 'drive not found');
  return spaceId;
}

type Entry = { name: string; mtime: number | null; type: string; id: string; json: Record<string, unknown> };

/** Filter, then order; without $orderby the order is whatever the reference's concurrent conversion gives, here insertion order. */
function filterAndSort(entries: Entry[], q: DriveQuery, env: GraphEnv): Entry[] {
  let out = entries;
  const f = q.filter;
  if (f?.field === 'driveType') out = out.filter((e) => e.type === f.value);
  if (f?.field === 'id') out = out.filter((e) => e.id === f.value || (!f.value.includes('$') && e.id === `${env.storageId}$${f.value}`));
  const o = q.orderBy;
  if (o) {
    // Case-insensitive, numbers compared as numbers ("Space 2" before "Space 10"), as OpenCloud collates names.
    const byName = (a: Entry, b: Entry) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base', numeric: true });
    // Drives without a date sort first; equal dates fall back to the name.
    const byDate = (a: Entry, b: Entry) => (a.mtime ?? -Infinity) - (b.mtime ?? -Infinity) || byName(a, b);
    const cmp = o.field === 'name' ? byName : byDate;
    out = [...out].sort((a, b) => (o.desc ? -cmp(a, b) : cmp(a, b)));
  }
  return out;
}

/** Drive listings (libregraph.md §1.1, §5): the caller's spaces (or all of them), plus the virtual Shares drive. */
async function listing(s: Services, c: GraphCall, all: boolean, options: { filter?: string; orderby?: string }): Promise<unknown> {
  const q = parseDriveQuery(options.filter, options.orderby);
  const userId = c.userId();
  const l: SpaceListing = all ? await s.spaces.listAll(userId) : await s.spaces.listMine(userId);
  const entries: Entry[] = l.views.map((v) => ({
    name: v.space.name,
    mtime: v.space.mtime,
    type: v.space.type,
    id: `${c.env.storageId}$${v.space.id}`,
    json: driveJson(v, l.names, c.env, c.version),
  }));
  entries.push({ name: 'Shares', mtime: null, type: 'virtual', id: SHARES_DRIVE_ID, json: sharesDriveJson(c.env) });
  return { value: filterAndSort(entries, q, c.env).map((e) => e.json) };
}

const single = (l: SpaceListing, c: GraphCall) => driveJson(l.views[0]!, l.names, c.env, c.version);

/** The node part of a special item's id; whether it is a file of the space is the service's to check (400 otherwise). */
function specialNodeId(raw: string): string {
  const bang = raw.indexOf('!');
  if (bang < 0 || bang === raw.length - 1) throw new GraphError(400, 'invalidRequest', 'invalid itemID');
  return raw.slice(bang + 1);
}

export function drivesRoutes(app: FastifyInstance, s: Services, version: GraphVersion, env: GraphEnv): void {
  const route = (spec: Parameters<typeof graphRoute>[3]) => graphRoute(app, version, env, spec);
  const fromPath = (segment: string | undefined) => optionsFromPath(segment ?? '') ?? fail('notFound', 'drive not found');

  route({ method: 'GET', url: '/me/drives', handler: (c) => listing(s, c, false, { filter: c.query.$filter, orderby: c.query.$orderby }) });
  // The Spaces API documentation writes the query options as a path segment: /me/drives/$filter=driveType eq project
  route({ method: 'GET', url: '/me/drives/:options', handler: (c) => listing(s, c, false, fromPath(c.params.options)) });
  route({ method: 'GET', url: '/drives', handler: (c) => listing(s, c, true, { filter: c.query.$filter, orderby: c.query.$orderby }) });

  route({
    method: 'GET',
    url: '/drives/:driveId',
    handler: async (c) => {
      const raw = c.params.driveId!;
      if (raw.startsWith('$')) return listing(s, c, true, fromPath(raw));
      if (raw === SHARES_DRIVE_ID) {
        c.userId();
        return sharesDriveJson(env);
      }
      return single(await s.spaces.get(c.userId(), spaceIdOf(env, raw)), c);
    },
  });

  route({ method: 'GET', url: '/me/drive', handler: async (c) => single(await s.spaces.personal(c.userId()), c) });
  route({ method: 'GET', url: '/users/:userId/drive', handler: async (c) => single(await s.spaces.personalOf(c.userId(), c.params.userId!), c) });

  route({
    method: 'POST',
    url: '/drives',
    errors: { notAdmin: { status: 403, code: 'notAllowed' } },
    handler: async (c) => {
      await s.spaces.assertCanCreate(c.userId());
      const body = parseBody(CreateDrive, jsonBody(c.body), 'invalid body schema definition');
      if (body.driveType !== undefined && body.driveType !== 'project') {
        throw new GraphError(400, 'invalidRequest', 'drives of this type cannot be created via this api');
      }
      const l = await s.spaces.create(c.userId(), {
        name: body.name,
        description: body.description,
        driveAlias: body.driveAlias,
        quotaTotal: body.quota?.total,
      });
      return created(single(l, c));
    },
  });

  route({
    method: 'PATCH',
    url: '/drives/:driveId',
    // A bad new name is the reference's 400 generalException; a quota change without the quota permission 403 notAllowed.
    errors: { notAdmin: { status: 403, code: 'notAllowed' }, invalidField: { status: 400, code: 'generalException' } },
    handler: async (c) => {
      const userId = c.userId();
      const body = parseBody(UpdateDrive, jsonBody(c.body), 'invalid request body: error');
      if (c.params.driveId === SHARES_DRIVE_ID) throw new GraphError(405, 'notAllowed', 'drive cannot be updated');
      const spaceId = spaceIdOf(env, c.params.driveId!);
      if (goBool(c.request.headers.restore)) return single(await s.spaces.restore(userId, spaceId), c);
      const l = await s.spaces.update(userId, spaceId, {
        name: body.name,
        description: body.description,
        driveAlias: body.driveAlias,
        quotaTotal: body.quota?.total,
        special: body.special?.map((i) => ({ kind: i.specialFolder.name, nodeId: specialNodeId(i.id) })),
      });
      return single(l, c);
    },
  });

  route({
    method: 'DELETE',
    url: '/drives/:driveId',
    handler: async (c) => {
      const userId = c.userId();
      if (c.params.driveId === SHARES_DRIVE_ID) throw new GraphError(405, 'notAllowed', 'drive cannot be deleted');
      const spaceId = spaceIdOf(env, c.params.driveId!);
      if (goBool(c.request.headers.purge)) await s.spaces.purge(userId, spaceId);
      else await s.spaces.disable(userId, spaceId);
      return noContent();
    },
  });
}
