import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** The project folder: the nearest one up from this module that holds package.json (source and built runs alike). */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above the server module');
    dir = up;
  }
  return dir;
}

const ROOT = projectRoot();
const OPENAPI_DIR = path.join(ROOT, 'openapi');
const SWAGGER_DIR = path.join(ROOT, 'node_modules', 'swagger-ui-dist');

/** Swagger UI's own files, served from the installed package (pinned in package.json): nothing comes from a CDN. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/**
 * Swagger UI sets inline styles and shows data: images; everything else is
 * this server's own (scripts, the YAML it fetches). No framing, no plugins.
 */
export const API_DOCS_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

interface SpecFile {
  file: string;
  title: string;
  body: string;
}

function loadSpecs(): SpecFile[] {
  if (!existsSync(OPENAPI_DIR)) return [];
  return readdirSync(OPENAPI_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const body = readFileSync(path.join(OPENAPI_DIR, f), 'utf8');
      // The title of `info` (two-space indented, as every file of openapi/ writes it).
      const title = /^ {2}title: *(.+)$/m.exec(body)?.[1]?.trim() ?? f;
      return { file: f.replace(/\.yaml$/, ''), title, body };
    });
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** GET /api/docs (Swagger UI over every file of openapi/) and /api/openapi/{file}.yaml (the files themselves). */
export async function apiDocsRoutes(app: FastifyInstance, opts: { basePath: string }): Promise<void> {
  const specs = loadSpecs();
  const byFile = new Map(specs.map((s) => [s.file, s]));
  const assets = new Map<string, Buffer>();
  for (const name of Object.keys(ASSETS)) {
    const file = path.join(SWAGGER_DIR, name);
    if (existsSync(file)) assets.set(name, readFileSync(file));
  }
  const base = opts.basePath.replace(/\/$/, '');
  const urls = specs.map((s) => ({ url: `${base}/api/openapi/${s.file}.yaml`, name: s.title }));
  // The page's script is a file too, so the policy needs no 'unsafe-inline' for scripts.
  const init = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    urls: ${JSON.stringify(urls)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    queryConfigEnabled: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
    validatorUrl: null
  });
});
`;
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Nimbus API reference</title>
<link rel="stylesheet" href="${esc(base)}/api/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="${esc(base)}/api/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${esc(base)}/api/docs/swagger-ui-bundle.js"></script>
<script src="${esc(base)}/api/docs/swagger-ui-standalone-preset.js"></script>
<script src="${esc(base)}/api/docs/init.js"></script>
</body>
</html>
`;

  app.get('/api/docs', async (_request, reply) => {
    if (assets.size < Object.keys(ASSETS).length) return reply.code(404).type('text/plain; charset=utf-8').send('The API reference is not installed (swagger-ui-dist is missing)\n');
    return reply.header('content-security-policy', API_DOCS_POLICY).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(page);
  });
  app.get('/api/docs/:asset', async (request, reply) => {
    const name = (request.params as { asset: string }).asset;
    if (name === 'init.js') return reply.header('cache-control', 'no-cache').type('text/javascript; charset=utf-8').send(init);
    const body = Object.hasOwn(ASSETS, name) ? assets.get(name) : undefined;
    if (!body) return reply.code(404).type('text/plain; charset=utf-8').send('Not Found');
    return reply.header('cache-control', 'public, max-age=86400').header('x-content-type-options', 'nosniff').type(ASSETS[name]!).send(body);
  });
  app.get('/api/openapi/:file', async (request, reply) => {
    const name = (request.params as { file: string }).file;
    const spec = name.endsWith('.yaml') ? byFile.get(name.slice(0, -'.yaml'.length)) : undefined;
    if (!spec) return reply.code(404).type('text/plain; charset=utf-8').send('Not Found');
    return reply.header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').type('application/yaml; charset=utf-8').send(spec.body);
  });
}
