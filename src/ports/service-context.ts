import type { OidcSettings } from '../domain/oidc-clients.js';
import type { PasswordPolicy } from '../domain/password-policy.js';
import type { FederationSettings } from '../domain/federation.js';
import type { SharingSettings } from '../domain/share.js';
import type { VersionSettings } from '../domain/file-versions.js';
import type { BlobStore } from './files.js';
import type { Repositories, TxRunner } from './repositories.js';
import type { Clock, PasswordHasher, Secrets } from './system.js';

/** What every service is built from; app.ts is the only place that fills it in. */
export interface ServiceContext {
  repos: Repositories;
  tx: TxRunner;
  hasher: PasswordHasher;
  clock: Clock;
  secrets: Secrets;
  /** File bytes; services that delete spaces settle their blobs through it. */
  blobs: BlobStore;
  settings: {
    defaultQuota: string;
    passwordMinLength: number;
    loginMaxFailures: number;
    loginFailureWindowMs: number;
    basicAuthCacheMs: number;
    directLinkTtlSeconds: number;
    /** Trash bin items older than this are purged by the background sweep. */
    trashRetentionDays: number;
    /** Browser sessions: idle lifetime, idle lifetime with "remember me", and the absolute end. */
    sessions: { idleMs: number; rememberIdleMs: number; maxAgeMs: number };
    sharing: SharingSettings;
    federation: FederationSettings;
    versions: VersionSettings;
    oidc: OidcSettings;
  };
  /** The policy in force now, or null when the password_policy module is disabled. */
  passwordPolicy(): Promise<PasswordPolicy | null>;
}
