import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildTestApp, type TestApp } from '../helpers/app.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'propfind', 'proppatch', 'mkcol', 'copy', 'move', 'lock', 'unlock', 'options'];

/** Every method+route documented in openapi/*.yaml, with `{version}` expanded and `{x}` as Fastify's `:x`. */
function documented(): Set<string> {
  const dir = path.resolve('openapi');
  const out = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const doc = parse(readFileSync(path.join(dir, file), 'utf8')) as { paths?: Record<string, Record<string, unknown>>; servers?: Array<{ url: string }> };
    const prefix = (doc.servers?.[0]?.url ?? '/').replace(/\/$/, '');
    for (const [p, ops] of Object.entries(doc.paths ?? {})) {
      const full = `${prefix}${p}`;
      const variants = full.includes('{version}')
        ? ['v1.php', 'v2.php'].map((v) => full.replace('{version}', v))
        : full.includes('{graphVersion}')
          ? ['v1.0', 'v1beta1'].map((v) => full.replace('{graphVersion}', v))
          : [full];
      for (const v of variants) {
        const url = v.replace(/\{([^}]+)\}/g, ':$1');
        for (const m of Object.keys(ops)) if (METHODS.includes(m)) out.add(`${m.toUpperCase()} ${url}`);
      }
    }
  }
  return out;
}

describe('openapi/ documents exactly what is served', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('sqlite');
  });
  afterAll(async () => t.close());

  it('every served route is documented and every documented route is served', () => {
    const docs = documented();
    const served = new Set(t.app.routeTable.map((r) => `${r.method} ${r.url.replace(/\/$/, '') || '/'}`));
    const norm = (s: string) => s.replace(/\/$/, '');
    const docsNorm = new Set([...docs].map(norm));
    const undocumented = [...served].filter((r) => !docsNorm.has(norm(r)));
    const unserved = [...docsNorm].filter((r) => !served.has(r) && !served.has(`${r}/`));
    expect(undocumented, 'served but not in openapi/').toEqual([]);
    expect(unserved, 'in openapi/ but not served').toEqual([]);
  });
});
