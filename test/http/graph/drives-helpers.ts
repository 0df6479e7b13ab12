import { expect } from 'vitest';
import { ADMIN, buildTestApp, type DbKind, newUser, type TestApp } from '../../helpers/app.js';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { type Credentials, expectSchema, graph, type GraphCallOptions, type GraphResponse, type GraphSchema } from '../../helpers/graph.js';

/** Unified role ids a space root accepts, and the global role ids (libregraph.md §3, §8.1). */
export const ROLE = {
  spaceViewer: 'a8d5fe5e-96e3-418d-825b-534dbdf22b99',
  spaceEditor: '58c63c02-1d89-4572-916a-870abc5a1b7d',
  spaceEditorWithoutVersions: '3284f2d5-0070-4ad8-ac40-c247f7c1fb27',
  manager: '312c0871-5ef7-4b3a-85b6-0e4074c64049',
  viewer: 'b1e2218d-eef8-4d4c-b82d-0f1a1b48f3b5',
  fileEditor: '2d00ce52-1fc2-4dbc-8b95-a73b73395f5a',
  secureViewer: 'aa97fe03-7980-45ac-9e50-b325749fd7e6',
} as const;
export const GLOBAL_ROLE = {
  admin: '71881883-1768-46bd-a24d-a356a2afdf7f',
  spaceAdmin: '2aadd357-682c-406b-8874-293091995fdd',
  user: 'd7beeea8-8ff4-406b-8fb6-ab2dd81e6b11',
  userLight: '38071a68-456a-4553-846a-fa67bf5596cc',
} as const;
export const SHARES = 'a0ca6a90-a365-4782-871e-d44447bbc668$a0ca6a90-a365-4782-871e-d44447bbc668';
export const INT64_MAX_TEXT = '9223372036854775807';

/** The callers of the §7 matrix: anonymous, a plain user, the three space roles, a Space Admin and an Admin. */
export type Who = 'anonymous' | 'user' | 'viewer' | 'editor' | 'manager' | 'spaceAdmin' | 'admin';
export const EVERYONE: Who[] = ['anonymous', 'user', 'viewer', 'editor', 'manager', 'spaceAdmin', 'admin'];

export interface World {
  t: TestApp;
  storage: string;
  as: Record<Who, Credentials | null>;
  /** Graph call as one of the callers; every Drive / Permission body is checked against the spec by the helper. */
  call(who: Who, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, o?: Omit<GraphCallOptions, 'as'>): Promise<GraphResponse>;
  /**
   * A project space whose Manager is "manager" (the admin who created it
   * leaves), with "viewer" and "editor" as Space Viewer and Space Editor:
   * Admin and Space Admin act on it as non-members, as in the reference's
   * acceptance tests.
   */
  projectSpace(name: string, body?: Record<string, unknown>): Promise<Drive>;
  close(): Promise<void>;
}

export type Drive = Record<string, any> & { id: string };

/** Assigns a global role through the service, whichever Graph route for it exists. */
export async function assignGlobalRole(t: TestApp, userId: string, roleId: string): Promise<void> {
  await t.app.services.globalRoles.assign(ADMIN.user, userId, roleId);
}

export async function invite(t: TestApp, driveId: string, objectId: string, role: string, o: { as?: Credentials | null; type?: 'user' | 'group'; extra?: Record<string, unknown> } = {}): Promise<GraphResponse> {
  return driveCall(t.app, 'POST', `/graph/v1beta1/drives/${driveId}/root/invite`, {
    as: o.as,
    body: { recipients: [{ objectId, '@libre.graph.recipient.type': o.type ?? 'user' }], roles: [role], ...(o.extra ?? {}) },
    schema: 'permission',
  });
}

/** Which spec schema a successful answer of a drive or member route must match. */
function schemaOf(method: string, url: string): GraphSchema | undefined {
  const path = url.split('?')[0]!;
  if (/\/root\/(invite|permissions\/[^/]+)$/.test(path)) return 'permission';
  if (/\/root\/permissions$/.test(path)) return undefined;
  if (/\/(me\/drives?|drives|users\/[^/]+\/drive)(\/[^/]*)?$/.test(path) && method !== 'DELETE') return 'drive';
  return undefined;
}

/**
 * graph() for the drive suites: every successful Drive or Permission body is
 * checked against the LibreGraph spec without each call having to say so,
 * and root-permission collections are checked item by item.
 */
export async function driveCall(app: FastifyInstance, method: InjectOptions['method'], url: string, o: GraphCallOptions = {}): Promise<GraphResponse> {
  const res = await graph(app, method, url, { ...o, schema: o.schema ?? schemaOf(String(method), url) });
  if (res.statusCode === 200 && /\/root\/permissions$/.test(url.split('?')[0]!)) expectPermissionCollection(res.data);
  return res;
}

/** Checks a root-permissions collection: each value a Permission, each allowed role a UnifiedRoleDefinition. */
export function expectPermissionCollection(body: any): void {
  for (const p of body.value ?? []) expectSchema(p, 'permission');
  for (const r of body['@libre.graph.permissions.roles.allowedValues'] ?? []) {
    expectSchema(r, 'unifiedRoleDefinition');
    expect(r.rolePermissions).toBeUndefined();
  }
}

let counter = 0;

export async function world(kind: DbKind): Promise<World> {
  const t = await buildTestApp(kind);
  const n = ++counter;
  const user = await newUser(t.app, `ursula${n}`, { displayName: 'Ursula User' });
  const viewer = await newUser(t.app, `vera${n}`, { displayName: 'Vera Viewer' });
  const editor = await newUser(t.app, `eddie${n}`, { displayName: 'Eddie Editor' });
  const manager = await newUser(t.app, `mona${n}`, { displayName: 'Mona Manager' });
  const spaceAdmin = await newUser(t.app, `sam${n}`, { displayName: 'Sam Spaceadmin' });
  await assignGlobalRole(t, spaceAdmin.user, GLOBAL_ROLE.spaceAdmin);
  const as: Record<Who, Credentials | null> = { anonymous: null, user, viewer, editor, manager, spaceAdmin, admin: ADMIN };
  const me = await driveCall(t.app, 'GET', '/graph/v1.0/me/drive');
  const storage = me.data.id.split('$')[0];
  const call: World['call'] = (who, method, url, o = {}) => driveCall(t.app, method, url, { ...o, as: as[who] });
  return {
    t,
    storage,
    as,
    call,
    async projectSpace(name, body = {}) {
      const res = await driveCall(t.app, 'POST', '/graph/v1.0/drives', { body: { name, ...body } });
      expect(res.statusCode, res.body).toBe(201);
      const id = res.data.id as string;
      for (const [who, role] of [['manager', ROLE.manager], ['viewer', ROLE.spaceViewer], ['editor', ROLE.spaceEditor]] as const) {
        const r = await invite(t, id, as[who]!.user, role);
        expect(r.statusCode, r.body).toBe(200);
      }
      const leave = await driveCall(t.app, 'DELETE', `/graph/v1beta1/drives/${id}/root/permissions/u:${ADMIN.user}`);
      expect(leave.statusCode, leave.body).toBe(204);
      return res.data;
    },
    close: () => t.close(),
  };
}

export const ids = (res: GraphResponse): string[] => res.data.value.map((d: { id: string }) => d.id);
