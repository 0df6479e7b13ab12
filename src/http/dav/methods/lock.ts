import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { DavCall, SpaceTarget } from '../context.js';
import { badRequest, conflict, DavError, forbidden, lockedError, preconditionFailed } from '../errors.js';
import { locksCovering } from '../locks.js';
import { activeLockXml } from '../props/dav.js';
import { type DavLock, lockPath } from '../state.js';
import { child, innerXml, is, NS_DAV, parseXmlBody, type XmlElement } from '../xml.js';

const DEFAULT_TIMEOUT = 1800;
/** Longest lock granted, also for `Infinite`: a forgotten lock must expire some day. */
export const MAX_TIMEOUT = 7 * 24 * 3600;

/** Timeout: `Second-n`, `Infinite`, or a list of them (RFC 4918 §10.7); the first usable one wins. */
export function parseTimeout(raw: string | undefined): number {
  if (!raw) return DEFAULT_TIMEOUT;
  for (const part of raw.split(',')) {
    const v = part.trim();
    if (/^infinite$/i.test(v)) return MAX_TIMEOUT;
    const m = /^second-(\d+)$/i.exec(v);
    if (m) return Math.min(Math.max(Number(m[1]), 1), MAX_TIMEOUT);
  }
  return DEFAULT_TIMEOUT;
}

function lockDepth(raw: string | undefined): 0 | 'infinity' {
  const v = (raw ?? 'infinity').trim().toLowerCase();
  if (v === '0') return 0;
  if (v === 'infinity') return 'infinity';
  throw badRequest('The HTTP Depth header of a LOCK may only be "0" or "infinity"');
}

function parseLockInfo(body: XmlElement): { scope: 'exclusive' | 'shared'; owner: string } {
  if (!is(body, NS_DAV, 'lockinfo')) throw badRequest('The root element of a LOCK body must be {DAV:}lockinfo');
  const scopeEl = child(body, NS_DAV, 'lockscope');
  const scope = scopeEl && child(scopeEl, NS_DAV, 'shared') ? 'shared' : scopeEl && child(scopeEl, NS_DAV, 'exclusive') ? 'exclusive' : null;
  if (!scope) throw badRequest('A lockscope of exclusive or shared is required');
  const type = child(body, NS_DAV, 'locktype');
  if (!type || !child(type, NS_DAV, 'write')) throw new DavError(422, 'Sabre\\DAV\\Exception\\BadRequest', 'Only write locks are supported');
  const owner = child(body, NS_DAV, 'owner');
  return { scope, owner: owner ? innerXml(owner).trim() : '' };
}

function sendLock(call: DavCall, t: SpaceTarget, lock: DavLock, status: number): unknown {
  const href = call.href(t, lock.path === '' ? [] : lock.path.split('/'), false);
  const xml = `<?xml version="1.0" encoding="utf-8"?>\n<d:prop xmlns:d="DAV:"><d:lockdiscovery>${activeLockXml(lock, href, Date.now())}</d:lockdiscovery></d:prop>\n`;
  return call.reply.code(status).header('Lock-Token', `<${lock.token}>`).type('application/xml; charset=utf-8').send(xml);
}

/**
 * LOCK: 1 resolve, 2 If header (412), then either a refresh (no body: the
 * submitted token of a lock covering the resource gets a new timeout, 412
 * when none matches) or a new lock: 3 lockinfo (400), Depth (400), write
 * access (403), 4 conflicting locks (423), 5 an unmapped URL becomes an empty
 * file (RFC 4918 §7.3; missing parent 409), 6 store, 200 or 201 with Lock-Token.
 */
export async function lock(call: DavCall): Promise<unknown> {
  const t = await call.target();
  const node = t.path.length === 0 ? await call.mustStat(t) : await call.stat(t);
  const covering = await locksCovering(call, t, t.path);
  await call.checkIf(async () => ({ etag: node ? `"${node.etag}"` : null, lockTokens: new Set(covering.map((l) => l.token)) }));
  const body = parseXmlBody(call.request.body as Buffer | undefined);
  const timeout = parseTimeout(call.header('timeout'));
  const now = Date.now();

  if (!body) {
    const submitted = call.submittedTokens();
    const held = covering.find((l) => submitted.has(l.token) && l.userId === call.userId);
    if (!held) throw preconditionFailed('A lock refresh needs the token of a lock on this resource in the If header');
    await call.deps.state.locks.refresh(held.token, timeout, now + timeout * 1000);
    return sendLock(call, t, { ...held, timeout, expiresAt: now + timeout * 1000 }, 200);
  }

  const info = parseLockInfo(body);
  const depth = lockDepth(call.header('depth'));
  if (!t.access.can.write) throw forbidden('You do not have permission to lock this resource');
  const p = lockPath(t.path);
  const others = (await call.deps.state.locks.near(t.spaceId, p, depth === 'infinity')).filter(
    (l) => covering.some((c) => c.token === l.token) || (depth === 'infinity' && l.path.startsWith(p === '' ? '' : `${p}/`) && l.path !== p),
  );
  const clash = others.find((l) => info.scope === 'exclusive' || l.scope === 'exclusive');
  if (clash) throw lockedError(call.href(t, clash.path === '' ? [] : clash.path.split('/'), false));

  let created = false;
  if (!node) {
    const parent = await call.stat(t, t.path.slice(0, -1));
    if (!parent || parent.type !== 'folder') throw conflict('The parent of the resource to lock does not exist');
    created = (await call.files.write(t.place, Readable.from([]), { expectedSize: 0 })).created;
  }
  const lock: DavLock = {
    token: `opaquelocktoken:${randomUUID()}`,
    spaceId: t.spaceId,
    path: p,
    scope: info.scope,
    depth,
    owner: info.owner,
    userId: call.userId,
    timeout,
    expiresAt: now + timeout * 1000,
  };
  await call.deps.state.locks.create(lock);
  return sendLock(call, t, lock, created ? 201 : 200);
}

