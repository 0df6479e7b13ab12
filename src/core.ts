import type { Config } from './config.js';
import { connect, type DbHandle } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { KyselyTxRunner, repositoriesFor } from './db/tx-runner.js';
import { HttpFederationTransport } from './federation/http-transport.js';
import { HttpRemoteServers } from './federation/remote-servers.js';
import { HttpExternalIssuer } from './federation/external-issuer.js';
import { LoggedFederationTransport, type OutboundLog } from './federation/logged-transport.js';
import { LetterAvatarRenderer } from './images/letter-avatar-renderer.js';
import { SharpImageCodec } from './images/sharp-image-codec.js';
import { SharpPreviewRenderer } from './images/sharp-preview-renderer.js';
import type { ServiceContext } from './ports/service-context.js';
import { systemClock } from './ports/system.js';
import { ScryptHasher } from './security/scrypt-hasher.js';
import { createSecrets } from './security/secrets.js';
import { createServices, type Services } from './services/index.js';
import type { InstanceInfo } from './services/system/capabilities.service.js';
import type { BlobStore } from './ports/files.js';
import { createBlobStore, probeBlobStore } from './storage/blob-store-factory.js';

/** What the server and the command line are built on: the database, the blob store and the services, wired once. */
export interface Core {
  handle: DbHandle;
  ctx: ServiceContext;
  services: Services;
  blobs: BlobStore;
  instance: InstanceInfo;
  /** Stops what the blob store runs in the background (the S3 store's heartbeat); the database handle is closed by its owner. */
  closeStorage(): Promise<void>;
}

/**
 * Connects, migrates and wires the services without an HTTP server: buildApp
 * serves them, the command line (src/cli) calls them, so both follow the same rules.
 */
export interface CoreOptions {
  /** Where failed outbound (federation) calls are logged; silent without. */
  outboundLog?: OutboundLog;
}

export class StorageUnavailableError extends Error {}

export async function buildCore(config: Config, db?: DbHandle, opts: CoreOptions = {}): Promise<Core> {
  // An unreachable or read-only bucket is refused here, before the first request needs it.
  const storageProblem = await probeBlobStore(config);
  if (storageProblem) throw new StorageUnavailableError(`STORAGE=s3: ${storageProblem}`);
  const handle = db ?? connect(config.database);
  await migrateToLatest(handle.db, config.database.kind === 'postgres' ? config.database.schema : undefined);

  const cx = { cache: handle.cache, feed: handle.feed, scope: null };
  await handle.feed.start();
  const repos = repositoriesFor(handle.db, cx);
  const managed = await createBlobStore(config);
  const blobs = managed.store;
  await managed.start();
  let services: Services | undefined = undefined;
  const ctx: ServiceContext = {
    repos,
    tx: new KyselyTxRunner(handle.db, cx),
    hasher: new ScryptHasher(config.passwordHashCost),
    clock: systemClock,
    secrets: createSecrets(),
    blobs,
    settings: {
      defaultQuota: config.defaultQuota,
      passwordMinLength: config.passwordMinLength,
      loginMaxFailures: config.loginMaxFailures,
      loginFailureWindowMs: config.loginFailureWindowMs,
      basicAuthCacheMs: config.basicAuthCacheMs,
      directLinkTtlSeconds: config.directLinkTtlSeconds,
      trashRetentionDays: config.trashRetentionDays,
      sessions: config.sessions,
      sharing: config.sharing,
      federation: config.federation,
      versions: config.versions,
      oidc: config.oidc,
    },
    passwordPolicy: async () =>
      (await services!.apps.isEnabled('password_policy')) ? { minLength: config.passwordMinLength } : null,
  };
  const instance: InstanceInfo = {
    publicUrl: config.publicUrl,
    theming: config.theming,
    passwordMinLength: config.passwordMinLength,
    sharing: config.sharing,
    federation: config.federation,
    versionsEnabled: config.versions.enabled,
  };
  services = createServices(
    ctx,
    instance,
    managed.uploads,
    new HttpRemoteServers(new LoggedFederationTransport(new HttpFederationTransport(config.federation), opts.outboundLog ?? (() => {})), config.federation),
    { codec: new SharpImageCodec(), renderer: new LetterAvatarRenderer() },
    { renderer: new SharpPreviewRenderer(config.previews), settings: config.previews },
    managed.tus,
    config.externalOidc && { settings: config.externalOidc, client: new HttpExternalIssuer(config.externalOidc, config.federation.verifyTls) },
  );
  return { handle, ctx, services, blobs, instance, closeStorage: () => managed.close() };
}

