import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { fail } from '../../../domain/errors.js';
import { SHARES_SPACE_ID } from '../../../domain/space.js';
import type { Services } from '../../../services/index.js';
import type { SpaceListing, SpaceView } from '../../../services/spaces.service.js';
import { parseBody } from '../body.js';
import { driveJson, sharesDriveJson } from '../drive-json.js';
import { GraphError } from '../errors.js';
import { type DriveQuery, optionsFromPath, parseDriveQuery } from '../odata.js';
import { created, type GraphCall, type GraphEnv, graphRoute, type GraphVersion, noContent } from '../route.js';

const SHARES_DRIVE_ID = `${SHARES_SPACE_ID}$${SHARES_SPACE_ID}`;

/** Go's strconv.ParseBool, which the reference uses for the Restore and Purge headers. */
const goBool = (v: unknown): boolean => typeof v === 'string' && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);

const CreateDrive = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    driveAlias: z.string().optional(),
    driveType: z.string().optional(),
    quota: z.object({ total: z.number().int().optional() }).strict().optional(),
  })
  .strict();

const UpdateDrive = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    driveAlias: z.string().optional(),
    quota: z.object({ total: z.number().int().optional() }).strict().optional(),
  })
  .strict();

/** `<storageId>$<spaceId>` (or a bare space id) → the space id; item suffixes after `!` are not drives. */
export function spaceIdOf(env: GraphEnv, raw: string): string {
  const dollar = raw.indexOf('$');
  const spaceId = dollar < 0 ? raw : raw.slice(dollar + 1);
  const storage = dollar < 0 ? env.storageId : raw.slice(0, dollar);
  if (storage !== env.storageId || spaceId === '' || spaceId.includes('!')) fail('notFound', 'drive not found');
  return spaceId;
}

function sortAndFilter(views: SpaceView[], q: DriveQuery, env: GraphEnv): SpaceView[] {
  let out = views;
  if (q.filter?.field === 'driveType') out = out.filter((v) => v.space.type === q.filter!.value);
  if (q.filter?.field === 'id') out = out.filter((v) => `${env.storageId}$${v.space.id}` === q.filter!.value || v.space.id === q.filter!.value);
  if (q.orderBy) {
    const dir = q.orderBy.desc ? -1 : 1;
    const byName = (a: SpaceView, b: SpaceView) => a.space.name.localeCompare(b.space.name, undefined, { sensitivity: 'base', numeric: true });
    out = [...out].sort((a, b) =>
      q.orderBy!.field === 'name' ? dir * byName(a, b) : dir * (a.space.mtime - b.space.mtime) || byName(a, b),
    );
  }
  return out;
}

/** Drive listings: the spaces, plus the virtual Shares drive in /me/drives unless the filter excludes it. */
async function listing(s: Services, c: GraphCall, all: boolean, options: { filter?: string; orderby?: string }): Promise<unknown> {
  const q = parseDriveQuery(options.filter, options.orderby);
  const userId = c.userId();
  const l: SpaceListing = all ? await s.spaces.listAll(userId) : await s.spaces.listMine(userId);
  const drives = sortAndFilter(l.views, q, c.env).map((v) => driveJson(v, l.names, c.env, c.version));
  const wantsShares =
    !all &&
    (q.filter === undefined ||
      (q.filter.field === 'driveType' && q.filter.value === 'virtual') ||
      (q.filter.field === 'id' && q.filter.value === SHARES_DRIVE_ID));
  if (wantsShares) {
    const me = await s.users.profileOf(userId);
    drives.push(sharesDriveJson(c.env, `${me.createdAt.toString(16)}`, me.createdAt));
  }
  return { value: drives };
}

const single = (l: SpaceListing, c: GraphCall) => driveJson(l.views[0]!, l.names, c.env, c.version);

export function drivesRoutes(app: FastifyInstance, s: Services, version: GraphVersion, env: GraphEnv): void {
  const route = (spec: Parameters<typeof graphRoute>[3]) => graphRoute(app, version, env, spec);

  route({ method: 'GET', url: '/me/drives', handler: (c) => listing(s, c, false, { filter: c.query.$filter, orderby: c.query.$orderby }) });
  // The seed documents the query options as a path segment: /me/drives/$filter=driveType eq project
  route({ method: 'GET', url: '/me/drives/:options', handler: (c) => listing(s, c, false, optionsFromPath(c.params.options ?? '')) });
  route({ method: 'GET', url: '/drives', handler: (c) => listing(s, c, true, { filter: c.query.$filter, orderby: c.query.$orderby }) });

  route({
    method: 'GET',
    url: '/drives/:driveId',
    handler: async (c) => {
      const raw = c.params.driveId!;
      if (raw.startsWith('$')) return listing(s, c, true, optionsFromPath(raw));
      if (raw === SHARES_DRIVE_ID) {
        const me = await s.users.profileOf(c.userId());
        return sharesDriveJson(env, me.createdAt.toString(16), me.createdAt);
      }
      return single(await s.spaces.get(c.userId(), spaceIdOf(env, raw)), c);
    },
  });

  route({ method: 'GET', url: '/me/drive', handler: async (c) => single(await s.spaces.personal(c.userId()), c) });

  route({
    method: 'GET',
    url: '/users/:userId/drive',
    handler: async (c) => {
      const target = await s.users.profileOf(c.params.userId!).catch(() => fail('notFound', 'drive not found'));
      return single(await s.spaces.get(c.userId(), target.id), c);
    },
  });

  route({
    method: 'POST',
    url: '/drives',
    errors: { notAdmin: { status: 403, code: 'notAllowed' } },
    handler: async (c) => {
      const body = parseBody(CreateDrive, c.body, 'invalid body schema definition');
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
    errors: { notAdmin: { status: 403, code: 'notAllowed' }, invalidField: { status: 400, code: 'generalException' } },
    handler: async (c) => {
      if (c.params.driveId === SHARES_DRIVE_ID) throw new GraphError(405, 'notAllowed', 'drive cannot be updated');
      const spaceId = spaceIdOf(env, c.params.driveId!);
      if (goBool(c.request.headers.restore)) return single(await s.spaces.restore(c.userId(), spaceId), c);
      const body = parseBody(UpdateDrive, c.body, 'invalid request body');
      const l = await s.spaces.update(c.userId(), spaceId, {
        name: body.name,
        description: body.description,
        driveAlias: body.driveAlias,
        quotaTotal: body.quota?.total,
      });
      return single(l, c);
    },
  });

  route({
    method: 'DELETE',
    url: '/drives/:driveId',
    handler: async (c) => {
      if (c.params.driveId === SHARES_DRIVE_ID) throw new GraphError(405, 'notAllowed', 'drive cannot be deleted');
      const spaceId = spaceIdOf(env, c.params.driveId!);
      if (goBool(c.request.headers.purge)) await s.spaces.purge(c.userId(), spaceId);
      else await s.spaces.disable(c.userId(), spaceId);
      return noContent();
    },
  });
}
