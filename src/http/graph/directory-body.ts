import { z } from 'zod';
import type { GraphUserInput } from '../../services/identity/graph-directory.service.js';
import { parseBody } from './body.js';
import { GraphError } from './errors.js';
import type { GraphCall } from './route.js';

/** Request bodies and query options of the user and group routes, validated at the boundary. */

const invalid = (message: string): never => {
  throw new GraphError(400, 'invalidRequest', message);
};

/** A query option; one given twice never reaches a route (assertSingleValued). */
export const option = (c: GraphCall, name: string): string | undefined => c.query[name];

// The User / UserUpdate properties the reference decodes. Read-only ones are
// refused by name below; the other read-only relations are accepted and ignored, as there.
const UserBody = z
  .object({
    id: z.unknown().optional(),
    memberOf: z.unknown().optional(),
    userType: z.unknown().optional(),
    appRoleAssignments: z.unknown().optional(),
    drive: z.unknown().optional(),
    drives: z.unknown().optional(),
    signInActivity: z.unknown().optional(),
    identities: z.array(z.object({ issuer: z.string().optional(), issuerAssignedId: z.string().optional() }).strict()).optional(),
    displayName: z.string().optional(),
    onPremisesSamAccountName: z.string().optional(),
    mail: z.string().optional(),
    passwordProfile: z.object({ password: z.string().optional(), forceChangePasswordNextSignIn: z.boolean().optional() }).strict().optional(),
    accountEnabled: z.boolean().optional(),
    preferredLanguage: z.string().optional(),
  })
  .strict();

const READ_ONLY = ['id', 'memberOf', 'userType'] as const;

/** A User body for POST /users, PATCH /users/{id} and PATCH /me: strict, JSON names matched case-insensitively as Go does. */
export function parseUserBody(body: unknown): GraphUserInput {
  const b = parseBody(UserBody, body, 'invalid request body');
  return {
    displayName: b.displayName,
    onPremisesSamAccountName: b.onPremisesSamAccountName,
    mail: b.mail,
    password: b.passwordProfile?.password,
    accountEnabled: b.accountEnabled,
    preferredLanguage: b.preferredLanguage,
    readOnly: READ_ONLY.filter((k) => b[k] !== undefined),
  };
}

export const ChangePasswordBody = z.object({ currentPassword: z.string().default(''), newPassword: z.string().default('') }).strict();

export const GroupCreateBody = z
  .object({ id: z.unknown().optional(), displayName: z.string().optional() })
  .strict();

export const GroupPatchBody = z
  .object({ displayName: z.string().optional(), 'members@odata.bind': z.array(z.string()).optional() })
  .strict();

export const MemberRefBody = z.object({ '@odata.id': z.string().optional() }).strict();

export const AppRoleAssignmentBody = z
  .object({ principalId: z.string().default(''), resourceId: z.string().default(''), appRoleId: z.string().default('') })
  .strict();

/**
 * A member reference (`https://host/graph/v1.0/users/<id>` or the same path
 * without scheme and host) → the user id. The reference takes the last two
 * path segments as type and id and only accepts users; a reference to another
 * host is refused.
 */
export function memberFromRef(c: GraphCall, ref: string, messages: { parse: string; type: string }): string {
  let url: URL;
  try {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) && !ref.startsWith('/')) throw new Error('not absolute');
    url = new URL(ref, c.env.publicUrl);
  } catch {
    return invalid(messages.parse);
  }
  const hosts = new Set([new URL(c.env.publicUrl).host.toLowerCase(), String(c.request.headers.host ?? '').toLowerCase()]);
  if (!hosts.has(url.host.toLowerCase())) invalid(messages.parse);
  const segments = url.pathname.split('/');
  if (segments.length < 3) invalid(messages.parse);
  let id: string;
  try {
    id = decodeURIComponent(segments[segments.length - 1]!);
  } catch {
    return invalid(messages.parse);
  }
  if (segments[segments.length - 2] !== 'users') invalid(messages.type);
  if (id === '') invalid(messages.parse);
  return id;
}
