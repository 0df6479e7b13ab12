import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildTestApp, type TestApp } from '../helpers/app.js';

/** Path item keys that name a method: every method Node accepts (WebDAV documents its own verbs), HEAD and CONNECT aside. */
const METHODS = http.METHODS.map((m) => m.toLowerCase()).filter((m) => m !== 'head' && m !== 'connect');

interface Parameter {
  $ref?: string;
  name?: string;
  in?: string;
  required?: boolean;
}
interface Operation {
  parameters?: Parameter[];
  responses?: Record<string, unknown>;
  security?: unknown[];
}
interface OpenApiDoc {
  openapi?: string;
  servers?: Array<{ url: string }>;
  paths?: Record<string, Record<string, unknown> & { parameters?: Parameter[] }>;
  components?: { securitySchemes?: Record<string, { type?: string; scheme?: string }>; schemas?: Record<string, unknown> };
  security?: unknown[];
}

const dir = path.resolve('openapi');
const docs: Array<{ file: string; doc: OpenApiDoc }> = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .map((file) => ({ file, doc: parse(readFileSync(path.join(dir, file), 'utf8')) as OpenApiDoc }));

/** Every operation of every document, with its path-level parameters merged in. */
function operations(): Array<{ file: string; doc: OpenApiDoc; path: string; method: string; op: Operation; params: Parameter[] }> {
  const out = [];
  for (const { file, doc } of docs) {
    for (const [p, item] of Object.entries(doc.paths ?? {})) {
      for (const [m, op] of Object.entries(item)) {
        if (!METHODS.includes(m)) continue;
        const o = op as Operation;
        out.push({ file, doc, path: p, method: m, op: o, params: [...(item.parameters ?? []), ...(o.parameters ?? [])] });
      }
    }
  }
  return out;
}

/** Resolves a local `#/a/b` reference; undefined when it points nowhere. */
function resolveRef(doc: OpenApiDoc, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/')) {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  return node;
}

function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refsIn(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

/** Every method+route documented in openapi/*.yaml, with `{version}` expanded and `{x}` as Fastify's `:x`. */
function documented(): Set<string> {
  const out = new Set<string>();
  for (const { doc, path: p, method } of operations()) {
    const prefix = (doc.servers?.[0]?.url ?? '/').replace(/\/$/, '');
    const full = `${prefix}${p}`;
    const variants = full.includes('{version}')
      ? ['v1.php', 'v2.php'].map((v) => full.replace('{version}', v))
      : full.includes('{graphVersion}')
        ? ['v1.0', 'v1beta1'].map((v) => full.replace('{graphVersion}', v))
        : [full];
    for (const v of variants) out.add(`${method.toUpperCase()} ${v.replace(/\{([^}]+)\}/g, ':$1')}`);
  }
  return out;
}

describe('openapi/ documents exactly what is served', () => {
  let t: TestApp;
  beforeAll(async () => {
    // With an external provider configured, so its sign-in routes are served too (its metadata is only fetched at first use).
    t = await buildTestApp('sqlite', { OIDC_ISSUER: 'https://id.example.org', OIDC_CLIENT_ID: 'nimbus' } as never);
  });
  afterAll(async () => t.close());

  it('every served route is documented and every documented route is served', () => {
    const docsSet = documented();
    const served = new Set(t.app.routeTable.map((r) => `${r.method} ${r.url.replace(/\/$/, '') || '/'}`));
    const norm = (s: string) => s.replace(/\/$/, '');
    const docsNorm = new Set([...docsSet].map(norm));
    const undocumented = [...served].filter((r) => !docsNorm.has(norm(r)));
    const unserved = [...docsNorm].filter((r) => !served.has(r) && !served.has(`${r}/`));
    expect(undocumented, 'served but not in openapi/').toEqual([]);
    expect(unserved, 'in openapi/ but not served').toEqual([]);
  });

  it('the OCS routes and discovery documents are all in openapi/ocs.yaml, under both API versions', () => {
    const ocs = docs.find((d) => d.file === 'ocs.yaml');
    expect(ocs, 'openapi/ocs.yaml').toBeDefined();
    const served = t.app.routeTable.filter((r) => /^\/(ocs\/v[12]\.php\/|status\.php|ocs-provider\/|apps\/theming\/)/.test(r.url));
    const v1 = served.filter((r) => r.url.startsWith('/ocs/v1.php/')).map((r) => `${r.method} ${r.url.slice('/ocs/v1.php'.length)}`);
    const v2 = served.filter((r) => r.url.startsWith('/ocs/v2.php/')).map((r) => `${r.method} ${r.url.slice('/ocs/v2.php'.length)}`);
    expect(v2.length).toBeGreaterThan(20);
    expect(new Set(v1)).toEqual(new Set(v2));
    const inOcs = new Set(
      Object.entries(ocs!.doc.paths ?? {}).flatMap(([p, item]) =>
        Object.keys(item)
          .filter((m) => METHODS.includes(m))
          .map((m) => `${m.toUpperCase()} ${p.replace('/ocs/{version}', '/ocs/v2.php').replace(/\{([^}]+)\}/g, ':$1')}`),
      ),
    );
    const missing = served.filter((r) => !r.url.startsWith('/ocs/v1.php/')).map((r) => `${r.method} ${r.url}`).filter((r) => !inOcs.has(r));
    expect(missing, 'served OCS or discovery routes missing from ocs.yaml').toEqual([]);
  });
});

describe('openapi/ documents are well-formed', () => {
  it.each(docs.map((d) => [d.file, d.doc] as const))('%s is OpenAPI 3.1 with Basic and Bearer security', (_file, doc) => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    const schemes = doc.components?.securitySchemes ?? {};
    expect(Object.values(schemes)).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'http', scheme: 'basic' }), expect.objectContaining({ type: 'http', scheme: 'bearer' })]),
    );
  });

  it('every $ref resolves', () => {
    const broken = docs.flatMap(({ file, doc }) => refsIn(doc).filter((r) => resolveRef(doc, r) === undefined).map((r) => `${file}: ${r}`));
    expect(broken).toEqual([]);
  });

  it('every path template variable is a declared, required path parameter, and every path parameter is in the path', () => {
    const problems: string[] = [];
    for (const { file, doc, path: p, method, params } of operations()) {
      const resolved = params.map((x) => (x.$ref ? (resolveRef(doc, x.$ref) as Parameter) : x));
      const declared = new Set(resolved.filter((x) => x?.in === 'path').map((x) => x.name));
      const inPath = new Set([...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
      for (const v of inPath) if (!declared.has(v)) problems.push(`${file} ${method.toUpperCase()} ${p}: {${v}} not declared`);
      for (const d of declared) if (!inPath.has(d)) problems.push(`${file} ${method.toUpperCase()} ${p}: path parameter ${d} not in the path`);
      for (const x of resolved) if (x?.in === 'path' && x.required !== true) problems.push(`${file} ${method.toUpperCase()} ${p}: ${x.name} must be required`);
    }
    expect(problems).toEqual([]);
  });

  it('every operation describes its responses and states its security (or inherits the document default)', () => {
    const problems: string[] = [];
    for (const { file, doc, path: p, method, op } of operations()) {
      if (!op.responses || Object.keys(op.responses).length === 0) problems.push(`${file} ${method.toUpperCase()} ${p}: no responses`);
      if (!op.security && !doc.security) problems.push(`${file} ${method.toUpperCase()} ${p}: no security`);
    }
    expect(problems).toEqual([]);
  });

  it('ocs.yaml describes the OCS envelope', () => {
    const ocs = docs.find((d) => d.file === 'ocs.yaml')!.doc;
    const envelope = ocs.components?.schemas?.Envelope as { properties?: { ocs?: { required?: string[] } } } | undefined;
    expect(envelope?.properties?.ocs?.required).toEqual(expect.arrayContaining(['meta', 'data']));
    const meta = ocs.components?.schemas?.Meta as { required?: string[] } | undefined;
    expect(meta?.required).toEqual(expect.arrayContaining(['status', 'statuscode', 'message']));
  });
});
