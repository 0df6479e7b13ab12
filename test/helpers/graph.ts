import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { parse } from 'yaml';
import { ADMIN, basic } from './app.js';

/**
 * Response bodies are checked against the LibreGraph OpenAPI specification
 * (v1.0.8, vendored under test/fixtures so a fresh clone can run the suite).
 */
const SPEC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/libregraph-openapi-v1.0.yaml');
const spec = parse(readFileSync(SPEC, 'utf8')) as { components: { schemas: Record<string, unknown> } };

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateFormats: true }));
ajv.addSchema({ $id: 'libregraph', components: spec.components });

export type GraphSchema = 'drive' | 'permission' | 'user' | 'group' | 'unifiedRoleDefinition' | 'appRoleAssignment';
const validators = new Map<string, ValidateFunction>();

export function expectSchema(body: unknown, schema: GraphSchema): void {
  if (!spec.components.schemas[schema]) throw new Error(`schema ${schema} is not in the LibreGraph spec`);
  let v = validators.get(schema);
  if (!v) {
    v = ajv.compile({ $ref: `libregraph#/components/schemas/${schema}` });
    validators.set(schema, v);
  }
  const ok = v(body);
  expect(ok, `${schema} body does not match the spec: ${ajv.errorsText(v.errors)}\n${JSON.stringify(body).slice(0, 500)}`).toBe(true);
}

export interface GraphCallOptions {
  as?: { user: string; password: string } | null;
  body?: unknown;
  headers?: Record<string, string>;
  /** Validate the body (or each of `value[]` for collections) against this spec schema on 2xx. */
  schema?: GraphSchema;
}

export type GraphResponse = LightMyRequestResponse & { data: any };

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
    // Every Graph failure is the OData error body.
    expect(data?.error, `not an OData error body: ${res.body}`).toBeDefined();
    expect(typeof data.error.code).toBe('string');
    expect(typeof data.error.message).toBe('string');
    expect(data.error.innererror['request-id']).toBeTruthy();
    expect(data.error.innererror.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  } else if (o.schema && data !== undefined) {
    const items = Array.isArray(data) ? data : Array.isArray(data?.value) ? data.value : [data];
    for (const item of items) expectSchema(item, o.schema);
  }
  return Object.assign(res, { data });
}
