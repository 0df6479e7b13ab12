import { renameSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, ocs, type TestApp } from '../../helpers/app.js';

const TOKEN = 'metrics-token-for-tests-0123456789';

describeEachDb('/healthz and /readyz', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(async () => t.close());

  it('/healthz answers without credentials, never cached', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect((await t.app.inject({ method: 'HEAD', url: '/healthz' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/healthz' })).statusCode).toBe(404);
  });

  it('/healthz on a real socket is answered before the framework; other methods and a query still reach it', async () => {
    const server = await buildTestApp(kind);
    try {
      await server.app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}`;
      const probe = await fetch(`${base}/healthz`);
      expect(probe.status).toBe(200);
      expect(await probe.json()).toEqual({ status: 'ok' });
      expect(probe.headers.get('cache-control')).toBe('no-store');
      expect(probe.headers.get('content-type')).toBe('application/json; charset=utf-8');
      // No request id: the application never saw it.
      expect(probe.headers.get('x-request-id')).toBeNull();
      const head = await fetch(`${base}/healthz`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      const post = await fetch(`${base}/healthz`, { method: 'POST' });
      expect(post.status).toBe(404);
      expect(post.headers.get('x-request-id')).toBeTruthy();
      const withQuery = await fetch(`${base}/healthz?verbose=1`);
      expect(withQuery.status).toBe(200);
      expect(withQuery.headers.get('x-request-id')).toBeTruthy();
      expect((await fetch(`${base}/status.php`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('/readyz is ready when the database answers, migrations are current and the data directory is writable', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', dataDir: 'ok' } });
  });

  it('/readyz is 503 with the reason when a migration is missing', async () => {
    const [last] = await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration order by name desc limit 1`.execute(t.db).then((r) => r.rows);
    await sql`delete from kysely_migration where name = ${last!.name}`.execute(t.db);
    try {
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'unavailable', reason: `migrations: 1 pending: ${last!.name}`, checks: { database: 'ok', dataDir: 'ok' } });
    } finally {
      await sql`insert into kysely_migration (name, timestamp) values (${last!.name}, ${last!.timestamp})`.execute(t.db);
    }
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it.skipIf(kind === 'sqlite')('/readyz is 503 when the data directory is gone', async () => {
    // (On SQLite the database file lives in the data directory, so moving it away is not the same failure.)
    renameSync(t.dataDir, `${t.dataDir}-away`);
    try {
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json().checks).toMatchObject({ database: 'ok', migrations: 'ok', dataDir: expect.stringContaining('is not writable (ENOENT)') });
      expect(res.json().reason).toContain('dataDir:');
    } finally {
      renameSync(`${t.dataDir}-away`, t.dataDir);
    }
  });

  it('/metrics is not served without METRICS_TOKEN', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
  });
});

describeEachDb('/metrics', (kind) => {
  let t: TestApp;
  const scrape = (authorization?: string) => t.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
  beforeAll(async () => {
    t = await buildTestApp(kind, { METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => t.close());

  it('needs the Bearer token; anything else is 401', async () => {
    for (const auth of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, basic(ADMIN.user, ADMIN.password), TOKEN]) {
      const res = await scrape(auth);
      expect(res.statusCode, String(auth)).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(res.body).not.toContain('nimbus_');
    }
  });

  it('counts requests by family, method and status class, database statements, login failures, users and the process', async () => {
    await ocs(t.app, 'GET', '/cloud/user');
    await ocs(t.app, 'GET', '/cloud/user', { as: { user: ADMIN.user, password: 'wrong-password' } });
    await t.app.inject({ method: 'PROPFIND', url: `/remote.php/dav/files/${ADMIN.user}/`, headers: { authorization: basic(ADMIN.user, ADMIN.password), depth: '0' } });
    await t.app.inject({ method: 'GET', url: '/graph/v1.0/me', headers: { authorization: basic(ADMIN.user, ADMIN.password) } });
    await t.app.inject({ method: 'GET', url: '/remote.php/dav/files/alice/secret-name.txt' });
    const res = await scrape(`Bearer ${TOKEN}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain; version=0.0.4');
    const text = res.body;
    expect(text).toMatch(/^nimbus_http_requests_total\{family="ocs",method="GET",status_class="2xx"\} [1-9]/m);
    expect(text).toMatch(/^nimbus_http_requests_total\{family="ocs",method="GET",status_class="4xx"\} [1-9]/m);
    expect(text).toMatch(/^nimbus_http_requests_total\{family="dav",method="PROPFIND",status_class="2xx"\} 1$/m);
    expect(text).toMatch(/^nimbus_http_requests_total\{family="graph",method="GET",status_class="2xx"\} 1$/m);
    expect(text).toMatch(/^nimbus_http_requests_total\{family="dav",method="GET",status_class="4xx"\} 1$/m);
    expect(text).toMatch(/^nimbus_http_request_duration_seconds_bucket\{le="0\.25",family="dav",method="PROPFIND",status_class="2xx"\} 1$/m);
    expect(text).toMatch(/^nimbus_login_failures_total\{family="ocs"\} 1$/m);
    expect(text).toMatch(/^nimbus_db_queries_total\{kind="select"\} [1-9]/m);
    expect(text).toMatch(/^nimbus_db_query_duration_seconds_count\{kind="select"\} [1-9]/m);
    expect(text).toMatch(/^nimbus_users 1$/m);
    expect(text).toMatch(/^nimbus_active_uploads 0$/m);
    expect(text).toMatch(/^nimbus_process_resident_memory_bytes [1-9]/m);
    expect(text).toMatch(/^nimbus_nodejs_eventloop_lag_seconds /m);
    // Never a raw URL, user name or file name in a label.
    expect(text).not.toContain('secret-name');
    expect(text).not.toContain('alice');
    expect(text).not.toContain('/remote.php');
  });
});

describeEachDb('/api/docs and /api/openapi', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(async () => t.close());

  it('serves the page with its own CSP, Swagger UI from the package and every OpenAPI file', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/api/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self';");
    expect(page.body).not.toMatch(/https?:\/\//);
    expect(page.body).toContain('/api/docs/swagger-ui-bundle.js');
    const bundle = await t.app.inject({ method: 'GET', url: '/api/docs/swagger-ui-bundle.js' });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-type']).toContain('text/javascript');
    const init = await t.app.inject({ method: 'GET', url: '/api/docs/init.js' });
    for (const f of ['ocs', 'dav', 'graph-drives', 'graph-directory', 'ops']) expect(init.body).toContain(`/api/openapi/${f}.yaml`);
    const yaml = await t.app.inject({ method: 'GET', url: '/api/openapi/ocs.yaml' });
    expect(yaml.statusCode).toBe(200);
    expect(yaml.headers['content-type']).toContain('application/yaml');
    expect(yaml.body).toContain('title: Nimbus OCS API');
    for (const bad of ['/api/openapi/ocs', '/api/openapi/..%2Fpackage.json', '/api/openapi/nope.yaml', '/api/docs/index.html', '/api/docs/..%2F..%2Fpackage.json', '/api/docs/hasOwnProperty']) {
      expect((await t.app.inject({ method: 'GET', url: bad })).statusCode, bad).toBe(404);
    }
  });
});
