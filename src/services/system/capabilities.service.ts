import type { FederationSettings } from '../../domain/federation.js';
import { FORBIDDEN_FILENAME_CHARACTERS, FORBIDDEN_FILENAME_EXTENSIONS, FORBIDDEN_FILENAMES } from '../../domain/file-names.js';
import { COMPAT_VERSION, COMPAT_VERSION_STRING } from '../../domain/version.js';
import type { SharingSettings } from '../../domain/share.js';
import { MEDIA_TYPE_KEYWORDS, MTIME_KEYWORDS } from '../../domain/kql.js';
import { textColorFor } from '../../domain/theming.js';
import type { AppsService } from './apps.service.js';

export interface InstanceInfo {
  publicUrl: string;
  theming: { name: string; slogan: string; url: string; color: string };
  passwordMinLength: number;
  sharing: SharingSettings;
  federation: FederationSettings;
  versionsEnabled: boolean;
}


/**
 * cloud/capabilities. Only what is implemented is announced: sections for
 * modules that do not exist yet are absent; sharing reports the admin's
 * settings, and says plainly what is off (clients assume on when a key is missing).
 */
export class CapabilitiesService {
  constructor(
    private readonly apps: AppsService,
    private readonly info: InstanceInfo,
  ) {}

  async forCaller(user: { language: string; locale: string; timezone: string } | null): Promise<Record<string, unknown>> {
    const caps: Record<string, unknown> = {};
    if (user) {
      caps.core = {
        pollinterval: 60,
        'webdav-root': 'remote.php/webdav',
        'mod-rewrite-working': true,
        user: { language: user.language, locale: user.locale, timezone: user.timezone || 'UTC' },
      };
    }
    // No delay-based throttling here: failed logins are refused with 429 past the limit instead.
    caps.bruteforce = { delay: 0, 'allow-listed': false };
    if (user) {
      caps.files = this.info.versionsEnabled ? { ...FILES_CAPABILITIES, ...VERSIONS_CAPABILITIES } : FILES_CAPABILITIES;
      // Chunking v2 (MKCOL, numbered chunks, MOVE of .file) and the bulk upload endpoint (POST /remote.php/dav/bulk).
      // `reports` is oCIS's: the REPORT oc:search-files ownCloud Web sends from its search box.
      caps.dav = { chunking: '1.0', public_shares_chunking: false, bulkupload: '1.0', reports: ['search-files'] };
      caps.search = SEARCH_CAPABILITIES;
      caps.files_sharing = this.sharing();
      if (await this.apps.isEnabled('password_policy')) caps.password_policy = this.passwordPolicy();
      // Nextcloud's activity app also lists `previews`; no previews are rendered here.
      if (await this.apps.isEnabled('activity')) caps.activity = { apiv2: ['filters', 'filters-api', 'rich-strings'] };
      // Nextcloud also lists icons, action-web, user-status, exists and test-push, and push devices: none of those is served here.
      if (await this.apps.isEnabled('notifications')) caps.notifications = { 'ocs-endpoints': ['list', 'get', 'delete', 'delete-all', 'rich-strings'], push: [], 'admin-notifications': ['ocs'] };
      caps.provisioning_api = {
        version: '1.22.0',
        AccountPropertyScopesVersion: 2,
        AccountPropertyScopesFederatedEnabled: true,
        AccountPropertyScopesPublishedEnabled: false,
      };
      // Nextcloud's user_status Capabilities; no automatic statuses (calendar, calls) back up the user's, so nothing to restore.
      caps.user_status = { enabled: true, restore: false, supports_emoji: true, supports_busy: true };
    }
    if (await this.apps.isEnabled('theming')) caps.theming = this.theming();
    return {
      version: { ...COMPAT_VERSION_PARTS, string: COMPAT_VERSION_STRING, edition: '', extendedSupport: false },
      capabilities: caps,
    };
  }

  private theming(): Record<string, unknown> {
    const t = this.info.theming;
    const logo = `${this.info.publicUrl}/apps/theming/logo?v=1`;
    return {
      name: t.name,
      productName: t.name,
      url: t.url,
      slogan: t.slogan,
      color: t.color,
      'color-text': textColorFor(t.color),
      'color-element': t.color,
      'color-element-bright': t.color,
      'color-element-dark': t.color,
      logo,
      // A hex colour instead of an image URL is the documented plain-background form.
      background: t.color,
      'background-text': textColorFor(t.color),
      'background-plain': true,
      'background-default': false,
      logoheader: logo,
      favicon: logo,
    };
  }

  /** Nextcloud's files_sharing capabilities (sample 02), from the admin's sharing settings; no mail and no custom tokens. */
  private sharing(): Record<string, unknown> {
    const s = this.info.sharing;
    const expiry = (e: { defaultDays: number | null; enforced: boolean }) => (e.defaultDays === null ? { enabled: false } : { enabled: true, days: e.defaultDays, enforced: e.enforced });
    return {
      api_enabled: true,
      public: s.allowLinks
        ? {
            enabled: true,
            password: { enforced: s.enforceLinkPassword, askForOptionalPassword: false },
            expire_date: expiry(s.linkExpiry),
            multiple_links: true,
            expire_date_internal: expiry(s.internalExpiry),
            expire_date_remote: { enabled: false },
            send_mail: false,
            upload: s.allowPublicUpload,
            upload_files_drop: s.allowPublicUpload,
            custom_tokens: false,
          }
        : { enabled: false },
      resharing: s.allowResharing,
      user: { send_mail: false, expire_date: { enabled: true } },
      group_sharing: s.allowGroupSharing,
      group: { enabled: s.allowGroupSharing, expire_date: { enabled: true } },
      default_permissions: s.defaultPermissions,
      federation: {
        outgoing: this.info.federation.outgoing,
        incoming: this.info.federation.incoming,
        expire_date: { enabled: false },
        expire_date_supported: { enabled: this.info.federation.outgoing },
      },
      sharee: { query_lookup_default: false, always_show_unique: true },
    };
  }

  private passwordPolicy(): Record<string, unknown> {
    const base = `${this.info.publicUrl}/ocs/v2.php/apps/password_policy/api/v1`;
    const rules = {
      minLength: this.info.passwordMinLength,
      enforceHaveIBeenPwned: false,
      enforceNonCommonPassword: true,
      enforceNumericCharacters: false,
      enforceSpecialCharacters: false,
      enforceUpperLowerCase: false,
    };
    // The legacy top-level copy of the rules has no enforceHaveIBeenPwned (Nextcloud's password_policy Capabilities).
    const { enforceHaveIBeenPwned: _hibp, ...legacy } = rules;
    return { api: { generate: `${base}/generate`, validate: `${base}/validate` }, policies: { account: rules }, ...legacy };
  }
}

/** The file-name rules clients check before uploading, exactly those the server enforces (Nextcloud 30+ keys, the deprecated one kept for older clients). */
const FILES_CAPABILITIES = {
  $comment: '"blacklisted_files" is deprecated as of Nextcloud 30, use "forbidden_filenames" instead',
  blacklisted_files: [...FORBIDDEN_FILENAMES],
  forbidden_filenames: [...FORBIDDEN_FILENAMES],
  forbidden_filename_basenames: [],
  forbidden_filename_characters: [...FORBIDDEN_FILENAME_CHARACTERS],
  forbidden_filename_extensions: [...FORBIDDEN_FILENAME_EXTENSIONS],
  bigfilechunking: true,
  // The chunk size clients should use; the server itself takes chunks of any size.
  chunked_upload: { max_size: 104857600, max_parallel_count: 5 },
  windows_compatible_filenames: false,
  // oCIS frontend (services/frontend/pkg/revaconfig/config.go): tus_support with its defaults (no method override, 10 MB chunks).
  tus_support: { version: '1.0.0', resumable: '1.0.0', extension: 'creation,creation-with-upload', http_method_override: '', max_chunk_size: 10_000_000 },
  // oCIS's flags for ownCloud Web: the Favourites view is offered; there is no full-text index and there are no tags.
  favorites: true,
  full_text_search: false,
  tags: false,
  // The trash bin (files_trashbin's Capabilities): items restore, and may be deleted from the trash for good.
  undelete: true,
  delete_from_trash: true,
};

/**
 * oCIS's search capability (reva's CapabilitiesSearch, filled by the search
 * service's config): which KQL properties search-files understands, and the
 * keywords ownCloud Web offers in its type and date filters. Exactly what
 * src/domain/kql.ts parses: name, mtime, mediatype and scope; no size, type,
 * tags or content terms.
 */
const SEARCH_CAPABILITIES = {
  property: {
    name: { enabled: true },
    mtime: { enabled: true, keywords: MTIME_KEYWORDS },
    size: { enabled: false },
    mediatype: { enabled: true, keywords: MEDIA_TYPE_KEYWORDS },
    type: { enabled: false },
    tag: { enabled: false },
    tags: { enabled: false },
    content: { enabled: false },
    scope: { enabled: true },
  },
};

/** files_versions' Capabilities: versions kept, labels and deletion offered (Nextcloud announces the last two when its backend allows them, as ours does). */
const VERSIONS_CAPABILITIES = { versioning: true, version_labeling: true, version_deletion: true };

const COMPAT_VERSION_PARTS = { major: COMPAT_VERSION.major, minor: COMPAT_VERSION.minor, micro: COMPAT_VERSION.micro };
