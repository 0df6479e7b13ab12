import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ReadinessProbe } from '../../ports/readiness.js';
import { apiDocsRoutes } from './api-docs.routes.js';
import type { HttpMetrics } from './http-metrics.js';
import { LIVENESS } from './liveness.js';

export interface OpsOptions {
  readiness: ReadinessProbe;
  /** The path of the public URL (a reverse proxy may serve Nimbus below one), for the links of the docs page. */
  basePath: string;
  /** Served at /metrics only with both set: the metrics and the Bearer token that opens them. */
  metrics?: { collector: HttpMetrics; token: string };
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

/**
 * Probes for a supervisor or a load balancer, as oCIS serves them
 * (/healthz: the process answers; /readyz: it can serve), and the Prometheus scrape.
 */
export async function opsPlugin(app: FastifyInstance, opts: OpsOptions): Promise<void> {
  // On a socket, answered in front of Fastify (liveness.ts); this route serves what arrives otherwise (injected requests, a query string).
  app.get('/healthz', async (_request, reply) => noStore(reply).send(LIVENESS));

  app.get('/readyz', async (_request, reply) => {
    const checks = await opts.readiness();
    const failed = checks.filter((c) => !c.ok);
    const body = {
      status: failed.length ? 'unavailable' : 'ready',
      ...(failed.length ? { reason: failed.map((c) => `${c.name}: ${c.reason ?? 'failed'}`).join('; ') } : {}),
      checks: Object.fromEntries(checks.map((c) => [c.name, c.ok ? 'ok' : (c.reason ?? 'failed')])),
    };
    return noStore(reply).code(failed.length ? 503 : 200).send(body);
  });

  await app.register(apiDocsRoutes, { basePath: opts.basePath });

  const metrics = opts.metrics;
  const expected = metrics ? digest(`Bearer ${metrics.token}`) : null;
  app.get('/metrics', async (request, reply) => {
    // Off unless configured: the same answer as any unknown URL.
    if (!metrics || !expected) return reply.code(404).type('text/plain; charset=utf-8').send('Not Found');
    // Compared as digests: constant time whatever the length of what was sent.
    if (!timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
      return noStore(reply).code(401).header('www-authenticate', 'Bearer realm="metrics"').type('text/plain; charset=utf-8').send('Unauthorized\n');
    }
    return noStore(reply).type(metrics.collector.contentType).send(await metrics.collector.render());
  });
}
