import type { FederationSettings } from './domain/federation.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { SharingSettings } from './domain/share.js';
import type { VersionSettings } from './domain/file-versions.js';
import { type ExternalOidcSettings, OCIS_ROLE_MAPPING, ROLE_NAMES } from './domain/external-oidc.js';
import { DEFAULT_OIDC_CLIENTS, type OidcClientDefinition, type OidcSettings } from './domain/oidc-clients.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const EnvSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(9200),
  PUBLIC_URL: z.string().url().optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATA_FSYNC: z.enum(['true', 'false']).default('false'),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres|postgresql):\/\//, 'DATABASE_URL must be a postgres:// URL (leave it unset for SQLite)')
    .optional(),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'DATABASE_SCHEMA must be a plain lower-case identifier')
    .optional(),
  ADMIN_USER: z.string().min(1).default('admin'),
  ADMIN_PASSWORD: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z.string().optional(),
  INSTANCE_NAME: z.string().default('Nimbus'),
  INSTANCE_SLOGAN: z.string().default('Your files, your server'),
  INSTANCE_URL: z.string().url().optional(),
  INSTANCE_COLOR: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'INSTANCE_COLOR must be a #rrggbb colour')
    .default('#1a6fb5'),
  DEFAULT_QUOTA: z.string().default('none'),
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(1).max(469).default(10),
  /** scrypt cost N; lower only for tests, never in production. */
  PASSWORD_HASH_COST: z.coerce
    .number()
    .int()
    .min(1024)
    .refine((n) => (n & (n - 1)) === 0, 'PASSWORD_HASH_COST must be a power of two')
    .default(32768),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(10),
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  BASIC_AUTH_CACHE_SECONDS: z.coerce.number().int().min(0).default(300),
  DIRECT_LINK_TTL_SECONDS: z.coerce.number().int().min(1).max(86400).default(86400),
  /** Days a deleted item stays in its space's trash bin before the background sweep purges it (Nextcloud's default retention). */
  TRASH_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(30),
  SESSION_IDLE_SECONDS: z.coerce.number().int().min(60).default(86400),
  SESSION_REMEMBER_SECONDS: z.coerce.number().int().min(60).default(15 * 86400),
  SESSION_MAX_SECONDS: z.coerce.number().int().min(60).default(30 * 86400),
  REQUIRE_OCS_APIREQUEST: bool.default(true),
  SHARE_AUTO_ACCEPT: bool.default(true),
  SHARE_DEFAULT_PERMISSIONS: z.coerce.number().int().min(1).max(31).default(31),
  SHARE_ALLOW_RESHARING: bool.default(true),
  SHARE_ALLOW_GROUP_SHARING: bool.default(true),
  SHARE_ALLOW_LINKS: bool.default(true),
  SHARE_ALLOW_PUBLIC_UPLOAD: bool.default(true),
  SHARE_LINK_ENFORCE_PASSWORD: bool.default(false),
  SHARE_LINK_DEFAULT_EXPIRE_DAYS: z.coerce.number().int().min(1).optional(),
  SHARE_LINK_ENFORCE_EXPIRE: bool.default(false),
  SHARE_INTERNAL_DEFAULT_EXPIRE_DAYS: z.coerce.number().int().min(1).optional(),
  SHARE_INTERNAL_ENFORCE_EXPIRE: bool.default(false),
  SHARE_ONLY_WITH_GROUP_MEMBERS: bool.default(false),
  SHARE_USER_ENUMERATION: bool.default(true),
  SHARE_USER_ENUMERATION_GROUP_ONLY: bool.default(false),
  FEDERATION_OUTGOING: bool.default(true),
  FEDERATION_INCOMING: bool.default(true),
  FEDERATION_ALLOWED_SERVERS: z.string().default('public'),
  FEDERATION_ALLOW_PRIVATE_ADDRESSES: bool.default(false),
  FEDERATION_ALLOW_HTTP: bool.default(false),
  FEDERATION_VERIFY_TLS: bool.default(true),
  /** Bearer token that opens GET /metrics; without it the endpoint is not served. */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  FEDERATION_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
  PREVIEW_MAX_SIZE: z.coerce.number().int().min(32).max(8192).default(4096),
  PREVIEW_MAX_FILE_SIZE_MB: z.coerce.number().min(0).default(50),
  PREVIEW_MAX_PIXELS: z.coerce.number().int().min(1).default(100_000_000),
  PREVIEW_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(10),
  VERSIONS_ENABLED: bool.default(true),
  VERSIONS_MAX_AGE_DAYS: z.coerce.number().int().min(1).optional(),
  OIDC_ENABLED: bool.default(true),
  OIDC_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86400).default(300),
  OIDC_REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(300).max(365 * 86400).default(30 * 86400),
  /** More clients, as JSON: [{"client_id", "client_secret"?, "name"?, "redirect_uris": [...], "post_logout_redirect_uris"?: [...]}]. */
  OIDC_CLIENTS: z.string().optional(),
  /** Where blobs live: files under DATA_DIR (fs), or objects in an S3 bucket (s3). */
  STORAGE: z.enum(['fs', 's3']).default('fs'),
  /** No new bytes in the blob store (uploads and copies answer 503): the final pass of `nimbus storage:migrate` while the server serves. */
  STORAGE_READ_ONLY: bool.default(false),
  S3_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'S3_BUCKET must be a bucket name (3-63 lower-case letters, digits, dots and dashes)')
    .optional(),
  S3_ACCESS_KEY: z.string().min(1).optional(),
  S3_SECRET_KEY: z.string().min(1).optional(),
  /** Path-style addresses (endpoint/bucket/key): what Ceph RGW, MinIO and most self-hosted gateways need. */
  S3_FORCE_PATH_STYLE: bool.default(true),
  /** A folder of the bucket for this installation's objects ('' for the bucket's root). */
  S3_PREFIX: z
    .string()
    .regex(/^(?:[A-Za-z0-9._-]+\/)*(?:[A-Za-z0-9._-]+\/?)?$/, 'S3_PREFIX must be a relative key prefix such as nimbus/ (letters, digits, . _ - and /)')
    .default(''),
  /** An external provider whose access tokens and sign-in Nimbus accepts (see README, "Trusting an external provider"). */
  OIDC_ISSUER: z.string().url('OIDC_ISSUER must be the provider\'s issuer URL').optional(),
  OIDC_PROVIDER_NAME: z.string().min(1).max(64).optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(255).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(1024).optional(),
  OIDC_AUDIENCE: z.string().min(1).max(1024).optional(),
  OIDC_USER_CLAIM: z.enum(['preferred_username', 'sub', 'email']).default('preferred_username'),
  OIDC_AUTOPROVISION: bool.default(false),
  /** The claim holding the user's role (oCIS: `roles`); unset, roles are assigned in Nimbus. */
  OIDC_ROLE_CLAIM: z.string().min(1).max(255).optional(),
  /** role=value pairs, comma-separated (oCIS's role names: admin, spaceadmin, user, guest). */
  OIDC_ROLE_MAPPING: z.string().optional(),
  OIDC_ISSUER_ALLOW_HTTP: bool.default(false),
});

export type Env = z.input<typeof EnvSchema>;

export interface Theming {
  name: string;
  slogan: string;
  url: string;
  color: string;
}

export interface Config {
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  /** fsync every file before it becomes visible (slower; survives power loss, not only a killed process). */
  dataFsync: boolean;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema?: string };
  admin: { user: string; password?: string };
  logLevel: string;
  trustProxy: boolean | string;
  theming: Theming;
  defaultQuota: string;
  passwordMinLength: number;
  passwordHashCost: number;
  loginMaxFailures: number;
  loginFailureWindowMs: number;
  basicAuthCacheMs: number;
  /** Lifetime of a direct download link; a request may ask for less, never more. */
  directLinkTtlSeconds: number;
  trashRetentionDays: number;
  sessions: { idleMs: number; rememberIdleMs: number; maxAgeMs: number };
  requireOcsApiRequest: boolean;
  sharing: SharingSettings;
  federation: FederationSettings;
  /** Pictures' previews: the largest side made, the largest file and image taken, libvips' time per preview. */
  previews: { maxSize: number; maxFileSize: number; maxPixels: number; timeoutSeconds: number };
  /** File versions: whether overwrites keep the previous content, and the age past which versions expire (null: only the schedule and the size bound). */
  versions: VersionSettings;
  /** Prometheus metrics: served at /metrics only when a token is configured. */
  metrics: { token: string | null };
  /** OpenID Connect provider: token lifetimes and clients added by configuration. */
  oidc: OidcSettings;
  /** An external OpenID Connect provider Nimbus trusts; null when OIDC_ISSUER is unset. */
  externalOidc: ExternalOidcSettings | null;
  /** Where the bytes of files live. */
  storage: StorageConfig;
  /** STORAGE_READ_ONLY: uploads and copies are refused (503), no blob is removed; for moving the blobs to another store. */
  storageReadOnly: boolean;
}

export type StorageConfig = { kind: 'fs' } | { kind: 's3'; s3: S3Settings };

export interface S3Settings {
  /** null: the provider's default endpoint for the region. */
  endpoint: string | null;
  region: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  forcePathStyle: boolean;
  /** '' or ending in '/'. */
  prefix: string;
}


export class ConfigError extends Error {}

/** STORAGE=s3: both keys or neither is a mistake to refuse at start, not at the first upload. */
function parseStorage(e: z.output<typeof EnvSchema>): StorageConfig {
  if (e.STORAGE === 'fs') return { kind: 'fs' };
  const missing = (['S3_BUCKET', 'S3_ACCESS_KEY', 'S3_SECRET_KEY'] as const).filter((k) => !e[k]);
  if (missing.length) throw new ConfigError(`Invalid configuration:\n  STORAGE=s3 needs ${missing.join(', ')}`);
  const prefix = e.S3_PREFIX === '' || e.S3_PREFIX.endsWith('/') ? e.S3_PREFIX : `${e.S3_PREFIX}/`;
  return {
    kind: 's3',
    s3: {
      endpoint: e.S3_ENDPOINT ?? null,
      region: e.S3_REGION,
      bucket: e.S3_BUCKET!,
      accessKey: e.S3_ACCESS_KEY!,
      secretKey: e.S3_SECRET_KEY!,
      forcePathStyle: e.S3_FORCE_PATH_STYLE,
      prefix,
    },
  };
}

/** `public` (any server at a public address) or a comma-separated list of `host` / `host:port`. */
function parseAllowedServers(raw: string): 'public' | string[] {
  const v = raw.trim().toLowerCase();
  if (v === 'public' || v === '*') return 'public';
  const entries = v.split(',').map((x) => x.trim()).filter(Boolean);
  for (const entry of entries) {
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(entry)) throw new ConfigError(`FEDERATION_ALLOWED_SERVERS: "${entry}" is not a host or host:port`);
  }
  return entries;
}

const OidcClientSchema = z.array(
  z.object({
    client_id: z.string().min(1).max(255),
    client_secret: z.string().min(16).max(255).optional(),
    name: z.string().min(1).max(255).optional(),
    redirect_uris: z.array(z.string().url()).min(1),
    post_logout_redirect_uris: z.array(z.string().url()).default([]),
  }),
);

/** OIDC_CLIENTS: clients the admin adds; the admin vouches for them, so they are trusted (implicit consent) as oCIS's `Trusted` clients. */
function parseOidcClients(raw: string | undefined): OidcClientDefinition[] {
  if (!raw) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError('OIDC_CLIENTS: not valid JSON');
  }
  const parsed = OidcClientSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(`OIDC_CLIENTS: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const known = new Set(DEFAULT_OIDC_CLIENTS.map((c) => c.clientId));
  for (const c of parsed.data) {
    if (known.has(c.client_id)) throw new ConfigError(`OIDC_CLIENTS: client id "${c.client_id}" is taken`);
    known.add(c.client_id);
  }
  return parsed.data.map((c) => ({
    clientId: c.client_id,
    clientSecret: c.client_secret ?? null,
    name: c.name ?? c.client_id,
    applicationType: c.redirect_uris.every((u) => u.startsWith('https:')) ? 'web' : 'native',
    redirectUris: c.redirect_uris,
    postLogoutRedirectUris: c.post_logout_redirect_uris,
    loopbackAnyPort: false,
    firstParty: true,
  }));
}

/** OIDC_ROLE_MAPPING: `admin=ocisAdmin,spaceadmin=ocisSpaceAdmin,…`; unset, oCIS's default mapping. */
function parseRoleMapping(raw: string | undefined): ExternalOidcSettings['roleMapping'] {
  if (raw === undefined) return OCIS_ROLE_MAPPING;
  const mapping: ExternalOidcSettings['roleMapping'] = [];
  for (const pair of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq).trim().toLowerCase().replace(/[\s_-]/g, '') : '';
    const value = eq > 0 ? pair.slice(eq + 1).trim() : '';
    const role = ROLE_NAMES[name];
    if (!role || !value) throw new ConfigError(`OIDC_ROLE_MAPPING: "${pair}" is not role=claim-value with a role of admin, spaceadmin, user, guest`);
    if (mapping.some((m) => m.claimValue === value)) throw new ConfigError(`OIDC_ROLE_MAPPING: claim value "${value}" is mapped twice`);
    mapping.push({ role, claimValue: value });
  }
  if (mapping.length === 0) throw new ConfigError('OIDC_ROLE_MAPPING: no role=claim-value pair');
  return mapping;
}

type ParsedEnv = z.output<typeof EnvSchema>;

function externalOidc(e: ParsedEnv, timeoutMs: number): ExternalOidcSettings | null {
  const stray = (['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_AUDIENCE', 'OIDC_ROLE_CLAIM', 'OIDC_ROLE_MAPPING', 'OIDC_PROVIDER_NAME'] as const).filter((k) => e[k] !== undefined);
  if (!e.OIDC_ISSUER) {
    if (stray.length) throw new ConfigError(`${stray.join(', ')} set without OIDC_ISSUER`);
    return null;
  }
  const issuer = e.OIDC_ISSUER.replace(/\/+$/, '');
  const url = new URL(issuer);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && e.OIDC_ISSUER_ALLOW_HTTP)) {
    throw new ConfigError('OIDC_ISSUER must be an https:// URL (OIDC_ISSUER_ALLOW_HTTP=true allows http:// for a provider on a trusted network)');
  }
  if (url.search || url.hash || url.username || url.password) throw new ConfigError('OIDC_ISSUER must be a plain URL without query, fragment or credentials');
  if (!e.OIDC_CLIENT_ID) throw new ConfigError('OIDC_CLIENT_ID is required with OIDC_ISSUER (the client Nimbus is registered as at the provider)');
  return {
    issuer,
    name: e.OIDC_PROVIDER_NAME ?? url.host,
    clientId: e.OIDC_CLIENT_ID,
    clientSecret: e.OIDC_CLIENT_SECRET ?? null,
    audience: e.OIDC_AUDIENCE ?? e.OIDC_CLIENT_ID,
    userClaim: e.OIDC_USER_CLAIM,
    autoprovision: e.OIDC_AUTOPROVISION,
    roleClaim: e.OIDC_ROLE_CLAIM ?? null,
    roleMapping: parseRoleMapping(e.OIDC_ROLE_MAPPING),
    allowHttp: e.OIDC_ISSUER_ALLOW_HTTP,
    timeoutMs,
  };
}

/** Reads KEY=VALUE lines; the real environment always wins over the file. */
export function readDotEnv(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 1) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      value = value.slice(1, -1);
    }
    out[key] = value;
  }
  return out;
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const shownHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? 'localhost' : e.HOST;
  const publicUrl = (e.PUBLIC_URL ?? `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${e.PORT}`).replace(/\/+$/, '');
  let trustProxy: boolean | string = false;
  if (e.TRUST_PROXY === 'true') trustProxy = true;
  else if (e.TRUST_PROXY && e.TRUST_PROXY !== 'false') trustProxy = e.TRUST_PROXY;
  return {
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    dataDir,
    dataFsync: e.DATA_FSYNC === 'true',
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA }
      : { kind: 'sqlite', file: path.join(dataDir, 'nimbus.sqlite') },
    admin: { user: e.ADMIN_USER, password: e.ADMIN_PASSWORD },
    logLevel: e.LOG_LEVEL,
    trustProxy,
    theming: { name: e.INSTANCE_NAME, slogan: e.INSTANCE_SLOGAN, url: e.INSTANCE_URL ?? publicUrl, color: e.INSTANCE_COLOR.toLowerCase() },
    defaultQuota: e.DEFAULT_QUOTA,
    passwordMinLength: e.PASSWORD_MIN_LENGTH,
    passwordHashCost: e.PASSWORD_HASH_COST,
    loginMaxFailures: e.LOGIN_MAX_FAILURES,
    loginFailureWindowMs: e.LOGIN_FAILURE_WINDOW_SECONDS * 1000,
    basicAuthCacheMs: e.BASIC_AUTH_CACHE_SECONDS * 1000,
    directLinkTtlSeconds: e.DIRECT_LINK_TTL_SECONDS,
    trashRetentionDays: e.TRASH_RETENTION_DAYS,
    sessions: { idleMs: e.SESSION_IDLE_SECONDS * 1000, rememberIdleMs: e.SESSION_REMEMBER_SECONDS * 1000, maxAgeMs: e.SESSION_MAX_SECONDS * 1000 },
    requireOcsApiRequest: e.REQUIRE_OCS_APIREQUEST,
    sharing: {
      autoAccept: e.SHARE_AUTO_ACCEPT,
      defaultPermissions: e.SHARE_DEFAULT_PERMISSIONS,
      allowResharing: e.SHARE_ALLOW_RESHARING,
      allowGroupSharing: e.SHARE_ALLOW_GROUP_SHARING,
      allowLinks: e.SHARE_ALLOW_LINKS,
      allowPublicUpload: e.SHARE_ALLOW_PUBLIC_UPLOAD,
      enforceLinkPassword: e.SHARE_LINK_ENFORCE_PASSWORD,
      linkExpiry: { defaultDays: e.SHARE_LINK_DEFAULT_EXPIRE_DAYS ?? null, enforced: e.SHARE_LINK_ENFORCE_EXPIRE },
      internalExpiry: { defaultDays: e.SHARE_INTERNAL_DEFAULT_EXPIRE_DAYS ?? null, enforced: e.SHARE_INTERNAL_ENFORCE_EXPIRE },
      onlyShareWithGroupMembers: e.SHARE_ONLY_WITH_GROUP_MEMBERS,
      enumeration: { enabled: e.SHARE_USER_ENUMERATION, restrictToGroup: e.SHARE_USER_ENUMERATION && e.SHARE_USER_ENUMERATION_GROUP_ONLY },
    },
    versions: { enabled: e.VERSIONS_ENABLED, maxAgeDays: e.VERSIONS_MAX_AGE_DAYS ?? null },
    federation: {
      outgoing: e.FEDERATION_OUTGOING,
      incoming: e.FEDERATION_INCOMING,
      allowedServers: parseAllowedServers(e.FEDERATION_ALLOWED_SERVERS),
      allowPrivateAddresses: e.FEDERATION_ALLOW_PRIVATE_ADDRESSES,
      allowHttp: e.FEDERATION_ALLOW_HTTP,
      verifyTls: e.FEDERATION_VERIFY_TLS,
      timeoutMs: e.FEDERATION_TIMEOUT_SECONDS * 1000,
    },
    previews: {
      maxSize: e.PREVIEW_MAX_SIZE,
      maxFileSize: Math.round(e.PREVIEW_MAX_FILE_SIZE_MB * 1024 * 1024),
      maxPixels: e.PREVIEW_MAX_PIXELS,
      timeoutSeconds: e.PREVIEW_TIMEOUT_SECONDS,
    },
    metrics: { token: e.METRICS_TOKEN ?? null },
    oidc: {
      enabled: e.OIDC_ENABLED,
      accessTokenTtlSeconds: e.OIDC_ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: e.OIDC_REFRESH_TOKEN_TTL_SECONDS,
      extraClients: parseOidcClients(e.OIDC_CLIENTS),
    },
    storage: parseStorage(e),
    storageReadOnly: e.STORAGE_READ_ONLY,
    externalOidc: externalOidc(e, e.FEDERATION_TIMEOUT_SECONDS * 1000),
  };
}
