import { z } from 'zod';
import { ACTION_ORDER, type Condition, enabledRoles, findRole, fullActions, type UnifiedRole } from '../../domain/unified-roles.js';
import { parseBody } from './body.js';
import { validatorMessage } from './error-wording.js';
import { GraphError } from './errors.js';
import { parseDateTime } from './share-body.js';

/** The Go validator's message, which the reference returns verbatim for invalid invitations. */
export const validatorError = (field: string, tag: string) => new GraphError(400, 'invalidRequest', validatorMessage(field, tag));

const Invite = z
  .object({
    recipients: z.array(z.object({ objectId: z.string().optional(), '@libre.graph.recipient.type': z.string().optional() }).strict()).optional(),
    roles: z.array(z.string()).optional(),
    '@libre.graph.permissions.actions': z.array(z.string()).optional(),
    expirationDateTime: z.string().optional(),
  })
  .strict();

export interface ParsedInvite {
  recipientId: string;
  recipientType: 'user' | 'group';
  /** The one enabled role named by id, if the invite names one. */
  roleId?: string;
  /** Otherwise the full action names asked for. */
  actions: string[];
  expiresAt?: number;
}

/**
 * DriveItemInvite as the reference validates it (libregraph.md §2.7): one
 * recipient with an object id, user or group; one enabled role XOR actions
 * of the enabled roles (never permissions/create|update|delete|deny); an
 * expiry in the future.
 */
export function parseInvite(raw: unknown, now: number): ParsedInvite {
  const body = parseBody(Invite, raw, 'invalid request body');
  const recipients = body.recipients ?? [];
  if (recipients.length !== 1) throw validatorError('Recipients', 'len');
  const recipient = recipients[0]!;
  if (!recipient.objectId) throw validatorError('Recipients[0].ObjectId', 'ne');
  const type = recipient['@libre.graph.recipient.type'] ?? 'user';
  if (type !== 'user' && type !== 'group') throw validatorError('Recipients[0].LibreGraphRecipientType', 'oneof');
  const roles = body.roles ?? [];
  const actions = body['@libre.graph.permissions.actions'] ?? [];
  if (roles.length > 1) throw validatorError('Roles', 'max');
  if (roles.length && actions.length) throw validatorError('Roles', 'excluded_with');
  let roleId: string | undefined;
  if (roles.length === 1) {
    const role = findRole(roles[0]!);
    if (!role || !role.enabledByDefault) throw validatorError('Roles[0]', 'available_role');
    roleId = role.id;
  } else {
    if (!actions.length) throw validatorError('Roles', 'required_without');
    if (actions.some((a) => !ACTION_ORDER.includes(a)) || actions.some((a) => /\/permissions\/(create|update|delete|deny)$/.test(a))) {
      throw validatorError('LibreGraphPermissionsActions', 'available_action');
    }
  }
  const expiresAt = parseDateTime(body.expirationDateTime, 'expirationDateTime') ?? undefined;
  if (expiresAt !== undefined && expiresAt <= now) throw validatorError('ExpirationDateTime', 'gt');
  return { recipientId: recipient.objectId, recipientType: type, roleId, actions, expiresAt };
}

/** The role an invite asks for on a resource: by id, or the enabled role of that resource whose action set is exactly the one sent. */
export function inviteRole(invite: ParsedInvite, condition: Condition): string {
  if (invite.roleId) return invite.roleId;
  const wanted = new Set(invite.actions);
  const same = (r: UnifiedRole) => fullActions(r).length === wanted.size && fullActions(r).every((a) => wanted.has(a));
  const match = enabledRoles().find((r) => r.conditions.includes(condition) && same(r));
  if (!match) throw new GraphError(400, 'invalidRequest', `custom action sets are not supported on a ${condition === 'root' ? 'space root' : condition}: use the actions or id of one of its roles`);
  return match.id;
}
