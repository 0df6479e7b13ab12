import type { GlobalRoleKey } from './global-roles.js';

/**
 * An external OpenID Connect provider Nimbus trusts (OIDC_ISSUER): its
 * access tokens authenticate API calls, and the sign-in page offers its code
 * flow. Users are found by one claim and remembered by issuer and subject.
 */
export interface ExternalOidcSettings {
  issuer: string;
  /** Shown on the sign-in page: "Sign in with <name>". */
  name: string;
  clientId: string;
  clientSecret: string | null;
  /** The `aud` an access token must carry. */
  audience: string;
  userClaim: 'preferred_username' | 'sub' | 'email';
  autoprovision: boolean;
  /** null: roles are not taken from the provider (every new user is a User; admins assign roles in Nimbus). */
  roleClaim: string | null;
  /** Claim value → role, in oCIS's order of precedence. */
  roleMapping: Array<{ role: GlobalRoleKey; claimValue: string }>;
  /** Plain http to the issuer (only for a provider on the same host or network, as in tests). */
  allowHttp: boolean;
  timeoutMs: number;
}

/**
 * oCIS's default mapping for its "oidc" role assignment driver
 * (owncloud/ocis services/proxy/README.md, "Automatic Role Assignments"):
 * claim `roles`, admin ← ocisAdmin, spaceadmin ← ocisSpaceAdmin, user ←
 * ocisUser, guest (User Light) ← ocisGuest.
 */
export const OCIS_ROLE_CLAIM = 'roles';
export const OCIS_ROLE_MAPPING: ExternalOidcSettings['roleMapping'] = [
  { role: 'admin', claimValue: 'ocisAdmin' },
  { role: 'spaceAdmin', claimValue: 'ocisSpaceAdmin' },
  { role: 'user', claimValue: 'ocisUser' },
  { role: 'userLight', claimValue: 'ocisGuest' },
];

/** oCIS's role names in its mapping configuration, as Nimbus's role keys. */
export const ROLE_NAMES: Record<string, GlobalRoleKey> = { admin: 'admin', spaceadmin: 'spaceAdmin', user: 'user', guest: 'userLight', userlight: 'userLight' };

/**
 * The role a claim gives, as oCIS's oidc driver decides it: the claim may be
 * a string or a list; values without a mapping are ignored; exactly one
 * mapped role must remain (oCIS refuses the login when none or several do).
 */
export function roleFromClaim(value: unknown, mapping: ExternalOidcSettings['roleMapping']): GlobalRoleKey | null {
  const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  const roles = new Set(mapping.filter((m) => values.includes(m.claimValue)).map((m) => m.role));
  return roles.size === 1 ? [...roles][0]! : null;
}

/** What Nimbus reads of a provider's metadata (OpenID Connect Discovery 1.0, section 3). */
export interface IssuerMetadata {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  userinfoEndpoint: string | null;
  endSessionEndpoint: string | null;
}
