import type { DavCall } from '../context.js';
import { badRequest, DavError, forbidden } from '../errors.js';
import { locksCovering } from '../locks.js';

/**
 * UNLOCK: 1 Lock-Token header (400 when missing), 2 the token must name a
 * lock covering the resource (409 lock-token-matches-request-uri, RFC 4918
 * §9.11.1), 3 only its owner may release it (403), 4 204.
 */
export async function unlock(call: DavCall): Promise<unknown> {
  const raw = call.header('lock-token');
  if (!raw || raw.trim() === '') throw badRequest('No lock token was supplied');
  const token = raw.trim().replace(/^<(.*)>$/, '$1');
  const t = await call.target();
  const lock = (await locksCovering(call, t, t.path)).find((l) => l.token === token);
  if (!lock) {
    throw new DavError(409, 'Sabre\\DAV\\Exception\\LockTokenMatchesRequestUri', 'The locktoken supplied does not match any locks on this entity', {}, '\n  <d:lock-token-matches-request-uri/>');
  }
  if (lock.userId !== call.userId) throw forbidden('Only the owner of a lock may release it');
  await call.deps.state.locks.remove(token);
  return call.reply.code(204).send();
}
