/**
 * The layering rules of ARCHITECTURE.md, checked by `npm run lint`.
 * Layers, lowest first: domain ← ports ← services ← http; db, storage,
 * security and federation implement ports; app.ts, main.ts and cli wire
 * them together. Inside services, subfolders form a stack too (see the
 * `services-*` rules), so that no arrow runs back up.
 */
const notTypeOnly = { dependencyTypesNot: ['type-only'] };

/** Services subfolders, lowest first; each may import only those before it. */
const SERVICE_STACK = ['access', 'activity', 'files', 'spaces', 'identity', 'system', 'federation', 'sharing'];

const serviceStackRules = SERVICE_STACK.map((folder, i) => ({
  name: `services-${folder}-stays-below`,
  comment: `services/${folder} may use only ${SERVICE_STACK.slice(0, i).join(', ') || 'nothing'} of the other service folders`,
  severity: 'error',
  from: { path: `^src/services/${folder}/` },
  to: {
    path: `^src/services/(${SERVICE_STACK.filter((_, j) => j > i).join('|') || '$^'})/`,
  },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules import each other in one direction only.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment: 'domain/ imports nothing outside domain/ (no node built-ins, no packages).',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'ports-see-domain-only',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { pathNot: '^src/(domain|ports)/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'services-see-domain-and-ports',
      comment: 'Services decide; they never import fastify, kysely, a driver, http, db, storage or federation code.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: {
        path: ['^src/(http|db|storage|federation|security|images|cli)/', '^src/(app|main|config)\\.ts$', 'node_modules/(fastify|@fastify|kysely|pg|better-sqlite3|undici|fast-xml-parser|sharp|opentype\\.js|@aws-sdk)/'],
      },
    },
    {
      name: 'services-index-is-the-top',
      comment: 'services/index.ts wires the services; nothing below it imports it.',
      severity: 'error',
      from: { path: '^src/services/[^/]+/' },
      to: { path: '^src/services/index\\.ts$' },
    },
    ...serviceStackRules,
    {
      name: 'adapters-implement-ports',
      comment: 'db, storage, security, federation and images implement ports; they never import services or http.',
      severity: 'error',
      from: { path: '^src/(db|storage|security|federation|images)/' },
      to: { path: '^src/(services|http)/' },
    },
    {
      name: 'http-never-db',
      comment: 'HTTP plugins call services; SQL is the store layer\'s.',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: ['^src/(db|storage|federation|images)/', 'node_modules/(kysely|pg|better-sqlite3|sharp|opentype\\.js|@aws-sdk)/'] },
    },
    {
      name: 'front-doors-apart',
      comment: 'graph, ocs, dav and web never import each other; what they share lives in http/common.',
      severity: 'error',
      from: { path: '^src/http/(graph|ocs|dav|web)/' },
      to: { path: '^src/http/(graph|ocs|dav|web)/', pathNot: '^src/http/$1/' },
    },
    {
      name: 'common-is-below-front-doors',
      severity: 'error',
      from: { path: '^src/http/common/' },
      to: { path: '^src/http/(graph|ocs|dav|web)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
