import type { FastifyInstance } from 'fastify';
import { fail } from '../../../domain/errors.js';
import { publicStatusType, shownMessage, type UserStatus } from '../../../domain/user-status.js';
import type { Services } from '../../../services/index.js';
import { int, type Params, str } from '../../common/params.js';
import { ok, ocsRoute } from '../route.js';

const BASE = '/apps/user_status/api/v1';
const seconds = (ms: number | null): number | null => (ms === null ? null : Math.floor(ms / 1000));

/** UserStatusController::formatStatus: the caller's own status, with the message's id and who chose the status. */
function privateJson(s: UserStatus): Record<string, unknown> {
  const shown = shownMessage(s);
  return {
    userId: s.userId,
    message: shown.message,
    messageId: s.messageId,
    messageIsPredefined: s.messageId !== null,
    icon: shown.icon,
    clearAt: seconds(s.clearAt),
    status: s.status,
    statusIsUserDefined: s.userDefined,
  };
}

/** StatusesController::formatStatus: what others see; invisible is offline. */
function publicJson(s: UserStatus): Record<string, unknown> {
  const shown = shownMessage(s);
  return { userId: s.userId, message: shown.message, icon: shown.icon, clearAt: seconds(s.clearAt), status: publicStatusType(s.status) };
}

/** A required string parameter; Nextcloud's dispatcher refuses a call without it (400). */
function required(p: Params, key: string): string {
  return str(p, key) ?? fail('invalidInput', `The parameter ${key} is missing`, 'missingParameter');
}

/** An optional integer (clearAt): absent or null is null, anything but an integer is refused. */
function optionalInt(p: Params, key: string): number | null {
  const raw = p[key];
  if (raw === undefined || raw === null || raw === '') return null;
  const n = int(p, key);
  if (n === undefined) fail('invalidInput', `The parameter ${key} must be an integer`, 'missingParameter');
  return n!;
}

const optionalStr = (p: Params, key: string): string | null => str(p, key) ?? null;

/**
 * Nextcloud's user_status app API (apps/user_status/appinfo/routes.php), on
 * v1 and v2. Any signed-in user; statuses of others are readable by every
 * user, as with Nextcloud's default user enumeration.
 */
export function userStatusRoutes(fastify: FastifyInstance, s: Services): void {
  const bad = { invalidStatusType: 400, invalidStatusIcon: 400, statusMessageTooLong: 400, clearAtInPast: 400, invalidMessageId: 400, missingParameter: 400 };
  ocsRoute(fastify, { method: 'GET', url: `${BASE}/user_status`, handler: async (c) => ok(privateJson(await s.userStatus.own(c.userId()))) });
  ocsRoute(fastify, {
    method: 'PUT',
    url: `${BASE}/user_status/status`,
    codes: bad,
    handler: async (c) => ok(privateJson(await s.userStatus.setStatus(c.userId(), required(c.params, 'statusType')))),
  });
  ocsRoute(fastify, {
    method: 'PUT',
    url: `${BASE}/user_status/message/predefined`,
    codes: bad,
    handler: async (c) => ok(privateJson(await s.userStatus.setPredefinedMessage(c.userId(), required(c.params, 'messageId'), optionalInt(c.params, 'clearAt')))),
  });
  ocsRoute(fastify, {
    method: 'PUT',
    url: `${BASE}/user_status/message/custom`,
    codes: bad,
    handler: async (c) =>
      ok(privateJson(await s.userStatus.setCustomMessage(c.userId(), optionalStr(c.params, 'statusIcon'), optionalStr(c.params, 'message'), optionalInt(c.params, 'clearAt')))),
  });
  ocsRoute(fastify, {
    method: 'DELETE',
    url: `${BASE}/user_status/message`,
    handler: async (c) => {
      await s.userStatus.clearMessage(c.userId());
      return ok([]);
    },
  });
  ocsRoute(fastify, {
    method: 'GET',
    url: `${BASE}/predefined_statuses`,
    handler: (c) => {
      c.userId();
      return ok(s.userStatus.predefined().map((p) => ({ id: p.id, icon: p.icon, message: p.message, clearAt: p.clearAt })));
    },
  });
  ocsRoute(fastify, {
    method: 'GET',
    url: `${BASE}/statuses`,
    handler: async (c) => {
      c.userId();
      return ok((await s.userStatus.list(int(c.params, 'limit'), int(c.params, 'offset'))).map(publicJson));
    },
  });
  ocsRoute(fastify, { method: 'GET', url: `${BASE}/statuses/:userId`, handler: async (c) => ok(publicJson(await s.userStatus.of(c.path.userId!))) });
  ocsRoute(fastify, {
    method: 'PUT',
    url: `${BASE}/heartbeat`,
    codes: bad,
    handler: async (c) => {
      const status = await s.userStatus.heartbeat(c.userId(), required(c.params, 'status'));
      // HeartbeatController: 204 without a body when a status the user chose is kept.
      if (!status) {
        c.reply.code(204).send();
        return;
      }
      return ok(privateJson(status));
    },
  });
}
