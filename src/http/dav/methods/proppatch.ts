import type { DavCall } from '../context.js';
import { badRequest } from '../errors.js';
import { assertUnlocked, locksCovering } from '../locks.js';
import { type PropResult, propResponse, sendMultistatus } from '../multistatus.js';
import { LIVE_PROPS } from '../props/index.js';
import { FAVORITE, favoriteKey } from '../props/oc.js';
import { clark, elements, innerXml, is, NS_DAV, parseXmlBody, textOf, type XmlElement } from '../xml.js';

interface Operation {
  ns: string;
  name: string;
  /** Value XML to set, or null to remove. */
  value: string | null;
  el: XmlElement;
}

/** The set/remove instructions of a propertyupdate, in document order (RFC 4918 §9.2; litmus propremoveset/propsetremove). */
export function parsePropertyUpdate(body: XmlElement | null): Operation[] {
  if (!body || !is(body, NS_DAV, 'propertyupdate')) throw badRequest('The root element of a PROPPATCH body must be {DAV:}propertyupdate');
  const ops: Operation[] = [];
  for (const instruction of elements(body)) {
    const set = is(instruction, NS_DAV, 'set');
    if (!set && !is(instruction, NS_DAV, 'remove')) continue;
    for (const prop of elements(instruction).filter((e) => is(e, NS_DAV, 'prop'))) {
      for (const el of elements(prop)) ops.push({ ns: el.ns, name: el.name, value: set ? innerXml(el) : null, el });
    }
  }
  return ops;
}

/**
 * PROPPATCH: 1 resolve (404), 2 If header (412), 3 locks (423), 4 parse,
 * 5 check every instruction (protected live properties 403, dead ones need
 * write access), 6 all or nothing: on any failure the rest is 424, else
 * store and answer 207 with every property 200.
 */
export async function proppatch(call: DavCall): Promise<unknown> {
  const t = await call.target();
  const node = await call.mustStat(t);
  await call.checkIf(async () => ({ etag: `"${node.etag}"`, lockTokens: new Set((await locksCovering(call, t, t.path)).map((l) => l.token)) }));
  await assertUnlocked(call, t, t.path, { membership: false, descendants: false });
  const ops = parsePropertyUpdate(parseXmlBody(call.request.body as Buffer | undefined));

  const statuses = new Map<string, PropResult>();
  for (const op of ops) {
    const key = clark(op.ns, op.name);
    let status = 200;
    if (key === FAVORITE) {
      // Favorites are the caller's own marks: read access is enough, as in Nextcloud.
      if (op.value !== null && !['0', '1', 'true', 'false'].includes(textOf(op.el).trim())) status = 400;
    } else if (LIVE_PROPS.has(key)) status = 403;
    else if (!t.access.can.write) status = 403;
    statuses.set(key, { ns: op.ns, name: op.name, status: Math.max(statuses.get(key)?.status ?? 0, status) });
  }
  const failed = [...statuses.values()].some((r) => r.status !== 200);
  if (failed) {
    for (const r of statuses.values()) if (r.status === 200) r.status = 424;
    return sendMultistatus(call.reply, [propResponse(call.href(t, t.path, node.type === 'folder'), [...statuses.values()])]);
  }

  // Later instructions win over earlier ones for the same property.
  const changes = new Map<string, string | null>();
  for (const op of ops) {
    const key = clark(op.ns, op.name);
    if (key === FAVORITE) {
      const on = op.value !== null && ['1', 'true'].includes(textOf(op.el).trim());
      changes.set(favoriteKey(call.userId), on ? '1' : null);
    } else changes.set(key, op.value);
  }
  if (changes.size) await call.deps.state.props.patch(node.id, [...changes].map(([name, value]) => ({ name, value })));
  const results = [...statuses.values()].map((r) => ({ ...r, value: null }));
  return sendMultistatus(call.reply, [propResponse(call.href(t, t.path, node.type === 'folder'), results)]);
}
