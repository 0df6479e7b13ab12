import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { apiFamilyOf, methodLabel, statusClass } from './api-family.js';

const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const DB_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

interface Started {
  at: bigint;
  family: string;
  bytesRead: number;
  bytesWritten: number;
  upload: boolean;
}

const started = new WeakMap<FastifyRequest, Started>();

/** What the statement does, as a bounded label. */
function statementKind(sql: string): string {
  const word = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase();
  return word === 'select' || word === 'insert' || word === 'update' || word === 'delete' || word === 'with' ? word : 'other';
}

/**
 * Prometheus metrics of one server (prom-client, its own registry): HTTP
 * requests by API family, method and status class; database statements;
 * uploads in flight; bytes in and out; failed and throttled logins; the
 * process's own metrics.
 */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'nimbus_http_requests_total', help: 'HTTP requests answered, by API family, method and status class', labelNames: ['family', 'method', 'status_class'], registers: [this.registry] });
  private readonly duration = new Histogram({ name: 'nimbus_http_request_duration_seconds', help: 'Time to answer an HTTP request', labelNames: ['family', 'method', 'status_class'], buckets: HTTP_BUCKETS, registers: [this.registry] });
  private readonly bytesIn = new Counter({ name: 'nimbus_http_received_bytes_total', help: 'Bytes received on requests (headers and bodies), by API family', labelNames: ['family'], registers: [this.registry] });
  private readonly bytesOut = new Counter({ name: 'nimbus_http_sent_bytes_total', help: 'Bytes sent in responses (headers and bodies), by API family', labelNames: ['family'], registers: [this.registry] });
  private readonly uploads = new Gauge({ name: 'nimbus_active_uploads', help: 'WebDAV uploads (PUT) in flight', registers: [this.registry] });
  private readonly loginFailures = new Counter({ name: 'nimbus_login_failures_total', help: 'Requests with credentials that were refused (401)', labelNames: ['family'], registers: [this.registry] });
  private readonly throttled = new Counter({ name: 'nimbus_login_throttled_total', help: 'Requests refused because their address or account is throttled (429)', labelNames: ['family'], registers: [this.registry] });
  private readonly queries = new Counter({ name: 'nimbus_db_queries_total', help: 'Database statements, by kind', labelNames: ['kind'], registers: [this.registry] });
  private readonly queryDuration = new Histogram({ name: 'nimbus_db_query_duration_seconds', help: 'Time a database statement took', labelNames: ['kind'], buckets: DB_BUCKETS, registers: [this.registry] });

  constructor(gauges: Array<{ name: string; help: string; read: () => Promise<number> }> = []) {
    collectDefaultMetrics({ register: this.registry, prefix: 'nimbus_' });
    for (const g of gauges) {
      new Gauge({
        name: g.name,
        help: g.help,
        registers: [this.registry],
        async collect() {
          this.set(await g.read());
        },
      });
    }
  }

  /** Counts and times every request of the app. */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', async (request) => {
      const family = apiFamilyOf(request.url);
      const socket = request.raw.socket;
      const upload = request.method === 'PUT' && family === 'dav';
      if (upload) this.uploads.inc();
      started.set(request, { at: process.hrtime.bigint(), family, bytesRead: socket?.bytesRead ?? 0, bytesWritten: socket?.bytesWritten ?? 0, upload });
    });
    const finish = (request: FastifyRequest, status: number | null) => {
      const s = started.get(request);
      if (!s) return;
      started.delete(request);
      if (s.upload) this.uploads.dec();
      if (status === null) return;
      const labels = { family: s.family, method: methodLabel(request.method), status_class: statusClass(status) };
      this.requests.inc(labels);
      this.duration.observe(labels, Number(process.hrtime.bigint() - s.at) / 1e9);
      const socket = request.raw.socket;
      if (socket) {
        this.bytesIn.inc({ family: s.family }, Math.max(0, socket.bytesRead - s.bytesRead));
        this.bytesOut.inc({ family: s.family }, Math.max(0, socket.bytesWritten - s.bytesWritten));
      }
      if (status === 401 && (request.headers.authorization !== undefined || request.headers.cookie !== undefined)) this.loginFailures.inc({ family: s.family });
      if (status === 429) this.throttled.inc({ family: s.family });
    };
    app.addHook('onResponse', async (request, reply) => finish(request, reply.statusCode));
    // A client that went away mid-upload: the gauge must still come down.
    app.addHook('onRequestAbort', async (request) => finish(request, null));
  }

  /** Called by the database layer for every statement. */
  observeQuery(sql: string, seconds: number): void {
    const kind = statementKind(sql);
    this.queries.inc({ kind });
    this.queryDuration.observe({ kind }, seconds);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
