import { z } from 'zod';
import { isLinkType, type LinkType } from '../../domain/share-roles.js';
import type { NewLink, PermissionChanges } from '../../services/sharing/graph-shares.service.js';
import { parseBody } from './body.js';
import { GraphError } from './errors.js';

/** Request bodies of link and permission operations, decoded strictly as the reference does. */
const CreateLink = z
  .object({
    type: z.string().optional(),
    password: z.string().optional(),
    expirationDateTime: z.string().optional(),
    displayName: z.string().optional(),
    '@libre.graph.quickLink': z.boolean().optional(),
  })
  .strict();

const SetPassword = z.object({ password: z.string().optional() }).strict();

const SharePatch = z
  .object({
    roles: z.array(z.string()).optional(),
    expirationDateTime: z.string().nullable().optional(),
    link: z.object({ type: z.string().optional(), '@libre.graph.displayName': z.string().optional() }).strict().optional(),
  })
  .strict();

/** An RFC 3339 date-time as epoch ms; null and undefined pass through. */
export function parseDateTime(value: string | null | undefined, field: string): number | null | undefined {
  if (value === undefined || value === null) return value;
  const t = Date.parse(value);
  if (Number.isNaN(t) || !/^\d{4}-\d\d-\d\dT/.test(value)) throw new GraphError(400, 'invalidRequest', `invalid request body: ${field} is not an RFC 3339 date-time`);
  return t;
}

function linkType(raw: string | undefined): LinkType {
  // oCIS: an empty type and one it does not know are both "invalid link type".
  if (!raw || !isLinkType(raw)) throw new GraphError(400, 'invalidRequest', 'invalid link type');
  return raw;
}

export function parseCreateLink(body: unknown): NewLink {
  const b = parseBody(CreateLink, body, 'invalid body schema definition');
  return {
    type: linkType(b.type),
    password: b.password,
    expiresAt: parseDateTime(b.expirationDateTime, 'expirationDateTime') ?? undefined,
    displayName: b.displayName,
    quickLink: b['@libre.graph.quickLink'],
  };
}

export function parseSetPassword(body: unknown): string {
  return parseBody(SetPassword, body, 'invalid request body').password ?? '';
}

/** PATCH of a share permission: one role, an expiry (null removes it), a link's type and display name. */
export function parseSharePatch(body: unknown): PermissionChanges {
  const b = parseBody(SharePatch, body, 'invalid request body');
  if ((b.roles?.length ?? 0) > 1) throw new GraphError(400, 'invalidRequest', 'a permission has exactly one role');
  return {
    roleId: b.roles?.[0],
    expiresAt: parseDateTime(b.expirationDateTime, 'expirationDateTime'),
    linkType: b.link?.type === undefined ? undefined : linkType(b.link.type),
    displayName: b.link?.['@libre.graph.displayName'],
  };
}
