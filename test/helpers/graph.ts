import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { parse } from 'yaml';
import { ADMIN, basic, newUser } from './app.js';

/**
 * Response bodies are checked against the LibreGraph OpenAPI specification
 * (v1.0.8): the shared reference folder beside the repository when it is there
 * (development and CI), else the copy vendored under test/fixtures so a clone
 * of the repository alone still checks every body. Without either, every
 * schema check fails: a missing spec must never turn checks into passes.
 */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED_SPEC = path.resolve(REPO_ROOT, '../shared/reference/libregraph-openapi-v1.0.yaml');
const VENDORED_SPEC = path.resolve(REPO_ROOT, 'test/fixtures/libregraph-openapi-v1.0.yaml');
export const SPEC_PATH = existsSync(SHARED_SPEC) ? SHARED_SPEC : VENDORED_SPEC;

/** The spec's component names (lower camel case), e.g. `drive`, `user`, `unifiedRoleDefinition`. */
export type SpecSchemaName =
  | 'drive'
  | 'driveItem'
  | 'permission'
  | 'user'
  | 'group'
  | 'unifiedRoleDefinition'
  | 'appRoleAssignment'
  | 'application'
  | 'appRole'
  | 'quota'
  | 'odata.error';
/** Either spelling: the spec's (`user`) or the type name (`User`). */
export type GraphSchema = SpecSchemaName | Capitalize<SpecSchemaName>;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * OpenAPI 3.0 → JSON Schema: `nullable: true` becomes a null alternative, and
 * `#/components/schemas/X` references point into the one document Ajv holds.
 */
export function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'nullable') continue;
    if (k === '$ref' && typeof v === 'string') out.$ref = v.replace(/^#\/components\/schemas\//, 'libregraph#/definitions/');
    else out[k] = toJsonSchema(v);
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'] };
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

interface Checker {
  ajv: Ajv;
  names: Set<string>;
  validators: Map<string, ValidateFunction>;
}

function loadChecker(specPath: string): Checker {
  if (!existsSync(specPath)) {
    throw new Error(`LibreGraph spec not found at ${specPath}: response bodies cannot be checked (clone the shared reference folder beside the repository)`);
  }
  const spec = parse(readFileSync(specPath, 'utf8')) as { components?: { schemas?: Record<string, Json> } };
  const schemas = spec.components?.schemas;
  if (!schemas || Object.keys(schemas).length === 0) throw new Error(`LibreGraph spec at ${specPath} has no component schemas`);
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateFormats: true }));
  // Formats the spec uses that ajv-formats does not define.
  ajv.addFormat('int16', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -32768 && n <= 32767 });
  ajv.addFormat('base64url', /^[A-Za-z0-9_-]*={0,2}$/);
  ajv.addSchema({ $id: 'libregraph', definitions: toJsonSchema(schemas as Json) } as object);
  return { ajv, names: new Set(Object.keys(schemas)), validators: new Map() };
}

/**
 * The one deliberate divergence from the spec the checks allow: Nimbus user ids
 * are user names (shared with OCS), while the spec types
 * appRoleAssignment.principalId as a UUID. Only that property of role
 * assignments is replaced before validation; every other field is checked.
 */
const PLACEHOLDER_UUID = '00000000-0000-4000-8000-000000000000';
export function withUuidPrincipals(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(withUuidPrincipals);
  if (body === null || typeof body !== 'object') return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) out[k] = withUuidPrincipals(v);
  if ('appRoleId' in out && typeof out.principalId === 'string') out.principalId = PLACEHOLDER_UUID;
  return out;
}

const specName = (schema: string): string => (schema.startsWith('odata.') ? schema : schema[0]!.toLowerCase() + schema.slice(1));

/** A schema check bound to one spec file; the spec is read on first use, and a missing file fails every check. */
export function schemaChecker(specPath: string): (body: unknown, schema: GraphSchema) => void {
  let checker: Checker | undefined;
  return (body, schema) => {
    checker ??= loadChecker(specPath);
    const { ajv, names, validators } = checker;
    const name = specName(schema);
    if (!names.has(name)) throw new Error(`schema ${schema} is not in the LibreGraph spec`);
    let v = validators.get(name);
    if (!v) {
      v = ajv.compile({ $ref: `libregraph#/definitions/${name}` });
      validators.set(name, v);
    }
    const ok = v(withUuidPrincipals(body));
    expect(ok, `${schema} body does not match the spec: ${ajv.errorsText(v.errors)}\n${JSON.stringify(body).slice(0, 500)}`).toBe(true);
  };
}

/** Fails the test unless `body` matches the named component schema of the LibreGraph spec. */
export const expectSchema: (body: unknown, schema: GraphSchema) => void = schemaChecker(SPEC_PATH);

export type Credentials = { user: string; password: string };

export interface GraphCallOptions {
  /** Who calls: admin by default, null for an anonymous request. */
  as?: Credentials | null;
  body?: unknown;
  headers?: Record<string, string>;
  /** Validate the body (or each of `value[]`, or of a bare array) against this spec schema on 2xx. */
  schema?: GraphSchema;
}

export type GraphResponse = LightMyRequestResponse & { data: any };

/** One Graph call over inject; failures must be OData error bodies, successes match `schema` when given. */
export async function graph(app: FastifyInstance, method: InjectOptions['method'], url: string, o: GraphCallOptions = {}): Promise<GraphResponse> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  const as = o.as === undefined ? ADMIN : o.as;
  if (as) headers.authorization = basic(as.user, as.password);
  let payload: string | undefined;
  if (o.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    payload = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  }
  const res = await app.inject({ method, url, headers, payload });
  let data: any;
  try {
    data = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    data = undefined;
  }
  if (res.statusCode >= 400) {
    // Every Graph failure is the OData error body, with the reference's innererror.
    expect(data?.error, `not an OData error body: ${res.body}`).toBeDefined();
    expectSchema(data, 'odata.error');
    expect(data.error.innererror['request-id']).toBeTruthy();
    expect(data.error.innererror.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  } else if (o.schema && data !== undefined) {
    const items = Array.isArray(data) ? data : Array.isArray(data?.value) ? data.value : [data];
    for (const item of items) expectSchema(item, o.schema);
  }
  return Object.assign(res, { data });
}

/** The application whose appRoles are the global roles, and those roles' ids (as the reference uses them). */
export const APP_ID = 'ecf4ee6d-14e5-4fd4-91ab-0c5c4bd7f1aa';
export const GLOBAL_ROLE_IDS = {
  admin: '71881883-1768-46bd-a24d-a356a2afdf7f',
  spaceAdmin: '2aadd357-682c-406b-8874-293091995fdd',
  user: 'd7beeea8-8ff4-406b-8fb6-ab2dd81e6b11',
  userLight: '38071a68-456a-4553-846a-fa67bf5596cc',
} as const;
export type GlobalRoleName = keyof typeof GLOBAL_ROLE_IDS;

/** Gives a user a global role the way clients do: POST /users/{id}/appRoleAssignments as admin. */
export async function assignRole(app: FastifyInstance, userId: string, role: GlobalRoleName): Promise<void> {
  const res = await graph(app, 'POST', `/graph/v1.0/users/${encodeURIComponent(userId)}/appRoleAssignments`, {
    body: { principalId: userId, resourceId: APP_ID, appRoleId: GLOBAL_ROLE_IDS[role] },
  });
  if (res.statusCode !== 201) throw new Error(`assignRole ${userId} ${role}: ${res.statusCode} ${res.body}`);
}

/** The callers every directory test runs as: nobody, a plain user, a space admin (role given over Graph) and the admin. */
export interface Cast {
  anonymous: null;
  user: Credentials;
  spaceAdmin: Credentials;
  admin: Credentials;
}
export const NON_ADMINS = ['user', 'spaceAdmin'] as const;

/** Makes the cast's accounts: "ursula" (User) and "sam" (Space Admin), both with display names and mail. */
export async function createCast(app: FastifyInstance): Promise<Cast> {
  const user = await newUser(app, 'ursula', { displayName: 'Ursula User', email: 'ursula@example.org' });
  const spaceAdmin = await newUser(app, 'sam', { displayName: 'Sam Spaceadmin', email: 'sam@example.org' });
  await assignRole(app, 'sam', 'spaceAdmin');
  return { anonymous: null, user, spaceAdmin, admin: ADMIN };
}
