import { randomBytes } from 'node:crypto';
import type { RequestListener } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import type { DbHandle } from './db/connect.js';
import { graphPlugin } from './http/graph/graph.plugin.js';
import type { GraphRoutes } from './http/graph/route.js';
import { appRolesRoutes } from './http/graph/routes/app-roles.routes.js';
import { drivePermissionsRoutes } from './http/graph/routes/drive-permissions.routes.js';
import { drivesRoutes } from './http/graph/routes/drives.routes.js';
import { driveItemsRoutes } from './http/graph/routes/drive-items.routes.js';
import { itemPermissionsRoutes } from './http/graph/routes/item-permissions.routes.js';
import { groupsRoutes as graphGroupsRoutes } from './http/graph/routes/groups.routes.js';
import { meRoutes } from './http/graph/routes/me.routes.js';
import { photoRoutes } from './http/graph/routes/photo.routes.js';
import { roleDefinitionsRoutes } from './http/graph/routes/role-definitions.routes.js';
import { usersRoutes as graphUsersRoutes } from './http/graph/routes/users.routes.js';
import { discoveryPlugin } from './http/ocs/discovery.routes.js';
import { ocsPlugin } from './http/ocs/ocs.plugin.js';
import { activityRoutes } from './http/ocs/routes/activity.routes.js';
import { notificationsRoutes } from './http/ocs/routes/notifications.routes.js';
import { appsRoutes } from './http/ocs/routes/apps.routes.js';
import { coreRoutes } from './http/ocs/routes/core.routes.js';
import { directRoutes } from './http/ocs/routes/direct.routes.js';
import { groupsRoutes } from './http/ocs/routes/groups.routes.js';
import { membershipsRoutes } from './http/ocs/routes/memberships.routes.js';
import { passwordPolicyRoutes } from './http/ocs/routes/password-policy.routes.js';
import { privateDataRoutes } from './http/ocs/routes/private-data.routes.js';
import { sharesRoutes } from './http/ocs/routes/shares.routes.js';
import { shareesRoutes } from './http/ocs/routes/sharees.routes.js';
import { federationRoutes, remoteSharesRoutes } from './http/ocs/routes/federation.routes.js';
import { usersRoutes } from './http/ocs/routes/users.routes.js';
import { userStatusRoutes } from './http/ocs/routes/user-status.routes.js';
import { navigationRoutes } from './http/ocs/routes/navigation.routes.js';
import { davPlugin } from './http/dav/dav.plugin.js';
import { DIRECT_PREFIX, directPlugin } from './http/dav/direct.routes.js';
import { assertNoNul, assertSingleValued } from './http/common/request-guards.js';
import { frameworkErrorHandler } from './http/framework-errors.js';
import { pageEnv } from './http/web/deps.js';
import { webPlugin } from './http/web/web.plugin.js';
import { oidcPlugin } from './http/oidc/oidc.plugin.js';
import { recoverStorage } from './services/files/blob-settlement.js';
import { type BootstrapResult, ensureFirstAdmin } from './services/system/bootstrap.service.js';
import type { Services } from './services/index.js';
import { buildCore } from './core.js';
import type { OutboundLog } from './federation/logged-transport.js';
import { requestContext } from './request-context.js';
import { RequestLogController } from './http/request-log.js';
import { databaseReadiness } from './db/readiness.js';
import { HttpMetrics } from './http/ops/http-metrics.js';
import { serverWithLiveness, type ServerTimeouts } from './http/ops/liveness.js';
import { opsPlugin } from './http/ops/ops.plugin.js';
import { createStorageReadiness } from './storage/blob-store-factory.js';
import { TUS_SWEEP_EVERY_MS } from './services/files/tus-uploads.service.js';

/** How often each process sweeps expired trash bin items (Nextcloud's ExpireTrash job runs every 30 minutes). */
const TRASH_SWEEP_MS = 30 * 60_000;

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    bootstrap: BootstrapResult;
    /** Every route served (method and URL pattern), for the OpenAPI consistency test and diagnostics. */
    routeTable: Array<{ method: string; url: string }>;
  }
}

export interface BuildOptions {
  /** Pino logger options, or false to stay silent (tests). */
  logger?: FastifyServerOptions['logger'];
  db?: DbHandle;
}

/** LibreGraph route modules, in registration order. */
const GRAPH_ROUTES: GraphRoutes[] = [drivesRoutes, driveItemsRoutes, drivePermissionsRoutes, itemPermissionsRoutes, meRoutes, graphUsersRoutes, appRolesRoutes, graphGroupsRoutes, roleDefinitionsRoutes, photoRoutes];

// Unique across processes (random prefix) without paying the CSPRNG per request.
const REQUEST_ID_PREFIX = randomBytes(6).toString('base64url');
let requestCounter = 0;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** How often each process settles the staging and journal entries of processes that are gone (S3's heartbeat goes stale after 5 minutes). */
const STORAGE_SWEEP_MS = 10 * 60 * 1000;
/** How often each process asks whether the version expiry sweep is due. */
const VERSIONS_SWEEP_CHECK_MS = 5 * 60 * 1000;

/**
 * JSON lines for log collectors; on a terminal (`pretty`), readable coloured
 * lines through pino-pretty, so that `npm start` shows a person what happens.
 */
export function loggerOptions(level: string, pretty = false): FastifyServerOptions['logger'] {
  return {
    level,
    // Credentials never reach a log line: no headers are logged, and query strings
    // (which may carry key=password&value=…) are cut from the logged URL.
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: req.url.split('?')[0], ip: req.ip }),
    },
    redact: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'],
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true } } } : {}),
  };
}

/** Builds the whole server: database, migrations, first admin, services and the protocol plugins. */
export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  // Failed outbound calls are logged by the app's logger, which exists only once the core is built.
  let outboundLog: OutboundLog = () => {};
  const { handle, ctx, services, blobs, instance, closeStorage } = await buildCore(config, opts.db, { outboundLog: (fields, message) => outboundLog(fields, message) });
  const repos = ctx.repos;
  // Staging files and unsettled blobs of a process that was killed: gone before the first request.
  const recovered = await recoverStorage(repos, blobs);
  const bootstrap = await ensureFirstAdmin(ctx, config.admin.user, config.admin.password);

  const app = Fastify({
    logger: opts.logger ?? false,
    trustProxy: config.trustProxy,
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : `${REQUEST_ID_PREFIX}${(requestCounter++).toString(36)}`;
    },
    bodyLimit: 1024 * 1024,
    serverFactory: (handler, options) => serverWithLiveness(handler as RequestListener, options as ServerTimeouts),
    logController: new RequestLogController(),
    // The LibreGraph reference strips trailing slashes (documented calls use POST /drives/).
    // Item ids (`<storage>$<space>!<node>`, ~110 characters) exceed the router's default 100-character parameter limit.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 512 },
    // A URL the router cannot decode (`%ZZ`) never reaches a plugin: each family still answers in its format.
    frameworkErrors: frameworkErrorHandler(pageEnv({ publicUrl: config.publicUrl, instanceName: config.theming.name, color: config.theming.color })),
  });
  outboundLog = (fields, message) => app.log.warn(fields, message);
  // Work a request starts (outbound calls, far from the request object) can name it in its log lines.
  app.addHook('onRequest', (request, _reply, done) => requestContext.run({ requestId: request.id }, done));
  app.decorate('services', services);
  const routeTable: Array<{ method: string; url: string }> = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routeTable.push({ method, url: route.url });
  });
  app.decorate('bootstrap', bootstrap);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
    handle.feed.beginRequest();
    // Only OCS routes speak PHP's list syntax; every other family reads one value per name.
    assertSingleValued(request.query, request.routeOptions.config?.ocs !== undefined);
    assertNoNul(request.params, 'path');
    assertNoNul(request.query, 'query');
  });
  app.addHook('preValidation', async (request) => {
    assertNoNul(request.body, 'request body');
  });
  // Version expiry: each process looks every few minutes; one of them (claimed in the database) runs the sweep per period.
  const versionsSweep = setInterval(() => {
    services!.versions.expireIfDue().catch((err: unknown) => app.log.warn({ err }, 'version expiry failed'));
  }, VERSIONS_SWEEP_CHECK_MS);
  versionsSweep.unref();
  // Trash retention: every process sweeps now and then; items are claimed before they are purged, so sweeps never collide.
  const sweepTrash = () => services!.trash.purgeExpired().catch((err: unknown) => app.log.warn({ err }, 'trash retention sweep failed'));
  const trashSweep = setInterval(sweepTrash, TRASH_SWEEP_MS);
  trashSweep.unref();
  void sweepTrash();
  // Expired TUS uploads: each process drops them hourly (an upload is removed under its lock, so sweeps never collide).
  const tusSweep = setInterval(() => {
    services!.tusUploads.sweepIfDue().catch((err: unknown) => app.log.warn({ err }, 'expired TUS upload sweep failed'));
  }, TUS_SWEEP_EVERY_MS);
  tusSweep.unref();
  // Staging left by processes that died after this one started (on another host, or killed beside it): settled now and then, not only at start.
  const storageSweep = setInterval(() => {
    recoverStorage(repos, blobs).then(
      (r) => (r.stagingFiles || r.blobsSettled ? app.log.info(r, 'removed what an interrupted process left in storage') : undefined),
      (err: unknown) => app.log.warn({ err }, 'storage sweep failed'),
    );
  }, STORAGE_SWEEP_MS);
  storageSweep.unref();
  app.addHook('onClose', async () => {
    clearInterval(versionsSweep);
    clearInterval(trashSweep);
    clearInterval(tusSweep);
    clearInterval(storageSweep);
    await closeStorage();
    if (!opts.db) await handle.close();
  });

  // Metrics cost a little on every request and statement: collected only when someone may read them.
  let metrics: HttpMetrics | undefined;
  if (config.metrics.token) {
    metrics = new HttpMetrics([{ name: 'nimbus_users', help: 'Accounts on this instance', read: () => services.instanceStats.users() }]);
    metrics.install(app);
    const collector = metrics;
    handle.stats.timed = (sql, seconds) => collector.observeQuery(sql, seconds);
  }
  const schema = config.database.kind === 'postgres' ? config.database.schema : undefined;
  const storageReadiness = await createStorageReadiness(config);
  app.addHook('onClose', async () => storageReadiness.close());
  await app.register(opsPlugin, {
    readiness: async () => [...(await databaseReadiness(handle.db, schema)), ...(await storageReadiness.checks())],
    basePath: new URL(config.publicUrl).pathname,
    metrics: metrics && config.metrics.token ? { collector: metrics, token: config.metrics.token } : undefined,
  });

  await app.register(discoveryPlugin, { services, instance });
  await app.register(ocsPlugin, {
    services,
    requireOcsApiRequest: config.requireOcsApiRequest,
    routes: [
      coreRoutes, usersRoutes, membershipsRoutes, groupsRoutes, appsRoutes, passwordPolicyRoutes, privateDataRoutes,
      activityRoutes(config.publicUrl), directRoutes(config.publicUrl), sharesRoutes(config.publicUrl), shareesRoutes(config.publicUrl),
      federationRoutes, remoteSharesRoutes, notificationsRoutes(config.publicUrl), userStatusRoutes, navigationRoutes(config.publicUrl),
    ],
  });
  const storageId = (await ctx.repos.instanceSettings.get('storage_id')) ?? 'storage-users-1';
  // Nextcloud's instance id: `oc` and ten characters, the suffix of every oc:id.
  const instanceId = await ctx.repos.instanceSettings.setIfAbsent('instance_id', `oc${ctx.secrets.token(10).toLowerCase()}`);
  await app.register(graphPlugin, { services, env: { publicUrl: config.publicUrl, storageId }, routes: GRAPH_ROUTES });
  await app.register(davPlugin, {
    services,
    files: services.files,
    state: services.davState,
    uploads: services.chunkedUploads,
    env: { publicUrl: config.publicUrl, storageId, instanceId },
  });
  await app.register(directPlugin, { services, prefix: DIRECT_PREFIX });
  await app.register(webPlugin, { services, publicUrl: config.publicUrl, instanceName: config.theming.name, color: config.theming.color, storageId });
  if (config.oidc.enabled) await app.register(oidcPlugin, { services, publicUrl: config.publicUrl, instanceName: config.theming.name, color: config.theming.color });
  if (recovered.stagingFiles || recovered.blobsSettled) app.log.info(recovered, 'removed what an interrupted process left in storage');
  // Migration 0018 goes on without pg_trgm where it cannot be created; name searches still answer, by a scan.
  if ((await services.fileSearch.nameIndex()) === null) app.log.warn('name search has no trigram index (the pg_trgm extension could not be created): substring searches scan the file rows');
  app.setNotFoundHandler((_request, reply) => reply.code(404).type('text/plain; charset=utf-8').send('Not Found'));
  return app;
}
